"""`engine.nn.functional` (import as F): activations, linear, dropout, embedding, norms and losses.

Fused primitives where fusing buys speed or stability (linear, gelu, layer_norm, batch_norm,
cross_entropy, the BCE losses); the rest are compositions of Tensor ops. Convolution and pooling live
in `conv.py` and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import backend
from ..autograd import STATE, Grads, meta_array, unbroadcast
from ..creation import get_rng
from ..ops import _check_same_dtype, _matmul_shape_error, log_softmax, softmax
from ..shape import pad
from ..tensor import Tensor, to_array
from .activations import (
    celu,
    elu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    normalize,
    selu,
    softmin,
    softplus,
    softsign,
)
from .conv import (
    adaptive_avg_pool2d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose2d,
    max_pool2d,
    max_unpool2d,
)
from .interpolate import interpolate, upsample

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "interpolate",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "max_pool2d",
    "max_unpool2d",
    "mish",
    "mse_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "relu",
    "relu6",
    "scaled_dot_product_attention",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "tanh",
    "upsample",
]


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _same_shape(input: Tensor, target: Tensor, name: str) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: target size {target.shape} must be the same as input size {input.shape}"
        )


# ---------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu()


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return input.clamp(0.0, 6.0)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    x = input.data
    slope = np.where(x > 0, 1.0, negative_slope).astype(x.dtype)
    return Tensor._make(x * slope, (input,), lambda g: (g * slope,))


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def silu(input: Tensor) -> Tensor:
    return input * input.sigmoid()


_SQRT_HALF = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
# Abramowitz & Stegun 7.1.26: erf(z) ~ 1 - t P(t) exp(-z^2), t = 1 / (1 + p z), |error| <= 1.5e-7.
# The polynomial PyTorch's vectorized float32 erf uses on the CPU (ATen's Vectorized<float>::erf).
_AS_P = 0.3275911
_AS_COEFFS = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
_AS_INV_K = np.float32(math.sqrt(2) / _AS_P)  # t = 1 / (1 + p |x| / sqrt 2) = (1/k) / (1/k + |x|)
_AS_HALF = tuple(np.float32(c / 2) for c in _AS_COEFFS)  # halved: t P(t) e is then Phi(-|x|)
_SIGN_BIT = np.int32(-(2**31))


def _normal_cdf_f32(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Phi(x), exp(-x^2 / 2)) for float32 x: ~20 passes of plain arithmetic and one exp, with
    the same formula as PyTorch's, each pass as cheap as it can be (no reciprocal, no copysign:
    the sign bit is copied with integer operations)."""
    e = np.multiply(x, x)
    e *= np.float32(-0.5)
    np.exp(e, out=e)  # exp(-z^2) = exp(-x^2 / 2), z = x / sqrt(2)
    t = np.abs(x)
    t += _AS_INV_K
    np.divide(_AS_INV_K, t, out=t)  # t = 1 / (1 + p |z|)
    r = t * _AS_HALF[0]
    for c in _AS_HALF[1:]:
        r += c
        r *= t
    r *= e  # (1 - erf|z|) / 2 = Phi(-|x|)
    np.subtract(np.float32(0.5), r, out=r)  # erf|z| / 2 >= 0, its sign bit clear
    sign = np.bitwise_and(x.view(np.int32), _SIGN_BIT, out=t.view(np.int32))
    np.bitwise_or(r.view(np.int32), sign, out=r.view(np.int32))  # erf(z) / 2: x's sign
    r += np.float32(0.5)  # Phi(x) = (1 + erf(z)) / 2
    return r, e


_GELU_BLOCK = 1 << 17  # elements per block: the ~20 passes over a block stay in the CPU's cache


