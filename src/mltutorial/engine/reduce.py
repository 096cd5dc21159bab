"""Reductions (sum, mean, var, max, prod, logsumexp, any) and scans (cumsum, cumprod, cummax,
logcumsumexp), each with its local derivative beside it; mean, var, std and logsumexp are built
from primitives. `dim` also answers to PyTorch's alias `axis`, and a 0-d tensor takes dim 0 or -1
(as PyTorch). Every function is also a `Tensor` method.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from . import backend
from .autograd import Grads
from .dtypes import floating
from .tensor import Tensor, _norm_dim

Dim = int | Sequence[int] | None


class ValuesIndices(NamedTuple):
    """`(values, indices)`, as `torch.max(x, dim)`, `cummax`, `sort` and `topk` return."""

    values: Tensor
    indices: Tensor


MaxResult = ValuesIndices


def _dims(dim: Dim, axis: Dim, ndim: int) -> tuple[int, ...] | None:
    """Normalised reduction axes; None for all. `axis` is PyTorch's alias of `dim`."""
    d = axis if dim is None else dim
    if d is None:
        return None
    if isinstance(d, (int, np.integer)):
        d = (d,)
    dims = tuple(_norm_dim(int(i), ndim) for i in d)  # a 0-d tensor takes dim 0 or -1
    return dims if ndim else ()


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    return int(np.prod(shape if axes is None else [shape[a] for a in axes], dtype=np.int64))


def _expand(g: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool, ndim: int) -> np.ndarray:
    """A reduced gradient with its reduced axes back (size 1), ready to broadcast."""
    if keepdim or (axes is None and g.ndim == ndim):
        return g
    if axes is None:
        return g.reshape((1,) * ndim)
    return np.expand_dims(g, axes)


# ---------------------------------------------------------------------- sums
def sum(
    input: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None, axis: Dim = None
) -> Tensor:
    """sum over `dim`; d/dx = the output gradient broadcast back. Integers sum as int64."""
    x = input if dtype is None else input.to(dtype)
    a = x.data
    axes = _dims(dim, axis, a.ndim)
    out = a.sum(axis=axes, keepdims=keepdim)
    if a.dtype.kind == "f":
        out = out.astype(a.dtype, copy=False)
    elif a.dtype.kind in "biu":
        out = out.astype(np.int64, copy=False)

    def backward(g: np.ndarray) -> Grads:
        return (np.broadcast_to(_expand(g, axes, keepdim, a.ndim), a.shape),)

    return Tensor._make(backend.asarray(out), (x,), backward)


def mean(
    input: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None, axis: Dim = None
) -> Tensor:
    x = input if dtype is None else input.to(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {x.dtype}"
        )
    a = x.data
    axes = _dims(dim, axis, a.ndim)
    n = _count(a.shape, axes)
    with np.errstate(all="ignore"):
        out = backend.asarray(a.sum(axis=axes, keepdims=keepdim) * (1.0 / n if n else np.nan))

    def backward(g: np.ndarray) -> Grads:
        scale = 1.0 / n if n else np.nan  # n = 0: the input has no entries to give it to
        return (np.broadcast_to(_expand(g, axes, keepdim, a.ndim) * scale, a.shape),)

    return Tensor._make(out.astype(a.dtype, copy=False), (x,), backward)


def var(
    input: Tensor,
    dim: Dim = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
    axis: Dim = None,
) -> Tensor:
    """sum((x - mean)^2) / (N - correction); correction 1 by default (Bessel), as PyTorch."""
    if correction is None:
        correction = 0 if unbiased is False else 1
    d = axis if dim is None else dim
    n = _count(input.shape, _dims(d, None, input.ndim))
    centred = input - mean(input, d, keepdim=True)
    with np.errstate(all="ignore"):
        denom = builtins.max(n - correction, 0)
        return sum(centred * centred, d, keepdim) * (1.0 / denom if denom else float("inf"))


def std(
    input: Tensor,
    dim: Dim = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
    axis: Dim = None,
) -> Tensor:
    return var(input, dim, unbiased, keepdim, correction=correction, axis=axis).sqrt()


