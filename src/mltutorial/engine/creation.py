"""Factories (`tensor`, `zeros`, `randn`, `arange`, ...) and the engine's random generator.

`manual_seed(s)` reseeds the one `numpy.random.Generator` that factories, initialisers and dropout
draw from. Random floats are drawn directly in float32 (no float64 temporaries). Inside
`engine.meta()`, `empty/zeros/ones/randn/rand` return zero-stride arrays that take no memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import STATE, meta_array
from .tensor import Tensor, _shape_arg, to_array

_RNG = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the engine's generator (factories, `nn` initialisation, dropout)."""
    global _RNG
    _RNG = np.random.default_rng(seed)
    return _RNG


def get_rng() -> np.random.Generator:
    return _RNG


def _float(dtype: Any) -> np.dtype:
    return np.dtype(np.float32 if dtype is None else dtype)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (Python floats -> float32, ints -> int64)."""
    arr = np.array(to_array(data, dtype), copy=True)
    return Tensor(arr, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    return data if isinstance(data, Tensor) and dtype is None else Tensor(to_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """Shares memory with `array` and keeps its dtype (as torch.from_numpy)."""
    return Tensor(array)


def _filled(shape: tuple[int, ...], value: float, dtype: Any, requires_grad: bool) -> Tensor:
    dt = _float(dtype)
    if STATE.meta:
        return Tensor(meta_array(shape, dt), requires_grad=requires_grad)
    return Tensor(np.full(shape, value, dtype=dt), requires_grad=requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(_shape_arg(size), 0, dtype, requires_grad)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(_shape_arg(size), 0, dtype, requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(_shape_arg(size), 1, dtype, requires_grad)


def full(size: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None and isinstance(fill_value, bool):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, int):
        dtype = np.int64
    return _filled(tuple(size), fill_value, dtype, requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: float, dtype: Any = None) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    shape, dt = _shape_arg(size), _float(dtype)
    if STATE.meta:
        return Tensor(meta_array(shape, dt), requires_grad=requires_grad)
    data = _RNG.standard_normal(shape, dtype=np.float32 if dt == np.float32 else np.float64)
    return Tensor(data.astype(dt, copy=False), requires_grad=requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    shape, dt = _shape_arg(size), _float(dtype)
    if STATE.meta:
        return Tensor(meta_array(shape, dt), requires_grad=requires_grad)
    data = _RNG.random(shape, dtype=np.float32 if dt == np.float32 else np.float64)
    return Tensor(data.astype(dt, copy=False), requires_grad=requires_grad)


def randn_like(t: Tensor) -> Tensor:
    return randn(t.shape, dtype=t.dtype)


def rand_like(t: Tensor) -> Tensor:
    return rand(t.shape, dtype=t.dtype)


def randint(
    low: int,
    high: Any = None,
    size: Any = (),
    dtype: Any = np.int64,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform in [low, high); `randint(high, size)` as PyTorch. An integer tensor cannot
    require gradients: asking raises, as in PyTorch."""
    if isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    return Tensor(
        _RNG.integers(low, high, size=tuple(size)).astype(dtype), requires_grad=requires_grad
    )


def randperm(n: int) -> Tensor:
    return Tensor(_RNG.permutation(n).astype(np.int64))


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None) -> Tensor:
    if end is None:
        start, end = 0, start
    data = np.arange(start, end, step)
    if dtype is not None:
        data = data.astype(dtype)
    elif data.dtype == np.float64:
        data = data.astype(np.float32)
    return Tensor(data)


def linspace(start: float, end: float, steps: int, dtype: Any = None) -> Tensor:
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    if dtype is not None and np.dtype(dtype) == np.bool_:
        raise RuntimeError("linspace: bool is not a supported dtype")
    return Tensor(np.linspace(start, end, steps).astype(_float(dtype)))


def eye(n: int, m: int | None = None, dtype: Any = None) -> Tensor:
    return Tensor(np.eye(n, m, dtype=_float(dtype)))
