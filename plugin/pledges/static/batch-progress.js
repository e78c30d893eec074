/* Progress of a site's pledge zip: poll the batch's JSON every second, move the bar, and
   reload the page (which then offers the download) once it has finished.
   Without JavaScript the page refreshes itself through a <noscript> meta refresh. */
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box || box.getAttribute("data-finished") === "true") {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("batch-progress-bar");
  var status = document.getElementById("batch-status");

  function show(data) {
    if (data.total) {
      bar.max = data.total;
      bar.value = Math.min(data.processed, data.total);
    } else {
      bar.removeAttribute("value");
    }
    box.querySelector('[data-count="processed"]').textContent = data.processed;
    box.querySelector('[data-count="total"]').textContent = data.total === null ? "?" : data.total;
    status.textContent = data.status_label;
    status.setAttribute("data-status", data.status);
  }

  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          show(data);
          if (data.finished) {
            window.location.reload();
            return;
          }
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 1000);
}());
