// The playground page: controls built from the server's state table, the URL hash as the state,
// one WebSocket to this tab's training session, and the drawing of each frame.
"use strict";
const $ = id => document.getElementById(id);
const App = {
  props: [], byName: {}, state: null, ws: null, setup: null, playing: false,
  frames: 0, lastFrame: null,
};

function showMessage(text) {
  const m = $("message");
  m.textContent = text || ""; m.hidden = !text;
}

// -- state <-> URL hash (the server's table decides types and ranges) ---------------------------
function formatValue(p, v) {
  if (p.type === "bool") return v ? "true" : "false";
  if (Array.isArray(v)) return v.join(",");
  return String(v);
}
function toHash(state) {
  return App.props.map(p => `${p.name}=${encodeURIComponent(formatValue(p, state[p.name])).replace(/%2C/g, ",")}`).join("&");
}
async function checkHash(hash) {
  const r = await fetch(`api/state?hash=${encodeURIComponent(hash)}`);
  const body = await r.json();
  if (!r.ok) throw new Error(body.detail || `error ${r.status}`);
  return body;
}
let applying = false;
async function setState(changes) {
  const next = Object.assign({}, App.state, changes);
  const hash = toHash(next);
  try {
    const checked = await checkHash(hash);
    App.state = checked.state;
    showMessage("");
  } catch (e) { showMessage(e.message); renderControls(); return; }
  applying = true;
  history.replaceState(null, "", "#" + toHash(App.state));
  applying = false;
  render();
}
function render() {
  renderControls();
  const preset = App.state.preset;
  document.querySelectorAll("#presets a").forEach(a => {
    a.classList.toggle("on", a.getAttribute("href").includes(`preset=${preset}`));
  });
  $("network-view").hidden = preset !== "none";
  $("preset-view").hidden = preset === "none";
  if (preset === "none") {
    send({ type: "state", hash: toHash(App.state) });
    if (App.setup) drawPoints();
    if (App.lastFrame) drawFrame(App.lastFrame);
  }
  else { pause(); Presets.show(App.state); }
}

