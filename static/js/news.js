/* "Filtrer par région": choosing a region shows its news at once; without
   JavaScript the form's button does it (CSP: no inline code). */
(function () {
  "use strict";
  function setUp() {
    document.querySelectorAll("form[data-submit-on-change]").forEach(function (form) {
      form.querySelectorAll("[data-submit-on-change-button]").forEach(function (button) {
        button.classList.add("d-none");
      });
      form.addEventListener("change", function () {
        form.submit();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
