// The projector view: join code + QR, the current question, its live result, the controls.
// The presenter secret lives in the link's #key=... fragment: browsers never send it in a request line.
"use strict";

(() => {
  const { el, clear, plural, socket, wordCloud, barChart } = Live;
  const $ = (id) => document.getElementById(id);
  const KIND = { wordcloud: "Word cloud", choice: "Multiple choice", quiz: "Quiz", guess: "Guess" };

  const secret = new URLSearchParams(location.hash.slice(1)).get("key") || "";
  let state = null;
  let results = null;
  let deadline = null;
  let qrCode = null;

  function showError(text) {
    const banner = $("error");
    banner.textContent = text;
    banner.hidden = !text;
  }

  async function act(action, extra = {}) {
    const response = await fetch("/api/presenter/action", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Presenter-Secret": secret },
      body: JSON.stringify({ action, ...extra }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      showError(body.detail || `action failed (${response.status})`);
      return;
    }
    showError("");
    onState(await response.json());
  }

  async function exportCsv() {
    const response = await fetch("/api/presenter/export.csv", {
      headers: { "X-Presenter-Secret": secret },
    });
    if (!response.ok) return showError(`export failed (${response.status})`);
    const url = URL.createObjectURL(await response.blob());
    const a = el("a");
    a.href = url;
    a.download = `live-${state ? state.code.replace(" ", "") : "answers"}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  function joinPanel() {
    const panel = el("div", "join-panel");
    const img = el("img", "qr-big");
    img.alt = "QR code to join";
    img.src = `/qr/${state.code.replace(" ", "")}.svg`;
    const text = el("div", "join-panel-text");
    text.appendChild(el("div", "join-panel-label", "Join at"));
    text.appendChild(el("div", "join-panel-host", $("join-host").textContent));
    text.appendChild(el("div", "join-panel-label", "with code"));
    text.appendChild(el("div", "join-panel-code", state.code));
    panel.append(img, text);
    return panel;
  }

  function leaderboard(rows, title) {
    const box = el("div", "leaderboard");
    box.appendChild(el("h2", "board-title", title));
    const list = el("ol", "board");
    for (const row of rows) {
      const item = el("li", `board-row rank-${row.rank}`);
      item.appendChild(el("span", "board-rank", row.rank));
      item.appendChild(el("span", "board-name", row.nickname));
      item.appendChild(el("span", "board-points", row.points.toLocaleString("en")));
      list.appendChild(item);
    }
    if (!rows.length) list.appendChild(el("li", "board-empty", "No quiz answers yet"));
    box.appendChild(list);
    return box;
  }

  function podium(rows) {
    const wrap = el("div", rows.length > 3 ? "podium-wrap" : "podium-wrap alone");
    const stand = el("div", "podium");
    for (const place of [2, 1, 3]) {
      const row = rows.find((r) => r.rank === place);
      const step = el("div", `step step-${place}`);
      step.appendChild(el("div", "step-name", row ? row.nickname : "—"));
      step.appendChild(el("div", "step-points", row ? `${row.points.toLocaleString("en")} pts` : ""));
      step.appendChild(el("div", "step-block", place));
      stand.appendChild(step);
    }
    wrap.appendChild(stand);
    const rest = rows.filter((r) => r.rank > 3);
    if (rest.length) wrap.appendChild(leaderboard(rest, "And also"));
    return wrap;
  }

  function renderBody() {
    const body = $("body");
    clear(body);
    const q = state.question;
    if (!q) {
      body.appendChild(podium(state.leaderboard));
      return;
    }
    const count = results ? results.count : state.answers;
    if (q.type === "wordcloud") {
      if (!state.results_visible) {
        const hidden = el("div", "hidden-results");
        hidden.appendChild(el("div", "big-count", count));
        hidden.appendChild(el("div", "hidden-note", "answers so far · results hidden"));
        body.appendChild(hidden);
        if (count === 0) body.appendChild(joinPanel());
      } else if (!results || count === 0) {
        body.appendChild(joinPanel());
      } else {
        const cloud = el("div", "cloud");
        cloud.id = "cloud";
        body.appendChild(cloud);
        wordCloud(cloud, results.words, {
          onPick: (word) => {
            if (confirm(`Remove "${word}" from the cloud?`)) act("remove_word", { word });
          },
        });
      }
      return;
    }
    const grid = el("div", state.show_leaderboard ? "with-board" : "bars-only");
    const bars = el("div", "bars");
    bars.id = "bars";
    // Options are always on screen; the bars only once results are shown.
    const votes = state.results_visible && results ? results.options : q.options.map(() => 0);
    barChart(bars, q.options, votes, state.revealed ? state.correct : null);
    if (!state.results_visible) {
      bars.classList.add("concealed");
      bars.appendChild(el("div", "hidden-note", "Results hidden until revealed"));
    }
    grid.appendChild(bars);
    if (state.show_leaderboard) grid.appendChild(leaderboard(state.leaderboard.slice(0, 5), "Leaderboard"));
    body.appendChild(grid);
  }

  function renderStatus() {
    const count = results && state.question ? results.count : state.answers;
    $("count").textContent = state.question ? plural(count, "answer") : "Final results";
    $("people").textContent = plural(state.participants, "participant");
    const q = state.question;
    $("open").textContent = state.accepting ? "Close" : "Open";
    $("open").disabled = !q;
    $("results").textContent = state.results_visible ? "Hide results" : "Show results";
    $("results").disabled = !q;
    $("reveal").hidden = !q || !(q.type === "quiz" || q.type === "guess");
    $("reveal").textContent = state.revealed ? "Hide answer" : q && q.type === "quiz" ? "Reveal + leaderboard" : "Reveal answer";
    $("reset").disabled = !q;
    $("prev").disabled = state.index === 0;
    $("next").disabled = state.index >= state.total;
    $("end").disabled = state.ended;
  }

  function render() {
    if (!state) return;
    document.title = `Live: ${state.title}`;
    $("code").textContent = state.code;
    const host = state.join_url.replace(/^https?:\/\//, "").replace(/\/\?code=.*$/, "");
    $("join-host").textContent = host;
    const plain = state.code.replace(" ", "");
    if (qrCode !== plain) {
      $("qr-small").src = `/qr/${plain}.svg`;
      $("qr-side").src = `/qr/${plain}.svg`;
      qrCode = plain;
    }
    $("code-side").textContent = state.code;
    const q = state.question;
    $("progress").textContent = q ? `Question ${state.index + 1} of ${state.total}` : "Podium";
    $("kind").textContent = q ? KIND[q.type] : state.ended ? "Session ended" : "";
    $("prompt").textContent = q ? q.prompt : "Final leaderboard";
    deadline = state.remaining_s === null ? null : Date.now() + state.remaining_s * 1000;
    tick();
    renderBody();
    renderStatus();
    renderJoin();
  }

  // While answering is open, a QR big enough to scan from the back of the room stays on screen
  // (beside the question), unless the big join panel already fills the stage.
  function renderJoin() {
    const bigPanel = $("body").querySelector(".join-panel") !== null;
    const side = Boolean(state && state.accepting && state.question) && !bigPanel;
    $("join-side").hidden = !side;
    // invisible, not hidden: the bar keeps its height, so the stage does not jump
    $("qr-small").classList.toggle("invisible", side || bigPanel);
  }

  function tick() {
    const timer = $("timer");
    if (deadline === null || !state || !state.question) {
      timer.hidden = true;
      return;
    }
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    timer.hidden = false;
    timer.textContent = left > 0 ? `${left}` : "Time's up";
    timer.classList.toggle("urgent", left > 0 && left <= 5);
    timer.classList.toggle("done", left === 0);
    if (left === 0 && state.accepting) {
      state.accepting = false; // the server refuses answers from now on
      renderStatus();
      renderJoin();
    }
  }
  setInterval(tick, 250);

  function onState(message) {
    state = message;
    results = message.results;
    render();
  }

  function onMessage(message) {
    if (message.type === "presenter") onState(message);
    else if (message.type === "results" && state) {
      if (message.results && state.question && message.results.index === state.index) {
        results = message.results;
      }
      state.participants = message.participants;
      renderBody();
      renderStatus();
      renderJoin();
    }
  }

  // The socket refused the key: say so where the question would be, not "Connecting…".
  function wrongKey(code) {
    state = null;
    showError("");
    $("progress").textContent = "";
    $("kind").textContent = "";
    $("prompt").textContent =
      code === 4401
        ? "Wrong presenter key: open the presenter link that mltutorial live printed."
        : "The server refused this presenter page: open the link that mltutorial live printed.";
    clear($("body"));
    $("qr-small").classList.add("invisible");
    $("join-side").hidden = true;
    $("controls").hidden = true;
    $("join-text").hidden = true;
    $("count").hidden = true;
    $("people").hidden = true;
  }

  if (!secret) {
    $("prompt").textContent = "This page needs the presenter link printed by `mltutorial live`.";
    return;
  }
  // A page that embeds this screen (mltutorial present) hands it the state its own requests got.
  document.addEventListener("live-presenter-state", (event) => onState(event.detail));
  socket("/ws/presenter", {
    onOpen: (ws) => ws.send(JSON.stringify({ type: "hello", secret })),
    onMessage,
    onStatus: (up) => showError(up ? "" : "Reconnecting…"),
    onFatal: (code) => wrongKey(code),
  });

  $("prev").addEventListener("click", () => act("prev"));
  $("next").addEventListener("click", () => act("next"));
  $("open").addEventListener("click", () => act(state.accepting ? "close" : "open"));
  $("results").addEventListener("click", () => act(state.results_visible ? "hide_results" : "show_results"));
  $("reveal").addEventListener("click", () => act(state.revealed ? "hide_answer" : "reveal"));
  $("reset").addEventListener("click", () => {
    if (confirm("Clear this question's answers so everyone can answer again?")) act("reset");
  });
  $("export").addEventListener("click", exportCsv);
  $("end").addEventListener("click", () => {
    if (confirm("End the session? Answering closes and the podium is shown.")) act("end");
  });
  document.addEventListener("keydown", (event) => {
    // A page that embeds this live screen (mltutorial present) owns the keyboard.
    if (!state || event.target.tagName === "INPUT" || document.body.dataset.keys === "off") return;
    if (event.key === "ArrowRight" || event.key === "PageDown") act("next");
    else if (event.key === "ArrowLeft" || event.key === "PageUp") act("prev");
    else if (event.key === " ") {
      event.preventDefault();
      act(state.results_visible ? "hide_results" : "show_results");
    } else if (event.key === "r") act(state.revealed ? "hide_answer" : "reveal");
    else if (event.key === "o") act(state.accepting ? "close" : "open");
    else if (event.key === "h") document.body.classList.toggle("no-controls");
  });
})();
