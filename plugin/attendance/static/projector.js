/* Projector: ask the server for the current code and count, swap the QR code when it changes
   (every 30 s; the count every 5 s), and dim the code while the network is out.
   Without JavaScript the page reloads itself through a <noscript> meta refresh. */
(function () {
  "use strict";
  var root = document.getElementById("projector");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-state-url");
  var box = document.getElementById("venue-code");
  var count = document.getElementById("projector-count");
  var status = document.getElementById("projector-status");
  var offline = document.getElementById("projector-offline");
  var fullscreen = document.getElementById("projector-fullscreen");
  var COUNT_EVERY_MS = 5000;
  var timer = null;

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, delay);
  }

  function show(data) {
    if (data.code !== box.getAttribute("data-code")) {
      box.innerHTML = data.svg; /* SVG made by the server from the code; no user text in it */
      box.setAttribute("data-code", data.code);
      box.setAttribute("data-url", data.url);
    }
    count.textContent = data.count;
    status.textContent = data.status;
  }

  function stale(isStale) {
    if (isStale) {
      root.setAttribute("data-stale", "true");
    } else {
      root.removeAttribute("data-stale");
    }
    offline.hidden = !isStale;
  }

  function refresh() {
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.redirected) {
          window.location.reload(); /* signed out: show the sign-in page instead of a dead code */
        }
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(function (data) {
        show(data);
        stale(false);
        schedule(Math.min(data.refresh_ms, COUNT_EVERY_MS));
      })
      .catch(function () {
        stale(true);
        schedule(2000);
      });
  }

  if (document.documentElement.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      document.documentElement.requestFullscreen();
    });
  }
  schedule(Math.min(Number(root.getAttribute("data-refresh-ms")) || COUNT_EVERY_MS, COUNT_EVERY_MS));
}());
