"""`engine.nn.functional` (import as F): activations, linear, dropout, embedding, norms and losses.

Fused primitives where fusing buys speed or stability (linear, gelu, layer_norm, batch_norm,
cross_entropy, the BCE losses); the rest are compositions of Tensor ops. Convolution and pooling live
in `conv.py` and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.special import erf

from ..autograd import STATE, Grads, meta_array
from ..creation import get_rng
from ..ops import _check_same_dtype, _matmul_shape_error, log_softmax, softmax
from ..tensor import Tensor, to_array
from .conv import adaptive_avg_pool2d, avg_pool2d, conv2d, max_pool2d

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "dropout",
    "embedding",
    "gelu",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "relu6",
    "sigmoid",
    "silu",
    "softmax",
    "tanh",
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


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU (Hendrycks & Gimpel 2016): x * Phi(x), exact with erf, or the tanh approximation."""
    x = input.data
    if approximate == "none":
        cdf = (0.5 * (1.0 + erf(x * (1 / math.sqrt(2))))).astype(x.dtype, copy=False)
        y = x * cdf

        def backward(g: np.ndarray) -> Grads:
            pdf = np.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
            return (g * (cdf + x * pdf),)

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
    keep = get_rng().random(x.shape, dtype=np.float32) >= p
    scale = (keep * (1.0 / (1.0 - p))).astype(x.dtype)
    return Tensor._make(x * scale, (input,), lambda g: (g * scale,))


def _scatter_add_rows(index: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """out[index[i]] += rows[i] for all i (repeats add up): sort by index, then one segmented sum.

    Same result as np.add.at(out, index, rows), several times faster for 2-D rows.
    """
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
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    lead = tuple(range(x.ndim - len(shape)))
    mu = x.mean(axis=axes, keepdims=True)
    xc = x - mu
    rstd = 1.0 / np.sqrt((xc * xc).mean(axis=axes, keepdims=True) + eps)
    xhat = xc * rstd
    y = xhat * weight.data if weight is not None else xhat
    if bias is not None:
        y = y + bias.data

    def backward(g: np.ndarray) -> Grads:
        gxhat = g * weight.data if weight is not None else g
        grads: list[np.ndarray | None] = []
        if input.requires_grad:
            m1 = gxhat.mean(axis=axes, keepdims=True)
            m2 = (gxhat * xhat).mean(axis=axes, keepdims=True)
            grads.append(rstd * (gxhat - m1 - xhat * m2))
        else:
            grads.append(None)
        if weight is not None:
            grads.append((g * xhat).sum(axis=lead) if weight.requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=lead) if bias.requires_grad else None)
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
        mean = running_mean.data.reshape(bshape)
        var = running_var.data.reshape(bshape)
        xc = x - mean
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
    if t_in.dtype.kind == "f" and t_in.shape == input.shape:  # class probabilities as target
        logp = log_softmax(input, 1)
        return _reduce(-(logp * Tensor(t_in)).sum(1), reduction)
    logits, t = _flatten_classes(input, target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"expected target of an integer dtype (Long), got {t.dtype}")
    x = logits.data
    n, c = x.shape
    valid = t != ignore_index
    safe_t = np.where(valid, t, 0)
    if valid.any() and (safe_t.min() < 0 or safe_t.max() >= c):
        bad = safe_t[(safe_t < 0) | (safe_t >= c)][0]
        raise IndexError(f"Target {bad} is out of bounds (number of classes: {c}).")
    shifted = x - x.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - lse  # (N, C)
    rows = np.arange(n)
    w_t = valid.astype(x.dtype)
    if weight is not None:
        w_t = w_t * weight.data[safe_t]
    picked = -logp[rows, safe_t]
    eps = label_smoothing
    per = picked if eps == 0 else (1 - eps) * picked - eps * logp.mean(axis=1)
    per = per * w_t
    if reduction == "mean":
        denom = float(w_t.sum())
        out = np.asarray(per.sum() / denom if denom else np.nan, dtype=x.dtype)
    elif reduction == "sum":
        out = np.asarray(per.sum(), dtype=x.dtype)
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
        return picked.sum() * (1.0 / float(w_t.sum()))
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
    loss = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
    w = None if weight is None else np.broadcast_to(weight.data, p.shape)
    if w is not None:
        loss = loss * w

    def backward(g: np.ndarray) -> Grads:
        gp = g * (p - y) / np.maximum((1 - p) * p, 1e-12)
        return (gp * w if w is not None else gp, None)

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
        e = np.exp(-np.abs(x))
        sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        gx = sig - y if pos_weight is None else 1 - y - lw * (1 - sig)
        gx = g * gx
        return ((gx * w if w is not None else gx).astype(x.dtype), None)

    return _reduce(Tensor._make(loss.astype(x.dtype), (input, target), backward), reduction)
