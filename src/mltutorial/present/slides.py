"""The slides file: Markdown in the conventions presenters already use (Marp, reveal.js, remark).

    ---
    title: My talk              <- front matter (optional): the talk's title
    ---
    # First slide
    Some words, an image: ![a cat](cat.png)
    <!-- notes: what I say here; only the speaker view shows it -->
    ---
    # A figure the tour computed
    ::: figure neuron            <- the chapter's first figure (`::: figure neuron 2`: its second)
    The network says Cat ({{ number networks.test_accuracy :.3f }})
    ---
    ::: question wordcloud-1     <- the deck's first word cloud: this slide IS the live screen

A line `---` alone separates slides. Directives are one line each, `::: NAME ARGS`:
`figure CHAPTER [N]`, `question TYPE-N` (or the question's number in the deck), `podium`,
`playground [STATE]` (a live playground, its state as in its link: `preset=worst_case&lr=0.15`); inline,
`{{ number CHAPTER.KEY[.KEY...] [:FORMAT] }}` is a number from the tour's results.json. Every
problem is one `UserError` naming the file and line, raised before any server starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from mltutorial.errors import UserError
from mltutorial.live.deck import Deck

DEFAULT_TALK = "talk.md"
MAX_SLIDES = 300
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}  # fmt: skip
_DIRECTIVE = re.compile(r"^:::\s*(\S*)\s*(.*?)\s*$")
_NUMBER = re.compile(r"\{\{\s*(\S*)\s+([^}]*?)\s*\}\}")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_NOTES = re.compile(r"<!--\s*notes?:(.*?)-->", re.S | re.I)
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
DIRECTIVES = ("figure", "question", "podium", "playground")


@dataclass(frozen=True)
class Directive:
    """One `::: NAME ARGS` line: a chapter's figure, a live question, the podium."""

    name: str
    line: int
    chapter: str = ""
    figure: int = 0  # 0-based
    question: int | None = None  # index in the deck; len(deck.questions) is the podium
    playground: str = ""  # the playground's state as its link's #hash ("preset=worst_case&lr=0.15")


@dataclass(frozen=True)
class NumberRef:
    """`{{ number chapter.key.key :fmt }}`: a number from results.json."""

    chapter: str
    path: tuple[str, ...]
    fmt: str
    line: int


@dataclass
class Slide:
    index: int
    line: int  # where it starts in the file (1-based)
    title: str
    body: str  # Markdown with the notes taken out
    notes: str = ""
    directives: list[Directive] = field(default_factory=list)
    numbers: list[NumberRef] = field(default_factory=list)
    images: dict[str, Path] = field(default_factory=dict)  # as written -> the file

    @property
    def question(self) -> int | None:
        """The deck question this slide shows (a question or podium directive), else None."""
        for d in self.directives:
            if d.question is not None:
                return d.question
        return None

    @property
    def chapters(self) -> list[str]:
        names = [d.chapter for d in self.directives if d.chapter]
        return names + [n.chapter for n in self.numbers]


@dataclass
class Talk:
    title: str
    slides: list[Slide]
    source: str
    base: Path  # images are relative to the slides file's folder

    @property
    def chapters(self) -> list[str]:
        """The chapters the slides need, in order of first use."""
        return list(dict.fromkeys(c for s in self.slides for c in s.chapters))


def _question_ref(arg: str, deck: Deck) -> int | None:
    """`wordcloud-1` (the first word cloud), `quiz-3`, or `4` (the deck's fourth question)."""
    if arg.isdigit():
        n = int(arg)
        return n - 1 if 1 <= n <= len(deck.questions) else None
    m = re.fullmatch(r"([a-z]+)-(\d+)", arg)
    if not m:
        return None
    kind, n = m.group(1), int(m.group(2))
    of_kind = [i for i, q in enumerate(deck.questions) if q.type == kind]
    return of_kind[n - 1] if 1 <= n <= len(of_kind) else None


def _question_names(deck: Deck) -> str:
    counts: dict[str, int] = {}
    names = []
    for q in deck.questions:
        counts[q.type] = counts.get(q.type, 0) + 1
        names.append(f"{q.type}-{counts[q.type]}")
    return ", ".join(names)


