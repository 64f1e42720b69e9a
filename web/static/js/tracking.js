// The tracking page: the courier's position on a map while they drive to this stop (the progress card refreshes
// itself every 30 s through htmx; the map follows each refresh). No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var map = null, courier = null;

  function showMap() {
    var box = document.getElementById("track-map");
    if (!box || typeof L === "undefined") { map = null; return; }
    var here = [parseFloat(box.dataset.courierLat), parseFloat(box.dataset.courierLon)];
    var dest = [parseFloat(box.dataset.destLat), parseFloat(box.dataset.destLon)];
    if (map && map.getContainer() !== box) { map.remove(); map = null; }
    if (!map) {
      map = L.map(box, { zoomControl: true, attributionControl: true });
      if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
      L.circleMarker(dest, { radius: 8, color: "#1a7f37" }).addTo(map);
      courier = L.circleMarker(here, { radius: 9, color: "#1f4e79", fillOpacity: 0.9 }).addTo(map);
      map.fitBounds(L.latLngBounds([here, dest]).pad(0.3));
    } else {
      courier.setLatLng(here);
    }
  }

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    showMap();
    document.body.addEventListener("htmx:afterSwap", showMap);
  });
})();
