// Shared by the presenter and participant pages. No framework, no build step, nothing from a CDN.
// Every piece of text from a participant goes through textContent: it is never parsed as HTML.
"use strict";

const Live = (() => {
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many || one + "s"}`;
  }

  // A WebSocket that reconnects with backoff. onOpen(ws) runs on every (re)connection.
  function socket(path, { onOpen, onMessage, onStatus, onFatal }) {
    let ws = null;
    let delay = 500;
    let stopped = false;
    function open() {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      ws = new WebSocket(`${scheme}//${location.host}${path}`);
      ws.onopen = () => {
        delay = 500;
        onStatus && onStatus(true);
        onOpen && onOpen(ws);
      };
      ws.onmessage = (event) => {
        let msg;
        try {
          msg = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        onMessage(msg);
      };
      ws.onclose = (event) => {
        onStatus && onStatus(false);
        if (event.code >= 4400 && event.code < 4500) {
          stopped = true;
          onFatal && onFatal(event.code, event.reason);
          return;
        }
        if (!stopped) {
          setTimeout(open, delay);
          delay = Math.min(delay * 2, 8000);
        }
      };
    }
    open();
    return {
      send(obj) {
        if (ws && ws.readyState === WebSocket.OPEN) {
          ws.send(JSON.stringify(obj));
          return true;
        }
        return false;
      },
      close() {
        stopped = true;
        ws && ws.close();
      },
    };
  }

  // Words sized by count; the biggest in the middle of the cloud.
  const PALETTE = ["#1d4ed8", "#c2410c", "#047857", "#7e22ce", "#be123c", "#0369a1", "#a16207", "#4338ca"];
  function hashColour(word) {
    let h = 0;
    for (const ch of word) h = (h * 31 + ch.codePointAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  function wordCloud(container, words, { minPx = 22, maxPx = 110, onPick = null } = {}) {
    clear(container);
    if (!words.length) return;
    const top = words[0][1];
    const middleOut = [];
    words.forEach((w, i) => (i % 2 ? middleOut.push(w) : middleOut.unshift(w)));
    const spans = [];
    for (const [word, count] of middleOut) {
      const span = el("span", "word", word);
      span.style.color = hashColour(word);
      span.title = `${word}: ${count}`;
      span.dataset.count = count;
      if (onPick) span.addEventListener("click", () => onPick(word));
      container.appendChild(span);
      spans.push([span, count]);
    }
    // Shrink until the cloud fits its box (long phrases wrap rather than run off the screen).
    function apply(scale) {
      for (const [span, count] of spans) {
        const size = minPx + (maxPx - minPx) * Math.sqrt(count / top);
        span.style.fontSize = `${Math.max(12, size * scale).toFixed(0)}px`;
      }
    }
    let scale = 1;
    apply(scale);
    while (
      scale > 0.2 &&
      (container.scrollHeight > container.clientHeight + 1 ||
        container.scrollWidth > container.clientWidth + 1)
    ) {
      scale *= 0.9;
      apply(scale);
    }
  }

  // Horizontal bars, one per option; the correct one marked once revealed.
  function barChart(container, options, votes, correct) {
    clear(container);
    const total = votes.reduce((a, b) => a + b, 0);
    const most = Math.max(1, ...votes);
    options.forEach((option, i) => {
      const row = el("div", "bar-row");
      if (correct !== null && correct !== undefined) {
        row.classList.add(i === correct ? "correct" : "wrong");
      }
      const label = el("div", "bar-label");
      label.appendChild(el("span", "bar-letter", String.fromCharCode(65 + i)));
      label.appendChild(el("span", "bar-text", option));
      if (correct === i) label.appendChild(el("span", "tick", "✓"));
      const track = el("div", "bar-track");
      const fill = el("div", "bar-fill");
      fill.style.width = `${((100 * votes[i]) / most).toFixed(1)}%`;
      track.appendChild(fill);
      const pct = total ? Math.round((100 * votes[i]) / total) : 0;
      const value = el("div", "bar-value", `${votes[i]} · ${pct}%`);
      row.append(label, track, value);
      container.appendChild(row);
    });
  }

  return { el, clear, plural, socket, wordCloud, barChart };
})();
