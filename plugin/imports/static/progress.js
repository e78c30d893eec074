/* Progress of a roster import: poll the job's JSON every second, move the bar, update the
   counts, and reload the page (which then shows the summary) once the job has finished.
   Without JavaScript the page refreshes itself through a <noscript> meta refresh. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.getAttribute("data-finished") === "true") {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("import-progress-bar");
  var status = document.getElementById("import-status");

  function show(data) {
    if (data.total) {
      bar.max = data.total;
      bar.value = Math.min(data.processed, data.total);
    } else {
      bar.removeAttribute("value");  /* indeterminate until the size is known */
    }
    ["processed", "created", "updated", "unchanged", "rejected"].forEach(function (name) {
      var cell = box.querySelector('[data-count="' + name + '"]');
      if (cell) {
        cell.textContent = data[name];
      }
    });
    var total = box.querySelector('[data-count="total"]');
    if (total) {
      total.textContent = data.total === null ? "?" : data.total;
    }
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
