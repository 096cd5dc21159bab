// Drawing helpers shared by the playground and the presets: colours, heat maps, curves.
"use strict";
const Draw = (() => {
  const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];
  // value in [-1, 1] -> [r, g, b]: orange, grey, blue (TensorFlow Playground's colours)
  function colour(v) {
    const t = Math.max(-1, Math.min(1, v));
    const end = t < 0 ? NEG : POS, a = Math.abs(t);
    return [0, 1, 2].map(i => Math.round(MID[i] + (end[i] - MID[i]) * a));
  }
  const LUT = Array.from({ length: 256 }, (_, q) => colour(q / 127.5 - 1));
  function decode(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  // base64 bytes (0..255 for -1..1), size x size -> canvas pixels
  function heat(canvas, b64, size, discrete) {
    const bytes = decode(b64);
    if (discrete) for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i] < 128 ? 0 : 255;
    canvas.width = size; canvas.height = size;
    const ctx = canvas.getContext("2d"), img = ctx.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const c = LUT[bytes[i]];
      img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  function grey(canvas, b64, w, h) {
    const bytes = decode(b64);
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
    for (let i = 0; i < w * h; i++) {
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = bytes[i]; img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  // points [[x1, x2, y], ...] over [-6, 6]^2 on a canvas of any size
  function points(canvas, pts, stroke) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    for (const [x, y, label] of pts) {
      const px = (x + 6) / 12 * W, py = (6 - y) / 12 * H;
      const c = colour(label);
      ctx.beginPath(); ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`; ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = stroke; ctx.stroke();
    }
  }
  // lines [{values, colour}] on a canvas; log: log10 y axis. Returns the scale functions.
  function curves(canvas, lines, opts = {}) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, pad = opts.pad || 4;
    ctx.clearRect(0, 0, W, H);
    const f = v => (opts.log ? Math.log10(Math.max(v, 1e-12)) : v);
    let lo = Infinity, hi = -Infinity, n = 1;
    for (const l of lines) {
      n = Math.max(n, l.values.length);
      for (const v of l.values) if (v !== null && isFinite(v)) { lo = Math.min(lo, f(v)); hi = Math.max(hi, f(v)); }
    }
    if (opts.lo !== undefined) lo = Math.min(lo, f(opts.lo));
    if (opts.hi !== undefined) hi = Math.max(hi, f(opts.hi));
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-9) hi = lo + 1;
    const sx = i => pad + i / Math.max(1, n - 1) * (W - 2 * pad);
    const sy = v => H - pad - (f(v) - lo) / (hi - lo) * (H - 2 * pad);
    for (const l of lines) {
      ctx.beginPath(); ctx.strokeStyle = l.colour; ctx.lineWidth = l.width || 1.5;
      let started = false;
      l.values.forEach((v, i) => {
        if (v === null || !isFinite(v)) return;
        const x = l.xs ? l.xs(i) : sx(i);
        if (!started) { ctx.moveTo(x, sy(v)); started = true; } else ctx.lineTo(x, sy(v));
      });
      ctx.stroke();
    }
    return { sx, sy, lo, hi };
  }
  return { colour, heat, grey, points, curves, decode };
})();
