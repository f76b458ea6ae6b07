/* 我领了什么 on the kiosk: the number keypad with X and the surname keys
   type into the form (no system keyboard), a check-digit hint as you type,
   and the result cleared from the screen on 首页/重新查询 and when the page
   is shown again from the history. The typed number lives only in the form
   field until it is posted: never in storage, the URL or a cookie. */
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function clean(value) { return (value || "").replace(/\s+/g, "").toUpperCase(); }
  function grouped(value) {  // 410102 19900101 123X: easier to read back
    return [value.slice(0, 6), value.slice(6, 14), value.slice(14)].filter(Boolean).join(" ");
  }
  function checkDigitOk(value) {
    var total = 0;
    for (var i = 0; i < 17; i++) { total += parseInt(value.charAt(i), 10) * WEIGHTS[i]; }
    return CHECK.charAt(total % 11) === value.charAt(17);
  }

  function setupForm(form) {
    var field = form.querySelector("[data-id-field]");
    var hint = form.querySelector("[data-id-hint]");
    var name = form.querySelector("[data-name-field]");
    function show(value) {
      field.value = grouped(value);
      hint.classList.remove("ok", "bad");
      if (!value.length) { hint.textContent = "请按下面的数字键输入"; }
      else if (value.length < 18) { hint.textContent = "已输入" + value.length + "位，还差" + (18 - value.length) + "位"; }
      else if (/^\d{17}[\dX]$/.test(value) && checkDigitOk(value)) { hint.textContent = "18位已输完，下一步：点您的姓"; hint.classList.add("ok"); }
      else { hint.textContent = "号码好像不对，请按“退格”核对"; hint.classList.add("bad"); }
    }
    form.addEventListener("click", function (event) {
      var key = event.target.closest ? event.target.closest("[data-key]") : null;
      if (key) {
        var value = clean(field.value);
        var k = key.getAttribute("data-key");
        if (k === "back") { value = value.slice(0, -1); }
        else if (k === "clear") { value = ""; }
        else if (value.length < 18 && (k !== "X" || value.length === 17)) { value += k; }
        show(value);
        return;
      }
      var surname = event.target.closest ? event.target.closest("[data-surname]") : null;
      if (surname && name) {
        name.value = surname.getAttribute("data-surname");
        var all = form.querySelectorAll("[data-surname]");
        for (var i = 0; i < all.length; i++) {
          all[i].setAttribute("aria-pressed", all[i].getAttribute("data-surname") === name.value ? "true" : "false");
        }
        return;
      }
      var letter = event.target.closest ? event.target.closest("[data-letter]") : null;
      if (letter) {
        var want = letter.getAttribute("data-letter");
        var groups = form.querySelectorAll("[data-letter-group]");
        for (var j = 0; j < groups.length; j++) { groups[j].hidden = groups[j].getAttribute("data-letter-group") !== want; }
        var letters = form.querySelectorAll("[data-letter]");
        for (var n = 0; n < letters.length; n++) { letters[n].setAttribute("aria-pressed", letters[n] === letter ? "true" : "false"); }
      }
    });
    field.addEventListener("input", function () { show(clean(field.value).slice(0, 18)); });
    var groups = form.querySelectorAll("[data-letter-group]");
    for (var i = 0; i < groups.length; i++) { groups[i].hidden = true; }
    show(clean(field.value));
    form.addEventListener("submit", function () {
      field.value = clean(field.value);
      window.setTimeout(function () { field.value = ""; }, 0);  // off the screen as soon as it is sent
    });
  }

  function clearResult() {
    var result = document.querySelector("[data-lookup-result]");
    if (result) { result.textContent = ""; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-lookup-form]");
    if (form) { setupForm(form); }
    if (document.querySelector("[data-lookup-result]")) {
      document.addEventListener("click", function (event) {
        var link = event.target.closest ? event.target.closest("[data-lookup-clear], .topbar .home, .topbar .back") : null;
        if (link) { clearResult(); }
      }, true);
    }
  });
  // Back from the history (back/forward cache): never show an old result or number.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    clearResult();
    var field = document.querySelector("[data-id-field]");
    if (field) { field.value = ""; }
  });
})();
