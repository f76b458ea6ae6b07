/* Kiosk behaviour: font size (three steps) and eye-care colours kept for the
   current visitor only, idle reset to the attract screen, the attract slides,
   reading aloud with a Chinese voice, and the offline service worker.
   Loaded in <head> without defer so the visitor's settings apply before the
   first paint; everything touching the page waits for DOMContentLoaded. */
(function () {
  "use strict";
  var html = document.documentElement;
  var store;
  try { store = window.sessionStorage; } catch (e) { store = null; }

  function get(key) { return store ? store.getItem(key) : null; }
  function set(key, value) { if (store) { store.setItem(key, value); } }

  function fontStep() {
    var n = parseInt(get("kiosk-fs") || "1", 10);
    return n >= 1 && n <= 3 ? n : 1;
  }
  function apply() {
    html.classList.remove("fs-1", "fs-2", "fs-3");
    html.classList.add("fs-" + fontStep());
    html.classList.toggle("eyecare", get("kiosk-eye") === "1");
  }
  function forget() {
    if (store) { store.removeItem("kiosk-fs"); store.removeItem("kiosk-eye"); }
    if (window.speechSynthesis) { window.speechSynthesis.cancel(); }
    apply();
  }
  apply();

  function zhVoice() {
    if (!("speechSynthesis" in window)) { return null; }
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^zh([-_]CN)?/i.test(voices[i].lang)) { return voices[i]; }
    }
    return null;
  }

  function speakText() {
    var parts = document.querySelectorAll("main .speak, main h1");
    var text = [];
    for (var i = 0; i < parts.length; i++) { text.push(parts[i].textContent.trim()); }
    if (!text.length) { text.push(document.querySelector("main").textContent.trim()); }
    return text.join("。").replace(/\s+/g, " ").slice(0, 1200);
  }

  function setupSpeech(button) {
    if (!button) { return; }
    function idle() { button.setAttribute("aria-pressed", "false"); }
    function check() { button.hidden = !zhVoice(); if (button.hidden) { idle(); } }
    check();
    if ("speechSynthesis" in window && window.speechSynthesis.addEventListener) {
      window.speechSynthesis.addEventListener("voiceschanged", check);
    }
    button.addEventListener("click", function () {
      var synth = window.speechSynthesis;
      var voice = zhVoice();
      if (!synth || !voice) { check(); return; }  // no Chinese voice: never left pressed
      if (synth.speaking || button.getAttribute("aria-pressed") === "true") { synth.cancel(); idle(); return; }
      var u = new SpeechSynthesisUtterance(speakText());
      u.voice = voice;
      u.lang = "zh-CN";
      u.rate = 0.85;
      u.onend = idle;
      u.onerror = idle;
      button.setAttribute("aria-pressed", "true");
      synth.speak(u);
    });
  }

  function setupControls() {
    var eye = document.querySelector('[data-action="eyecare"]');
    function sync() { if (eye) { eye.setAttribute("aria-pressed", get("kiosk-eye") === "1" ? "true" : "false"); } }
    sync();
    document.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[data-action]") : null;
      if (!target) { return; }
      var action = target.getAttribute("data-action");
      if (action === "font-up") { set("kiosk-fs", String(Math.min(fontStep() + 1, 3))); }
      else if (action === "font-down") { set("kiosk-fs", String(Math.max(fontStep() - 1, 1))); }
      else if (action === "eyecare") { set("kiosk-eye", get("kiosk-eye") === "1" ? "0" : "1"); }
      else { return; }
      apply();
      sync();
    });
    setupSpeech(document.querySelector('[data-action="speak"]'));
  }

  /* A kiosk stands in one village hall: every page with a village remembers
     it (localStorage survives the idle reset), so pages without one (ticket
     lookup, error pages) still lead home to that village, never to the
     village setup list. */
  function remember(key, value) {
    try { if (value) { window.localStorage.setItem(key, value); } return window.localStorage.getItem(key); }
    catch (e) { return value; }
  }

  function setupHome(body) {
    var home = remember("kiosk-home", body.getAttribute("data-home-url"));
    var links = document.querySelectorAll("[data-remembered-home]");
    for (var i = 0; i < links.length; i++) { if (home) { links[i].setAttribute("href", home); } }
  }

  function setupIdle(body) {
    var seconds = parseFloat(body.getAttribute("data-idle-seconds") || "90");
    var attract = remember("kiosk-attract", body.getAttribute("data-attract-url")) ||
      body.getAttribute("data-setup-url");
    if (!(seconds > 0) || !attract) { return; }
    var timer = null;
    function reset() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () {
        forget();
        if (body.getAttribute("data-page") !== "attract") { window.location.replace(attract); }
      }, seconds * 1000);
    }
    ["pointerdown", "touchstart", "keydown", "wheel", "scroll"].forEach(function (name) {
      window.addEventListener(name, reset, { passive: true, capture: true });
    });
    reset();
  }

  /* The receipt photo page: 放大/缩小 buttons (a kiosk has no pinch zoom). */
  function setupZoom() {
    var img = document.querySelector("[data-zoom-target]");
    if (!img) { return; }
    var steps = [1, 1.5, 2, 3], at = 0;
    function show() {
      img.style.width = (steps[at] * 100) + "%";
      var out = document.querySelector('[data-zoom="out"]'), inn = document.querySelector('[data-zoom="in"]');
      if (out) { out.disabled = at === 0; }
      if (inn) { inn.disabled = at === steps.length - 1; }
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-zoom]") : null;
      if (!button) { return; }
      at = Math.max(0, Math.min(steps.length - 1, at + (button.getAttribute("data-zoom") === "in" ? 1 : -1)));
      show();
    });
    show();
  }

  /* Keypads (pinyin letters, ticket digits) are plain links, so they work
     without script; here a tap fetches the next state and swaps the
     [data-live] block in place: no reload, no jump under the sticky bar. */
  function setupLive() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("[data-live] a[href]") : null;
      if (!link || link.origin !== window.location.origin || event.defaultPrevented) { return; }
      var region = link.closest("[data-live]");
      var href = link.href;
      event.preventDefault();
      fetch(href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("navigate"); }
        return response.text();
      }).then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById(region.id);
        if (!fresh) { throw new Error("navigate"); }
        var y = window.scrollY;  // the swap briefly shortens the page; keep the visitor's place
        region.replaceWith(document.importNode(fresh, true));
        window.scrollTo(0, y);
        window.history.replaceState(null, "", href.split("#")[0]);
      }).catch(function () { window.location.href = href; });
    });
  }

  function setupAttract() {
    forget();  // a new visitor starts with the default settings
    var slides = document.querySelectorAll(".slide");
    if (slides.length < 2) { return; }
    var at = 0;
    setInterval(function () {
      slides[at].classList.remove("on");
      at = (at + 1) % slides.length;
      slides[at].classList.add("on");
    }, 6000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    if (body.getAttribute("data-page") === "attract") { setupAttract(); }
    setupControls();
    setupHome(body);
    setupIdle(body);
    setupZoom();
    setupLive();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(body.getAttribute("data-sw-url") || "/sw.js").catch(function () { /* offline mode is a bonus */ });
    }
  });
})();
