// The optimizer's proposal: draw the proposed routes on a Leaflet map (one colour per courier). The proposal
// arrives either with the page or in place of the progress bar (an HTMX swap), so maps are started on both.
(function () {
  "use strict";

  var ROUTE_COLOURS = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"];

  function startMap(element) {
    if (!element || element.dataset.started || typeof L === "undefined") return;
    element.dataset.started = "1";
    var routes = JSON.parse(element.dataset.routes || "[]");
    var map = L.map(element, { preferCanvas: true }).setView([48.8566, 2.3522], 11);
    var tiles = element.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
    }
    var bounds = [];
    routes.forEach(function (route, index) {
      var colour = ROUTE_COLOURS[index % ROUTE_COLOURS.length];
      if (route.polyline.length > 1) {
        L.polyline(route.polyline, { color: colour, weight: 3, opacity: 0.8 }).bindTooltip(route.courier).addTo(map);
      }
      route.stops.forEach(function (stop, number) {
        L.circleMarker([stop.lat, stop.lon], {
          radius: 6, color: stop.late ? "#dc2626" : "#fff", weight: stop.late ? 3 : 1, fillOpacity: 0.9,
          fillColor: colour
        }).bindTooltip((number + 1) + ". " + stop.ref).addTo(map);
        bounds.push([stop.lat, stop.lon]);
      });
    });
    if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
    element.dataset.drawn = String(routes.length);  // how many routes are on the map
  }

  function startAll(root) {
    var element = (root || document).querySelector ? (root || document).querySelector("#optimize-map") : null;
    if (!element && root && root.id === "optimize-map") element = root;
    startMap(element || document.getElementById("optimize-map"));
  }

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () { startAll(document); });
  document.addEventListener("htmx:afterSettle", function () { startAll(document); });
})();
