// The calendar: drag an activity onto another day to move it there (same time of day). The activity's own page
// has a form for the same move, for keyboards and screen readers.
(function () {
  "use strict";

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRF-Token"]; } catch (e) { return ""; }
  }

  function bind(root) {
    root.querySelectorAll(".entry[draggable]").forEach(function (entry) {
      entry.addEventListener("dragstart", function (event) {
        event.dataTransfer.setData("text/plain", entry.dataset.activity + "|" + entry.dataset.start);
        event.dataTransfer.effectAllowed = "move";
      });
    });
    root.querySelectorAll(".calendar-day").forEach(function (cell) {
      cell.addEventListener("dragover", function (event) { event.preventDefault(); cell.classList.add("drop"); });
      cell.addEventListener("dragleave", function () { cell.classList.remove("drop"); });
      cell.addEventListener("drop", function (event) {
        event.preventDefault();
        cell.classList.remove("drop");
        var parts = event.dataTransfer.getData("text/plain").split("|");
        if (parts.length !== 2) return;
        var startsAt = cell.dataset.day + "T" + parts[1].split("T")[1];
        var body = new URLSearchParams({ starts_at: startsAt });
        fetch("/calendar/activities/" + parts[0] + "/move", {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-CSRF-Token": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" }
        }).then(function (response) {
          if (response.ok) { window.location.reload(); } else { cell.classList.add("refused"); }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bind(event.target); });
})();
