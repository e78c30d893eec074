/* The officer's badge scanner.

   Reads badges with the phone camera (jsQR, vendored next to this file), or takes an employee
   number typed in. Every scan gets a random nonce and the scan time (in the server's clock) and
   is kept in localStorage first, then uploaded when the network is there: at once, on the
   browser's "online" event and every 10 s. The server answers per nonce, so a queue sent twice
   is counted once. The page keeps working when the network goes away after it has loaded.

   For automated tests (no camera there): window.carebridgeScanner.decodeImage(src) runs the same
   decoder on an image (a badge picture) and submits what it reads; .submit(text) submits a
   decoded text as the camera loop does; .flush() uploads now. */
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) {
    return;
  }
  var uploadUrl = root.getAttribute("data-upload-url");
  var csrfToken = root.getAttribute("data-csrf");
  var storageKey = "carebridge.scans." + root.getAttribute("data-session-id");
  /* Server clock minus device clock: cheap phones are often minutes off. */
  var offset = Number(root.getAttribute("data-server-time")) - Date.now();
  var text = function (name) {
    return root.getAttribute("data-text-" + name);
  };
  var list = document.getElementById("scan-list");
  var lastResult = document.getElementById("last-result");
  var queueCount = document.getElementById("queue-count");
  var presentCount = document.getElementById("present-count");
  var networkState = document.getElementById("network-state");
  var cameraMessage = document.getElementById("camera-message");
  var KEEP_DONE = 200;
  var BATCH = 100;
  var LEVEL_CLASSES = {green: "success", amber: "warning", red: "danger"};
  var items = load();
  var sending = false;

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey)) || [];
    } catch (error) {
      return [];
    }
  }

  function save() {
    var done = 0;
    items = items.filter(function (item) {
      return item.status === "queued" || ++done <= KEEP_DONE;
    });
    window.localStorage.setItem(storageKey, JSON.stringify(items));
  }

  function newNonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function clock(ms) {
    var date = new Date(ms - offset);
    return [date.getHours(), date.getMinutes(), date.getSeconds()].map(function (n) {
      return ("0" + n).slice(-2);
    }).join(":");
  }

  function showResult(level, message) {
    lastResult.className = "alert fs-5 fw-bold text-center alert-" + (LEVEL_CLASSES[level] || "secondary");
    lastResult.setAttribute("data-level", level);
    lastResult.textContent = message;
  }

  function render() {
    var online = navigator.onLine !== false;
    networkState.textContent = online ? text("online") : text("offline");
    networkState.className = "badge " + (online ? "text-bg-success" : "text-bg-secondary");
    var queued = 0;
    list.textContent = "";
    items.forEach(function (item) {
      var row = document.createElement("li");
      row.className = "list-group-item d-flex justify-content-between gap-2";
      row.setAttribute("data-nonce", item.nonce);
      row.setAttribute("data-status", item.status);
      var what = document.createElement("span");
      var badge = document.createElement("span");
      if (item.status === "queued") {
        queued += 1;
        what.textContent = clock(item.scanned_at) + " " + (item.employee_number || "") + " " + text("waiting");
        badge.className = "badge text-bg-warning align-self-start";
        badge.textContent = text("waiting");
      } else {
        var result = item.result;
        what.textContent = clock(item.scanned_at) + " " + (result.worker ? result.worker + " " : "") + result.message;
        row.className += " list-group-item-" + LEVEL_CLASSES[result.level];
        row.setAttribute("data-outcome", result.outcome);
        row.setAttribute("data-late", result.late_upload ? "true" : "false");
        badge.className = "badge text-bg-secondary align-self-start";
        badge.textContent = text("late");
        badge.hidden = !result.late_upload;
      }
      row.appendChild(what);
      row.appendChild(badge);
      list.appendChild(row);
    });
    queueCount.textContent = queued;
  }

  function add(entry) {
    entry.nonce = newNonce();
    entry.scanned_at = Date.now() + offset;
    entry.status = "queued";
    items.unshift(entry);
    save();
    render();
    if (navigator.onLine === false) {
      showResult("amber", text("queued"));
    }
    flush();
  }

  function submit(decoded) {
    if (decoded) {
      add({code: String(decoded).slice(0, 300)});
    }
  }

  function answered(data) {
    offset = data.server_time - Date.now();
    data.results.forEach(function (result) {
      items.forEach(function (item) {
        if (item.nonce === result.nonce) {
          item.status = "done";
          item.result = result;
        }
      });
    });
    var latest = data.results[data.results.length - 1];
    if (latest) {
      showResult(latest.level, (latest.worker ? latest.worker + " " : "") + latest.message);
    }
    presentCount.textContent = data.count;
  }

  function flush() {
    var queued = items.filter(function (item) {
      return item.status === "queued";
    });
    if (sending || !queued.length || navigator.onLine === false) {
      render();
      return;
    }
    sending = true;
    var scans = queued.slice(-BATCH).reverse().map(function (item) {
      var scan = {nonce: item.nonce, scanned_at: item.scanned_at};
      if (item.employee_number) {
        scan.employee_number = item.employee_number;
      } else {
        scan.code = item.code;
      }
      return scan;
    });
    var more = false;
    fetch(uploadUrl, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken},
      body: JSON.stringify({scans: scans})
    }).then(function (response) {
      return response.json().then(function (data) {
        return {ok: response.ok, data: data};
      }, function () {
        return {ok: false, data: {error: text("problem")}};
      });
    }).then(function (answer) {
      if (answer.ok) {
        answered(answer.data);
        more = queued.length > scans.length;
      } else {
        showResult("red", answer.data.error || text("problem"));
      }
      save();
    }).catch(function () {
      /* The network went away: the scans stay queued for the next try. */
      showResult("amber", text("queued"));
    }).then(function () {
      sending = false;
      render();
      if (more) {
        flush();
      }
    });
  }

  /* --- decoding ------------------------------------------------------------------------- */
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", {willReadFrequently: true});

  function decode(source, width, height) {
    var scale = Math.min(1, 640 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(pixels.data, pixels.width, pixels.height, {inversionAttempts: "attemptBoth"});
    return found ? found.data : null;
  }

  function decodeImage(src) {
    return new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () {
        var decoded = decode(image, image.naturalWidth, image.naturalHeight);
        submit(decoded);
        resolve(decoded);
      };
      image.onerror = reject;
      image.src = src;
    });
  }

  var video = document.getElementById("camera");
  var lastText = null;
  var lastTime = 0;

  function tick() {
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
      var decoded = decode(video, video.videoWidth, video.videoHeight);
      /* The camera sees the same badge for a while: one scan per badge every 4 seconds. */
      if (decoded && (decoded !== lastText || Date.now() - lastTime > 4000)) {
        lastText = decoded;
        lastTime = Date.now();
        if (navigator.vibrate) {
          navigator.vibrate(80);
        }
        submit(decoded);
      }
    }
    window.setTimeout(tick, 150);
  }

  document.getElementById("start-camera").addEventListener("click", function (event) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraMessage.textContent = text("no-camera");
      return;
    }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
      .then(function (stream) {
        video.srcObject = stream;
        video.play();
        document.getElementById("camera-box").hidden = false;
        event.target.hidden = true;
        tick();
      })
      .catch(function () {
        cameraMessage.textContent = text("camera-denied");
      });
  });

  document.getElementById("manual-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("manual-number");
    var number = input.value.trim();
    if (number) {
      add({employee_number: number});
      input.value = "";
    }
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  window.setInterval(flush, 10000);
  window.carebridgeScanner = {submit: submit, decodeImage: decodeImage, flush: flush};
  render();
  flush();
}());