class _Parser:
    def __init__(self, source: str, base: Path, deck: Deck, chapters: set[str]):
        self.source, self.base, self.deck, self.chapters = source, base, deck, chapters

    def fail(self, line: int, message: str) -> UserError:
        return UserError(f"{self.source}:{line}: {message}")

    def chapter(self, name: str, line: int) -> str:
        if name not in self.chapters:
            import difflib

            close = difflib.get_close_matches(name, sorted(self.chapters), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(
                line, f"no chapter {name!r}{hint}; chapters: {', '.join(sorted(self.chapters))}"
            )
        return name

    def directive(self, text: str, line: int) -> Directive:
        m = _DIRECTIVE.match(text)
        assert m is not None
        name, args = m.group(1), m.group(2).split()
        if name == "figure":
            if not 1 <= len(args) <= 2 or (len(args) == 2 and not args[1].isdigit()):
                raise self.fail(line, "usage: ::: figure CHAPTER [N]")
            n = int(args[1]) if len(args) == 2 else 1
            if n < 1:
                raise self.fail(line, "figure numbers start at 1")
            return Directive("figure", line, chapter=self.chapter(args[0], line), figure=n - 1)
        if name == "question":
            if len(args) != 1:
                raise self.fail(line, "usage: ::: question TYPE-N (wordcloud-1, quiz-2, ...) or N")
            q = _question_ref(args[0], self.deck)
            if q is None:
                raise self.fail(
                    line,
                    f"no question {args[0]!r} in the deck; it has: {_question_names(self.deck)}",
                )
            return Directive("question", line, question=q)
        if name == "podium":
            if args:
                raise self.fail(line, "usage: ::: podium (no arguments)")
            return Directive("podium", line, question=len(self.deck.questions))
        if name == "playground":
            return Directive("playground", line, playground=self.playground(args, line))
        raise self.fail(
            line, f"unknown directive {'::: ' + name!r}; known: {', '.join(DIRECTIVES)}"
        )

    def playground(self, args: list[str], line: int) -> str:
        """`::: playground [STATE]`: the state as the playground's own link has it after `#`."""
        from mltutorial.playground import State, StateError

        if len(args) > 1:
            raise self.fail(line, "usage: ::: playground [preset=NAME&key=value...]")
        text = args[0].lstrip("#") if args else ""
        try:
            if text:
                State.from_hash(text)  # checked here; the link keeps the words as written
            return text
        except StateError as exc:
            raise self.fail(line, f"playground: {exc}") from None

    def number(self, m: re.Match[str], line: int) -> NumberRef:
        if m.group(1) != "number":
            raise self.fail(
                line, f"unknown directive {'{{ ' + m.group(1)!r}; known: {{{{ number ... }}}}"
            )
        ref, _, fmt = m.group(2).partition(" :")
        parts = ref.strip().split(".")
        if len(parts) < 2 or not all(parts):
            raise self.fail(line, "usage: {{ number CHAPTER.KEY[.KEY] [:FORMAT] }}")
        fmt = fmt.strip()
        if fmt:
            try:
                format(0.5, fmt)
            except ValueError:
                raise self.fail(line, f"not a number format: {fmt!r} (try :.3f or :.1%)") from None
        return NumberRef(self.chapter(parts[0], line), tuple(parts[1:]), fmt, line)

    def image(self, target: str, line: int) -> Path:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            raise self.fail(line, f"image {target!r}: only local files (the talk needs no network)")
        path = (self.base / target).resolve()
        kind = IMAGE_TYPES.get(path.suffix.lower())
        if kind is None:
            raise self.fail(line, f"image {target!r}: not an image type ({', '.join(IMAGE_TYPES)})")
        try:
            with path.open("rb") as f:
                f.read(1)
        except OSError as exc:
            raise self.fail(line, f"cannot read image {target!r}: {exc.strerror}") from None
        return path

    def slide(self, index: int, start: int, lines: list[str]) -> Slide:
        text = "\n".join(lines)
        notes = "\n\n".join(n.strip() for n in _NOTES.findall(text))
        slide = Slide(index, start, "", "", notes)
        body_lines: list[str] = []
        in_fence = False
        for offset, raw in enumerate(
            _NOTES.sub(lambda m: "\n" * m.group(0).count("\n"), text).split("\n")
        ):
            line = start + offset
            if raw.lstrip().startswith("```"):
                in_fence = not in_fence
            if not in_fence and raw.startswith(":::"):
                d = self.directive(raw, line)
                slide.directives.append(d)
                body_lines.append(f"\n@@directive-{len(slide.directives) - 1}@@\n")
                continue
            if not in_fence:
                for m in _NUMBER.finditer(raw):
                    slide.numbers.append(self.number(m, line))
                for m in _IMAGE.finditer(raw):
                    slide.images[m.group(1)] = self.image(m.group(1), line)
                h = _HEADING.match(raw)
                if h and not slide.title:
                    slide.title = re.sub(r"[*_`]", "", _NUMBER.sub("", h.group(1))).strip()
            body_lines.append(raw)
        if len([d for d in slide.directives if d.question is not None]) > 1:
            raise self.fail(start, "one question (or podium) per slide")
        slide.body = "\n".join(body_lines).strip("\n")
        if (
            not slide.title
            and slide.question is not None
            and slide.question < len(self.deck.questions)
        ):
            slide.title = self.deck.questions[slide.question].prompt
        return slide


def parse_talk(
    text: str, deck: Deck, chapters: set[str], source: str = "slides", base: Path | None = None
) -> Talk:
    """The slides of `text`; `chapters` are the chapter names a directive may use."""
    lines = text.replace("\r\n", "\n").split("\n")
    title = ""
    first = 0
    if lines and lines[0].strip() == "---":  # front matter: YAML between the first two ---
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            block = "\n".join(lines[1:end])
            try:
                meta = yaml.safe_load(block) if block.strip() else {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = 2 + (mark.line if mark else 0)
                raise UserError(f"{source}:{where}: front matter is not valid YAML") from None
            if not isinstance(meta, dict):
                raise UserError(f"{source}:2: front matter must be 'key: value' lines (title: ...)")
            title = str(meta.get("title") or "").strip()
            first = end + 1
    parser = _Parser(source, base or Path.cwd(), deck, chapters)
    chunks: list[tuple[int, list[str]]] = [(first + 1, [])]
    in_fence = False
    for i in range(first, len(lines)):
        raw = lines[i]
        if raw.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and raw.strip() == "---":
            chunks.append((i + 2, []))
        else:
            chunks[-1][1].append(raw)
    chunks = [(start, body) for start, body in chunks if any(x.strip() for x in body)]
    if not chunks:
        raise UserError(f"{source}:1: no slides (separate slides with a line '---')")
    if len(chunks) > MAX_SLIDES:
        raise UserError(f"{source}:1: {len(chunks)} slides; at most {MAX_SLIDES}")
    slides: list[Slide] = []
    for start, body in chunks:
        while body and not body[0].strip():  # the slide starts at its first line of text
            body, start = body[1:], start + 1
        slides.append(parser.slide(len(slides), start, body))
    for s in slides:
        s.title = s.title or f"Slide {s.index + 1}"
    return Talk(title or slides[0].title, slides, source, parser.base)


def load_talk(path: str | Path | None, deck: Deck, chapters: set[str]) -> Talk:
    """The slides file at `path` (None: the talk itself, shipped with the package)."""
    if path is None:
        text = resources.files("mltutorial.present").joinpath(DEFAULT_TALK).read_text("utf-8")
        return parse_talk(text, deck, chapters, source=DEFAULT_TALK, base=Path.cwd())
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"slides file not found: {p}") from None
    except IsADirectoryError:
        raise UserError(f"slides path is a folder, not a Markdown file: {p}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"cannot read slides {p}: {exc.strerror}") from None
    return parse_talk(text, deck, chapters, source=str(p), base=p.resolve().parent)