// -- controls --------------------------------------------------------------------------------
const TOP = ["lr", "activation", "reg", "regRate"];
const DATA = ["trainPct", "noise", "batch", "points", "seed"];
const LR_CHOICES = [1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
function control(name) {
  const p = App.byName[name], v = App.state[name];
  const label = document.createElement("label");
  label.textContent = p.label;
  let input;
  if (p.type === "bool") {
    input = document.createElement("input");
    input.type = "checkbox"; input.checked = !!v;
    input.addEventListener("change", () => setState({ [name]: input.checked }));
    label.classList.add("check");
  } else if (p.type === "choice" || name === "lr" || name === "regRate") {
    input = document.createElement("select");
    const options = name === "lr" ? LR_CHOICES : name === "regRate" ? RATES : p.choices;
    const values = options.map(String);
    if (!values.includes(String(v))) values.push(String(v));
    for (const o of values) { const opt = document.createElement("option"); opt.value = o; opt.textContent = o; input.append(opt); }
    input.value = String(v);
    input.addEventListener("change", () => {
      setState({ [name]: p.type === "choice" ? input.value : Number(input.value) });
    });
  } else {
    input = document.createElement("input");
    input.type = "range"; input.min = p.lo; input.max = p.hi;
    input.step = p.type === "int" ? 1 : (p.hi - p.lo) / 50;
    input.value = v;
    const shown = document.createElement("span"); shown.textContent = ` ${v}`;
    label.append(shown);
    input.addEventListener("input", () => { shown.textContent = ` ${input.value}`; });
    input.addEventListener("change", () => setState({ [name]: Number(input.value) }));
  }
  input.id = `ctl-${name}`;
  label.append(input);
  return label;
}
function renderControls() {
  if (!App.state) return;
  $("top-controls").replaceChildren(...TOP.map(control));
  $("data-controls").replaceChildren(...DATA.map(control));
  $("output-controls").replaceChildren(...["showTest", "discretize"].map(control));
  const ds = $("datasets");
  ds.replaceChildren(...App.byName.dataset.choices.filter(d => d !== "upload" || App.uploaded).map(d => {
    const b = document.createElement("button");
    b.title = d; b.dataset.name = d;
    b.classList.toggle("on", App.state.dataset === d);
    b.textContent = d;
    b.addEventListener("click", () => setState({ dataset: d }));
    return b;
  }));
  $("layer-count").textContent = App.state.shape.length;
}

// -- the socket ------------------------------------------------------------------------------
function connect() {
  const url = new URL("ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.hash = "";
  const ws = new WebSocket(url);
  App.ws = ws;
  ws.addEventListener("open", () => {
    if (App.uploadId) ws.send(JSON.stringify({ type: "upload", id: App.uploadId }));
    if (App.state.preset === "none") ws.send(JSON.stringify({ type: "state", hash: toHash(App.state) }));
  });
  ws.addEventListener("message", ev => onMessage(JSON.parse(ev.data)));
  ws.addEventListener("close", ev => {
    App.ws = null; setPlaying(false);
    if (ev.code === 4408) showMessage("This session ended after idling: reload the page to start again.");
    else if (ev.code === 1013) showMessage("The server is full: try again in a minute.");
  });
}
function send(msg) {
  if (App.ws && App.ws.readyState === WebSocket.OPEN) App.ws.send(JSON.stringify(msg));
  else if (!App.ws) connect();
}
function setPlaying(on) {
  App.playing = on;
  $("play").textContent = on ? "pause" : "play";
  $("play").setAttribute("aria-pressed", on ? "true" : "false");
}
function pause() { if (App.playing) send({ type: "pause" }); setPlaying(false); }
function onMessage(m) {
  if (m.type === "setup") { App.setup = m; drawNetwork(); drawPoints(); drawCurve(); }
  else if (m.type === "frame") drawFrame(m);
  else if (m.type === "playing") setPlaying(true);
  else if (m.type === "paused") setPlaying(false);
  else if (m.type === "error") { showMessage(m.message); setPlaying(false); }
  else if (m.type === "ended") showMessage(m.message);
  else if (m.type === "uploaded" && !$("upload-name").textContent) $("upload-name").textContent = `using ${m.name}`;
}

// -- drawing ---------------------------------------------------------------------------------
const NODE = 36;
const PRETTY = { x1: "x₁", x2: "x₂", x1sq: "x₁²", x2sq: "x₂²", x1x2: "x₁x₂", sinx1: "sin x₁", sinx2: "sin x₂" };
function layout() {
  const s = App.setup, box = $("network");
  const width = Math.max(box.clientWidth, 300);
  const cols = [s.features.length, ...App.state.shape, 1];
  const ncols = cols.length;
  const maxRows = Math.max(...cols);
  const height = Math.max(maxRows * (NODE + 14) + 40, 200);
  box.style.height = `${height}px`;
  const xs = cols.map((_, i) => 50 + i * (width - 50 - NODE - 10) / Math.max(1, ncols - 1));
  return cols.map((n, i) => Array.from({ length: n }, (_, j) => ({ x: xs[i], y: 30 + j * (NODE + 14) })));
}
function drawNetwork() {
  const s = App.setup, box = $("network");
  box.querySelectorAll(".node, .node-label, .layer-ctl").forEach(e => e.remove());
  App.pos = layout();
  App.nodes = App.pos.map((col, i) => col.map((p, j) => {
    const c = document.createElement("canvas");
    c.className = "node"; c.width = s.small; c.height = s.small;
    c.style.left = `${p.x}px`; c.style.top = `${p.y}px`;
    box.append(c);
    return c;
  }));
  // inputs: every feature, the chosen ones bright; click to toggle
  const all = App.byName.dataset ? ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"] : [];
  s.features.forEach((f, j) => {
    Draw.heat(App.nodes[0][j], s.inputs[j], s.small);
    App.nodes[0][j].classList.add("feature");
    App.nodes[0][j].title = `${PRETTY[f]}: click to remove`;
    App.nodes[0][j].addEventListener("click", () => setState({ [f]: false }));
    const l = document.createElement("div"); l.className = "node-label"; l.textContent = PRETTY[f];
    l.style.left = `${App.pos[0][j].x - 50}px`; l.style.top = `${App.pos[0][j].y + 10}px`;
    box.append(l);
  });
  const unused = all.filter(f => !s.features.includes(f));
  $("more-features").replaceChildren(...unused.map(f => {
    const b = document.createElement("button"); b.textContent = `+ ${PRETTY[f]}`; b.dataset.feature = f;
    b.title = `add the feature ${PRETTY[f]}`; b.addEventListener("click", () => setState({ [f]: true }));
    return b;
  }));
  // +/- neurons above each hidden layer
  App.state.shape.forEach((n, i) => {
    const ctl = document.createElement("div"); ctl.className = "layer-ctl";
    ctl.style.left = `${App.pos[i + 1][0].x - 6}px`; ctl.style.top = "4px";
    const plus = document.createElement("button"); plus.textContent = "+"; plus.className = "add-neuron";
    const minus = document.createElement("button"); minus.textContent = "\u2212"; minus.className = "remove-neuron";
    plus.title = "add a neuron"; minus.title = "remove a neuron";
    plus.addEventListener("click", () => changeNeurons(i, 1));
    minus.addEventListener("click", () => changeNeurons(i, -1));
    ctl.append(plus, minus); box.append(ctl);
  });
  if (App.lastFrame) drawFrame(App.lastFrame);
}
function changeNeurons(i, d) {
  const shape = App.state.shape.slice();
  shape[i] = shape[i] + d;
  if (shape[i] < 1) shape.splice(i, 1);
  setState({ shape });
}
function drawLinks(weights) {
  const svg = $("links");
  svg.replaceChildren();
  const ns = "http://www.w3.org/2000/svg";
  weights.forEach((W, l) => {
    W.forEach((row, j) => row.forEach((w, i) => {
      const a = App.pos[l][i], b = App.pos[l + 1][j];
      if (!a || !b) return;
      const path = document.createElementNS(ns, "path");
      const x1 = a.x + NODE, y1 = a.y + NODE / 2, x2 = b.x, y2 = b.y + NODE / 2, mx = (x1 + x2) / 2;
      path.setAttribute("d", `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
      const c = Draw.colour(w > 0 ? 1 : -1);
      path.setAttribute("stroke", `rgb(${c[0]},${c[1]},${c[2]})`);
      path.setAttribute("stroke-width", Math.min(8, 0.5 + 2 * Math.abs(w)).toFixed(2));
      path.setAttribute("class", "weight");
      const t = document.createElementNS(ns, "title");
      t.textContent = `weight ${w.toFixed(3)}`;
      path.append(t); svg.append(path);
    }));
  });
}
function formatLoss(v) {
  if (typeof v !== "number") return String(v);  // "nan" or "inf" after a divergence
  return Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(3);
}
function drawFrame(m) {
  App.lastFrame = m; App.frames++;
  $("epoch").textContent = String(m.epoch).padStart(6, "0");
  $("train-loss").textContent = formatLoss(m.train_loss);
  $("test-loss").textContent = formatLoss(m.test_loss);
  if (App.setup) {
    Draw.heat($("heat"), m.output, App.setup.grid, App.state.discretize && App.setup.problem === "classification");
    if (App.setup.train_losses.length <= m.epoch && !m.diverged) {
      App.setup.train_losses.push(m.train_loss); App.setup.test_losses.push(m.test_loss);
    }
    drawCurve();
    if (App.nodes) {
      m.neurons.forEach((layer, l) => layer.forEach((b64, j) => {
        const c = App.nodes[l + 1] && App.nodes[l + 1][j];
        if (c) Draw.heat(c, b64, App.setup.small);
      }));
      const out = App.nodes[App.nodes.length - 1][0];
      if (out) Draw.heat(out, m.output, App.setup.grid);
      m.biases.forEach((layer, l) => layer.forEach((b, j) => {
        const c = App.nodes[l + 1] && App.nodes[l + 1][j];
        if (c) c.title = `bias ${b.toFixed(3)}`;
      }));
      drawLinks(m.weights);
    }
  }
  const d = $("diverged");
  d.hidden = !m.diverged; d.textContent = m.diverged ? m.diverged.message : "";
}
function drawPoints() {
  const c = $("dots"); c.getContext("2d").clearRect(0, 0, c.width, c.height);
  Draw.points(c, App.setup.train, "#fff");
  if (App.state.showTest) Draw.points(c, App.setup.test, "#333");
}
function drawCurve() {
  Draw.curves($("curve"), [
    { values: App.setup.test_losses, colour: "#333" },
    { values: App.setup.train_losses, colour: "#999" },
  ], { lo: 0 });
}

// -- upload ----------------------------------------------------------------------------------
async function upload(file) {
  const r = await fetch("api/upload", { method: "POST", body: file, headers: { "X-Filename": file.name, "Content-Type": "text/csv" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) { showMessage(body.detail || `upload failed (${r.status})`); return; }
  showMessage("");
  App.uploaded = true; App.uploadId = body.id;
  $("upload-name").textContent = `${body.name}: ${body.n} points, ${body.problem}`;
  send({ type: "upload", id: body.id });
  setState({ dataset: "upload" });
}

// -- start -----------------------------------------------------------------------------------
async function start() {
  const r = await fetch("api/props");
  const body = await r.json();
  App.props = body.props;
  App.byName = Object.fromEntries(App.props.map(p => [p.name, p]));
  App.state = body.defaults;
  try { App.state = (await checkHash(location.hash.slice(1))).state; }
  catch (e) { showMessage(`${e.message} (using the defaults)`); }
  history.replaceState(null, "", "#" + toHash(App.state));
  connect();
  render();
  $("play").addEventListener("click", () => {
    if (App.playing) pause();  // stop drawing at once; the server confirms
    else send({ type: "play" });
  });
  $("step").addEventListener("click", () => { setPlaying(false); send({ type: "step" }); });
  $("reset").addEventListener("click", () => send({ type: "reset" }));
  $("add-layer").addEventListener("click", () => { if (App.state.shape.length < 6) setState({ shape: [...App.state.shape, 2] }); else showMessage("at most 6 hidden layers"); });
  $("remove-layer").addEventListener("click", () => setState({ shape: App.state.shape.slice(0, -1) }));
  $("csv").addEventListener("change", ev => { if (ev.target.files[0]) upload(ev.target.files[0]); });
  window.addEventListener("hashchange", async () => {
    if (applying) return;
    try { App.state = (await checkHash(location.hash.slice(1))).state; showMessage(""); }
    catch (e) { showMessage(e.message); return; }
    history.replaceState(null, "", "#" + toHash(App.state));
    render();
  });
  window.addEventListener("resize", () => { if (App.setup) drawNetwork(); });
}
document.addEventListener("DOMContentLoaded", start);
window.PlaygroundApp = { App, setState, toHash };
