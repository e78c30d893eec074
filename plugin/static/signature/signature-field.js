/* Binds every <canvas data-signature-for="FIELD_ID"> to the hidden input FIELD_ID with
   signature_pad (vendored next to this file): each finished stroke writes the drawing as a PNG
   data URL into the input; the button [data-signature-clear="FIELD_ID"] empties both.
   The canvas is sized to its box times the screen density, so strokes stay sharp. */
(function () {
  "use strict";
  if (typeof SignaturePad === "undefined") {
    return;
  }

  function bind(canvas) {
    var input = document.getElementById(canvas.getAttribute("data-signature-for"));
    if (!input || canvas.getAttribute("data-signature-bound") === "true") {
      return;  /* the scripts may be included once per signature box */
    }
    canvas.setAttribute("data-signature-bound", "true");
    var pad = new SignaturePad(canvas, {penColor: "rgb(0, 0, 0)", minWidth: 1, maxWidth: 3});
    var clearButton = document.querySelector('[data-signature-clear="' + input.id + '"]');

    function save() {
      input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
      canvas.setAttribute("data-signed", pad.isEmpty() ? "false" : "true");
    }

    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      if (data.length) {
        pad.fromData(data);
      }
      save();
    }

    pad.addEventListener("endStroke", save);
    if (clearButton) {
      clearButton.addEventListener("click", function (event) {
        event.preventDefault();
        pad.clear();
        save();
      });
    }
    window.addEventListener("resize", resize);
    resize();
  }

  var canvases = document.querySelectorAll("canvas[data-signature-for]");
  for (var i = 0; i < canvases.length; i += 1) {
    bind(canvases[i]);
  }
}());
