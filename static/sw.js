/* Offline support for the kiosk (/kiosk/) and phone pages (/m/).
   Pages: network first; each good page is kept with the time it was fetched.
   When the network drops, the last good copy is shown with a red line
   "网络中断，显示的是 <time> 的数据". Static files: cache first.
   Every other path (admin, API, PDFs, questions) is left alone. */
"use strict";
var VERSION = "dev";  // served with a digest of static/ in its place (kiosk/service_worker.py)
var SHELL = "shell-" + VERSION;
var PAGES = "pages-" + VERSION;
var SHELL_FILES = [
  "/static/kiosk/kiosk.css",
  "/static/kiosk/kiosk.js",
  "/static/common/mobile.css",
  "/static/common/cards.css",
  "/static/common/favicon.ico",
  "/static/common/offline.js",
  "/static/common/icons/back.svg",
  "/static/common/icons/home.svg",
  "/static/common/icons/finance.svg",
  "/static/common/icons/subsidy.svg",
  "/static/common/icons/assistance.svg",
  "/static/common/icons/project.svg",
  "/static/common/icons/assets.svg",
  "/static/common/icons/major.svg",
  "/static/common/icons/other.svg",
  "/static/common/icons/photo.svg"
];
var MAX_PAGES = 200;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== SHELL && k !== PAGES; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function isPage(url) {
  return url.pathname.indexOf("/kiosk/") === 0 || url.pathname.indexOf("/m/") === 0;
}

function stamp(date) {
  function two(n) { return (n < 10 ? "0" : "") + n; }
  return date.getFullYear() + "年" + (date.getMonth() + 1) + "月" + date.getDate() + "日 " +
    two(date.getHours()) + ":" + two(date.getMinutes());
}

function keep(request, response) {
  var headers = new Headers(response.headers);
  headers.set("X-Fetched-At", String(Date.now()));
  return response.clone().blob().then(function (body) {
    return caches.open(PAGES).then(function (cache) {
      return cache.put(request, new Response(body, { status: response.status, headers: headers }))
        .then(function () { return cache.keys(); })
        .then(function (keys) {
          if (keys.length > MAX_PAGES) { return cache.delete(keys[0]); }
        });
    });
  });
}

/* A page never saved, offline: still a page of its face with the way home
   (on the kiosk kiosk.js points 首页 at this kiosk's village and runs the idle timer). */
function notSaved(request) {
  var kiosk = new URL(request.url).pathname.indexOf("/kiosk/") === 0;
  var home = kiosk ? "/kiosk/" : "/m/";
  var head = kiosk
    ? "<link rel=\"stylesheet\" href=\"/static/kiosk/kiosk.css\"><script src=\"/static/kiosk/kiosk.js\"></script>"
    : "<link rel=\"stylesheet\" href=\"/static/common/mobile.css\">";
  var body = kiosk
    ? "<body class=\"kiosk\" data-page=\"offline\" data-idle-seconds=\"90\" data-setup-url=\"/kiosk/\">"
    : "<body class=\"mobile\">";
  return new Response("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>网络中断</title>" + head +
    "</head>" + body + "<header class=\"topbar\"><div class=\"where\">村务公开</div>" +
    "<a class=\"btn nav home\" href=\"" + home + "\" data-remembered-home>首页</a></header>" +
    "<main class=\"content\"><h1>网络中断</h1><p class=\"lead\">这一页还没有保存过，请稍后再试，或到村委会询问。</p>" +
    "</main></body></html>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function fromCache(request) {
  return caches.open(PAGES).then(function (cache) { return cache.match(request); }).then(function (hit) {
    if (!hit) { return notSaved(request); }
    var when = new Date(parseInt(hit.headers.get("X-Fetched-At") || "0", 10) || Date.now());
    return hit.text().then(function (text) {
      var banner = "<div class=\"offline-banner\" id=\"offline-banner\" role=\"status\">网络中断，显示的是 " +
        stamp(when) + " 的数据</div>";
      text = text.replace(/<div class="offline-banner" id="offline-banner" role="status" hidden><\/div>/, banner);
      return new Response(text, { status: 200, headers: hit.headers });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    // cache first, refreshed in the background (stale-while-revalidate)
    var refresh = fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
    event.respondWith(caches.match(request).then(function (hit) { return hit || refresh; }));
    event.waitUntil(refresh.catch(function () { return null; }));
    return;
  }
  if (!isPage(url) || request.mode !== "navigate") { return; }
  event.respondWith(fetch(request).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    // no-store pages (a villager's own lookup) are never kept
    var noStore = /no-store/.test(response.headers.get("Cache-Control") || "");
    if (response.ok && type.indexOf("text/html") === 0 && !noStore) { event.waitUntil(keep(request, response)); }
    return response;
  }).catch(function () { return fromCache(request); }));
});
