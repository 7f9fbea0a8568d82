/* Service worker of the bulletin-board kiosk (issue 8.7), served at /boards/sw.js (scope /boards/).
   The kiosk page and the files it loads are fetched from the network first and kept; when the
   network is down the kept copy is answered, so a board restarted offline still shows its last
   content. The feed and the board's reports are never cached here (the page handles them). */
"use strict";
var CACHE = "ketnoi-board-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = url.pathname === "/boards/kiosk/" && !url.searchParams.has("token");
  var asset = url.pathname.indexOf("/static/") === 0;
  if (!page && !asset) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(page ? "/boards/kiosk/" : request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(page ? "/boards/kiosk/" : request).then(function (kept) {
        return kept || Response.error();
      });
    })
  );
});
