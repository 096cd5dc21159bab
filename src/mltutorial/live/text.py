"""The rules for audience text and quiz points, in plain functions.

Word-cloud entries: trimmed, whitespace collapsed, case-folded (counted as one; shown in the spelling
most people used, `spelled`), sentence punctuation at the ends
removed, leading and trailing stop words dropped ("the data" -> "data"); an entry left with nothing,
or a single word shorter than `MIN_WORD_CHARS`, is dropped; the same entry twice from one person counts
once. With the profanity filter on, an entry containing a listed word is dropped. The text is never
interpreted: pages render it with `textContent`, so "<script>" stays the eight characters it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MAX_ENTRY_CHARS = 40  # a word-cloud entry: a word or a short phrase (Mentimeter allows 25)
MAX_NICKNAME_CHARS = 24
MIN_WORD_CHARS = 2  # "AI" and "ML" stay; "a", "x" and "?" go
_NON_WORD = re.compile(r"[^\w]+")
_END_PUNCTUATION = " \t.,;:!?¡¿\"'`“”‘’()[]{}-–—…"

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yes",
        "ok",
        "okay",
        "idk",
        "dunno",
        "lol",
    ]
)

POINTS_MAX = 1000  # an instant correct answer
POINTS_MIN = 500  # a correct answer at the time limit


@lru_cache(maxsize=1)
def profanity_words() -> frozenset[str]:
    text = resources.files("mltutorial.live").joinpath("profanity.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


@dataclass(frozen=True)
class Entry:
    raw: str  # what the participant typed (trimmed, length-limited)
    word: str | None  # the normalised entry counted in the cloud; None when dropped
    reason: str = ""  # why it was dropped


def clean_text(text: str, max_chars: int) -> str:
    """Trim, collapse whitespace, drop control characters, cut to `max_chars`."""
    if not text.isprintable():  # rare: drop control characters one by one
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:max_chars]


def normalise_entry(text: str, profanity_filter: bool = True) -> Entry:
    raw = clean_text(text, MAX_ENTRY_CHARS)
    word = raw.casefold().strip(_END_PUNCTUATION)
    tokens = word.split()
    while tokens and tokens[0].strip(_END_PUNCTUATION) in STOP_WORDS:
        tokens.pop(0)
    while tokens and tokens[-1].strip(_END_PUNCTUATION) in STOP_WORDS:
        tokens.pop()
    word = " ".join(tokens).strip(_END_PUNCTUATION)
    if not word:
        return Entry(raw, None, "empty or only common words")
    if len(tokens) == 1 and len(word) < MIN_WORD_CHARS:
        return Entry(raw, None, "too short")
    if profanity_filter:
        bad = profanity_words()
        if any(t in bad for t in _NON_WORD.split(word)):
            return Entry(raw, None, "filtered")
    return Entry(raw, word)


def spelled(raw: str, word: str) -> str:
    """How `raw` writes the counted entry `word`, capitals kept ("the AI!" -> "AI"); else `word`.

    The cloud counts entries case-insensitively but shows them as people wrote them."""
    tokens = raw.strip(_END_PUNCTUATION).split()
    while tokens and tokens[0].casefold().strip(_END_PUNCTUATION) in STOP_WORDS:
        tokens.pop(0)
    while tokens and tokens[-1].casefold().strip(_END_PUNCTUATION) in STOP_WORDS:
        tokens.pop()
    shown = " ".join(tokens).strip(_END_PUNCTUATION)
    return shown if shown.casefold() == word else word


def most_common_spelling(spellings: dict[str, tuple[int, int]]) -> str:
    """{spelling: (count, first answer id)} -> the most written; a tie goes to the first written."""
    return min(spellings, key=lambda s: (-spellings[s][0], spellings[s][1]))


def normalise_entries(
    texts: list[str], max_entries: int, profanity_filter: bool = True
) -> list[Entry]:
    """The entries one person gives: at most `max_entries`, duplicates merged (first kept)."""
    out: list[Entry] = []
    seen: set[str] = set()
    for text in texts[:max_entries]:
        entry = normalise_entry(text, profanity_filter)
        word = entry.word
        if word is not None:
            if word in seen:
                entry = Entry(entry.raw, None, "duplicate")
            else:
                seen.add(word)
        out.append(entry)
    return out


def quiz_points(correct: bool, elapsed_s: float, time_limit_s: float) -> int:
    """1000 for an instant correct answer, falling linearly to 500 at the time limit; 0 if wrong."""
    if not correct:
        return 0
    frac = min(max(elapsed_s / time_limit_s, 0.0), 1.0)
    return round(POINTS_MAX - (POINTS_MAX - POINTS_MIN) * frac)


def format_code(code: str) -> str:
    """'64718286' -> '6471 8286', as on the talk's slide."""
    return f"{code[:4]} {code[4:]}"


def parse_code(text: str) -> str | None:
    """A typed join code ('6471 8286', '6471-8286') -> '64718286', or None if malformed."""
    digits = re.sub(r"[\s\-.]", "", text or "")
    return digits if re.fullmatch(r"\d{8}", digits) else None
