"""Forgiving movie-title lookup: case, punctuation, a missing year and MovieLens's "Godfather, The" style.

`TitleIndex(titles, popularity).find("star wars")` returns the item index of "Star Wars (1977)". A query
without a year matches every movie of that name; the most rated one wins (the 1996 "Romeo and Juliet"
over an obscure namesake). An unknown title raises `UserError` naming the closest titles (difflib).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from mltutorial.errors import UserError

_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_LEADING = {"the", "a", "an", "les", "la", "le", "il", "el", "l"}
_ARTICLE = re.compile(r"^(.*),\s*(the|a|an|les|la|le|il|el|das|der|die)$", re.IGNORECASE)


def split_year(title: str) -> tuple[str, str | None]:
    """'Toy Story (1995)' -> ('Toy Story', '1995'); a title without a year -> (title, None)."""
    match = _YEAR.search(title)
    if not match:
        return title.strip(), None
    return title[: match.start()].strip(), match.group(1)


def normalize(name: str) -> str:
    """Lower case, accents, punctuation and articles dropped: 'Godfather, The' -> 'godfather'."""
    name = name.strip()
    article = _ARTICLE.match(name)
    if article:  # "Godfather, The" -> "Godfather": articles are dropped wherever they stand
        name = article.group(1)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    name = name.replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", name).split()
    if len(words) > 1 and words[0] in _LEADING:
        words = words[1:]
    return " ".join(words)


class TitleIndex:
    """Map user-typed titles to item indices; `popularity` (ratings per item) breaks ties."""

    def __init__(self, titles: Sequence[str], popularity: np.ndarray | None = None) -> None:
        self.titles = list(titles)
        self.popularity = (
            np.zeros(len(self.titles)) if popularity is None else np.asarray(popularity, float)
        )
        self._exact: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._keys: list[str] = []
        for index, title in enumerate(self.titles):
            name, year = split_year(title)
            key = normalize(name)
            self._exact.setdefault(f"{key} {year}" if year else key, []).append(index)
            self._by_name.setdefault(key, []).append(index)
        self._keys = sorted(set(self._exact) | set(self._by_name))

    def _best(self, indices: list[int]) -> int:
        return max(indices, key=lambda i: (self.popularity[i], -i))

    def find(self, query: str) -> int:
        """The item index for `query`, or UserError with the closest matches."""
        if not query or not query.strip():
            raise UserError("empty movie title")
        name, year = split_year(query)
        key = normalize(name)
        if year and f"{key} {year}" in self._exact:
            return self._best(self._exact[f"{key} {year}"])
        if year is None and key in self._by_name:
            return self._best(self._by_name[key])
        # A known name with the wrong year is an error too: say so rather than guess another year.
        raise UserError(f"unknown movie {query!r}; closest: {self._suggest(query)}")

    def closest(self, query: str, n: int = 3) -> list[str]:
        """Up to `n` catalogue titles that look most like `query` (most rated first among equals)."""
        name, year = split_year(query)
        key = normalize(name)
        probe = f"{key} {year}" if year else key
        found = difflib.get_close_matches(probe, self._keys, n=n * 2, cutoff=0.5)
        if not found and key:  # a word of the title, e.g. "wars" -> Star Wars
            found = [k for k in self._keys if key in k][: n * 2]
        indices: list[int] = []
        for k in found:
            for i in sorted(
                self._exact.get(k, []) or self._by_name.get(k, []),
                key=lambda i: -self.popularity[i],
            ):
                if i not in indices:
                    indices.append(i)
        return [self.titles[i] for i in indices[:n]]

    def _suggest(self, query: str) -> str:
        close = self.closest(query)
        return (
            ", ".join(repr(t) for t in close) if close else "no similar title (see the catalogue)"
        )
