"""Progress bars: tqdm on a terminal, silent when output is piped or MLTUTORIAL_QUIET is set.

Every tick, shown or not, is also where a Ctrl-C that CPython swallowed is raised again
(see `mltutorial.interrupt`): the long loops all tick a bar.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

from mltutorial import interrupt

T = TypeVar("T")


def enabled() -> bool:
    return sys.stderr.isatty() and not os.environ.get("MLTUTORIAL_QUIET")


class _Bar(tqdm):
    def update(self, n: float | None = 1) -> bool | None:
        interrupt.check()
        return super().update(n)


def progress(iterable: Iterable[T], desc: str = "", total: int | None = None) -> Iterator[T]:
    """Wrap `iterable` in a progress bar (to stderr) when a person is watching."""
    for item in tqdm(iterable, desc=desc, total=total, disable=not enabled(), leave=False):
        interrupt.check()
        yield item


def bar(total: int | None, desc: str = "") -> tqdm:
    """A manual bar: `b = bar(n); b.update(1); b.set_postfix(loss=...); b.close()` (None: a counter)."""
    return _Bar(total=total, desc=desc, disable=not enabled(), leave=False)
