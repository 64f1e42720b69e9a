// The courier phone's outbox and sync engine (contract: sync-protocol.md).
//
// Every action is written first to IndexedDB: the outbox entry takes its id from a counter in the SAME
// transaction, so ids are 1, 2, 3 ... per client_id with no gap and no reuse. An entry is deleted only once the
// server acknowledged last_mutation_id >= id. One drainer per phone at a time (Web Locks), whatever the tabs.
// Photos and signatures wait in their own queue (store "blobs") so a slow upload never holds back a status.
// `rows` holds the server's view from the last pull; pages show it with the pending entries re-applied on top.
(function () {
  "use strict";

  var SCHEMA_VERSION = 2;
  var MAX_BATCH = 200;
  var MAX_BATCH_BYTES = 240 * 1024;
  var DEBOUNCE_MS = 200;
  var EVERY_MS = 30000;
  var NEAR_FULL_BYTES = 20 * 1024 * 1024;
  var NEAR_FULL_SHARE = 0.1;
  var app = document.getElementById("courier-app");
  if (!app || !("indexedDB" in window)) return;
  var courier = app.dataset.courier;
  var listeners = [];
  var state = { online: navigator.onLine, login: false, quota: false, nearFull: false, problems: 0, lastError: "" };
  var dbPromise = null;
  var debounce = null;

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function done(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error || new Error("aborted")); };
    });
  }

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open("waybill-courier-" + courier, 1);
      req.onupgradeneeded = function () {
        var db = req.result;
        db.createObjectStore("meta", { keyPath: "key" });
        db.createObjectStore("outbox", { keyPath: "id" });
        db.createObjectStore("rows", { keyPath: "key" });
        db.createObjectStore("blobs", { keyPath: "sha" });
        db.createObjectStore("ledger", { keyPath: "id" });
        var meta = req.transaction.objectStore("meta");
        // The phone's identity is born with its outbox database; a wiped phone gets a new one.
        meta.put({ key: "client_id", value: randomId() });
        meta.put({ key: "counter", value: 0 });
        meta.put({ key: "cursor", value: 0 });
        meta.put({ key: "acked", value: 0 });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function meta(key) {
    return open().then(function (db) {
      return request(db.transaction("meta").objectStore("meta").get(key));
    }).then(function (row) { return row ? row.value : undefined; });
  }

  function all(store) {
    return open().then(function (db) { return request(db.transaction(store).objectStore(store).getAll()); });
  }

  function isQuota(error) {
    return error && (error.name === "QuotaExceededError" || /quota/i.test(String(error.message || "")));
  }

  // Write one action: the outbox entry (its id from the counter), its blobs and its ledger line, atomically.
  // A failed write (a full disk answers QuotaExceededError) rejects with its own error and is never half-kept.
  function enqueue(name, args, extras) {
    extras = extras || {};
    return open().then(function (db) {
      var tx = db.transaction(["meta", "outbox", "blobs", "ledger"], "readwrite");
      var metaStore = tx.objectStore("meta");
      var id = null, failure = null;
      metaStore.get("counter").onsuccess = function (event) {
        try {
          id = event.target.result.value + 1;
          metaStore.put({ key: "counter", value: id });
          tx.objectStore("outbox").add({ id: id, name: name, args: args, device_ts: new Date().toISOString() });
          (extras.blobs || []).forEach(function (blob) { tx.objectStore("blobs").put(blob); });
          if (extras.ledger) tx.objectStore("ledger").put(Object.assign({ id: id }, extras.ledger));
        } catch (error) {
          failure = error;
          tx.abort();
        }
      };
      return done(tx).catch(function (error) { throw failure || error; }).then(function () {
        state.quota = false;
        changed();
        schedule();
        checkStorage();
        return id;
      });
    }).catch(function (error) {
      if (isQuota(error)) { state.quota = true; changed(); }
      throw error;
    });
  }

  // Warn before the disk is full: under 10 % or 20 MB of the origin's quota left.
  function checkStorage() {
    if (!navigator.storage || !navigator.storage.estimate) return Promise.resolve();
    return navigator.storage.estimate().then(function (found) {
      var left = (found.quota || 0) - (found.usage || 0);
      var nearFull = !!found.quota && (left < NEAR_FULL_BYTES || left < found.quota * NEAR_FULL_SHARE);
      if (nearFull !== state.nearFull) { state.nearFull = nearFull; changed(); }
    }).catch(function () { /* no estimate: the write errors still warn */ });
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (error) { return ""; }
  }

  function headers(extra) {
    return Object.assign({ "X-CSRF-Token": csrfToken(), "Accept": "application/json" }, extra || {});
  }

  function takeBatch(entries) {
    var batch = [], size = 0;
    for (var i = 0; i < entries.length && batch.length < MAX_BATCH; i++) {
      var length = JSON.stringify(entries[i]).length;
      if (batch.length && size + length > MAX_BATCH_BYTES) break;
      batch.push(entries[i]);
      size += length;
    }
    return batch;
  }

  function acknowledge(lastId, results) {
    return open().then(function (db) {
      var tx = db.transaction(["meta", "outbox"], "readwrite");
      tx.objectStore("outbox").delete(IDBKeyRange.upperBound(lastId));
      tx.objectStore("meta").put({ key: "acked", value: lastId });
      var problems = (results || []).filter(function (r) { return r.result === "superseded" || r.result === "rejected"; });
      if (problems.length) {
        var store = tx.objectStore("meta");
        store.get("problems").onsuccess = function (event) {
          var before = event.target.result ? event.target.result.value : 0;
          store.put({ key: "problems", value: before + problems.length });
        };
      }
      return done(tx);
    });
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // Push the outbox until it is empty or the network says no. Only one drainer per phone.
  function drainOnce() {
    return Promise.all([meta("client_id"), all("outbox")]).then(function (found) {
      var clientId = found[0], entries = found[1];
      if (!entries.length) return false;
      var batch = takeBatch(entries);
      return fetch("/api/v1/sync/push", {
        method: "POST", credentials: "same-origin",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({ client_id: clientId, schema_version: SCHEMA_VERSION,
                               device_now: new Date().toISOString(), mutations: batch }),
      }).then(function (response) {
        if (response.status === 401 || response.redirected) { state.login = true; changed(); return false; }
        if (response.status === 503) {
          var wait = parseInt(response.headers.get("Retry-After") || "2", 10) * 1000;
          return sleep(wait).then(function () { return true; });
        }
        if (!response.ok) { state.lastError = String(response.status); changed(); return false; }
        state.login = false;
        state.online = true;
        return response.json().then(function (body) {
          return acknowledge(body.last_mutation_id, body.results).then(function () {
            changed();
            return body.last_mutation_id >= batch[batch.length - 1].id;
          });
        });
      });
    });
  }

  function drainLoop() {
    return drainOnce().then(function (more) { return more ? drainLoop() : null; });
  }

  function uploadBlobs() {
    return all("blobs").then(function (blobs) {
      var chain = Promise.resolve();
      blobs.forEach(function (blob) {
        chain = chain.then(function () {
          return fetch("/api/v1/sync/blobs/" + blob.sha, {
            method: "PUT", credentials: "same-origin", headers: headers({ "Content-Type": blob.type }), body: blob.data,
          }).then(function (response) {
            if (response.status === 401) { state.login = true; throw new Error("login"); }
            if (response.ok || response.status === 422 || response.status === 413 || response.status === 415) {
              // stored, or refused for good (shown as a problem by the server's proof state): out of the queue
              return open().then(function (db) {
                var tx = db.transaction("blobs", "readwrite");
                tx.objectStore("blobs").delete(blob.sha);
                return done(tx);
              }).then(changed);
            }
            throw new Error("blob " + response.status);
          });
        });
      });
      return chain;
    });
  }

  var running = null;
  function sync() {
    if (running) return running;
    var work = function () {
      return drainLoop().then(uploadBlobs).then(pull).then(function () {
        state.online = true;
      }).catch(function (error) {
        if (isQuota(error)) state.quota = true;
        else if (!navigator.onLine || error instanceof TypeError) state.online = false;
        state.lastError = String(error && error.message || error);
      });
    };
    running = (navigator.locks ? navigator.locks.request("outbox", work) : work()).then(function () {
      running = null;
      changed();
    }, function () { running = null; changed(); });
    return running;
  }

  function schedule() {
    clearTimeout(debounce);
    debounce = setTimeout(sync, DEBOUNCE_MS);
    if (navigator.serviceWorker && navigator.serviceWorker.ready) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.sync) registration.sync.register("outbox").catch(function () {});
      });
    }
  }

  // Pull: the courier's day since the cursor; a stale cursor (409) starts again from a full snapshot.
  function pull() {
    return Promise.all([meta("cursor"), meta("client_id")]).then(function (found) {
      var cursor = found[0] || 0, clientId = found[1];
      return fetch("/api/v1/sync/pull?cursor=" + cursor + "&client_id=" + encodeURIComponent(clientId),
                   { credentials: "same-origin", headers: headers() }).then(function (response) {
        if (response.status === 409) return resetCursor().then(pull);
        if (response.status === 401 || response.redirected) { state.login = true; return null; }
        if (!response.ok) throw new Error("pull " + response.status);
        return response.json().then(function (body) {
          return applyPull(cursor, body).then(function () { return body.has_more ? pull() : cacheDay(); });
        });
      });
    });
  }

  function resetCursor() {
    return open().then(function (db) {
      var tx = db.transaction("meta", "readwrite");
      tx.objectStore("meta").put({ key: "cursor", value: 0 });
      return done(tx);
    });
  }

  function applyPull(cursor, body) {
    return open().then(function (db) {
      var tx = db.transaction(["meta", "rows"], "readwrite");
      var rows = tx.objectStore("rows");
      if (!cursor) rows.clear();  // a full snapshot replaces everything
      body.changes.forEach(function (change) {
        var key = change.entity + ":" + change.id;
        if (change.deleted) rows.delete(key);
        else rows.put({ key: key, entity: change.entity, id: change.id, version: change.version, fields: change.fields });
      });
      tx.objectStore("meta").put({ key: "cursor", value: body.cursor });
      return done(tx).then(changed);
    });
  }

  // At shift start (and after each pull) the route page, each stop page and the summary are cached for offline.
  function cacheDay() {
    return all("rows").then(function (rows) {
      var urls = ["/courier", "/courier/shift", "/courier/problems"];
      rows.forEach(function (row) { if (row.entity === "stop") urls.push("/courier/stops/" + row.id); });
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "cache-pages", urls: urls });
      }
    });
  }

  function sha256(blob) {
    return blob.arrayBuffer().then(function (buffer) { return crypto.subtle.digest("SHA-256", buffer); })
      .then(function (digest) {
        return Array.prototype.map.call(new Uint8Array(digest), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      });
  }

  // A photo or signature ready for the queue: {sha, type, data}.
  function prepareBlob(blob) {
    return sha256(blob).then(function (sha) { return { sha: sha, type: blob.type, data: blob, at: Date.now() }; });
  }

  function counts() {
    return open().then(function (db) {
      var tx = db.transaction(["outbox", "blobs"]);
      return Promise.all([request(tx.objectStore("outbox").count()), request(tx.objectStore("blobs").count())]);
    }).then(function (found) { return { changes: found[0], blobs: found[1] }; });
  }

  function changed() {
    counts().then(function (n) {
      listeners.forEach(function (listener) { try { listener(n, state); } catch (error) { /* a page's problem */ } });
      if (navigator.setAppBadge) {
        (n.changes + n.blobs ? navigator.setAppBadge(n.changes + n.blobs) : navigator.clearAppBadge()).catch(function () {});
      }
    });
  }

  function onChange(listener) { listeners.push(listener); changed(); }

  // Triggers: start, back online, back in view, every 30 s while visible, and after each new entry.
  window.addEventListener("online", function () { state.online = true; sync(); });
  window.addEventListener("offline", function () { state.online = false; changed(); });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") sync(); });
  setInterval(function () { if (document.visibilityState === "visible") sync(); }, EVERY_MS);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "sync-outbox") sync();
    });
  }
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then(function (yes) { if (!yes) return navigator.storage.persist(); }).catch(function () {});
  }

  window.WaybillOutbox = {
    ready: open(), enqueue: enqueue, prepareBlob: prepareBlob, sync: sync, pull: pull, onChange: onChange,
    state: state, counts: counts, meta: meta, isQuota: isQuota, checkStorage: checkStorage,
    outbox: function () { return all("outbox"); },
    rows: function () { return all("rows"); },
    ledger: function () { return all("ledger"); },
    blobs: function () { return all("blobs"); },
  };
  open().then(function () { checkStorage(); return sync(); });
})();
