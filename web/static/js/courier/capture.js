// Proof capture on the phone: a camera photo compressed to at most 1 MB, and a signature drawn on screen.
(function () {
  "use strict";

  var MAX_BYTES = 1024 * 1024;
  var MAX_SIDE = 1600;

  function toBlob(canvas, type, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, type, quality); });
  }

  function loadImage(file) {
    if (window.createImageBitmap) return createImageBitmap(file);
    return new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () { resolve(image); };
      image.onerror = reject;
      image.src = URL.createObjectURL(file);
    });
  }

  // JPEG, longest side at most 1600 px, quality lowered (then size halved) until it fits in 1 MB.
  function compressPhoto(file) {
    return loadImage(file).then(function (image) {
      var scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
      var attempt = function (scaleNow, quality) {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(image.width * scaleNow));
        canvas.height = Math.max(1, Math.round(image.height * scaleNow));
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        return toBlob(canvas, "image/jpeg", quality).then(function (blob) {
          if (blob && blob.size <= MAX_BYTES) return blob;
          if (quality > 0.45) return attempt(scaleNow, quality - 0.15);
          if (scaleNow > 0.1) return attempt(scaleNow / 2, 0.7);
          throw new Error("photo too large");
        });
      };
      return attempt(scale, 0.8);
    });
  }

  function SignaturePad(canvas) {
    var context = canvas.getContext("2d");
    var drawing = false, empty = true;
    context.lineWidth = 3;
    context.lineCap = "round";
    context.strokeStyle = "#111";
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: (event.clientX - box.left) * canvas.width / box.width, y: (event.clientY - box.top) * canvas.height / box.height };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      empty = false;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    this.isEmpty = function () { return empty; };
    this.clear = function () { context.clearRect(0, 0, canvas.width, canvas.height); empty = true; };
    this.toBlob = function () { return empty ? Promise.resolve(null) : toBlob(canvas, "image/png"); };
  }

  window.WaybillCapture = { compressPhoto: compressPhoto, SignaturePad: SignaturePad, MAX_BYTES: MAX_BYTES };
})();
