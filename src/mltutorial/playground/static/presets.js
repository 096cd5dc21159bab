// The talk's experiments: each a view of numbers the server computes with the lessons' code.
"use strict";
const Presets = (() => {
  const $ = id => document.getElementById(id);
  let seq = 0, shownPreset = null;
  const TITLES = {
    gradient_descent: "How do neurons learn? Gradient descent on J(w, b) = \u00BD\u2016h \u2212 y\u2016\u00B2 (iris petals, h = w x + b)",
    worst_case: "What is the worst that can happen? A learning rate past 2/\u03BBmax",
    universal_approximation: "Universal approximation: one hidden layer of N tanh neurons",
    convolution: "Convolution: a 3\u00D73 filter slides over the image",
  };
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function figure(caption, ...children) { const f = el("div", "figure"); f.append(el("b", "", caption), ...children); return f; }
  async function show(state, keepControls) {
    $("preset-title").textContent = TITLES[state.preset] || state.preset;
    if (!keepControls) controls(state);
    const mine = ++seq;
    const hash = window.PlaygroundApp.toHash(state);
    if (state.preset !== shownPreset) {  // another experiment: clear the old one's pictures
      shownPreset = state.preset;
      $("preset-body").replaceChildren(el("div", "note", "computing with the lesson's code\u2026"));
    }
    const r = await fetch(`api/preset?hash=${encodeURIComponent(hash)}`);
    const body = await r.json().catch(() => ({}));
    if (mine !== seq) return;  // a newer request is on its way
    if (!r.ok) { $("preset-body").replaceChildren(); showMessage(body.detail || `error ${r.status}`); return; }
    const draw = { gradient_descent: descent, worst_case: descent, universal_approximation: approx, convolution: conv }[body.preset];
    $("preset-body").replaceChildren();
    draw(body);
  }
  // While a slider moves, redraw from the server (debounced) without touching the URL or the
  // slider; on release, the value goes into the state and the link.
  let timer = null;
  function preview(state, changes) {
    clearTimeout(timer);
    timer = setTimeout(() => show(Object.assign({}, state, changes), true), 120);
  }
  function controls(state) {
    const box = $("preset-controls"), set = window.PlaygroundApp.setState;
    box.replaceChildren();
    if (state.preset === "gradient_descent" || state.preset === "worst_case") {
      const label = el("label", "", "learning rate ");
      const shown = el("b", "", state.lr);
      const input = el("input"); input.type = "range"; input.id = "preset-lr";
      input.min = -3; input.max = Math.log10(0.3); input.step = 0.01; input.value = Math.log10(state.lr);
      input.addEventListener("input", () => {
        const lr = Number((10 ** input.value).toPrecision(3));
        shown.textContent = lr; preview(state, { lr });
      });
      input.addEventListener("change", () => set({ lr: Number((10 ** input.value).toPrecision(3)) }));
      label.append(shown, input); box.append(label);
    } else if (state.preset === "universal_approximation") {
      const choices = ["1", "2", "4", "8", "16", "32", "64"];
      const label = el("label", "", "neurons N = ");
      const shown = el("b", "", state.neurons);
      const input = el("input"); input.type = "range"; input.id = "preset-neurons";
      input.min = 0; input.max = 6; input.step = 1; input.value = choices.indexOf(String(state.neurons));
      input.addEventListener("input", () => {
        shown.textContent = choices[input.value]; preview(state, { neurons: choices[input.value] });
      });
      input.addEventListener("change", () => set({ neurons: choices[input.value] }));
      label.append(shown, input); box.append(label);
    } else if (state.preset === "convolution") {
      const label = el("label", "", "image ");
      const sel = el("select"); sel.id = "preset-image";
      for (const v of ["slide", "photo"]) { const o = el("option", "", v); o.value = v; sel.append(o); }
      sel.value = state.image; sel.addEventListener("change", () => set({ image: sel.value }));
      label.append(sel);
      const kernels = { "slide's filter": [0, 1, 2, 2, 2, 0, 0, 1, 2], edges: [-1, -1, -1, -1, 8, -1, -1, -1, -1],
        "vertical edges": [-1, 0, 1, -2, 0, 2, -1, 0, 1], blur: [1, 1, 1, 1, 1, 1, 1, 1, 1], sharpen: [0, -1, 0, -1, 5, -1, 0, -1, 0] };
      const pick = el("select"); pick.id = "preset-kernel";
      pick.append(el("option", "", "filter\u2026"));
      for (const k of Object.keys(kernels)) pick.append(el("option", "", k));
      pick.addEventListener("change", () => { if (kernels[pick.value]) set({ filter: kernels[pick.value] }); });
      box.append(label, pick);
    }
  }
  function descent(d) {
    const size = 360, body = $("preset-body");
    const surf = el("canvas"); surf.width = size; surf.height = size; surf.id = "surface";
    const n = d.log_cost.length, img = document.createElement("canvas"); img.width = n; img.height = n;
    const ctx0 = img.getContext("2d"), data = ctx0.createImageData(n, n);
    const flat = d.log_cost.flat(), lo = Math.min(...flat), hi = Math.max(...flat);
    flat.forEach((v, i) => {
      const t = (v - lo) / (hi - lo);
      data.data[4 * i] = 30 + 200 * t; data.data[4 * i + 1] = 60 + 120 * (1 - Math.abs(t - 0.5) * 2); data.data[4 * i + 2] = 200 - 170 * t; data.data[4 * i + 3] = 255;
    });
    ctx0.putImageData(data, 0, 0);
    const ctx = surf.getContext("2d");
    ctx.imageSmoothingEnabled = true; ctx.drawImage(img, 0, 0, size, size);
    const [w0, w1, b0, b1] = d.extent;
    const px = w => (w - w0) / (w1 - w0) * size, py = b => (b1 - b) / (b1 - b0) * size;
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.beginPath();
    d.path.forEach(([w, b], i) => { if (i === 0) ctx.moveTo(px(w), py(b)); else ctx.lineTo(px(w), py(b)); });
    ctx.stroke();
    ctx.fillStyle = "#fff"; ctx.beginPath(); ctx.arc(px(d.w_star), py(d.b_star), 4, 0, 7); ctx.fill();
    const costs = el("canvas"); costs.width = 360; costs.height = 200; costs.id = "costs";
    const finite = d.costs.filter(c => c !== null);
    const opts = { log: true, pad: 6 };
    if (d.threshold) opts.hi = d.threshold * 10;
    const s = Draw.curves(costs, [{ values: d.costs, colour: "#183d4e", width: 2 }], opts);
    const c2 = costs.getContext("2d");
    if (d.threshold) {
      c2.strokeStyle = "#c00"; c2.setLineDash([4, 3]); c2.beginPath();
      c2.moveTo(0, s.sy(d.threshold)); c2.lineTo(360, s.sy(d.threshold)); c2.stroke(); c2.setLineDash([]);
      c2.fillStyle = "#c00"; c2.fillText(`threshold ${d.threshold.toExponential(0)}`, 8, s.sy(d.threshold) - 4);
    }
    if (d.diverged_step) {
      const x = s.sx(d.diverged_step - 1);
      c2.fillStyle = "#c00"; c2.beginPath(); c2.arc(x, s.sy(finite[finite.length - 1]), 5, 0, 7); c2.fill();
    }
    const facts = el("div", "note");
    const verdict = d.diverged_step ? `diverged: J passed 1e6 at step ${d.diverged_step}`
      : d.converged_step ? `converged (J within 0.1% of J*) in ${d.converged_step} steps` : `not converged in ${d.costs.length} steps`;
    facts.append(el("div", "", `lr = ${d.lr}; stable only below 2/\u03BBmax = ${d.lr_limit.toFixed(4)} (\u03BB = ${d.eigenvalues.map(v => v.toFixed(3)).join(", ")})`),
      el("div", "", `minimum J* = ${d.J_star.toFixed(4)} at w = ${d.w_star.toFixed(3)}, b = ${d.b_star.toFixed(3)}`),
      el("div", "verdict", verdict));
    if (d.message) facts.append(el("div", "warn", d.message));
    body.append(figure("cost surface log J(w, b) and the descent path (w across, b up)", surf),
      figure("J at each step (log scale)", costs, facts));
  }
  function approx(d) {
    const plot = el("canvas"); plot.width = 480; plot.height = 280; plot.id = "fit";
    const xs = d.x, x0 = xs[0], x1 = xs[xs.length - 1];
    const sx = i => 6 + (xs[i] - x0) / (x1 - x0) * (480 - 12);
    Draw.curves(plot, [{ values: d.target, colour: "#999", width: 3, xs: sx }, { values: d.fit, colour: "#0877bd", width: 2, xs: sx }], { pad: 6, lo: -1.6, hi: 1.6 });
    const errs = el("canvas"); errs.width = 280; errs.height = 160;
    Draw.curves(errs, [{ values: d.all_max_errors, colour: "#c00", width: 2 }], { log: true, pad: 8 });
    const facts = el("div", "note");
    facts.append(el("div", "verdict", `N = ${d.neurons}: max error ${d.max_error.toFixed(4)}, rms ${d.rms_error.toFixed(4)}`),
      el("div", "", `max error for N = ${d.all_neurons.join(", ")}: ${d.all_max_errors.map(e => e.toFixed(3)).join(", ")}`));
    $("preset-body").append(figure("target f(x) = sin(1.5x) + 0.5 exp(\u221210(x\u22121)\u00B2) (grey) and the network's fit (blue)", plot, facts),
      figure("max error as N doubles (log scale)", errs));
  }
  function table(values, editable) {
    const t = el("table", "grid-table");
    values.forEach((row, i) => {
      const tr = el("tr");
      row.forEach((v, j) => {
        const td = el("td");
        if (editable) {
          const inp = el("input"); inp.type = "number"; inp.step = "any"; inp.value = v; inp.id = `k${i}${j}`;
          inp.addEventListener("change", () => {
            const k = [...document.querySelectorAll("#preset-body .grid-table input")].map(e => Number(e.value));
            window.PlaygroundApp.setState({ filter: k });
          });
          td.append(inp);
        } else td.textContent = Number.isInteger(v) ? v : v.toFixed(2);
        tr.append(td);
      });
      t.append(tr);
    });
    return t;
  }
  function conv(d) {
    const body = $("preset-body");
    const filter = figure("filter f (edit me)", table(d.filter, true));
    if (d.image === "slide") {
      const out = table(d.output, false); out.id = "conv-output";
      const same = JSON.stringify(d.output) === JSON.stringify(d.slide_output);
      body.append(figure("the slide's 5\u00D75 input", table(d.input, false)), filter,
        figure("output (3\u00D73)", out, el("div", "note", same ? "the slide's own numbers" : `the slide's filter gives ${JSON.stringify(d.slide_output)}`)));
    } else {
      const a = el("canvas"), b = el("canvas"); b.id = "conv-output";
      Draw.grey(a, d.input, d.input_shape[1], d.input_shape[0]);
      Draw.grey(b, d.output, d.output_shape[1], d.output_shape[0]);
      body.append(figure("input", a, el("div", "note", d.source)), filter,
        figure("output", b, el("div", "note", `from ${d.output_range[0].toFixed(2)} (black) to ${d.output_range[1].toFixed(2)} (white)`)));
    }
  }
  return { show };
})();
