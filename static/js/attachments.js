/* Documents: confirm before deleting a selection; size the usage bar (CSP: no inline code). */
(function () {
  "use strict";
  if (window.tmsAttachmentsLoaded) {
    return;
  }
  window.tmsAttachmentsLoaded = true;

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-attachments-confirm]");
    if (!button || !button.form) {
      return;
    }
    var form = button.form;
    var checked = form.querySelectorAll('input[name="delete"]:checked');
    if (checked.length === 0) {
      event.preventDefault();
      window.alert("Cochez d'abord les pièces jointes à supprimer.");
      return;
    }
    if (!window.confirm(button.getAttribute("data-attachments-confirm"))) {
      event.preventDefault();
      return;
    }
    // Confirmed here: the server skips its own confirmation page.
    var flag = form.querySelector('input[name="confirm"]');
    if (!flag) {
      flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirm";
      form.appendChild(flag);
    }
    flag.value = "1";
    form.setAttribute("data-attachments-submitting", "1");
  });

  function sizeBars() {
    document.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-width") + "%";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sizeBars);
  } else {
    sizeBars();
  }
})();
