// The courier app's pages: the sync bar, statuses shown as the phone sees them (last pull + pending actions),
// the route map, the stop's actions written to the outbox, the end-of-shift summary, and GPS while on shift.
(function () {
  "use strict";

  var app = document.getElementById("courier-app");
  var outbox = window.WaybillOutbox;
  if (!app || !outbox) return;
  var bar = document.getElementById("sync-bar");
  var statusNames = JSON.parse(bar.dataset.statuses || "{}");
  var RANK = { "new": 0, assigned: 1, picked_up: 2, out_for_delivery: 3, delivered: 4, failed: 4, returned: 5, cancelled: 6 };
  var TARGET = { "stop.pick_up": "picked_up", "stop.deliver": "delivered", "stop.fail": "failed" };
  var GPS_EVERY_MS = 30000;
  var MAX_GPS_POINTS = 120;  // the server's limit per gps.track
  var GPS_KEEP = 4 * MAX_GPS_POINTS;
  var shiftKey = "waybill-on-shift-" + app.dataset.courier;
  var lastPosition = null;

  function text(template, n) { return template.replace("{n}", String(n)); }

  // ---- the sync bar ---------------------------------------------------------------------------------------
  outbox.onChange(function (n, state) {
    var badge = document.getElementById("outbox-badge");
    var message = document.getElementById("sync-message");
    var words = n.changes === 0 ? bar.dataset.none : n.changes === 1 ? bar.dataset.one : text(bar.dataset.many, n.changes);
    if (n.blobs) words += " · " + text(bar.dataset.photos, n.blobs);
    badge.textContent = words;
    badge.dataset.count = String(n.changes);
    badge.dataset.blobs = String(n.blobs);
    badge.classList.toggle("waiting", n.changes + n.blobs > 0);
    var notes = [];
    if (state.quota) notes.push(bar.dataset.full);
    else if (state.nearFull) notes.push(bar.dataset.quota);
    if (state.login) notes.push(bar.dataset.login);
    else if (!state.online || !navigator.onLine) notes.push(bar.dataset.offline);
    message.textContent = notes.join(" ");
    message.classList.toggle("warn", state.quota || state.nearFull || state.login);
    document.getElementById("login-again").hidden = !state.login;
    refreshStatuses();
    if (app.dataset.page === "shift") showShift(n);
  });

  // ---- statuses as the phone sees them ----------------------------------------------------------------------
  function shownStatuses() {
    return Promise.all([outbox.rows(), outbox.outbox()]).then(function (found) {
      var statuses = {}, stopOrder = {};
      found[0].forEach(function (row) {
        if (row.entity === "order") statuses[row.id] = row.fields.status;
        if (row.entity === "stop") stopOrder[row.id] = row.fields.order_id;
      });
      found[1].forEach(function (entry) {
        var order = entry.args.order_id || stopOrder[entry.args.stop_id];
        var current = statuses[order];
        if (current === undefined) return;
        var target = TARGET[entry.name];
        if (entry.name === "stop.arrive" && (current === "assigned" || current === "picked_up")) target = "out_for_delivery";
        if (target && current !== "cancelled" && RANK[target] > RANK[current]) statuses[order] = target;
      });
      return statuses;
    });
  }

  function refreshStatuses() {
    shownStatuses().then(function (statuses) {
      document.querySelectorAll(".js-status").forEach(function (badge) {
        var status = statuses[badge.dataset.orderId];
        if (!status) return;
        badge.textContent = statusNames[status] || status;
        badge.dataset.status = status;
        var item = badge.closest(".stop");
        if (item) item.className = "stop status-" + status;
      });
    });
  }

  // ---- GPS while on shift: the phone's fixes are buffered and written as one gps.track entry every 30 s ------
  // Off shift nothing is watched, kept or sent. Leaving the page writes what is buffered, so no fix is lost.
  var gps = { watch: null, timer: null, buffer: [] };

  function onShift() { return localStorage.getItem(shiftKey) === "1"; }

  function flushGps() {
    if (!gps.buffer.length) return;
    var points = gps.buffer.splice(0, MAX_GPS_POINTS);
    outbox.enqueue("gps.track", { points: points }).catch(function () {
      gps.buffer = points.concat(gps.buffer).slice(-GPS_KEEP);  // storage full: keep the latest fixes in memory
    });
  }

  function startGps() {
    if (gps.watch !== null || !navigator.geolocation || !onShift()) return;
    gps.watch = navigator.geolocation.watchPosition(function (position) {
      lastPosition = { lat: position.coords.latitude, lon: position.coords.longitude };
      gps.buffer.push({ lat: lastPosition.lat, lon: lastPosition.lon, accuracy: position.coords.accuracy,
                        ts: new Date(position.timestamp).toISOString() });
    }, function () { /* no permission or no fix: nothing to share */ }, { enableHighAccuracy: true, maximumAge: 15000 });
    gps.timer = setInterval(flushGps, GPS_EVERY_MS);
  }

  function stopGps() {
    flushGps();  // fixes taken on shift still go out
    if (gps.watch !== null) navigator.geolocation.clearWatch(gps.watch);
    clearInterval(gps.timer);
    gps.watch = gps.timer = null;
    lastPosition = null;
  }

  var toggle = document.getElementById("shift-toggle");
  if (toggle) {
    var label = function () { toggle.textContent = onShift() ? toggle.dataset.end : toggle.dataset.start; };
    label();
    toggle.addEventListener("click", function () {
      var starting = !onShift();
      localStorage.setItem(shiftKey, starting ? "1" : "0");
      label();
      if (starting) startGps(); else stopGps();
    });
  }
  startGps();
  window.addEventListener("pagehide", flushGps);
  window.WaybillGps = { buffered: function () { return gps.buffer.length; }, watching: function () { return gps.watch !== null; } };

  function position() { return lastPosition ? { lat: lastPosition.lat, lon: lastPosition.lon } : {}; }

  // The position the courier chose to send with one action (also off shift): the shift's last fix, else one
  // fix asked for now; none (and the action still saved) when the phone has no fix within 10 s.
  function currentPosition() {
    if (lastPosition || !navigator.geolocation) return Promise.resolve(position());
    return new Promise(function (resolve) {
      navigator.geolocation.getCurrentPosition(function (found) {
        resolve({ lat: found.coords.latitude, lon: found.coords.longitude });
      }, function () { resolve({}); }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  // ---- the route map ----------------------------------------------------------------------------------------
  var mapBox = document.getElementById("route-map");
  if (mapBox && window.L) {
    var points = Array.prototype.map.call(document.querySelectorAll(".stop[data-lat]"), function (item) {
      return [parseFloat(item.dataset.lat), parseFloat(item.dataset.lon), item.dataset.sequence, item.dataset.stopId];
    });
    if (points.length) {
      var map = L.map(mapBox, { zoomControl: true, attributionControl: true });
      if (mapBox.dataset.tileUrl) {
        L.tileLayer(mapBox.dataset.tileUrl, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
      }
      var line = points.map(function (p) { return [p[0], p[1]]; });
      points.forEach(function (p) {
        L.marker([p[0], p[1]], { title: p[2] }).addTo(map).on("click", function () { location.href = "/courier/stops/" + p[3]; });
      });
      L.polyline(line, { weight: 3 }).addTo(map);
      map.fitBounds(line, { padding: [20, 20] });
    }
  }

  // ---- the stop's actions -------------------------------------------------------------------------------------
  function feedback(message, isError) {
    var box = document.getElementById("stop-feedback");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    box.classList.toggle("error", !!isError);
    box.scrollIntoView({ block: "nearest" });  // the forms sit far below it on a phone
  }

  // What went wrong, in the courier's words: a full phone and an oversized photo have their own sentences.
  function problemText(error) {
    if (outbox.isQuota(error)) return bar.dataset.full;
    if (/too large/.test(String(error))) return app.dataset.photoTooBig;
    return String(error && error.message || error);
  }

  function fieldError(form, message) {
    var box = form.querySelector(".field-error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function minorUnits(value) {
    var match = /^\s*(-?)(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(value || "");
    if (!match) return null;
    var cents = parseInt(match[2], 10) * 100 + parseInt(((match[3] || "") + "00").slice(0, 2), 10);
    return match[1] ? -cents : cents;
  }

  function photoBlob(form) {
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files || !input.files[0]) return Promise.resolve(null);
    return window.WaybillCapture.compressPhoto(input.files[0]).then(outbox.prepareBlob);
  }

  if (app.dataset.page === "stop") {
    var stopId = parseInt(app.dataset.stopId, 10);
    var orderId = parseInt(app.dataset.orderId, 10);
    var saved = function () { feedback(app.dataset.saved); refreshStatuses(); };
    var failed = function (error) { feedback(problemText(error), true); };

    document.querySelectorAll("button[data-mutation]").forEach(function (button) {
      button.addEventListener("click", function () {
        outbox.enqueue(button.dataset.mutation, Object.assign({ stop_id: stopId, order_id: orderId }, position()))
          .then(saved, failed);
      });
    });

    var pad = null;
    var canvas = document.querySelector(".signature-pad");
    if (canvas) {
      pad = new window.WaybillCapture.SignaturePad(canvas);
      document.querySelector("[data-clear-signature]").addEventListener("click", function () { pad.clear(); });
    }

    var deliver = document.getElementById("deliver-form");
    deliver.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = deliver.elements.recipient_name.value.trim();
      if (!name) { fieldError(deliver, app.dataset.needName); return; }
      Promise.all([photoBlob(deliver), pad ? pad.toBlob().then(function (b) { return b ? outbox.prepareBlob(b) : null; }) : null])
        .then(function (found) {
          var photo = found[0], signature = found[1];
          if (!photo && !signature) { fieldError(deliver, app.dataset.needProof); return null; }
          fieldError(deliver, "");
          return outbox.enqueue("stop.deliver", Object.assign({
            stop_id: stopId, order_id: orderId, recipient_name: name,
            photo_sha256: photo ? photo.sha : "", signature_sha256: signature ? signature.sha : "",
          }, position()), { blobs: [photo, signature].filter(Boolean) }).then(function () {
            deliver.reset();
            if (pad) pad.clear();
            saved();
          });
        }).catch(function (error) { fieldError(deliver, problemText(error)); });
    });

    var fail = document.getElementById("fail-form");
    fail.addEventListener("submit", function (event) {
      event.preventDefault();
      photoBlob(fail).then(function (photo) {
        return outbox.enqueue("stop.fail", Object.assign({
          stop_id: stopId, order_id: orderId, reason_code: fail.elements.reason_code.value,
          note: fail.elements.note.value, photo_sha256: photo ? photo.sha : "",
        }, position()), { blobs: photo ? [photo] : [] });
      }).then(function () { fail.reset(); saved(); }, function (error) { fieldError(fail, problemText(error)); });
    });

    var cash = document.getElementById("cash-form");
    cash.addEventListener("submit", function (event) {
      event.preventDefault();
      var amount = minorUnits(cash.elements.amount.value);
      if (!amount) { fieldError(cash, app.dataset.badAmount); return; }
      fieldError(cash, "");
      var currency = app.dataset.currency;
      outbox.enqueue("cash.collect", { order_id: orderId, amount: amount, currency: currency, method: cash.elements.method.value },
                     { ledger: { order_id: orderId, amount: amount, currency: currency, at: new Date().toISOString() } })
        .then(saved, failed);
    });

    var note = document.getElementById("note-form");
    note.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = note.elements.text.value.trim();
      if (!value) return;
      outbox.enqueue("note.add", { order_id: orderId, text: value }).then(function () { note.reset(); saved(); }, failed);
    });

    var address = document.getElementById("address-form");
    address.addEventListener("submit", function (event) {
      event.preventDefault();
      var args = { order_id: orderId, address: address.elements.address.value.trim(), note: address.elements.note.value };
      var here = address.elements.here.checked ? currentPosition() : Promise.resolve({});
      here.then(function (found) { return outbox.enqueue("address.suggest", Object.assign(args, found)); }).then(saved, failed);
    });
  }

  // ---- end of shift -------------------------------------------------------------------------------------------
  function showShift(n) {
    var stateBox = document.getElementById("shift-state");
    var list = document.getElementById("shift-waiting");
    var empty = n.changes + n.blobs === 0 && navigator.onLine && !outbox.state.login;
    stateBox.textContent = empty ? stateBox.dataset.done : stateBox.dataset.waiting;
    stateBox.classList.toggle("done", empty);
    var names = JSON.parse(list.dataset.names || "{}");
    outbox.outbox().then(function (entries) {
      var byName = {};
      entries.forEach(function (entry) { byName[entry.name] = (byName[entry.name] || 0) + 1; });
      list.textContent = "";
      Object.keys(byName).forEach(function (name) {
        var item = document.createElement("li");
        item.textContent = (names[name] || name) + ": " + byName[name];
        list.appendChild(item);
      });
    });
    outbox.ledger().then(function (entries) {
      var totals = {};
      entries.forEach(function (entry) { totals[entry.currency] = (totals[entry.currency] || 0) + entry.amount; });
      var box = document.getElementById("local-cash");
      var parts = Object.keys(totals).map(function (currency) {
        return new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "currency", currency: currency })
          .format(totals[currency] / 100);
      });
      box.textContent = parts.length ? box.dataset.template.replace("{amount}", parts.join(", ")) : "";
    });
  }
})();
