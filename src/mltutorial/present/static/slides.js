// Shared by the projector page and the speaker view: the slides, the socket, moving between slides.
// Slide HTML comes from the server, rendered from the slides file and sanitised there (nh3); text
// from the audience never comes this way (the live screen draws it with textContent).
"use strict";

const Slides = (() => {
  const secret = new URLSearchParams(location.hash.slice(1)).get("key") || "";
  const headers = { "X-Presenter-Secret": secret };

  async function load() {
    const response = await fetch("/api/present/slides", { headers });
    if (!response.ok) throw new Error(response.status === 401 ? "wrong presenter key" : `error ${response.status}`);
    return response.json();
  }

  async function goto(index) {
    const response = await fetch("/api/present/goto", {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ index }),
    });
    return response.ok ? response.json() : null;
  }

  // Moves from one window go to the server one at a time, the latest target winning: quick key
  // presses never arrive out of order. onDone(state) gets the answer to the last one.
  function mover(onDone) {
    let sending = false;
    let next = null;
    return {
      get busy() {
        return sending;
      },
      async go(index) {
        next = index;
        if (sending) return;
        sending = true;
        let last = null;
        try {
          while (next !== null) {
            const target = next;
            next = null;
            last = await goto(target);
          }
        } finally {
          sending = false;
        }
        if (last) onDone(last);
      },
    };
  }

  async function act(action, extra = {}) {
    const response = await fetch("/api/presenter/action", {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ action, ...extra }),
    });
    return response.ok ? response.json() : null;
  }

  // Follows the session: onState(presenterState) after every change, from any window;
  // onResults(update) as answers come in.
  function follow(onState, onFatal, onResults) {
    return Live.socket("/ws/presenter", {
      onOpen: (ws) => ws.send(JSON.stringify({ type: "hello", secret })),
      onMessage: (m) => {
        if (m.type === "presenter") onState(m);
        else if (m.type === "results" && onResults) onResults(m);
      },
      onFatal,
    });
  }

  // While chapters compute: poll progress; call onReady when a chapter became ready.
  function watchProgress(first, onReady, onTick) {
    let version = first.version;
    let timer = null;
    async function poll() {
      const response = await fetch("/api/present/progress");
      if (!response.ok) return;
      const p = await response.json();
      onTick(p);
      if (p.version !== version) {
        version = p.version;
        await onReady();
      }
      if (p.pending === 0) clearInterval(timer);
    }
    if (first.pending > 0) timer = setInterval(poll, 1500);
  }

  function fillComputing(root, progress) {
    for (const node of root.querySelectorAll(".computing")) {
      const c = progress.chapters[node.dataset.chapter];
      const what = node.querySelector(".computing-what");
      if (!c || !what) continue;
      what.textContent =
        c.state === "computing" ? `${node.dataset.chapter} · ${c.seconds || 0} s`
        : c.state === "queued" ? `${node.dataset.chapter} · queued`
        : c.state === "failed" ? `${node.dataset.chapter} failed: ${c.error || ""}` : node.dataset.chapter;
    }
  }

  return { secret, load, goto, mover, act, follow, watchProgress, fillComputing };
})();
