// The dispatcher's board: the Leaflet map (orders, routes, couriers), select-all, and drag-to-reorder a route
// (pointer events, so a finger on a tablet works as well as a mouse; the arrow buttons are the fallback).
(function () {
  "use strict";

  var STATUS_COLOURS = {
    new: "#6b7280", assigned: "#2563eb", picked_up: "#7c3aed", out_for_delivery: "#d97706",
    delivered: "#16a34a", failed: "#dc2626", returned: "#92400e", cancelled: "#9ca3af"
  };
  var ROUTE_COLOURS = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"];

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function csrfToken() {
    var input = document.querySelector("input[name=_csrf_token]");
    return input ? input.value : "";
  }

  // --- the map -------------------------------------------------------------------------------------------
  var map = null, layer = null, fitted = false;

  function startMap() {
    var element = document.getElementById("board-map");
    if (!element || typeof L === "undefined") return;
    map = L.map(element, { preferCanvas: true }).setView([48.8566, 2.3522], 12);
    var tiles = element.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
    }
    layer = L.layerGroup().addTo(map);
    refreshMap();
  }

  function refreshMap() {
    var element = document.getElementById("board-map");
    if (!map || !element) return;
    fetch(element.dataset.mapUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) draw(data); })
      .catch(function () { /* the list still works without the map */ });
  }

  function draw(data) {
    layer.clearLayers();
    var bounds = [];
    data.routes.forEach(function (route, index) {
      if (route.points.length > 1) {
        L.polyline(route.points, { color: ROUTE_COLOURS[index % ROUTE_COLOURS.length], weight: 2, opacity: 0.7 })
          .addTo(layer);
      }
    });
    data.orders.forEach(function (order) {
      var marker = L.circleMarker([order.lat, order.lon], {
        radius: 6, color: "#fff", weight: 1, fillOpacity: 0.9, fillColor: STATUS_COLOURS[order.status] || "#333"
      }).addTo(layer);
      marker.bindTooltip(order.ref);
      marker.on("click", function () {
        var box = document.getElementById("pick-" + order.id);
        if (box) { box.checked = !box.checked; box.closest("tr").scrollIntoView({ block: "nearest" }); }
      });
      bounds.push([order.lat, order.lon]);
    });
    data.couriers.forEach(function (courier) {
      L.circleMarker([courier.lat, courier.lon], { radius: 9, color: "#111", weight: 3, fillColor: "#facc15", fillOpacity: 1 })
        .bindTooltip(courier.name).addTo(layer);
    });
    if (!fitted && bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); fitted = true; }
  }

  // --- selecting orders ------------------------------------------------------------------------------------
  function startSelectAll() {
    var all = document.getElementById("select-all");
    if (!all) return;
    all.addEventListener("change", function () {
      document.querySelectorAll("#order-rows input[name=order]").forEach(function (box) { box.checked = all.checked; });
    });
  }

  // --- drag to reorder -------------------------------------------------------------------------------------
  var dragging = null;

  function onPointerDown(event) {
    var handle = event.target.closest(".drag-handle");
    if (!handle) return;
    dragging = handle.closest(".route-stop");
    dragging.classList.add("dragging");
    handle.setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  function onPointerMove(event) {
    if (!dragging) return;
    var list = dragging.parentNode;
    var over = document.elementFromPoint(event.clientX, event.clientY);
    var target = over && over.closest ? over.closest(".route-stop") : null;
    if (!target || target === dragging || target.parentNode !== list) return;
    var box = target.getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) list.insertBefore(dragging, target);
    else list.insertBefore(dragging, target.nextSibling);
    event.preventDefault();
  }

  function onPointerUp() {
    if (!dragging) return;
    var form = dragging.closest("form");
    dragging.classList.remove("dragging");
    dragging = null;
    saveOrder(form);
  }

  function saveOrder(form) {
    var body = new FormData(form);
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken() }
    }).then(function (response) {
      return response.text().then(function (html) {
        var panel = document.getElementById("route-panel");
        if (response.ok && panel) { panel.innerHTML = html; if (window.htmx) htmx.process(panel); }
        else { showError(html); }
        refreshMap();
      });
    });
  }

  function showError(html) {
    var slot = document.getElementById("board-error-slot");
    if (slot) slot.innerHTML = html;
  }

  onReady(function () {
    startMap();
    startSelectAll();
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("pointermove", onPointerMove);
    document.addEventListener("pointerup", onPointerUp);
    document.addEventListener("pointercancel", onPointerUp);
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt && event.detail.elt.id === "live") refreshMap();
    });
    // The poll refreshes the rows on screen, however many pages "Show more" added: it sends their ids.
    document.body.addEventListener("htmx:configRequest", function (event) {
      if (!event.detail.elt || event.detail.elt.id !== "live") return;
      var ids = [];
      document.querySelectorAll("#order-rows tr[data-order]").forEach(function (row) { ids.push(row.dataset.order); });
      event.detail.parameters.shown = ids.length ? ids.join(",") : "0";
    });
  });
})();
