// Staff side behaviour; no inline script anywhere (strict CSP).
(function () {
  "use strict";

  // Ask before destructive or irreversible actions: <button data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter || document.activeElement;
    var message = button && button.getAttribute ? button.getAttribute("data-confirm") : null;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // New notice: show only the period inputs of the chosen period type.
  var block = document.querySelector("[data-period-fields]");
  if (block) {
    var radios = document.querySelectorAll("input[name='period_type']");
    var sync = function () {
      var chosen = document.querySelector("input[name='period_type']:checked");
      var value = chosen ? chosen.value : "quarter";
      block.querySelectorAll("[data-period]").forEach(function (el) {
        el.hidden = el.getAttribute("data-period").split(" ").indexOf(value) < 0;
      });
    };
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }

  // Import: the roster kind matters only for rosters.
  var rosterOnly = document.querySelector("[data-when-roster]");
  if (rosterOnly) {
    var whats = document.querySelectorAll("input[name='what']");
    var syncWhat = function () {
      var chosen = document.querySelector("input[name='what']:checked");
      rosterOnly.hidden = !(chosen && chosen.value === "roster");
    };
    whats.forEach(function (r) { r.addEventListener("change", syncWhat); });
    syncWhat();
  }

  // Ledger entry: keep the subject list to the chosen direction.
  var direction = document.querySelector("form.entry select[name='direction']");
  var subject = document.querySelector("form.entry select[name='subject']");
  if (direction && subject) {
    var filter = function () {
      var prefix = direction.value === "income" ? "收" : "支";
      var firstMatch = null;
      Array.prototype.forEach.call(subject.options, function (opt) {
        var match = opt.text.indexOf(prefix) === 0;
        opt.hidden = !match;
        opt.disabled = !match;
        if (match && !firstMatch) { firstMatch = opt; }
      });
      if (subject.selectedOptions[0] && subject.selectedOptions[0].disabled && firstMatch) {
        firstMatch.selected = true;
      }
    };
    direction.addEventListener("change", filter);
    filter();
  }
})();
