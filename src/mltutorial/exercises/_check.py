"""What every check shares: call the answer safely, compare arrays, say right or wrong in one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

RIGHT = "✓ right"
WRONG = "✗ wrong: "


class Wrong(Exception):
    """Raised inside a check to end it with this hint."""


def verdict(check: Callable[[], None]) -> bool:
    """Run `check`; print ✓ right, or ✗ wrong with the hint of the `Wrong` it raised."""
    try:
        check()
    except Wrong as exc:
        print(WRONG + str(exc))
        return False
    print(RIGHT)
    return True


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function; its exception becomes a hint instead of a traceback."""
    if not callable(fn):
        raise Wrong(f"expected a function, got {type(fn).__name__}")
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:
        raise Wrong(f"your function raised {type(exc).__name__}: {exc}") from None
    if result is None:
        raise Wrong("your function returned None: replace the `...` with your code")
    return result


def as_array(value: Any, what: str = "your answer") -> np.ndarray:
    """A NumPy array from an array, a list, a number or an engine/torch tensor."""
    if value is None:
        raise Wrong(f"{what} is None: replace the `...` with your code")
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        value = value.numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} is a {type(value).__name__}, not numbers") from None


def close(
    got: Any, want: Any, hint: str, *, atol: float = 1e-6, rtol: float = 1e-4, what: str = ""
) -> None:
    """Raise Wrong(hint) unless `got` has `want`'s shape and values (within the tolerance)."""
    g = as_array(got, what or "your answer")
    w = np.asarray(want, dtype=np.float64)
    if g.shape != w.shape:
        raise Wrong(f"shape {g.shape}, expected {w.shape}. {hint}")
    if not np.all(np.isfinite(g)):
        raise Wrong(f"your answer has NaN or inf. {hint}")
    if not np.allclose(g, w, atol=atol, rtol=rtol):
        worst = float(np.max(np.abs(g - w)))
        raise Wrong(f"off by up to {worst:.3g}. {hint}")
