// The projector: one slide at a time, reveal.js keys, a question slide is the live screen.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  let deck = null;
  let index = 0;
  let state = null;
  const moves = Slides.mover((next) => {
    onState(next);
    document.dispatchEvent(new CustomEvent("live-presenter-state", { detail: next }));
  });

  function message(text) {
    $("message").textContent = text;
    $("message").hidden = !text;
  }

  function fit() {
    const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    $("canvas").style.transform = `scale(${scale})`;
  }

  function render() {
    if (!deck) return;
    const slide = deck.slides[index];
    const question = slide.question !== null;
    $("live").hidden = !question;
    $("viewport").hidden = question;
    if (!question) {
      $("slide").innerHTML = slide.html; // sanitised on the server
      Slides.fillComputing($("slide"), deck.progress);
    }
    $("slide-number").textContent = `${index + 1} / ${deck.slides.length}`;
    document.title = `${slide.title} · ${deck.title}`;
    renderBanner();
  }

  // While answering is open, the join banner stays on every slide (the live screen has its own).
  function renderBanner() {
    const slide = deck && deck.slides[index];
    const show = Boolean(state && state.accepting && slide && slide.question === null);
    $("join-banner").hidden = !show;
    if (!show) return;
    const plain = state.code.replace(" ", "");
    const src = `/qr/${plain}.svg`;
    if ($("banner-qr").getAttribute("src") !== src) $("banner-qr").src = src;
    $("banner-code").textContent = state.code;
    $("banner-host").textContent = state.join_url.replace(/^https?:\/\//, "").replace(/\/\?code=.*$/, "");
  }

  async function go(target) {
    if (!deck) return;
    target = Math.max(0, Math.min(deck.slides.length - 1, target));
    if (target === index && state) return;
    index = target;
    render();
    moves.go(target);
  }

  function onState(s) {
    state = s;
    // While this window's own moves are in flight, their answers are stale: the last one wins.
    if (s.slide && deck && !moves.busy && s.slide.index !== index) {
      index = Math.min(s.slide.index, deck.slides.length - 1);
      render();
    } else renderBanner();
  }

  function overview() {
    const box = $("overview");
    if (!box.hidden) return (box.hidden = true);
    Live.clear(box);
    deck.slides.forEach((s, i) => {
      const tile = Live.el("button", i === index ? "tile current" : "tile");
      tile.appendChild(Live.el("span", "tile-number", i + 1));
      tile.appendChild(Live.el("span", "tile-title", s.title));
      tile.addEventListener("click", () => {
        box.hidden = true;
        go(i);
      });
      box.appendChild(tile);
    });
    box.hidden = false;
  }

  document.addEventListener("keydown", (event) => {
    if (!deck || event.ctrlKey || event.metaKey || event.altKey) return;
    const k = event.key;
    if (k === "ArrowRight" || k === "PageDown" || k === " " || k === "ArrowDown" || k === "n") {
      event.preventDefault();
      go(index + 1);
    } else if (k === "ArrowLeft" || k === "PageUp" || k === "ArrowUp" || k === "p") {
      event.preventDefault();
      go(index - 1);
    } else if (k === "Home") go(0);
    else if (k === "End") go(deck.slides.length - 1);
    else if (k === "f") {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
    } else if (k === "b" || k === ".") $("blank").hidden = !$("blank").hidden;
    else if (k === "o") overview();
    else if (k === "Escape") $("overview").hidden = true;
  });
  window.addEventListener("resize", fit);
  fit();

  async function reload() {
    deck = await Slides.load();
    render();
  }

  if (!Slides.secret) {
    message("This page needs the presenter link printed by `mltutorial present`.");
    return;
  }
  Slides.load()
    .then((d) => {
      deck = d;
      render();
      Slides.follow(onState, () => message("Wrong presenter key: open the link that mltutorial present printed."));
      Slides.watchProgress(d.progress, reload, (p) => {
        deck.progress = p;
        Slides.fillComputing($("slide"), p);
      });
    })
    .catch((e) => message(`Cannot load the slides: ${e.message}`));
})();
