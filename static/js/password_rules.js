/* The password rules, ticked while the password is typed ("Au moins 8 caractères ✓"),
   as the insurer's sister portal does. The rules and their texts come from the
   server's validators (accounts.forms.live_password_rules), which stay the
   authority: this is only a hint. The list is a polite live region: a rule that
   becomes met (or no longer met) is read once, without interrupting.
   Without JavaScript the list stays a plain list (CSP: no inline code). */
(function () {
  "use strict";

  function codePoints(value) {
    return Array.from(value).length; // as Python's len(): "é" or an emoji is one character
  }

  function checker(item) {
    if (item.dataset.minLength) {
      var minimum = parseInt(item.dataset.minLength, 10);
      return function (value) { return codePoints(value) >= minimum; };
    }
    try {
      var pattern = new RegExp(item.dataset.pattern, "u");
      return function (value) { return pattern.test(value); };
    } catch (error) {
      return null; // a rule the browser cannot read stays a plain line
    }
  }

  function setUp(list) {
    var input = document.getElementById(list.dataset.passwordRules);
    if (!input) {
      return;
    }
    var rules = [];
    list.querySelectorAll("li").forEach(function (item) {
      var check = checker(item);
      if (!check) {
        return;
      }
      var mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.className = "tms-rule-mark";
      var state = document.createElement("span");
      state.className = "visually-hidden";
      item.appendChild(document.createTextNode(" "));
      item.appendChild(mark);
      item.appendChild(state);
      rules.push({ item: item, check: check, mark: mark, state: state, met: null });
    });

    function update() {
      rules.forEach(function (rule) {
        var met = rule.check(input.value);
        if (met === rule.met) {
          return; // unchanged: nothing is announced again
        }
        rule.met = met;
        rule.mark.textContent = met ? "✓" : "✗";
        rule.state.textContent = met ? " : critère respecté" : " : critère non respecté";
        rule.item.classList.toggle("tms-rule-met", met);
        rule.item.dataset.met = met ? "true" : "false";
      });
    }
    input.addEventListener("input", update);
    update();
  }

  function setUpAll() {
    document.querySelectorAll("[data-password-rules]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
