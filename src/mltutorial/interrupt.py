"""Ctrl-C that is never lost.

CPython turns SIGINT into `KeyboardInterrupt` at the next bytecode the main thread runs. When that
bytecode belongs to a weakref callback or a `__del__` method, the exception is "unraisable": printed at
most, then dropped, and the program runs on. importlib runs such a callback each time it drops a module
lock, and the commands import their libraries lazily, in the first steps of their work: a Ctrl-C pressed
then could be lost, and `rl train --episodes 100000` would train to the end.

So the command line records the interrupt as well as raising it (`handling_ctrl_c`), and `check()`, which
the progress bars call on every tick of every long loop, raises it again if it was lost on the way.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_requested = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _requested
    _requested = True
    raise KeyboardInterrupt


@contextlib.contextmanager
def handling_ctrl_c() -> Iterator[None]:
    """Within the block, Ctrl-C raises `KeyboardInterrupt` and is remembered until the block ends.

    Only the main thread can own signals; elsewhere, or where SIGINT is ignored (a command started with
    `nohup` or in the background), nothing changes.
    """
    global _requested
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        yield
        return
    _requested = False
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _requested = False


def check() -> None:
    """Raise `KeyboardInterrupt` if Ctrl-C was pressed and its exception was swallowed on the way."""
    if _requested:
        raise KeyboardInterrupt