def _gelu_f32_blocked(x: np.ndarray, need_grad: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(x Phi(x), and when a gradient will flow Phi(x) + x phi(x)) for float32 x, a cache-sized
    block at a time: the erf polynomial's temporaries then never leave the cache, and each
    result is written to memory once. On a GPU, one block: each pass is one kernel anyway."""
    mod = backend.array_module(x)
    flat = mod.ascontiguousarray(x).reshape(-1)
    y = mod.empty_like(flat)
    slope = mod.empty_like(flat) if need_grad else None
    block = _GELU_BLOCK if mod is np else max(flat.size, 1)
    for lo in range(0, flat.size, block):
        xb = flat[lo : lo + block]
        cdf, e = _normal_cdf_f32(xb)
        np.multiply(xb, cdf, out=y[lo : lo + block])
        if slope is not None:
            sb = np.multiply(xb, e, out=slope[lo : lo + block])
            sb *= np.float32(_INV_SQRT_2PI)
            sb += cdf
    return y.reshape(x.shape), None if slope is None else slope.reshape(x.shape)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU (Hendrycks & Gimpel 2016): x * Phi(x), exact with erf, or the tanh approximation.

    float32 uses PyTorch's CPU erf (Abramowitz & Stegun 7.1.26, error <= 1.5e-7); other dtypes
    scipy's erf."""
    x = input.data
    if approximate == "none":
        need_grad = STATE.grad_enabled and input.requires_grad
        if x.dtype == np.float32:
            y, slope = _gelu_f32_blocked(x, need_grad)
        else:
            from scipy.special import erf  # on first use: it takes longer to import than the engine

            cdf = (0.5 * (1.0 + erf(x * _SQRT_HALF))).astype(x.dtype, copy=False)
            y = x * cdf
            slope = x * np.exp(-0.5 * x * x)  # x * phi(x) * sqrt(2 pi)
            slope *= slope.dtype.type(_INV_SQRT_2PI)
            slope += cdf

        def backward(g: np.ndarray) -> Grads:
            return (g * slope,)  # d/dx x Phi(x) = Phi(x) + x phi(x)

    elif approximate == "tanh":
        c = math.sqrt(2 / math.pi)
        t = np.tanh(c * (x + 0.044715 * x**3))
        y = 0.5 * x * (1 + t)

        def backward(g: np.ndarray) -> Grads:
            dt = (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
            return (g * (0.5 * (1 + t) + 0.5 * x * dt),)

    else:
        raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return Tensor._make(y, (input,), backward)


# ---------------------------------------------------------------------- linear, dropout, embedding
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b for x (*, in), W (out, in): one GEMM forward, two backward (fused addmm)."""
    x, w = input.data, weight.data
    if x.shape[-1] != w.shape[1]:
        raise _matmul_shape_error((int(np.prod(x.shape[:-1])), x.shape[-1]), w.shape[::-1])
    _check_same_dtype(x, w)
    parents = (input, weight) if bias is None else (input, weight, bias)
    out_shape = (*x.shape[:-1], w.shape[0])
    if STATE.shape_only:
        STATE.macs += int(np.prod(out_shape)) * w.shape[1]
        return Tensor._make(meta_array(out_shape, x.dtype), parents, lambda g: (None,) * 3)
    x2 = x.reshape(-1, x.shape[-1])  # (M, in)
    out = x2 @ w.T  # (M, out)
    if bias is not None:
        out += bias.data

    def backward(g: np.ndarray) -> Grads:
        g2 = g.reshape(-1, w.shape[0])  # (M, out)
        gx = (g2 @ w).reshape(x.shape) if input.requires_grad else None
        gw = g2.T @ x2 if weight.requires_grad else None
        if bias is None:
            return gx, gw
        return gx, gw, (g2.sum(axis=0) if bias.requires_grad else None)

    return Tensor._make(out.reshape(out_shape), parents, backward)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: zero each element with probability p, scale the rest by 1/(1-p)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or STATE.shape_only:
        return input
    x = input.data
    if p == 1.0:
        return input * 0.0
    keep = backend.like(get_rng().random(x.shape, dtype=np.float32) >= p, x)
    scale = (keep * (1.0 / (1.0 - p))).astype(x.dtype)
    return Tensor._make(x * scale, (input,), lambda g: (g * scale,))


_CAUSAL_BIAS: dict[tuple[int, int, np.dtype, str, bool], np.ndarray] = {}


def _causal_bias(
    t: int, s: int, dtype: np.dtype, like: np.ndarray, transposed: bool = False
) -> np.ndarray:
    """(t, s) additive mask: 0 where query i may see key j <= i (top-left aligned, as PyTorch's
    is_causal), -inf above the diagonal, on the device of `like`; `transposed`: the (s, t) mask
    of keys x queries. Cached: the GPT asks for the same one every step."""
    key = (t, s, np.dtype(dtype), backend.device_of(like), transposed)
    if key not in _CAUSAL_BIAS:
        bias = np.zeros((t, s), dtype=dtype)
        bias[np.triu_indices(t, 1, s)] = -np.inf
        if transposed:
            bias = np.ascontiguousarray(bias.T)
        bias.flags.writeable = False
        _CAUSAL_BIAS[key] = backend.like(bias, like)
    return _CAUSAL_BIAS[key]


def _sum_over_keys(a: np.ndarray) -> np.ndarray:
    """a.sum(axis=-2, keepdims=True) for (..., S, L) as a vector-matrix product per batch."""
    ones = backend.array_module(a).ones(a.shape[-2], dtype=a.dtype)
    return np.matmul(ones, a)[..., None, :]


def _softmax_over_keys(st: np.ndarray, diagonal_seen: bool) -> np.ndarray:
    """Softmax down the key axis of transposed scores (..., S, L); `st` may be overwritten.

    exp needs a shift that keeps it in range: usually each query's max score. When every query
    sees its own key (`diagonal_seen`: causal, L <= S), its own score serves as well and costs no
    reduction. That term becomes exactly 1, so the sum cannot underflow; if another score exceeds
    it by enough to overflow exp, the sum is inf and the max is used after all."""
    if diagonal_seen:
        shift = np.diagonal(st, axis1=-2, axis2=-1)[..., None, :]
        e = np.subtract(st, shift)
        with np.errstate(over="ignore"):
            np.exp(e, out=e)
        total = _sum_over_keys(e)
        if bool(np.isfinite(total).all()):
            e /= total
            return e
    st -= st.max(axis=-2, keepdims=True)
    np.exp(st, out=st)
    st /= _sum_over_keys(st)
    return st


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | np.ndarray | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T * scale + mask) V for (..., L, E) queries, (..., S, E) keys, (..., S, Ev)
    values: PyTorch's F.scaled_dot_product_attention, as one fused op (Vaswani et al. 2017).

    `attn_mask`: boolean (True = may attend) or additive float, broadcast to (..., L, S).
    `is_causal`: query i sees keys j <= i. `scale` defaults to 1 / sqrt(E). The weights are
    computed once, in place, and kept for the backward pass:
        dV = P^T dO,  dP = dO V^T,  dS = P * (dP - rowsum(dP * P)) * scale,  dQ = dS K,  dK = dS^T Q.
    """
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        # grouped-query attention: each key/value head serves query.heads / key.heads queries
        reps = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(reps, -3)
        value = value.repeat_interleave(reps, -3)
    q, k, v = query.data, key.data, value.data
    _check_same_dtype(q, k, "query and key")
    _check_same_dtype(q, v, "query and value")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query {tuple(q.shape)}, key {tuple(k.shape)} and value "
            f"{tuple(v.shape)} do not fit ((..., L, E), (..., S, E), (..., S, Ev))"
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: give attn_mask or is_causal, not both")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    parents: tuple[Tensor, ...] = (query, key, value)
    batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    L, S = q.shape[-2], k.shape[-2]
    if STATE.shape_only:
        STATE.macs += int(np.prod(batch, dtype=np.int64)) * L * S * (q.shape[-1] + v.shape[-1])
        out = meta_array((*batch, L, v.shape[-1]), q.dtype)
        return Tensor._make(out, parents, lambda g: (None, None, None))
    c = q.dtype.type(1.0 / math.sqrt(q.shape[-1]) if scale is None else scale)
    mask_parent: Tensor | None = None
    mask_shape: tuple[int, ...] = ()
    # The scores are held transposed, keys down and queries across: (..., S, L). Each query's
    # softmax then runs down a column, and its max, sum and scaling are passes over whole
    # contiguous rows, not one short reduction per query.
    st = np.matmul(k, np.swapaxes(q, -1, -2))
    st *= c
    if is_causal:
        st += _causal_bias(L, S, st.dtype, st, transposed=True)
    elif attn_mask is not None:
        m = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        mt = np.swapaxes(m.reshape((1,) * (2 - m.ndim) + m.shape), -1, -2)
        if m.dtype == bool:
            st = np.where(mt, st, -np.inf).astype(st.dtype, copy=False)
        else:
            st = st + mt.astype(st.dtype, copy=False)  # broadcasts (..., S, L)
            if isinstance(attn_mask, Tensor):  # an additive float mask is differentiable
                mask_parent, mask_shape = attn_mask, m.shape
    att = _softmax_over_keys(st, diagonal_seen=is_causal and L <= S)  # P^T
    used, drop = att, None
    if dropout_p > 0.0:  # inverted dropout on the weights, as PyTorch's
        keep = get_rng().random((*att.shape[:-2], L, S), dtype=np.float32) >= dropout_p
        keep = backend.like(np.ascontiguousarray(np.swapaxes(keep, -1, -2)), att)
        drop = (keep * (1.0 / (1.0 - dropout_p))).astype(att.dtype)
        used = att * drop
    out = np.matmul(np.swapaxes(used, -1, -2), v)

    def backward(g: np.ndarray) -> Grads:
        gv = np.matmul(used, g) if value.requires_grad else None
        dp = np.matmul(v, np.swapaxes(g, -1, -2))  # dL/d(used), transposed
        if drop is not None:
            dp *= drop
        dp -= _sum_over_keys(dp * att)
        dp *= att  # dL/d(scores + mask), transposed
        gm = None
        if mask_parent is not None:
            gm = backend.array_module(dp).array(unbroadcast(np.swapaxes(dp, -1, -2), mask_shape))
        dp *= c  # dL/d(K Q^T)
        gq = np.matmul(np.swapaxes(dp, -1, -2), k) if query.requires_grad else None
        gk = np.matmul(dp, q) if key.requires_grad else None
        grads = (
            None if gq is None else unbroadcast(gq, q.shape),
            None if gk is None else unbroadcast(gk, k.shape),
            None if gv is None else unbroadcast(gv, v.shape),
        )
        return grads if mask_parent is None else (*grads, gm)

    if mask_parent is not None:
        parents = (*parents, mask_parent)
    return Tensor._make(out, parents, backward)


def _scatter_add_rows(index: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """out[index[i]] += rows[i] for all i (repeats add up): sort by index, then one segmented sum.

    Same result as np.add.at(out, index, rows), which adds one element at a time; the sort and
    segmented sum run in vectorised passes over whole rows. On a GPU, CuPy's atomic add.at.
    """
    if backend.is_gpu_array(rows):
        xp = backend.array_module(rows)
        out = xp.zeros((n, rows.shape[1]), dtype=rows.dtype)
        backend.add_at(out, index, rows)
        return out
    out = np.zeros((n, rows.shape[1]), dtype=rows.dtype)
    if index.size == 0:
        return out
    order = np.argsort(index, kind="stable")
    sorted_index = index[order]
    starts = np.flatnonzero(np.r_[True, sorted_index[1:] != sorted_index[:-1]])
    out[sorted_index[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of `weight` picked by integer `input`; backward scatter-adds into the picked rows."""
    idx = to_array(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have an integer dtype, got {idx.dtype}"
        )
    w = weight.data
    idx = backend.like(idx, w)  # host indices meet a weight on the GPU
    if STATE.shape_only:
        shape = (*idx.shape, w.shape[1])
        return Tensor._make(meta_array(shape, w.dtype), (weight,), lambda g: (None,))
    if idx.size and (idx.min() < -w.shape[0] or idx.max() >= w.shape[0]):
        raise IndexError(f"index out of range in self (indices must be < {w.shape[0]})")
    out = w[idx]

    def backward(g: np.ndarray) -> Grads:
        gw = _scatter_add_rows(
            idx.reshape(-1) % w.shape[0], g.reshape(idx.size, w.shape[1]), w.shape[0]
        )
        if padding_idx is not None:
            gw[padding_idx] = 0
        return (gw,)

    return Tensor._make(out, (weight,), backward)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    idx = to_array(tensor)
    n = int(idx.max()) + 1 if num_classes < 0 else num_classes
    return Tensor(np.eye(n, dtype=np.int64)[idx])


# ---------------------------------------------------------------------- normalisation
def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * w + b over the trailing `normalized_shape` dims (Ba 2016)."""
    x = input.data
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if x.shape[x.ndim - len(shape) :] != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, "
            f"{', '.join(map(str, shape))}], but got input of size {x.shape}"
        )
    parents = tuple(t for t in (input, weight, bias) if t is not None)
    if STATE.shape_only:
        return Tensor._make(meta_array(x.shape, x.dtype), parents, lambda g: (None,) * 3)
    # rows of the normalised size: each row's mean and mean square are one matrix-vector product
    d = math.prod(shape)
    x2 = x.reshape(-1, d)
    mod = backend.array_module(x)
    avg = mod.full(d, 1.0 / d, dtype=x.dtype)
    xhat = x2 - (x2 @ avg)[:, None]  # centred, then scaled in place
    rstd = 1.0 / np.sqrt(np.einsum("ij,ij->i", xhat, xhat) / d + eps)
    xhat *= rstd[:, None]
    w2 = None if weight is None else weight.data.reshape(d)
    y = xhat * w2 if w2 is not None else xhat.copy()
    if bias is not None:
        y += bias.data.reshape(d)

    def backward(g: np.ndarray) -> Grads:
        g2 = g.reshape(-1, d)
        gxhat = g2 * w2 if w2 is not None else g2.copy()
        grads: list[np.ndarray | None] = []
        if input.requires_grad:
            # rstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat)), row by row
            m2 = np.einsum("ij,ij->i", gxhat, xhat) / d
            gx = xhat * m2[:, None]
            np.subtract(gxhat, gx, out=gx)
            gx -= (gxhat @ avg)[:, None]
            gx *= rstd[:, None]
            grads.append(gx.reshape(x.shape))
        else:
            grads.append(None)
        if weight is not None:
            gw = np.einsum("ij,ij->j", g2, xhat) if weight.requires_grad else None
            grads.append(None if gw is None else gw.reshape(shape))
        if bias is not None:
            grads.append(g2.sum(axis=0).reshape(shape) if bias.requires_grad else None)
        return tuple(grads)

    y = y.reshape(x.shape)
    return Tensor._make(y, parents, backward)


def batch_norm_affine(
    running_mean: np.ndarray,
    running_var: np.ndarray,
    weight: np.ndarray | None,
    bias: np.ndarray | None,
    eps: float,
    dtype: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rstd, scale, shift) per channel of eval-mode batch norm, y = x * scale + shift:
    rstd = 1 / sqrt(var + eps), scale = w * rstd, shift = b - mean * scale, in `dtype`."""
    rstd = (1.0 / np.sqrt(running_var + eps)).astype(dtype, copy=False)
    scale = rstd * weight if weight is not None else rstd
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return rstd, scale.astype(dtype, copy=False), shift.astype(dtype, copy=False)


def _batch_norm_eval(
    input: Tensor,
    running_mean: Tensor,
    running_var: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    eps: float,
) -> Tensor:
    """Eval-mode batch norm as one per-channel affine map: y = x * scale + shift with
    scale = w / sqrt(var + eps) and shift = b - mean * scale (two passes over x)."""
    x = input.data
    bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    axes = (0, *range(2, x.ndim))
    mean = running_mean.data.reshape(bshape)
    rstd, scale, shift = (
        a.reshape(bshape)
        for a in batch_norm_affine(
            running_mean.data,
            running_var.data,
            None if weight is None else weight.data,
            None if bias is None else bias.data,
            eps,
            x.dtype,
        )
    )
    y = np.multiply(x, scale)
    y += shift
    parents = tuple(t for t in (input, weight, bias) if t is not None)

    def backward(g: np.ndarray) -> Grads:
        grads: list[np.ndarray | None] = [g * scale if input.requires_grad else None]
        if weight is not None:
            gw = ((x - mean) * rstd * g).sum(axis=axes) if weight.requires_grad else None
            grads.append(None if gw is None else gw.astype(weight.dtype, copy=False))
        if bias is not None:
            grads.append(g.sum(axis=axes) if bias.requires_grad else None)
        return tuple(grads)

    return Tensor._make(y, parents, backward)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch norm (Ioffe & Szegedy 2015) over all dims but 1 (channels), for (N, C) or (N, C, ...).

    Training normalises with the batch's biased variance and updates the running stats in place:
    r = (1 - momentum) r + momentum * stat, with the unbiased variance, like PyTorch.
    """
    x = input.data
    if x.ndim < 2:
        raise ValueError(f"expected 2D or more input (got {x.ndim}D input)")
    parents = tuple(t for t in (input, weight, bias) if t is not None)
    if STATE.shape_only:
        return Tensor._make(meta_array(x.shape, x.dtype), parents, lambda g: (None,) * 3)
    axes = (0, *range(2, x.ndim))
    bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    count = x.size // x.shape[1]
    if training:
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {x.shape}"
            )
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        if running_mean is not None and running_var is not None:
            m = momentum
            rm, rv = running_mean.data, running_var.data
            rm *= 1 - m
            rm += m * mean.reshape(-1)
            rv *= 1 - m
            rv += (m * count / (count - 1)) * var.reshape(-1)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm in eval mode needs running_mean and running_var")
        return _batch_norm_eval(input, running_mean, running_var, weight, bias, eps)
    rstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
    xhat = xc * rstd
    w = weight.data.reshape(bshape) if weight is not None else None
    y = xhat * w if w is not None else xhat
    if bias is not None:
        y += bias.data.reshape(bshape)

    def backward(g: np.ndarray) -> Grads:
        gxhat = g * w if w is not None else g
        grads: list[np.ndarray | None] = []
        if not input.requires_grad:
            grads.append(None)
        elif training:
            m1 = gxhat.mean(axis=axes, keepdims=True)
            m2 = (gxhat * xhat).mean(axis=axes, keepdims=True)
            grads.append(rstd * (gxhat - m1 - xhat * m2))
        else:
            grads.append(gxhat * rstd)
        if weight is not None:
            grads.append((g * xhat).sum(axis=axes) if weight.requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=axes) if bias.requires_grad else None)
        return tuple(grads)

    return Tensor._make(y, parents, backward)


# ---------------------------------------------------------------------- losses
def _flatten_classes(input: Tensor, target: Tensor) -> tuple[Tensor, np.ndarray]:
    """(N, C, d1, ...) logits with (N, d1, ...) targets -> (N*d1*..., C) and a flat target."""
    t = to_array(target)
    if input.ndim == 1:
        return input.unsqueeze(0), t.reshape(1)
    if input.ndim > 2:
        perm = (0, *range(2, input.ndim), 1)
        input = input.permute(*perm).reshape(-1, input.shape[1])
    if t.size != input.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({t.size})"
        )
    return input, t.reshape(-1)


def _soft_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, eps: float
) -> Tensor:
    """-sum_c w_c q_c log softmax(x)_c with q = (1 - eps) target + eps / C; 'mean' over samples."""
    if target.shape != input.shape:
        raise RuntimeError(
            f"cross_entropy: probability targets must have the input's shape {input.shape}, "
            f"got {target.shape}"
        )
    d = 0 if input.ndim == 1 else 1
    c = input.shape[d]
    q = target if isinstance(target, Tensor) else Tensor(to_array(target, input.dtype))
    if eps:
        q = q * (1 - eps) + eps / c
    prod = log_softmax(input, d) * q
    if weight is not None:
        prod = prod * weight.reshape((c,) + (1,) * (input.ndim - d - 1))
    return _reduce(-prod.sum(d), reduction)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits (N, C) (or (N, C, d1, ...)) and integer targets (N,) (or (N, d1, ...)).

    loss_i = -w[y_i] * ((1 - eps) * log p_i[y_i] + eps / C * sum_c log p_i[c]) with p = softmax(x);
    'mean' divides by the summed weights of non-ignored targets, as PyTorch. dx = p - q (smoothed one-hot).
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    t_in = to_array(target)
    if t_in.dtype.kind == "f":  # class probabilities as target (differentiable, like the input)
        return _soft_cross_entropy(input, target, weight, reduction, label_smoothing)
    logits, t = _flatten_classes(input, target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"expected target of an integer dtype (Long), got {t.dtype}")
    x = logits.data
    xp = backend.array_module(x)
    t = backend.like(t, x)  # host targets meet logits on the GPU
    n, c = x.shape
    valid = t != ignore_index
    safe_t = np.where(valid, t, 0)
    if valid.any() and (safe_t.min() < 0 or safe_t.max() >= c):
        bad = safe_t[(safe_t < 0) | (safe_t >= c)][0]
        raise IndexError(f"Target {bad} is out of bounds (number of classes: {c}).")
    shifted = x - x.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - lse  # (N, C)
    rows = xp.arange(n)
    w_t = valid.astype(x.dtype)
    if weight is not None:
        w_t = w_t * weight.data[safe_t]
    picked = -logp[rows, safe_t]
    eps = label_smoothing
    per = picked if eps == 0 else (1 - eps) * picked - eps * logp.mean(axis=1)
    per = per * w_t
    if reduction == "mean":
        denom = float(w_t.sum())
        out = xp.asarray(per.sum() / denom if denom else np.nan, dtype=x.dtype)
    elif reduction == "sum":
        out = xp.asarray(per.sum(), dtype=x.dtype)
    else:
        out = per.reshape(t_in.shape) if input.ndim != 1 else per.reshape(())

    def backward(g: np.ndarray) -> Grads:
        gx = np.exp(logp)  # softmax
        if eps:
            gx -= eps / c
        gx[rows, safe_t] -= 1 - eps
        if reduction == "mean":
            scale = w_t * (g / denom)
        elif reduction == "sum":
            scale = w_t * g
        else:
            scale = w_t * g.reshape(-1)
        gx *= scale[:, None]
        return (gx,)

    return Tensor._make(out.astype(x.dtype, copy=False), (logits,), backward)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities (N, C) at integer targets (N,)."""
    logp, t = _flatten_classes(input, target)
    n, c = logp.shape
    valid = t != ignore_index
    safe_t = np.where(valid, t, 0)
    if valid.any() and (safe_t.min() < 0 or safe_t.max() >= c):
        raise IndexError(f"Target {int(safe_t.max())} is out of bounds.")
    w_t = valid.astype(logp.dtype)
    if weight is not None:
        w_t = w_t * weight.data[safe_t]
    picked = -logp[np.arange(n), safe_t] * Tensor(w_t)
    if reduction == "mean":
        return picked.sum() / float(w_t.sum())
    if reduction == "none":
        return picked.reshape(to_array(target).shape)
    return _reduce(picked, reduction)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error: mean((x - y)^2)."""
    target = target if isinstance(target, Tensor) else Tensor(to_array(target, input.dtype))
    _same_shape(input, target, "mse_loss")
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    target = target if isinstance(target, Tensor) else Tensor(to_array(target, input.dtype))
    _same_shape(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """-(y log p + (1 - y) log(1 - p)), logs clamped at -100 and gradient as PyTorch computes it."""
    target = target if isinstance(target, Tensor) else Tensor(to_array(target, input.dtype))
    _same_shape(input, target, "binary_cross_entropy")
    p, y = input.data, target.data
    if p.size and (p.min() < 0 or p.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        log_p, log_q = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
    loss = -(y * log_p + (1 - y) * log_q)
    w = None if weight is None else np.broadcast_to(weight.data, p.shape)
    if w is not None:
        loss = loss * w

    def backward(g: np.ndarray) -> Grads:
        if w is not None:
            g = g * w
        gp = g * (p - y) / np.maximum((1 - p) * p, 1e-12) if input.requires_grad else None
        gy = g * (log_q - log_p) if target.requires_grad else None  # d/dy, as PyTorch
        return gp, gy

    return _reduce(Tensor._make(loss.astype(p.dtype), (input, target), backward), reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE of sigmoid(x), computed stably: max(x, 0) - x y + log(1 + exp(-|x|)) (pos_weight scales y)."""
    target = target if isinstance(target, Tensor) else Tensor(to_array(target, input.dtype))
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    x, y = input.data, target.data
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)  # log(1 + e^-x)
    if pos_weight is None:
        loss = (1 - y) * x + softplus_neg
    else:
        lw = 1 + (pos_weight.data - 1) * y
        loss = (1 - y) * x + lw * softplus_neg
    w = None if weight is None else np.broadcast_to(weight.data, x.shape)
    if w is not None:
        loss = loss * w

    def backward(g: np.ndarray) -> Grads:
        if w is not None:
            g = g * w
        e = np.exp(-np.abs(x))
        sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        gx = sig - y if pos_weight is None else 1 - y - lw * (1 - sig)
        gy = None
        if target.requires_grad:  # d/dy = -x (+ (pos_weight - 1) log(1 + e^-x))
            gy = -x if pos_weight is None else -x + (pos_weight.data - 1) * softplus_neg
            gy = (g * gy).astype(y.dtype)
        return (g * gx).astype(x.dtype), gy

    return _reduce(Tensor._make(loss.astype(x.dtype), (input, target), backward), reduction)
