"""One slide as HTML: Markdown by markdown-it-py, any HTML in the file sanitised by nh3, directives
filled in with what the tour computed (a figure, a number) or a slot the page fills with the live
screen.

The directives' HTML is made here, after sanitising, from values escaped here: nothing the slides
file or the audience wrote reaches the page as markup.
"""

from __future__ import annotations

import base64
import html
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nh3
from markdown_it import MarkdownIt

from mltutorial.present.report import Report
from mltutorial.present.slides import _NUMBER, IMAGE_TYPES, Directive, Slide

_md = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable("table")
_TAGS = set(nh3.ALLOWED_TAGS) | {"img", "figure", "figcaption", "span", "div", "sup", "sub"}
_ATTRS = {**nh3.ALLOWED_ATTRIBUTES, "img": {"src", "alt", "title"}, "span": {"class"}}
_ATTRS["div"] = {"class"}


def data_uri(path: Path) -> str:
    kind = IMAGE_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def format_number(value: Any, fmt: str) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if fmt and isinstance(value, (int, float)):
        return format(value, fmt)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def computing_html(chapter: str) -> str:
    c = html.escape(chapter)
    return (
        f'<div class="computing" data-chapter="{c}">'
        f'<span class="spinner"></span> computing… <span class="computing-what">{c}</span></div>'
    )


class Renderer:
    """Renders slides against a report. `embed`: figures and images as data URIs (the handout)."""

    def __init__(
        self,
        report: Report,
        embed: bool = False,
        question_html: Callable[[int], str] | None = None,
    ):
        self.report = report
        self.embed = embed
        self.question_html = question_html

    def number(self, match: Any) -> str:
        ref, _, fmt = match.group(2).partition(" :")
        parts = ref.strip().split(".")
        if not self.report.ready(parts[0]):
            return "…"
        try:
            value = self.report.number(parts[0], tuple(parts[1:]))
            return html.escape(format_number(value, fmt.strip()))
        except (KeyError, ValueError, TypeError):
            return f"[no number {html.escape('.'.join(parts))}]"

    def figure(self, d: Directive) -> str:
        path = self.report.figure(d.chapter, d.figure)
        if path is None:
            if self.report.ready(d.chapter):
                return f'<div class="missing">{html.escape(d.chapter)} has no figure {d.figure + 1}</div>'
            return computing_html(d.chapter)
        src = data_uri(path) if self.embed else f"/api/present/figure/{d.chapter}/{d.figure}"
        title = html.escape(str(self.report.chapters[d.chapter].get("title", d.chapter)))
        return f'<figure class="fig"><img src="{html.escape(src)}" alt="{title}"></figure>'

    def directive(self, d: Directive) -> str:
        if d.name == "figure":
            return self.figure(d)
        if d.name == "playground":
            link = "/playground/" + (f"#{d.playground}" if d.playground else "")
            if self.embed:  # a handout cannot train a network: say how to open it
                what = html.escape(d.playground or "the default network")
                return f'<p class="meta">Live playground ({what}): run <code>mltutorial playground</code></p>'
            return (
                f'<iframe class="playground" src="{html.escape(link)}" title="playground"></iframe>'
            )
        assert d.question is not None
        if self.question_html is not None:
            return self.question_html(d.question)
        return f'<div class="live-slot" data-question="{d.question}"></div>'

    def slide(self, slide: Slide) -> str:
        body = _NUMBER.sub(self.number, slide.body)
        images = {k: (data_uri(p) if self.embed else None) for k, p in slide.images.items()}
        rendered = _md.render(body)
        clean = nh3.clean(
            rendered,
            tags=_TAGS,
            attributes=_ATTRS,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
        for i, d in enumerate(slide.directives):
            marker = f"@@directive-{i}@@"
            clean = clean.replace(f"<p>{marker}</p>", self.directive(d)).replace(marker, "")
        for target in slide.images:
            src = images[target] or f"/api/present/image/{slide.index}/{_image_key(target)}"
            clean = clean.replace(f'src="{html.escape(target)}"', f'src="{html.escape(src)}"')
        return clean


def _image_key(target: str) -> str:
    import hashlib

    return hashlib.sha256(target.encode()).hexdigest()[:16]


image_key = _image_key
