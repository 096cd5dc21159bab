"""Factories (`tensor`, `zeros`, `randn`, `arange`, ...) and the engine's random generator.

`manual_seed(s)` reseeds the one `numpy.random.Generator` that factories, initialisers and dropout
draw from. Random floats are drawn directly in float32 (no float64 temporaries). Inside
`engine.meta()`, `empty/zeros/ones/randn/rand` return zero-stride arrays that take no memory.

Every factory takes `device=` ("cpu", "cuda", "cuda:0"); random draws are made on the host by the
one generator and then moved, so a seed gives the same numbers on every device.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import backend
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


def _on(data: Any, device: Any, requires_grad: bool = False) -> Tensor:
    """A tensor of `data` (made on the host) on `device`: no copy when the device is the CPU."""
    if device is not None:
        data = backend.to_device(data, device)
    return Tensor(data, requires_grad=requires_grad)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (Python floats -> float32, ints -> int64)."""
    arr = to_array(data, dtype)
    arr = backend.array_module(arr).array(arr, copy=True)
    return _on(arr, device, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None:
        return data if device is None else data.to(device)
    return _on(to_array(data, dtype), device)


def from_numpy(array: np.ndarray) -> Tensor:
    """Shares memory with `array` and keeps its dtype (as torch.from_numpy)."""
    return Tensor(array)


def _filled(
    shape: tuple[int, ...], value: float, dtype: Any, requires_grad: bool, device: Any = None
) -> Tensor:
    dt = _float(dtype)
    if STATE.meta:
        return Tensor(meta_array(shape, dt), requires_grad=requires_grad)
    xp = np if device is None else backend.module_for(device)
    return Tensor(xp.full(shape, value, dtype=dt), requires_grad=requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(_shape_arg(size), 0, dtype, requires_grad, device)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(_shape_arg(size), 0, dtype, requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(_shape_arg(size), 1, dtype, requires_grad, device)


def full(
    size: Any,
    fill_value: float,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if dtype is None and isinstance(fill_value, bool):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, int):
        dtype = np.int64
    return _filled(tuple(size), fill_value, dtype, requires_grad, device)


def _device_of(t: Tensor, device: Any) -> Any:
    """The `device=` of a `*_like` factory: the input's own unless another is asked for."""
    return device if device is not None else (None if t.device == "cpu" else t.device)


def zeros_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return zeros(
        t.shape, dtype=dtype or t.dtype, device=_device_of(t, device), requires_grad=requires_grad
    )


def ones_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return ones(
        t.shape, dtype=dtype or t.dtype, device=_device_of(t, device), requires_grad=requires_grad
    )


def full_like(t: Tensor, fill_value: float, dtype: Any = None, device: Any = None) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=_device_of(t, device))


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    shape, dt = _shape_arg(size), _float(dtype)
    if STATE.meta:
        return Tensor(meta_array(shape, dt), requires_grad=requires_grad)
    data = _RNG.standard_normal(shape, dtype=np.float32 if dt == np.float32 else np.float64)
    return _on(data.astype(dt, copy=False), device, requires_grad)


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    shape, dt = _shape_arg(size), _float(dtype)
    if STATE.meta:
        return Tensor(meta_array(shape, dt), requires_grad=requires_grad)
    data = _RNG.random(shape, dtype=np.float32 if dt == np.float32 else np.float64)
    return _on(data.astype(dt, copy=False), device, requires_grad)


def randn_like(t: Tensor, device: Any = None) -> Tensor:
    return randn(t.shape, dtype=t.dtype, device=_device_of(t, device))


def rand_like(t: Tensor, device: Any = None) -> Tensor:
    return rand(t.shape, dtype=t.dtype, device=_device_of(t, device))


def randint(
    low: int,
    high: Any = None,
    size: Any = (),
    dtype: Any = np.int64,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform in [low, high); `randint(high, size)` as PyTorch. An integer tensor cannot
    require gradients: asking raises, as in PyTorch."""
    if isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    return _on(_RNG.integers(low, high, size=tuple(size)).astype(dtype), device, requires_grad)


def randperm(n: int, device: Any = None) -> Tensor:
    return _on(_RNG.permutation(n).astype(np.int64), device)


def arange(
    start: float, end: float | None = None, step: float = 1, dtype: Any = None, device: Any = None
) -> Tensor:
    if end is None:
        start, end = 0, start
    data = np.arange(start, end, step)
    if dtype is not None:
        data = data.astype(dtype)
    elif data.dtype == np.float64:
        data = data.astype(np.float32)
    return _on(data, device)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None) -> Tensor:
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    if dtype is not None and np.dtype(dtype) == np.bool_:
        raise RuntimeError("linspace: bool is not a supported dtype")
    return _on(np.linspace(start, end, steps).astype(_float(dtype)), device)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None) -> Tensor:
    return _on(np.eye(n, m, dtype=_float(dtype)), device)
