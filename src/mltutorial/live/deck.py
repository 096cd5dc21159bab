"""Decks: the questions of a live session, read from a YAML file a presenter writes.

A deck is a title, two settings and a list of questions (see `default_deck.yaml`, the talk's own
Mentimeter moments). Every problem in a deck file is reported as one `UserError` that names the file
and the line ("deck.yaml, line 14: question 3 (quiz) needs 'correct' ..."): the YAML is composed into
nodes, which keep their marks, and validated node by node.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mltutorial.errors import UserError

QUESTION_TYPES = ("wordcloud", "choice", "quiz", "guess")
MAX_QUESTIONS = 100
MAX_PROMPT_CHARS = 200
MAX_OPTION_CHARS = 120
MAX_OPTIONS = 8
QUIZ_TIME_LIMITS = (5, 600)  # seconds: shorter is unfair on a phone, longer is a coffee break

_DECK_KEYS = {"title", "results_hidden", "profanity_filter", "questions"}
_QUESTION_KEYS = {
    "wordcloud": {"type", "prompt", "max_entries", "note"},
    "choice": {"type", "prompt", "options", "note"},
    "quiz": {"type", "prompt", "options", "correct", "time_limit", "note"},
    "guess": {"type", "prompt", "options", "answer", "note"},
}


@dataclass(frozen=True)
class Question:
    """One question. `correct` is the index of the right option (quiz and guess), else None."""

    type: str
    prompt: str
    options: tuple[str, ...] = ()
    correct: int | None = None
    time_limit: float | None = None  # quiz only, seconds
    max_entries: int = 1  # wordcloud: entries a person may give (1-3)
    note: str = ""

    @property
    def has_options(self) -> bool:
        return self.type != "wordcloud"


@dataclass(frozen=True)
class Deck:
    title: str
    questions: tuple[Question, ...]
    results_hidden: bool = False
    profanity_filter: bool = True
    source: str = field(default="", compare=False)  # where it was read from, for messages

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("source")
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Deck:
        data = json.loads(text)
        questions = tuple(
            Question(**{**q, "options": tuple(q["options"])}) for q in data.pop("questions")
        )
        return cls(questions=questions, **data)

    def digest(self) -> str:
        """A short fingerprint: a restarted server resumes the session of the same deck."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Validation over YAML nodes (they carry line numbers)


