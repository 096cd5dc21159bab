// The speaker view: current and next slide, notes, elapsed time and clock, the question controls.
// It follows the session like the projector does; its buttons act on the same session.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, clear, plural } = Live;
  let deck = null;
  let index = 0;
  let state = null;
  const moves = Slides.mover((next) => {
    onState(next);
  });
  const startKey = "present-speaker-start";
  let started = Number(sessionStorage.getItem(startKey)) || Date.now();
  sessionStorage.setItem(startKey, String(started));

  function say(text) {
    $("sp-message").textContent = text;
  }

  function frame(box, slide) {
    for (const old of box.querySelectorAll(".canvas")) old.remove();
    if (!slide) return;
    const canvas = el("div", "canvas");
    const article = el("article", "slide-content");
    if (slide.question !== null) {
      article.appendChild(el("h1", null, slide.title));
      article.appendChild(el("p", null, "Live question: the audience's screen"));
    } else {
      article.innerHTML = slide.html; // sanitised on the server
      Slides.fillComputing(article, deck.progress);
    }
    canvas.appendChild(article);
    box.appendChild(canvas);
    const scale = Math.min(box.clientWidth / 1920, box.clientHeight / 1080);
    canvas.style.transform = `scale(${scale})`;
  }

  function render() {
    if (!deck) return;
    const slide = deck.slides[index];
    $("sp-number").textContent = `Slide ${index + 1} / ${deck.slides.length}: ${slide.title}`;
    frame($("sp-current"), slide);
    frame($("sp-next"), deck.slides[index + 1]);
    $("sp-notes").textContent = slide.notes || "(no notes)";
    renderQuestion();
  }

  function renderQuestion() {
    const box = $("sp-question");
    const slide = deck && deck.slides[index];
    const q = state && state.question;
    box.hidden = !q || !slide || slide.question !== state.index;
    if (state) $("sp-people").textContent = plural(state.participants, "participant");
    if (box.hidden) return;
    $("sp-prompt").textContent = q.prompt;
    const count = state.results ? state.results.count : state.answers;
    $("sp-count").textContent = `${plural(count, "answer")} · ${state.accepting ? "answering open" : "closed"}`;
    $("sp-open").textContent = state.accepting ? "Close" : "Open";
    $("sp-results").textContent = state.results_visible ? "Hide results" : "Show results";
    $("sp-reveal").hidden = !(q.type === "quiz" || q.type === "guess");
    $("sp-reveal").textContent = state.revealed ? "Hide answer" : "Reveal answer";
    const words = $("sp-words");
    clear(words);
    if (q.type === "wordcloud" && state.results) {
      for (const [word, n] of state.results.words) {
        const b = el("button", "sp-word", `${word} (${n}) ✕`);
        b.title = `remove "${word}" from the cloud`;
        b.addEventListener("click", () => act("remove_word", { word }));
        words.appendChild(b);
      }
    }
  }

  async function act(action, extra) {
    const next = await Slides.act(action, extra);
    if (next) onState(next);
    else say(`${action} refused`);
  }

  async function go(target) {
    if (!deck) return;
    target = Math.max(0, Math.min(deck.slides.length - 1, target));
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
    } else renderQuestion();
  }

  async function handout() {
    const response = await fetch("/api/present/handout.html", {
      headers: { "X-Presenter-Secret": Slides.secret },
    });
    if (!response.ok) return say(`handout failed (${response.status})`);
    const url = URL.createObjectURL(await response.blob());
    const a = el("a");
    a.href = url;
    a.download = "handout.html";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  function tick() {
    const now = new Date();
    $("sp-clock").textContent = now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const s = Math.floor((Date.now() - started) / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = String(s % 60).padStart(2, "0");
    $("sp-elapsed").textContent = h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }
  setInterval(tick, 1000);
  tick();

  $("sp-prev").addEventListener("click", () => go(index - 1));
  $("sp-next-button").addEventListener("click", () => go(index + 1));
  $("sp-reset-clock").addEventListener("click", () => {
    started = Date.now();
    sessionStorage.setItem(startKey, String(started));
    tick();
  });
  $("sp-handout").addEventListener("click", handout);
  $("sp-open").addEventListener("click", () => act(state.accepting ? "close" : "open"));
  $("sp-results").addEventListener("click", () => act(state.results_visible ? "hide_results" : "show_results"));
  $("sp-reveal").addEventListener("click", () => act(state.revealed ? "hide_answer" : "reveal"));
  document.addEventListener("keydown", (event) => {
    if (!deck || event.target.tagName === "INPUT") return;
    const k = event.key;
    if (k === "ArrowRight" || k === "PageDown" || k === " ") {
      event.preventDefault();
      go(index + 1);
    } else if (k === "ArrowLeft" || k === "PageUp") go(index - 1);
    else if (k === "Home") go(0);
    else if (k === "End") go(deck.slides.length - 1);
  });
  window.addEventListener("resize", render);

  if (!Slides.secret) return say("This page needs the speaker link printed by `mltutorial present`.");
  Slides.load()
    .then((d) => {
      deck = d;
      render();
      Slides.follow(onState, () => say("Wrong presenter key."), (m) => {
        if (!state) return;
        if (m.results && state.question && m.results.index === state.index) state.results = m.results;
        state.participants = m.participants;
        renderQuestion();
      });
      Slides.watchProgress(d.progress, async () => {
        deck = await Slides.load();
        render();
      }, (p) => (deck.progress = p));
    })
    .catch((e) => say(`Cannot load the slides: ${e.message}`));
})();
