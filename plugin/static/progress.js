/* Progress of a background job (a roster import, a site's pledge zip): poll the job's JSON every
   second, move the bar, update the counts, and reload the page (which then shows the result) once
   the job has finished. Without JavaScript the page refreshes itself through a <noscript> meta
   refresh.

   Markup: an element with data-progress-url (and data-finished="true" once done) holding a
   <progress>, an element with data-progress-status, and cells data-count="NAME" that show the
   JSON's NAME value ("?" while it is null). */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || box.getAttribute("data-finished") === "true") {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-progress-status]");

  function show(data) {
    if (data.total) {
      bar.max = data.total;
      bar.value = Math.min(data.processed, data.total);
    } else {
      bar.removeAttribute("value");  /* indeterminate until the size is known */
    }
    Array.prototype.forEach.call(box.querySelectorAll("[data-count]"), function (cell) {
      var name = cell.getAttribute("data-count");
      if (Object.prototype.hasOwnProperty.call(data, name)) {
        cell.textContent = data[name] === null ? "?" : data[name];
      }
    });
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
