// The phone view: join with the code, answer the current question, see "answer received".
// The participant token is kept in localStorage, so a reload or a dropped connection is the same person.
"use strict";

(() => {
  const { el, clear, plural, socket } = Live;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const urlCode = (params.get("code") || "").replace(/\D/g, "");
  let token = localStorage.getItem("live-token");
  let tokenCode = localStorage.getItem("live-code");
  let conn = null;
  let state = null;
  let formKey = null;
  let pending = null; // an answer sent but not yet acknowledged
  let deadline = null;
  let already = false; // this question was answered elsewhere (another tab) before this one sent

  function showJoin(message) {
    $("join-view").hidden = false;
    $("question-view").hidden = true;
    if (urlCode) $("code-input").value = `${urlCode.slice(0, 4)} ${urlCode.slice(4)}`;
    $("join-error").textContent = message || "";
    (urlCode ? $("nick-input") : $("code-input")).focus();
  }

  async function join(event) {
    event.preventDefault();
    const code = $("code-input").value.replace(/\D/g, "");
    $("join-button").disabled = true;
    try {
      const response = await fetch("/api/join", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          code,
          nickname: $("nick-input").value,
          token: code === tokenCode ? token : null,
        }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        $("join-error").textContent =
          response.status === 429
            ? "Too many wrong codes. Wait a minute and try again."
            : response.status === 404
              ? "No session with this code. Check the code on the screen."
              : body.detail && typeof body.detail === "string"
                ? body.detail
                : "Could not join. Check the code.";
        return;
      }
      token = body.token;
      tokenCode = code;
      localStorage.setItem("live-token", token);
      localStorage.setItem("live-code", code);
      start();
    } finally {
      $("join-button").disabled = false;
    }
  }

  function status(text, kind) {
    const node = $("q-status");
    node.textContent = text;
    node.className = `q-status ${kind || ""}`;
  }

  function send(answer) {
    pending = { type: "answer", id: String(Date.now()), ...answer };
    status("Sending…", "pending");
    conn.send(pending);
  }

  function wordForm(form, q) {
    for (let i = 0; i < q.max_entries; i++) {
      const input = el("input", "word-input");
      input.maxLength = 40;
      input.placeholder = i === 0 ? "Your answer" : "Another one (optional)";
      input.setAttribute("aria-label", `answer ${i + 1}`);
      form.appendChild(input);
    }
    const button = el("button", "primary", "Send");
    button.type = "submit";
    form.appendChild(button);
    form.onsubmit = (event) => {
      event.preventDefault();
      const words = [...form.querySelectorAll("input")].map((i) => i.value.trim()).filter(Boolean);
      if (!words.length) return status("Write at least one word.", "error");
      form.querySelectorAll("input, button").forEach((n) => (n.disabled = true));
      send({ q: q.index, words });
    };
  }

  function optionForm(form, q) {
    let picked = null;
    const buttons = q.options.map((option, i) => {
      const button = el("button", "option");
      button.type = "button";
      button.appendChild(el("span", "option-letter", String.fromCharCode(65 + i)));
      button.appendChild(el("span", "option-text", option));
      button.addEventListener("click", () => {
        picked = i;
        buttons.forEach((b, j) => b.classList.toggle("picked", j === i));
        if (q.type === "quiz") submit(); // in a quiz, speed counts: one tap answers
      });
      form.appendChild(button);
      return button;
    });
    const submitButton = el("button", "primary", "Send");
    submitButton.type = "submit";
    if (q.type !== "quiz") form.appendChild(submitButton);
    function submit() {
      if (picked === null) return status("Choose an option.", "error");
      form.querySelectorAll("button").forEach((n) => (n.disabled = true));
      send({ q: q.index, choice: picked });
    }
    form.onsubmit = (event) => {
      event.preventDefault();
      submit();
    };
  }

  function answeredView(form, q, mine) {
    const box = el("div", "answered");
    box.appendChild(el("div", "answered-tick", "✓"));
    box.appendChild(el("div", "answered-title", already ? "Your answer" : "Answer received"));
    if (q.type !== "wordcloud" && mine.choice !== null && mine.choice !== undefined) {
      box.appendChild(el("div", "answered-what", q.options[mine.choice]));
    } else if (mine.words && mine.words.length) {
      box.appendChild(el("div", "answered-what", mine.words.join(" · ")));
    }
    if (state.revealed && mine.correct !== undefined && mine.correct !== null) {
      const verdict = mine.correct
        ? q.type === "quiz"
          ? `Correct! +${mine.points} points`
          : "You guessed right!"
        : "Not this time";
      box.appendChild(el("div", mine.correct ? "verdict good" : "verdict bad", verdict));
    }
    form.appendChild(box);
  }

  function scoreLine(score) {
    if (!score) return null;
    return `${score.points.toLocaleString("en")} points · #${score.rank} of ${score.of}`;
  }

  function render() {
    $("join-view").hidden = true;
    $("question-view").hidden = false;
    $("title").textContent = state.title;
    $("me").textContent = state.nickname;
    const q = state.question;
    const form = $("q-form");
    deadline = state.remaining_s === null ? null : Date.now() + state.remaining_s * 1000;
    tick();
    const slide = state.slide;
    // A talk given with slides (mltutorial present): between questions, the slide on screen.
    if (slide && slide.question === null) {
      $("q-progress").textContent = `Slide ${slide.index + 1} of ${slide.total} · on screen now`;
      $("q-prompt").textContent = slide.title;
      clear(form);
      formKey = null;
      status("Questions appear here when the talk reaches them.", "done");
      return;
    }
    if (!q) {
      $("q-progress").textContent = state.ended ? "The end" : "Podium";
      $("q-prompt").textContent = "Thanks for taking part!";
      clear(form);
      formKey = null;
      const line = scoreLine(state.my_score);
      status(line ? `Your quiz score: ${line}` : "Look at the screen for the podium.", "done");
      return;
    }
    $("q-progress").textContent = `Question ${state.index + 1} of ${state.total}`;
    $("q-prompt").textContent = q.prompt;
    const mine = state.my_answer;
    const key = JSON.stringify([state.index, mine, state.accepting, state.revealed]);
    if (key === formKey) return;
    formKey = key;
    clear(form);
    form.onsubmit = null;
    if (mine) {
      answeredView(form, q, mine);
      const line = state.revealed ? scoreLine(state.my_score) : null;
      status(line ? `Your total: ${line}` : "Look at the screen for the results.", "done");
    } else if (!state.accepting) {
      status(state.remaining_s === 0 ? "Time's up!" : "Answering is closed for now.", "closed");
    } else {
      if (q.type === "wordcloud") wordForm(form, q);
      else optionForm(form, q);
      status(q.type === "wordcloud" ? `Up to ${plural(q.max_entries, "entry", "entries")}.` : "", "");
    }
  }

  function tick() {
    const timer = $("q-timer");
    if (deadline === null || !state || !state.question || state.my_answer) {
      timer.hidden = true;
      return;
    }
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    timer.hidden = false;
    timer.textContent = left > 0 ? `${left}s` : "Time's up";
    timer.classList.toggle("urgent", left > 0 && left <= 5);
    if (left === 0 && state.accepting && !pending) {
      state.accepting = false; // the server refuses answers from now on
      state.remaining_s = 0;
      render();
    }
  }
  setInterval(tick, 250);

  function onMessage(message) {
    if (message.type === "state") {
      if (!state || state.index !== message.index || !message.my_answer) already = false;
      state = message;
      render();
    } else if (message.type === "ack") {
      const sent = pending;
      pending = null;
      if (message.ok) {
        if (state && state.question) {
          if (message.status === "duplicate" && message.mine) {
            already = true;
            state.my_answer = message.mine; // what is stored, not what this tab tapped
          } else {
            const choice = sent && sent.choice !== undefined ? sent.choice : null;
            const words = sent && sent.words ? sent.words : [];
            state.my_answer = state.my_answer || { choice, words };
          }
          render();
        }
        if (message.status === "duplicate") status("You had already answered this one.", "done");
        else if (message.dropped.length) status(`Received. Not counted: ${message.dropped.join(", ")}`, "done");
      } else {
        status(message.message || "Not accepted.", "error");
        formKey = null;
        if (state) render();
      }
    } else if (message.type === "error") {
      status(message.message, "error");
    }
  }

  function start() {
    if (conn) conn.close();
    conn = socket(`/ws/participant?token=${encodeURIComponent(token)}`, {
      onOpen: () => {
        if (pending) conn.send(pending); // resend: the database refuses a second copy
      },
      onMessage,
      onStatus: (up) => ($("connection").hidden = up),
      onFatal: () => {
        localStorage.removeItem("live-token");
        token = null;
        showJoin("Your session has ended or moved: join again with the code.");
      },
    });
  }

  $("join-form").addEventListener("submit", join);
  if (token && (!urlCode || urlCode === tokenCode)) start();
  else showJoin();
})();
