"""The handout: the whole talk as one self-contained HTML file, the room's answers in place.

Every slide with its computed figures (embedded as data URIs) and numbers; a question slide shows
this session's results as the room saw them: the word cloud drawn with the same sizes, the votes per
option with the right one marked, the podium by nickname. Print CSS puts one slide on each page, so
a browser's "save as PDF" makes a PDF handout. Nothing in it loads from anywhere.
"""

from __future__ import annotations

import datetime as dt
import html
import math

from mltutorial.live.store import Store
from mltutorial.present.render import Renderer
from mltutorial.present.report import Report
from mltutorial.present.slides import Talk

CLOUD_MIN_PX, CLOUD_MAX_PX = 18, 64  # the live cloud's scale, shrunk for a printed page

CSS = """
body { font-family: system-ui, sans-serif; margin: 0; background: #eee; color: #111; }
.slide { background: #fff; width: 960px; min-height: 540px; margin: 24px auto; padding: 32px 48px;
  box-sizing: border-box; box-shadow: 0 1px 4px #0003; page-break-after: always; break-after: page;
  overflow: hidden; position: relative; }
.slide h1 { font-size: 34px; margin: 0 0 16px; } .slide h2 { font-size: 28px; }
.slide p, .slide li { font-size: 20px; line-height: 1.35; }
.slide img { max-width: 100%; max-height: 380px; display: block; margin: 8px auto; }
.num { position: absolute; bottom: 10px; right: 18px; color: #777; font-size: 14px; }
.cloud { text-align: center; line-height: 1.2; padding: 12px; }
.cloud span { display: inline-block; margin: 2px 10px; font-weight: 600; }
.bars { width: 100%; border-collapse: collapse; font-size: 18px; }
.bars td { padding: 4px 8px; border-bottom: 1px solid #ddd; }
.bars .bar { background: #1d4ed8; height: 16px; } .bars tr.correct td { font-weight: 700; }
.bars tr.correct .bar { background: #047857; }
.podium { font-size: 20px; } .podium li { margin: 4px 0; }
.meta { color: #555; font-size: 16px; }
.computing { color: #a16207; font-size: 18px; }
@media print { body { background: #fff; } .slide { margin: 0; box-shadow: none; width: 100%;
  min-height: 0; height: 100vh; } @page { size: landscape; margin: 12mm; } }
"""
PALETTE = ["#1d4ed8", "#c2410c", "#047857", "#7e22ce", "#be123c", "#0369a1", "#a16207", "#4338ca"]


def _colour(word: str) -> str:
    h = 0
    for ch in word:  # the live page's own hash: the same word has the same colour
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return PALETTE[h % len(PALETTE)]


def question_html(store: Store, session_id: int, q: int, prompt: bool = True) -> str:
    """This session's results of question `q` (the podium past the last); `prompt`: with its words
    as a heading (a slide with its own heading has them already)."""
    deck = store.deck(session_id)
    if q >= len(deck.questions):
        board = store.leaderboard(session_id, limit=10)
        if not board:
            return '<p class="meta">No quiz answers in this session.</p>'
        items = "".join(
            f"<li>#{r.rank} {html.escape(r.nickname)}: {r.points:,} points "
            f"({r.correct} correct)</li>"
            for r in board
        )
        return f'<h2>Podium</h2><ol class="podium">{items}</ol>'
    question = deck.questions[q]
    results = store.results(session_id, q)
    answers = f'<p class="meta">{results.count} answer{"s" if results.count != 1 else ""}</p>'
    head = (f"<h2>{html.escape(question.prompt)}</h2>" if prompt else "") + answers
    if question.type == "wordcloud":
        if not results.words:
            return head
        top = results.words[0][1]
        spans = []
        ordered: list[tuple[str, int]] = []
        for i, w in enumerate(results.words):  # biggest in the middle, as on the projector
            if i % 2:
                ordered.append(w)
            else:
                ordered.insert(0, w)
        for word, count in ordered:
            size = CLOUD_MIN_PX + (CLOUD_MAX_PX - CLOUD_MIN_PX) * math.sqrt(count / top)
            spans.append(
                f'<span style="font-size:{size:.0f}px;color:{_colour(word)}" '
                f'title="{count}">{html.escape(word)}</span>'
            )
        return f'{head}<div class="cloud">{"".join(spans)}</div>'
    most = max([1, *results.options])
    rows = []
    for i, option in enumerate(question.options):
        votes = results.options[i] if i < len(results.options) else 0
        mark = i == question.correct and question.type in ("quiz", "guess")
        width = 100 * votes / most
        rows.append(
            f'<tr class="{"correct" if mark else ""}"><td>{chr(65 + i)}</td>'
            f"<td>{html.escape(option)}{' ✓' if mark else ''}</td>"
            f'<td style="width:35%"><div class="bar" style="width:{width:.0f}%"></div></td>'
            f"<td>{votes}</td></tr>"
        )
    return f'{head}<table class="bars">{"".join(rows)}</table>'


def handout_html(talk: Talk, report: Report, store: Store, session_id: int) -> str:
    parts = []
    n = len(talk.slides)
    for s in talk.slides:
        titled = any(line.startswith("#") for line in s.body.splitlines())

        def results(q: int, titled: bool = titled) -> str:
            return question_html(store, session_id, q, prompt=not titled)

        renderer = Renderer(report, embed=True, question_html=results)
        parts.append(
            f'<section class="slide">{renderer.slide(s)}<div class="num">{s.index + 1} / {n}</div>'
            "</section>"
        )
    date = dt.datetime.now().strftime("%Y-%m-%d")
    title = html.escape(talk.title)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}: handout</title>'
        f'<meta name="generator" content="mltutorial present, {date}"><style>{CSS}</style></head>'
        f"<body>{''.join(parts)}</body></html>\n"
    )
