"""The tour's report: one self-contained HTML page (figures embedded as data URIs, no network).

Per chapter: the slide's words, what was computed, the key numbers, tables, figures, samples, the data
used with its citation and licence, the command to run it alone, and its time. Everything a chapter
returns is escaped: the page never trusts text it did not write.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

from mltutorial.chapter import Table
from mltutorial.notebook_build import DEFAULT_DIR as NOTEBOOKS_DIR
from mltutorial.notebook_build import notebook_for
from mltutorial.tour import ChapterRecord

_CSS = """
:root { --fg: #1d232a; --muted: #5b6470; --accent: #b3261e; --bg: #fff; --panel: #f5f6f8;
        --line: #dde1e6; --ok: #1b7f3b; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: var(--bg); }
header { background: #14202e; color: #fff; padding: 2rem 1rem 1.5rem; }
header h1 { margin: 0 0 .3rem; font-size: 1.9rem; }
header p { margin: .2rem 0; color: #c9d3de; }
main { max-width: 980px; margin: 0 auto; padding: 1rem; }
nav ol { columns: 2; column-gap: 3rem; padding-left: 1.3rem; }
nav li { break-inside: avoid; }
section.chapter { border-top: 3px solid var(--line); margin-top: 2.2rem; padding-top: 1rem; }
section.chapter h2 { margin: 0 0 .4rem; font-size: 1.45rem; }
blockquote { margin: .6rem 0; padding: .5rem .9rem; border-left: 4px solid var(--accent);
             background: var(--panel); font-style: italic; }
.summary { font-weight: 600; }
.meta { color: var(--muted); font-size: .9rem; }
.status-ok { color: var(--ok); } .status-failed { color: var(--bad); font-weight: 700; }
.error { background: #fdecea; border: 1px solid #f5c2bd; padding: .6rem .9rem; border-radius: 6px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left;
         vertical-align: top; }
th { background: var(--panel); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figcaption { color: var(--muted); font-size: .85rem; }
pre { background: var(--panel); padding: .7rem .9rem; overflow-x: auto; border-radius: 6px;
      font-size: .88rem; white-space: pre-wrap; }
code { background: var(--panel); padding: .1rem .3rem; border-radius: 4px; font-size: .9rem; }
details summary { cursor: pointer; color: var(--muted); }
footer { color: var(--muted); font-size: .85rem; padding: 2rem 1rem; text-align: center; }
@media (max-width: 640px) { body { font-size: 15px; } nav ol { columns: 1; }
  header h1 { font-size: 1.5rem; } }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: Any) -> str:
    """Numbers for people: ints with separators, floats to 4 significant digits."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.3e}"
        return f"{value:.4g}"
    return str(value)


def _flatten(numbers: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in numbers.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flatten(value, name + ".")
        elif isinstance(value, (list, tuple)):
            if len(value) <= 8 and all(not isinstance(v, (list, dict)) for v in value):
                rows.append((name, ", ".join(fmt(v) for v in value)))
            else:
                rows.append((name, f"[{len(value)} values in results.json]"))
        else:
            rows.append((name, value))
    return rows


def _numbers_table(numbers: dict[str, Any]) -> str:
    rows = _flatten(numbers)
    if not rows:
        return ""
    body = "".join(
        f"<tr><th scope='row'>{_e(k)}</th><td class='num'>{_e(fmt(v))}</td></tr>" for k, v in rows
    )
    return f"<div class='scroll'><table><tbody>{body}</tbody></table></div>"


def _table(t: Table) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in t.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{_e(fmt(v))}</td>"
            if isinstance(v, (int, float)) and not isinstance(v, bool)
            else f"<td>{_e(fmt(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in t.rows
    )
    return (
        f"<h3>{_e(t.title)}</h3><div class='scroll'><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _figure(path: Path, alt: str) -> str:
    try:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    except OSError as exc:
        return f"<p class='error'>figure {_e(path)} could not be read: {_e(exc)}</p>"
    return (
        f"<figure><img src='data:image/png;base64,{data}' alt='{_e(alt)}'>"
        f"<figcaption>{_e(Path(path).name)}</figcaption></figure>"
    )


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_e(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def _chapter(rec: ChapterRecord, index: int) -> str:
    c = rec.chapter
    status = "ok" if rec.error is None else "failed"
    parts = [
        f"<section class='chapter' id='{_e(c.name)}'>",
        f"<h2>{index}. {_e(c.title)}</h2>",
        f"<blockquote>{_e(c.slide)}</blockquote>",
    ]
    o = rec.output
    if o is None:
        parts.append(
            f"<p class='error'><strong>This chapter failed:</strong> {_e(rec.error)}</p>"
            f"<details><summary>details</summary><pre>{_e(rec.detail or '')}</pre></details>"
        )
    else:
        parts.append(f"<p class='summary'>{_e(o.summary)}</p>")
        parts.append(_paragraphs(o.text))
        parts.extend(_figure(p, f"{c.title}: figure {i + 1}") for i, p in enumerate(o.figures))
        parts.extend(_table(t) for t in o.tables)
        if o.samples:
            parts.append("<h3>Samples</h3>")
            parts.extend(f"<pre>{_e(s)}</pre>" for s in o.samples)
        if o.numbers:
            parts.append("<details><summary>all numbers</summary>")
            parts.append(_numbers_table(o.numbers))
            parts.append("</details>")
        data = f"<p class='meta'><strong>Data:</strong> {_e(o.data)}"
        if o.citation:
            data += f"<br><strong>Citation:</strong> {_e(o.citation)}"
        if o.licence:
            data += f"<br><strong>Licence:</strong> {_e(o.licence)}"
        parts.append(data + "</p>")
    parts.append(
        f"<p class='meta'>Run it alone: <code>{_e(c.command)}</code> · "
        f"<span class='status-{status}'>{status}</span> in {rec.seconds:.1f} s</p>"
    )
    notebook = notebook_for(c.name)
    if notebook is not None:  # `mltutorial notebooks` writes them beside the report's folder
        parts.append(
            f"<p class='meta'>Learn it in Jupyter: <a class='notebook' "
            f"href='../{NOTEBOOKS_DIR}/{_e(notebook)}'>{_e(notebook)}</a> "
            f"(<code>mltutorial notebooks</code> writes it to <code>{NOTEBOOKS_DIR}/</code>)</p>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def render(
    records: list[ChapterRecord], env: dict[str, Any], broken: dict[str, str], out_dir: Path
) -> str:
    """The whole report page as one HTML string."""
    ok = sum(r.error is None for r in records)
    data_root = env.get("data_root")
    data_line = (
        f"Real datasets from {_e(data_root)}."
        if data_root
        else "No MLTUTORIAL_DATA: chapters ran on built-in samples (each chapter says which)."
    )
    toc = "".join(
        f"<li><a href='#{_e(r.chapter.name)}'>{_e(r.chapter.title)}</a>"
        + ("" if r.error is None else " <span class='status-failed'>(failed)</span>")
        + "</li>"
        for r in records
    )
    summary_rows = [
        [
            r.chapter.name,
            r.output.data if r.output else "-",
            r.output.summary if r.output else f"FAILED: {r.error}",
            round(r.seconds, 1),
        ]
        for r in records
    ]
    summary = _table(Table("Summary", ["chapter", "data", "key numbers", "seconds"], summary_rows))
    broken_html = "".join(
        f"<p class='error'>Chapter module {_e(m)} could not be loaded: {_e(e)}</p>"
        for m, e in broken.items()
    )
    chapters = "\n".join(_chapter(r, i) for i, r in enumerate(records, 1))
    quick = " (quick configuration)" if env.get("quick") else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Machine learning tutorial — the talk, computed</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Machine learning tutorial — the talk, computed</h1>
<p>Every slide of “Machine learning tutorial” (Melissa Lopez ft. ChatGPT) run as code{quick}.</p>
<p>{ok} of {len(records)} chapters ran in {env.get("seconds", 0):.0f} s on {_e(env.get("machine", ""))},
{_e(env.get("date", ""))}. {data_line}</p>
</header>
<main>
<nav><h2>Chapters</h2><ol>{toc}</ol></nav>
{broken_html}
{summary}
{chapters}
</main>
<footer>mltutorial {_e(env.get("mltutorial", ""))} · Python {_e(env.get("python", ""))} ·
numbers also in results.json beside this page</footer>
</body>
</html>
"""
