// "Mon parcours": ask before leaving a step page with unsaved changes.
// Loaded as a file (the CSP forbids inline scripts).
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  if (!form) {
    return;
  }
  // A page sent back with errors or a conflict holds unsaved input already.
  var dirty = form.getAttribute("data-dirty") === "true";
  function markDirty() {
    dirty = true;
  }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  form.addEventListener("submit", function () {
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) {
      return undefined;
    }
    // Browsers show their own wording; the message is for the older ones.
    var message = form.getAttribute("data-unsaved-warning") || "";
    event.preventDefault();
    event.returnValue = message;
    return message;
  });
}());