def std_mean(input: Tensor, dim: Dim = None, *args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:
    keepdim = kwargs.get("keepdim", False)
    d = kwargs.get("axis") if dim is None else dim
    return std(input, dim, *args, **kwargs), mean(input, d, keepdim)


def var_mean(input: Tensor, dim: Dim = None, *args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:
    keepdim = kwargs.get("keepdim", False)
    d = kwargs.get("axis") if dim is None else dim
    return var(input, dim, *args, **kwargs), mean(input, d, keepdim)


def prod(
    input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """Product; d/dx_i = prod_{j != i} x_j, computed without dividing (zeros are fine)."""
    x = input if dtype is None else input.to(dtype)
    a = x.data
    axes = _dims(dim, None, a.ndim)
    out = backend.asarray(a.prod(axis=axes, keepdims=keepdim))
    if a.dtype.kind in "biu":
        out = out.astype(np.int64)

    def backward(g: np.ndarray) -> Grads:
        ge = _expand(g, axes, keepdim, a.ndim)
        if axes is None:
            flat = a.reshape(-1)
            return ((ge.reshape(()) * _others_product(flat, 0)).reshape(a.shape),)
        (ax,) = axes if axes else (0,)
        return (ge * _others_product(a, ax) if a.ndim else ge * np.ones_like(a),)

    return Tensor._make(out, (x,), backward)


def _others_product(a: np.ndarray, axis: int) -> np.ndarray:
    """prod of all entries along `axis` except the one at each position (exclusive scans)."""
    if a.ndim == 0:
        return np.ones_like(a)
    a = np.moveaxis(a, axis, -1)
    ones = np.ones((*a.shape[:-1], 1), dtype=a.dtype)
    left = np.cumprod(np.concatenate([ones, a[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, a[..., ::-1][..., :-1]], axis=-1), axis=-1)[..., ::-1]
    return np.moveaxis(left * right, -1, axis)


def logsumexp(input: Tensor, dim: Dim, keepdim: bool = False) -> Tensor:
    """log sum exp(x), shifted by the max so that it never overflows; d/dx = softmax(x)."""
    x = input.to(floating(input.dtype))
    a = x.data
    axes = _dims(dim, None, a.ndim)
    m = a.max(axis=axes, keepdims=True) if a.size else np.zeros((1,) * a.ndim, a.dtype)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        kept = np.log(np.exp(a - m).sum(axis=axes, keepdims=True)) + m
    out = kept if keepdim else (kept.squeeze(axes) if axes else kept.reshape(()))

    def backward(g: np.ndarray) -> Grads:
        return (_expand(g, axes, keepdim, a.ndim) * np.exp(a - kept),)

    return Tensor._make(backend.asarray(out).astype(a.dtype, copy=False), (x,), backward)


# ---------------------------------------------------------------------- extrema
def _extremum(input: Tensor, dim: Any, keepdim: bool, largest: bool) -> Any:
    x = input.data
    if dim is None:
        y = x.max() if largest else x.min()

        def backward_all(g: np.ndarray) -> Grads:
            hit = x == y  # ties share the gradient evenly, as in torch.max()
            return (g * hit / hit.sum(),)

        return Tensor._make(backend.asarray(y), (input,), backward_all)
    d = _norm_dim(dim, x.ndim)
    if x.ndim == 0:
        return ValuesIndices(input.clone(), Tensor(np.asarray(0)))
    pick = np.argmax if largest else np.argmin
    idx = np.expand_dims(pick(x, axis=d), d)
    values = np.take_along_axis(x, idx, axis=d)

    def backward(g: np.ndarray) -> Grads:
        gx = backend.array_module(g).zeros(x.shape, dtype=g.dtype)
        np.put_along_axis(gx, idx, g if keepdim else np.expand_dims(g, d), axis=d)
        return (gx,)

    out = Tensor._make(values if keepdim else values.squeeze(d), (input,), backward)
    return ValuesIndices(out, Tensor(idx if keepdim else idx.squeeze(d)))


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Any:
    """`x.max()` -> Tensor; `x.max(dim)` -> (values, indices); `x.max(other)` -> maximum."""
    if isinstance(dim, Tensor):
        from .pointwise import maximum

        return maximum(input, dim)
    return _extremum(input, axis if dim is None else dim, keepdim, largest=True)


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Any:
    if isinstance(dim, Tensor):
        from .pointwise import minimum

        return minimum(input, dim)
    return _extremum(input, axis if dim is None else dim, keepdim, largest=False)


def amax(input: Tensor, dim: Dim = None, keepdim: bool = False) -> Tensor:
    if dim is None or (not isinstance(dim, int) and len(tuple(dim)) == 0):
        return max(input)
    if isinstance(dim, int):
        return max(input, dim, keepdim).values
    out = input
    for d in sorted((_norm_dim(i, input.ndim) for i in dim), reverse=True):
        out = max(out, d, keepdim).values
    return out


def amin(input: Tensor, dim: Dim = None, keepdim: bool = False) -> Tensor:
    return -amax(-input, dim, keepdim)


def _arg(input: Tensor, pick: Any, dim: int | None, keepdim: bool) -> Tensor:
    if dim is None:
        out = backend.asarray(pick(input.data))
        return Tensor(out.reshape((1,) * input.ndim) if keepdim else out)
    d = _norm_dim(dim, input.ndim)
    out = pick(input.data, axis=d) if input.ndim else np.asarray(0)
    return Tensor(np.expand_dims(out, d) if keepdim and input.ndim else out)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg(input, np.argmax, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg(input, np.argmin, dim, keepdim)


def all(input: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None) -> Tensor:
    axes = _dims(dim, axis, input.ndim)
    return Tensor(backend.asarray(input.data.all(axis=axes, keepdims=keepdim)))


def any(input: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None) -> Tensor:
    axes = _dims(dim, axis, input.ndim)
    return Tensor(backend.asarray(input.data.any(axis=axes, keepdims=keepdim)))


# ---------------------------------------------------------------------- scans
def _scan_dim(input: Tensor, dim: int) -> int:
    return _norm_dim(dim, input.ndim)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sum; d/dx = reversed running sum of the gradient."""
    x = input if dtype is None else input.to(dtype)
    a = x.data
    d = _scan_dim(x, dim)
    if a.ndim == 0:
        return x.clone()
    out = np.cumsum(a, axis=d, dtype=a.dtype if a.dtype.kind == "f" else np.int64)

    def backward(g: np.ndarray) -> Grads:
        return (np.flip(np.cumsum(np.flip(g, d), axis=d), d),)

    return Tensor._make(out, (x,), backward)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running product; d/dx_i = sum_{j >= i} g_j y_j / x_i, evaluated without dividing by x."""
    x = input if dtype is None else input.to(dtype)
    a = x.data
    d = _scan_dim(x, dim)
    if a.ndim == 0:
        return x.clone()
    out = np.cumprod(a, axis=d, dtype=a.dtype if a.dtype.kind == "f" else np.int64)

    def backward(g: np.ndarray) -> Grads:
        am, gm = np.moveaxis(a, d, -1), np.moveaxis(g, d, -1)
        n = am.shape[-1]
        gx = np.zeros_like(am)
        for i in range(n):  # y_j / x_i = prod of x over [0, j] without i: one scan per i
            before = np.prod(am[..., :i], axis=-1, keepdims=True)
            after = np.cumprod(am[..., i + 1 :], axis=-1)
            tail = np.concatenate([np.ones_like(before), after], axis=-1) * before
            gx[..., i] = (gm[..., i:] * tail).sum(-1)
        return (np.moveaxis(gx, -1, d),)

    return Tensor._make(out, (x,), backward)


def _cumext(input: Tensor, dim: int, largest: bool) -> ValuesIndices:
    a = input.data
    d = _scan_dim(input, dim)
    if a.ndim == 0:
        return ValuesIndices(input.clone(), Tensor(np.asarray(0)))
    am = np.moveaxis(a, d, -1)
    n = am.shape[-1]
    idx = backend.array_module(a).zeros(am.shape, dtype=np.int64)
    best = am.copy()
    for i in range(1, n):  # ties take the later index, as PyTorch's cummax/cummin
        better = am[..., i] >= best[..., i - 1] if largest else am[..., i] <= best[..., i - 1]
        better |= np.isnan(am[..., i])
        best[..., i] = np.where(better, am[..., i], best[..., i - 1])
        idx[..., i] = np.where(better, i, idx[..., i - 1])
    values, indices = np.moveaxis(best, -1, d), np.moveaxis(idx, -1, d)

    def backward(g: np.ndarray) -> Grads:
        gm = backend.array_module(g).zeros(am.shape, dtype=g.dtype)
        lead: tuple[Any, ...] = tuple(backend.like(i, g) for i in np.indices(idx.shape))[:-1]
        # each output to its arg-extremum
        backend.add_at(gm, (*lead, idx), np.moveaxis(g, d, -1))
        return (np.moveaxis(gm, -1, d),)

    return ValuesIndices(Tensor._make(values, (input,), backward), Tensor(indices))


def cummax(input: Tensor, dim: int) -> ValuesIndices:
    return _cumext(input, dim, largest=True)


def cummin(input: Tensor, dim: int) -> ValuesIndices:
    return _cumext(input, dim, largest=False)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log of the running sum of exp(x), stable: exp shifted by the overall max along `dim`;
    d/dx_i = sum_{j >= i} g_j exp(x_i - y_j)."""
    x = input.to(floating(input.dtype))
    a = x.data
    d = _scan_dim(x, dim)
    if a.ndim == 0:
        return x.clone()
    with np.errstate(divide="ignore", over="ignore"):
        out = np.logaddexp.accumulate(a, axis=d)

    def backward(g: np.ndarray) -> Grads:
        # sum_{j >= i} g_j e^(x_i - y_j), in the log domain for g's positive and negative parts
        # (every e^(x_i - y_j) <= 1, so nothing overflows)
        gx = np.zeros_like(a)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            for part, sign in ((np.maximum(g, 0), 1.0), (np.maximum(-g, 0), -1.0)):
                logw = np.log(part) - out
                tail = np.flip(np.logaddexp.accumulate(np.flip(logw, d), axis=d), d)
                gx += sign * np.exp(a + tail)
        return (gx,)

    return Tensor._make(out.astype(a.dtype, copy=False), (x,), backward)


# ---------------------------------------------------------------------- Tensor methods
Tensor.sum = sum
Tensor.mean = mean
Tensor.var = var
Tensor.std = std
Tensor.prod = prod
Tensor.logsumexp = logsumexp
Tensor.max = max
Tensor.min = min
Tensor.amax = amax
Tensor.amin = amin
Tensor.argmax = argmax
Tensor.argmin = argmin
Tensor.all = all
Tensor.any = any
Tensor.cumsum = cumsum
Tensor.cumprod = cumprod
Tensor.cummax = cummax
Tensor.cummin = cummin
Tensor.logcumsumexp = logcumsumexp
Tensor.std_mean = std_mean
Tensor.var_mean = var_mean
