/* "Filtrer par région": choosing a region with the mouse shows its news at once;
   with the keyboard, arrows only move the choice and Enter (or leaving the
   list) applies it, so that every region can be reached (RGAA 7.5). Without
   JavaScript the form's button does it (CSP: no inline code). */
(function () {
  "use strict";
  var KEYS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"];

  function setUp() {
    document.querySelectorAll("form[data-submit-on-change]").forEach(function (form) {
      form.querySelectorAll("[data-submit-on-change-button]").forEach(function (button) {
        button.classList.add("d-none");
      });
      var byKeyboard = false;
      var pending = false;
      form.addEventListener("keydown", function (event) {
        if (KEYS.indexOf(event.key) !== -1 || event.key.length === 1) {
          byKeyboard = true;
        } else if (event.key === "Enter" && pending) {
          event.preventDefault();
          form.submit();
        }
      });
      form.addEventListener("change", function () {
        if (byKeyboard) {
          pending = true;
          byKeyboard = false;
          return;
        }
        form.submit();
      });
      form.addEventListener("focusout", function () {
        if (pending) {
          form.submit();
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
