// Small behaviours shared by every page. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // htmx swaps only 2xx answers by default, so a refusal (409 conflict, 422 form errors, 403...) would show only
  // after a reload. A 4xx fragment is swapped where the request aimed, like a success; a whole page (the app's
  // error page) or an answer to a request that swaps nothing gives its message to the page's error area.
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "5..", swap: false, error: true }
    ];
  }

  function errorArea() {
    var area = document.querySelector("[data-error-area]");
    if (!area) {
      area = document.createElement("div");
      area.setAttribute("data-error-area", "");
      area.setAttribute("aria-live", "assertive");
      var main = document.querySelector("main") || document.body;
      main.insertBefore(area, main.firstChild);
    }
    return area;
  }

  function messageOf(html, status) {
    var page = new DOMParser().parseFromString(html || "", "text/html");
    var parts = page.querySelectorAll(".error-page h1, .error-page p:not(:last-child), [role=alert]");
    var text = Array.prototype.map.call(parts, function (part) { return part.textContent.trim(); })
      .filter(Boolean).join(" ");
    return text || page.title || String(status);
  }

  function showError(html, status) {
    var note = document.createElement("p");
    note.className = "field-error";
    note.setAttribute("role", "alert");
    note.textContent = messageOf(html, status);
    errorArea().replaceChildren(note);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail, status = detail.xhr.status;
    if (status < 400) return;
    var html = detail.serverResponse || "";
    var wholePage = /<html[\s>]/i.test(html);
    var swapsNothing = (detail.swapOverride || detail.elt.getAttribute("hx-swap") || "").indexOf("none") === 0;
    if (status >= 500 || wholePage || swapsNothing || !detail.target || !detail.target.isConnected) {
      detail.shouldSwap = false;
      detail.isError = false;
      showError(html, status);
    }
  });

  onReady(function () {
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // A select marked data-autosubmit submits its form on change (the button stays for keyboards and no-JS).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
    if ("serviceWorker" in navigator && document.body.dataset.noSw === undefined) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* offline features off */ });
    }
  });
})();
