/* Phone pages: register the offline service worker; nothing else. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  var url = document.body.getAttribute("data-sw-url") || "/sw.js";
  navigator.serviceWorker.register(url).catch(function () { /* offline copies are a bonus */ });
})();
