// The order form: a small map with a draggable pin for the pick-up and the drop-off (the way to place an address
// when no geocoder is configured), and "Find" buttons that ask the geocoder and fill the fields.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function field(id) { return document.getElementById(id); }

  function pinIcon(kind) {
    return L.divIcon({ className: "pin pin-" + kind, html: kind === "pickup" ? "A" : "B", iconSize: [28, 28], iconAnchor: [14, 28] });
  }

  onReady(function () {
    var element = document.getElementById("place-map");
    var markers = {};
    var map = null;
    if (element && typeof L !== "undefined") {
      map = L.map(element).setView([48.8566, 2.3522], 12);
      if (element.dataset.tileUrl) L.tileLayer(element.dataset.tileUrl, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
      ["pickup", "dropoff"].forEach(function (kind) {
        var lat = parseFloat(field(kind + "_lat").value), lon = parseFloat(field(kind + "_lon").value);
        var centre = map.getCenter(), side = kind === "pickup" ? -0.01 : 0.01;  // side by side until placed
        var start = isNaN(lat) || isNaN(lon) ? L.latLng(centre.lat, centre.lng + side) : L.latLng(lat, lon);
        markers[kind] = L.marker(start, { draggable: true, icon: pinIcon(kind), keyboard: true, title: kind }).addTo(map);
        markers[kind].on("dragend", function () {
          var point = markers[kind].getLatLng();
          field(kind + "_lat").value = point.lat.toFixed(6);
          field(kind + "_lon").value = point.lng.toFixed(6);
          field(kind + "_lat").dispatchEvent(new Event("change", { bubbles: true }));
        });
        field(kind + "_lat").addEventListener("change", function () { movePin(kind); });
        field(kind + "_lon").addEventListener("change", function () { movePin(kind); });
      });
    }

    function movePin(kind) {
      var lat = parseFloat(field(kind + "_lat").value), lon = parseFloat(field(kind + "_lon").value);
      if (markers[kind] && !isNaN(lat) && !isNaN(lon)) { markers[kind].setLatLng([lat, lon]); map.panTo([lat, lon]); }
    }

    document.querySelectorAll("[data-geocode]").forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.dataset.geocode;
        var results = field(kind + "-results");
        var query = field(kind + "_address").value;
        results.textContent = "";
        fetch("/orders/geocode?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            if (!data.results || !data.results.length) {
              var none = document.createElement("li");
              none.textContent = data.message || "—";
              results.appendChild(none);
              return;
            }
            data.results.forEach(function (hit) {
              var item = document.createElement("li");
              var choose = document.createElement("button");
              choose.type = "button";
              choose.className = "link";
              choose.textContent = hit.label;
              choose.addEventListener("click", function () {
                field(kind + "_address").value = hit.label;
                field(kind + "_lat").value = hit.lat;
                field(kind + "_lon").value = hit.lon;
                movePin(kind);
                results.textContent = "";
                field(kind + "_lat").dispatchEvent(new Event("change", { bubbles: true }));
              });
              item.appendChild(choose);
              results.appendChild(item);
            });
          });
      });
    });

    var client = field("client"), slider = field("priority_time_cost");
    if (client && slider) {
      client.addEventListener("change", function () {
        var option = client.options[client.selectedIndex];
        if (option && option.dataset.priority) slider.value = option.dataset.priority;
      });
    }
  });
})();
