"""Multi-input and fused ops: matmul (batched, broadcasting), softmax/log_softmax, where, cat, stack.

softmax and log_softmax are single primitives rather than exp/sum/div compositions: fused, they
subtract the row maximum (no overflow) and their backward needs only the output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import backend
from .autograd import STATE, Grads, meta_array, unbroadcast
from .dtypes import result_type
from .tensor import Tensor, _norm_dim, dtype_name, to_array


def _matmul_shape_error(a: tuple[int, ...], b: tuple[int, ...]) -> RuntimeError:
    if len(a) <= 2 and len(b) <= 2:
        ra = "x".join(map(str, a if len(a) == 2 else (1, *a)))
        rb = "x".join(map(str, b if len(b) == 2 else (*b, 1)))
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ra} and {rb})")
    return RuntimeError(f"matmul: shapes {a} and {b} cannot be multiplied")


def _check_same_dtype(a: np.ndarray, b: np.ndarray, what: str = "mat1 and mat2") -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{what} must have the same dtype, but got {dtype_name(a.dtype)} and "
            f"{dtype_name(b.dtype)} (convert with .float() or .double())"
        )


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """`input @ other` with NumPy/PyTorch semantics: 1-D promotion and batch broadcasting.

    (B, H, T, D) @ (B, H, D, T) -> (B, H, T, T) is one batched GEMM call (attention).
    Backward: dA = dC @ B^T, dB = A^T @ dC, summed over broadcast batch dimensions.
    """
    a, b = input.data, other.data
    _check_same_dtype(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise _matmul_shape_error(a.shape, b.shape)
    if STATE.shape_only:
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + a.shape[-2:-1] + b.shape[-1:]
        if b.ndim == 1:
            shape = np.broadcast_shapes(a.shape[:-2]) + a.shape[-2:-1]
        STATE.macs += int(np.prod(shape)) * a.shape[-1]
        return Tensor._make(meta_array(shape, a.dtype), (input, other), lambda g: (None, None))
    out = np.matmul(a, b)

    def backward(g: np.ndarray) -> Grads:
        a2 = a[None, :] if a.ndim == 1 else a  # promote 1-D operands as matmul did
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if input.requires_grad:
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            ga = unbroadcast(ga, a2.shape).reshape(a.shape)
        if other.requires_grad:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            gb = unbroadcast(gb, b2.shape).reshape(b.shape)
        return ga, gb

    return Tensor._make(out, (input, other), backward)


def softmax(input: Tensor, dim: int) -> Tensor:
    """softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x); dx = y * (g - sum(g * y))."""
    x = input.data
    d = _norm_dim(dim, x.ndim)
    e = np.exp(x - x.max(axis=d, keepdims=True))
    y = e / e.sum(axis=d, keepdims=True)

    def backward(g: np.ndarray) -> Grads:
        gy = g * y
        return (gy - y * gy.sum(axis=d, keepdims=True),)

    return Tensor._make(y, (input,), backward)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """log_softmax(x) = x - max x - log sum exp(x - max x); dx = g - softmax(x) * sum(g)."""
    x = input.data
    d = _norm_dim(dim, x.ndim)
    shifted = x - x.max(axis=d, keepdims=True)
    y = shifted - np.log(np.exp(shifted).sum(axis=d, keepdims=True))

    def backward(g: np.ndarray) -> Grads:
        return (g - np.exp(y) * g.sum(axis=d, keepdims=True),)

    return Tensor._make(y, (input,), backward)


def _scalar(v: Any) -> Any:
    """A Python scalar as itself; an array-like (list) as an array."""
    return v if isinstance(v, (bool, int, float, np.generic)) else np.asarray(v)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Elementwise `input if condition else other` (broadcasting); the gradient follows the choice."""
    c = to_array(condition).astype(bool, copy=False)
    # PyTorch's promotion (dtypes.result_type): Python scalars take the tensor's dtype unless
    # their kind is higher, two scalars give int64 / float32
    a = input.data if isinstance(input, Tensor) else input
    b = other.data if isinstance(other, Tensor) else other
    dt = result_type(
        a if isinstance(a, np.ndarray) or backend.is_gpu_array(a) else _scalar(a),
        b if isinstance(b, np.ndarray) or backend.is_gpu_array(b) else _scalar(b),
    )
    # a scalar operand, and a host condition, go where the tensor operands live
    xp = backend.array_module(a if backend.is_gpu_array(a) else b)
    x = input.to(dt) if isinstance(input, Tensor) else Tensor(xp.asarray(input, dtype=dt))
    y = other.to(dt) if isinstance(other, Tensor) else Tensor(xp.asarray(other, dtype=dt))
    c = backend.like(c, x.data)
    xs, ys = x.shape, y.shape
    out = np.where(c, x.data, y.data)

    def backward(g: np.ndarray) -> Grads:
        gx = unbroadcast(np.where(c, g, 0), xs) if x.requires_grad else None
        gy = unbroadcast(np.where(c, 0, g), ys) if y.requires_grad else None
        return gx, gy

    return Tensor._make(out, (x, y), backward)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Concatenate along `dim`; the gradient is split back into the pieces."""
    ts = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
    if not ts:
        raise RuntimeError("cat expects a non-empty list of Tensors")
    d = _norm_dim(dim, ts[0].ndim)
    for t in ts[1:]:
        if (
            t.ndim != ts[0].ndim
            or t.shape[:d] + t.shape[d + 1 :] != ts[0].shape[:d] + ts[0].shape[d + 1 :]
        ):
            raise RuntimeError(
                f"Sizes of tensors must match except in dimension {d}: got shapes "
                f"{ts[0].shape} and {t.shape}"
            )
    out = np.concatenate([t.data for t in ts], axis=d)
    bounds = np.cumsum([t.shape[d] for t in ts])[:-1]

    def backward(g: np.ndarray) -> Grads:
        return tuple(np.split(g, bounds, axis=d))

    return Tensor._make(out, ts, backward)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Stack along a new axis `dim`: cat of the tensors unsqueezed at `dim`."""
    ts = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not ts:
        raise RuntimeError("stack expects a non-empty list of Tensors")
    d = dim if dim >= 0 else dim + ts[0].ndim + 1
    for t in ts[1:]:
        if t.shape != ts[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {ts[0].shape} and {t.shape}"
            )
    return cat([t.unsqueeze(d) for t in ts], d)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return input.tril(diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return input.triu(diagonal)
