// After a refused form, put the keyboard focus on the first field in error
// (the error message is next to it and announced with it).
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector(".is-invalid, [aria-invalid='true']");
  if (invalid && typeof invalid.focus === "function") {
    invalid.focus();
  }
});
