// Cunju service worker: precache the built app so it starts with the network off.
// `cargo xtask build` replaces the two placeholders below with the list of files Trunk
// produced and a hash of their contents; an unprocessed copy precaches nothing.
const VERSION = "__CUNJU_BUILD_HASH__";
const PRECACHE = __CUNJU_PRECACHE__;
const CACHE = "cunju-app-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("cunju-app-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // The API is never cached: sync must see the server's real answer or a network error.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Any app route is the single-page app: network first, the cached shell when offline.
    event.respondWith(fetch(request).catch(() => caches.match("/index.html", { cacheName: CACHE })));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
});
