/* Waybill service worker (hand-written, served at /sw.js with scope /).
 *
 * - Static assets: cache first (their names change when they change).
 * - Pages: network first with a 3 s timeout, then the cached copy, so the app opens with no network.
 * - HTMX fragments share URLs with pages: they are never cached, and never answered from the page cache.
 * - Writes (anything but GET) are never cached or replayed here: offline writes go through the outbox.
 * - An update never touches IndexedDB (the outbox lives there); it only replaces old caches, and carries the
 *   cached pages over to the new version first, so a courier offline through an update still opens the day.
 * - Courier app: at shift start the page asks (message "cache-pages") for the route page, each stop page and the
 *   summary to be cached; Background Sync, where the browser has it, only wakes the page's outbox drainer.
 */
"use strict";

// `?build=` on the registration URL names a new build (tests use it to play an update).
const VERSION = "waybill-v2" + (new URL(self.location.href).searchParams.get("build") || "");
const STATIC_CACHE = VERSION + "-static";
const PAGE_CACHE = VERSION + "-pages";
const PRECACHE = [
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/courier/outbox.js",
  "/static/js/courier/capture.js",
  "/static/js/courier/pages.js",
  "/static/vendor/leaflet.js",
  "/static/vendor/leaflet.css",
  "/static/vendor/htmx.min.js",
  "/static/icons/icon-192.png",
  "/manifest.webmanifest",
];
const NETWORK_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

async function carryPagesOver(names) {
  const target = await caches.open(PAGE_CACHE);
  for (const name of names.filter((n) => n.endsWith("-pages") && n !== PAGE_CACHE)) {
    const old = await caches.open(name);
    for (const request of await old.keys()) {
      if (!(await target.match(request))) {
        const response = await old.match(request);
        if (response) await target.put(request, response);
      }
    }
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => carryPagesOver(names).then(() => names))
      .then((names) => Promise.all(names.filter((n) => n !== STATIC_CACHE && n !== PAGE_CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

async function cachePages(urls) {
  const cache = await caches.open(PAGE_CACHE);
  for (const url of urls) {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok && response.type === "basic" && !response.redirected) await cache.put(url, response);
    } catch (error) {
      return;  // offline again: what is cached stays
    }
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "cache-pages" && Array.isArray(data.urls)) {
    const own = data.urls.filter((url) => new URL(url, self.location.origin).origin === self.location.origin);
    event.waitUntil(cachePages(own));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((windows) => {
    windows.forEach((client) => client.postMessage({ type: "sync-outbox" }));
  }));
});

function isFragment(request) {
  return request.headers.get("HX-Request") === "true" && request.headers.get("HX-History-Restore-Request") !== "true";
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error) => { clearTimeout(timer); reject(error); });
  });
}

async function networkFirst(request) {
  const cache = await caches.open(PAGE_CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.ok && response.type === "basic" && !response.redirected) {
      cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: false });
    if (cached) return cached;
    if (new URL(request.url).pathname.startsWith("/courier/")) {
      const route = await cache.match("/courier");  // a stop not cached yet: the day's route at least
      if (route) return route;
    }
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (isFragment(request)) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});

// Web Push (issue 7): show what the server sent ({title, body, url, tag}); a tap opens (or focuses) that page.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { body: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Waybill", {
    body: data.body || "", tag: data.tag || undefined, data: { url: data.url || "/" },
    icon: "/static/icons/icon-192.png", badge: "/static/icons/icon-192.png",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const open = windows.find((client) => client.url === url.href);
    return open ? open.focus() : self.clients.openWindow(url.href);
  }));
});
