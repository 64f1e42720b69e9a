// Web Push subscription for any page that offers it: an element [data-push-offer] with data-subscribe-url and
// data-vapid-key. The browser's subscription (endpoint + keys) is posted to our server; the service worker
// (/sw.js) shows the messages.
(function () {
  "use strict";

  function urlBase64ToUint8Array(value) {
    var padding = "=".repeat((4 - (value.length % 4)) % 4);
    var raw = atob((value + padding).replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }

  function show(offer, selector) {
    offer.querySelectorAll(".push-done, .push-failed").forEach(function (el) { el.hidden = true; });
    var el = offer.querySelector(selector);
    if (el) el.hidden = false;
  }

  function subscribe(offer) {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("denied");
      return navigator.serviceWorker.register("/sw.js", { scope: "/" });
    }).then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return existing || registration.pushManager.subscribe({
            userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(offer.dataset.vapidKey)
          });
        });
      }).then(function (subscription) {
        return fetch(offer.dataset.subscribeUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
          body: JSON.stringify(subscription.toJSON())
        });
      }).then(function (response) {
        if (!response.ok) throw new Error("refused");
        show(offer, ".push-done");
      });
  }

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
    document.querySelectorAll("[data-push-offer]").forEach(function (offer) {
      if (!supported || !offer.dataset.vapidKey) return;
      offer.hidden = false;
      var button = offer.querySelector("button");
      button.addEventListener("click", function () {
        button.disabled = true;
        subscribe(offer).catch(function () { show(offer, ".push-failed"); }).then(function () {
          button.disabled = false;
        });
      });
    });
  });
})();
