"""Progress bars: tqdm on a terminal, silent when output is piped or MLTUTORIAL_QUIET is set."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def enabled() -> bool:
    return sys.stderr.isatty() and not os.environ.get("MLTUTORIAL_QUIET")


def progress(iterable: Iterable[T], desc: str = "", total: int | None = None) -> Iterator[T]:
    """Wrap `iterable` in a progress bar (to stderr) when a person is watching."""
    return iter(tqdm(iterable, desc=desc, total=total, disable=not enabled(), leave=False))


def bar(total: int | None, desc: str = "") -> tqdm:
    """A manual bar: `b = bar(n); b.update(1); b.set_postfix(loss=...); b.close()` (None: a counter)."""
    return tqdm(total=total, desc=desc, disable=not enabled(), leave=False)