class _Checker:
    def __init__(self, source: str, loader: yaml.SafeLoader):
        self.source = source
        self.loader = loader

    def fail(self, node: yaml.Node, message: str) -> UserError:
        return UserError(f"{self.source}, line {node.start_mark.line + 1}: {message}")

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "expected a single value here, not a list or a mapping")
        return self.loader.construct_object(node, deep=True)

    def text(self, node: yaml.Node, what: str, max_chars: int) -> str:
        value = self.scalar(node)
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise self.fail(node, f"{what} must be text")
        text = " ".join(str(value).split())
        if not text:
            raise self.fail(node, f"{what} is empty")
        if len(text) > max_chars:
            raise self.fail(node, f"{what} is {len(text)} characters; at most {max_chars}")
        return text

    def boolean(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node)
        if not isinstance(value, bool):
            raise self.fail(node, f"{what} must be true or false, not {value!r}")
        return value

    def number(self, node: yaml.Node, what: str, lo: float, hi: float) -> float:
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(node, f"{what} must be a number, not {value!r}")
        if not lo <= value <= hi:
            raise self.fail(node, f"{what} must be between {lo:g} and {hi:g}, not {value!r}")
        return float(value)

    def mapping(self, node: yaml.Node, what: str, allowed: set[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of 'key: value' lines")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
            if not isinstance(key, str) or key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.fail(
                    key_node,
                    f"unknown key {key!r} in {what}{hint}; known: {', '.join(sorted(allowed))}",
                )
            if key in out:
                raise self.fail(key_node, f"key {key!r} appears twice in {what}")
            out[key] = value_node
        return out

    def question(self, node: yaml.Node, number: int) -> Question:
        what = f"question {number}"
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping with 'type' and 'prompt'")
        keys = {self.scalar(k): v for k, v in node.value}
        if "type" not in keys:
            raise self.fail(node, f"{what} needs a 'type': one of {', '.join(QUESTION_TYPES)}")
        qtype = self.scalar(keys["type"])
        if qtype not in QUESTION_TYPES:
            raise self.fail(
                keys["type"], f"{what}: unknown type {qtype!r}; use {', '.join(QUESTION_TYPES)}"
            )
        what = f"question {number} ({qtype})"
        fields = self.mapping(node, what, _QUESTION_KEYS[qtype])
        if "prompt" not in fields:
            raise self.fail(node, f"{what} needs a 'prompt'")
        prompt = self.text(fields["prompt"], f"{what}: the prompt", MAX_PROMPT_CHARS)
        note = self.text(fields["note"], f"{what}: the note", 500) if "note" in fields else ""
        if qtype == "wordcloud":
            max_entries = 3
            if "max_entries" in fields:
                max_entries = int(self.number(fields["max_entries"], f"{what}: max_entries", 1, 3))
            return Question("wordcloud", prompt, max_entries=max_entries, note=note)
        options = self.options(fields, node, what)
        correct = None
        time_limit = None
        if qtype in ("quiz", "guess"):
            key = "correct" if qtype == "quiz" else "answer"
            if key not in fields:
                raise self.fail(node, f"{what} needs '{key}': the text (or number) of one option")
            correct = self.pick(fields[key], options, f"{what}: '{key}'")
        if qtype == "quiz":
            time_limit = 30.0
            if "time_limit" in fields:
                time_limit = self.number(
                    fields["time_limit"], f"{what}: time_limit", *QUIZ_TIME_LIMITS
                )
        return Question(qtype, prompt, tuple(options), correct, time_limit, note=note)

    def options(self, fields: dict[str, yaml.Node], node: yaml.Node, what: str) -> list[str]:
        if "options" not in fields:
            raise self.fail(node, f"{what} needs 'options': a list of 2 to {MAX_OPTIONS} answers")
        seq = fields["options"]
        if not isinstance(seq, yaml.SequenceNode):
            raise self.fail(seq, f"{what}: 'options' must be a list ('- answer' lines)")
        if not 2 <= len(seq.value) <= MAX_OPTIONS:
            raise self.fail(seq, f"{what} has {len(seq.value)} options; give 2 to {MAX_OPTIONS}")
        options = [
            self.text(item, f"{what}: option {i}", MAX_OPTION_CHARS)
            for i, item in enumerate(seq.value, 1)
        ]
        for i, (item, text) in enumerate(zip(seq.value, options)):
            if text in options[:i]:
                raise self.fail(item, f"{what}: option {text!r} appears twice")
        return options

    def pick(self, node: yaml.Node, options: list[str], what: str) -> int:
        value = self.scalar(node)
        if isinstance(value, int) and not isinstance(value, bool):
            if 1 <= value <= len(options):
                return value - 1
            raise self.fail(node, f"{what} is option number {value}, but there are {len(options)}")
        text = " ".join(str(value).split())
        if text not in options:
            close = difflib.get_close_matches(text, options, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(node, f"{what} {text!r} is not one of the options{hint}")
        return options.index(text)


def parse_deck(text: str, source: str = "deck") -> Deck:
    """Validate a deck's YAML text; any problem is a `UserError` naming `source` and the line."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{source}{where}: not valid YAML: {problem}") from None
    if root is None:
        raise UserError(f"{source}, line 1: the deck is empty; it needs 'questions:'")
    check = _Checker(source, loader)
    fields = check.mapping(root, "the deck", _DECK_KEYS)
    if "questions" not in fields:
        raise check.fail(root, "the deck needs 'questions:', a list of questions")
    seq = fields["questions"]
    if not isinstance(seq, yaml.SequenceNode) or not seq.value:
        raise check.fail(seq, "'questions' must be a non-empty list ('- type: ...' items)")
    if len(seq.value) > MAX_QUESTIONS:
        raise check.fail(seq, f"{len(seq.value)} questions; at most {MAX_QUESTIONS}")
    questions = tuple(check.question(node, i) for i, node in enumerate(seq.value, 1))
    title = check.text(fields["title"], "title", 120) if "title" in fields else "Live session"
    hidden = (
        check.boolean(fields["results_hidden"], "results_hidden")
        if "results_hidden" in fields
        else False
    )
    profanity = (
        check.boolean(fields["profanity_filter"], "profanity_filter")
        if "profanity_filter" in fields
        else True
    )
    return Deck(title, questions, hidden, profanity, source=source)


def load_deck(path: str | Path | None = None) -> Deck:
    """Read a deck file; without a path, the talk's own deck shipped with the package."""
    if path is None:
        text = resources.files("mltutorial.live").joinpath("default_deck.yaml").read_text("utf-8")
        return parse_deck(text, "default_deck.yaml")
    path = Path(path)
    if path.exists() and not path.is_dir() and not path.is_file():  # a FIFO would block forever
        raise UserError(f"deck path is not a regular file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"deck file not found: {path}") from None
    except IsADirectoryError:
        raise UserError(f"deck path is a folder, not a YAML file: {path}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"cannot read deck {path}: {exc.strerror}") from None
    return parse_deck(text, str(path))
