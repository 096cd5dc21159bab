"""Convolution and pooling over NCHW tensors: im2col + GEMM, no Python loop over pixels.

im2col copies, for each of the KH*KW kernel offsets (a loop of at most a few dozen iterations), the
strided slice of the padded input that this offset sees into a `cols` array; the convolution is then
matrix products with the (O, C/G*KH*KW) weight. Two layouts, picked by shape:

* channel-major cols (G, C/G*KH*KW, N*OH*OW): the whole batch is one GEMM per group (most layers);
* per-sample cols (N, C*KH*KW, OH*OW): one small GEMM per sample, for skinny products with few
  input channels (a first layer on 1 or 3 channels), which OpenBLAS runs far faster this way.

col2im (backward) adds the same slices back. Pooling reads the same KH*KW strided views and reduces
them elementwise. conv2d is cross-correlation, as in PyTorch:
out[n, o, i, j] = b[o] + sum_{c,u,v} W[o, c, u, v] * x_pad[n, g*C/G + c, i*s + u*d, j*s + v*d].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import backend
from ..autograd import STATE, Grads, meta_array
from ..ops import _check_same_dtype
from ..tensor import Tensor

Pair = int | tuple[int, int]


def _pair(v: Pair) -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    if len(v) != 2:
        raise RuntimeError(f"expected an int or a pair of ints, got {v!r}")
    return (int(v[0]), int(v[1]))


def _out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool = False) -> int:
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:  # the last window must start inside input or left pad
        out -= 1
    return out


def _pad(x: np.ndarray, top: int, bottom: int, left: int, right: int, value: float) -> np.ndarray:
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    xp = backend.array_module(x).full(
        (n, c, h + top + bottom, w + left + right), value, dtype=x.dtype
    )
    xp[:, :, top : top + h, left : left + w] = x
    return xp


_WORKSPACE: list[np.ndarray] = []  # one flat byte buffer, grown to the largest request


def _workspace(shape: tuple[int, ...], dtype: Any, like: np.ndarray) -> np.ndarray:
    """Scratch for a temporary that dies inside the function asking for it (im2col columns when
    no gradient will need them, their gradient in backward). A fresh array of that size is new
    pages that the kernel maps and zeroes on first touch, every step; one flat buffer, grown to
    the largest request, is reused instead. NumPy only (CuPy pools its own memory). Not
    re-entrant: the caller is done with it before the next request."""
    mod = backend.array_module(like)
    if mod is not np:
        return mod.empty(shape, dtype=dtype)
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    if not _WORKSPACE or _WORKSPACE[0].nbytes < nbytes:
        _WORKSPACE[:] = [np.empty(nbytes, dtype=np.uint8)]
    return _WORKSPACE[0][:nbytes].view(dtype).reshape(shape)


def _windows(
    xp: np.ndarray, k: tuple[int, int], s: tuple[int, int], d: tuple[int, int], out: tuple[int, int]
) -> Iterator[tuple[int, int, tuple[slice, slice, slice, slice]]]:
    """(u, v, index) of the strided view of `xp` that kernel offset (u, v) sees for every output."""
    (oh, ow) = out
    for u in range(k[0]):
        for v in range(k[1]):
            r, c = u * d[0], v * d[1]
            yield (
                u,
                v,
                (
                    slice(None),
                    slice(None),
                    slice(r, r + s[0] * (oh - 1) + 1, s[0]),
                    slice(c, c + s[1] * (ow - 1) + 1, s[1]),
                ),
            )


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Pair = 1,
    padding: Pair | str = 0,
    dilation: Pair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of (N, C, H, W) with weight (O, C/groups, KH, KW) -> (N, O, OH, OW)."""
    x, w = input.data, weight.data
    if x.ndim != 4:
        raise RuntimeError(f"conv2d expects a 4-D (N, C, H, W) input, got shape {x.shape}")
    _check_same_dtype(x, w, "Input and weight")
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    s, dil = _pair(stride), _pair(dilation)
    if isinstance(padding, str):
        if padding == "valid":
            p = (0, 0)
        elif padding == "same" and s == (1, 1):
            p = (dil[0] * (kh - 1) // 2, dil[1] * (kw - 1) // 2)
        else:
            raise ValueError(
                f"padding={padding!r} is not supported (use an int, 'valid' or 'same')"
            )
    else:
        p = _pair(padding)
    if c != cg * groups or o % groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {w.shape}, expected input{x.shape} to have "
            f"{cg * groups} channels, but got {c} channels instead"
        )
    oh, ow = _out_size(h, kh, s[0], p[0], dil[0]), _out_size(wd, kw, s[1], p[1], dil[1])
    if oh <= 0 or ow <= 0:
        raise RuntimeError(f"conv2d: input {x.shape} is too small for kernel {(kh, kw)}")
    parents = (input, weight) if bias is None else (input, weight, bias)
    if STATE.shape_only:
        STATE.macs += n * o * oh * ow * cg * kh * kw
        return Tensor._make(meta_array((n, o, oh, ow), x.dtype), parents, lambda g: (None,) * 3)

    geometry = (s, p, dil, groups, (oh, ow))
    b = None if bias is None else bias.data
    need = (input.requires_grad, weight.requires_grad, bias is not None and bias.requires_grad)
    # Skinny products (few input channels, e.g. the first layer) run far faster in OpenBLAS as one
    # small GEMM per sample; otherwise the whole batch is one GEMM per group.
    per_sample = groups == 1 and cg * kh * kw < 64
    inference = not (STATE.grad_enabled and any(need))
    # Inference keeps PyTorch's channels_last memory format where it pays: depthwise layers on
    # small maps produce it, and 1x1 layers and depthwise ones keep it once their input has it.
    channels_last = inference and _is_channels_last(x)
    if groups == c == o and groups > 1:
        conv = _conv_depthwise  # one filter per channel: a GEMM per group would be 1 x KH*KW
        if inference and (ow <= _DEPTHWISE_CHANNELS_LAST_WIDTH or channels_last):
            conv = _conv_depthwise_channels_last
    elif channels_last and groups == 1 and (kh, kw, s, p) == (1, 1, (1, 1), (0, 0)):
        conv = _conv_pointwise_channels_last
    elif _winograd_pays(x, w, s, dil, groups, (oh, ow)) and inference:
        conv = _conv_winograd  # inference only: the gradients are im2col's
    else:
        conv = _conv_per_sample if per_sample else _conv_channel_major
    out, grads = conv(x, w, b, geometry, need)

    def backward(g: np.ndarray) -> Grads:
        gx, gw, gb = grads(g)
        return (gx, gw) if bias is None else (gx, gw, gb)

    return Tensor._make(out, parents, backward)


Geometry = tuple[tuple[int, int], tuple[int, int], tuple[int, int], int, tuple[int, int]]
ConvGrads = Callable[[np.ndarray], tuple[Any, Any, Any]]


def _conv_channel_major(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geometry: Geometry, need: tuple[bool, ...]
) -> tuple[np.ndarray, ConvGrads]:
    """cols (G, C/G*KH*KW, N*OH*OW): the whole batch is ONE GEMM per group, forward and backward."""
    s, p, dil, g_, (oh, ow) = geometry
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    og, ckk, nl = o // g_, cg * kh * kw, n * oh * ow
    pointwise = kh == kw == 1 and s == (1, 1) and p == (0, 0)
    if pointwise:
        cols = x.transpose(1, 0, 2, 3).reshape(g_, ckk, nl)
    else:
        xp = _pad(x, p[0], p[0], p[1], p[1], 0.0)
        shape = (c, kh, kw, n, oh, ow)
        keep = STATE.grad_enabled and need[1]  # backward needs cols for the weight gradient
        cols6 = (
            backend.array_module(x).empty(shape, x.dtype) if keep else _workspace(shape, x.dtype, x)
        )
        for u, v, index in _windows(xp, (kh, kw), s, dil, (oh, ow)):
            cols6[:, u, v] = xp[index].transpose(1, 0, 2, 3)
        cols = cols6.reshape(g_, ckk, nl)
    w2 = w.reshape(g_, og, ckk)
    out_cm = np.matmul(w2, cols).reshape(o, n, oh, ow)  # (O, N, OH, OW)
    # back to C-contiguous NCHW (a copy unless N is 1), the bias added on the way
    mod = backend.array_module(x)
    if b is None or n == 1:
        if b is not None:
            out_cm += b.reshape(o, 1, 1, 1)
        out = mod.ascontiguousarray(out_cm.transpose(1, 0, 2, 3))
    else:
        out = np.add(
            out_cm.transpose(1, 0, 2, 3),
            b.reshape(1, o, 1, 1),
            out=mod.empty((n, o, oh, ow), x.dtype),
        )

    def grads(grad: np.ndarray) -> tuple[Any, Any, Any]:
        g2 = grad.transpose(1, 0, 2, 3).reshape(g_, og, nl)  # (G, O/G, N*L)
        gx = gw = gb = None
        if need[1]:
            if nl >= ckk:  # long sums: OpenBLAS is faster at cols @ g^T, transposed after
                gw = np.matmul(cols, g2.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(w.shape)
            else:
                gw = np.matmul(g2, cols.transpose(0, 2, 1)).reshape(w.shape)
        if need[2]:
            gb = g2.reshape(o, nl).sum(axis=1)
        if need[0]:
            if pointwise:
                gcols = np.matmul(w2.transpose(0, 2, 1), g2)  # (G, CKK, N*L)
                gx = gcols.reshape(c, n, h, wd).transpose(1, 0, 2, 3)
            else:
                gcols = _workspace((g_, ckk, nl), x.dtype, x)
                np.matmul(w2.transpose(0, 2, 1), g2, out=gcols)
                # col2im straight into an NCHW buffer, through its (C, N, H, W) view
                gxp = backend.array_module(x).zeros(xp.shape, dtype=x.dtype)
                gxp_cm = gxp.transpose(1, 0, 2, 3)
                gcols6 = gcols.reshape(c, kh, kw, n, oh, ow)
                for u, v, index in _windows(gxp_cm, (kh, kw), s, dil, (oh, ow)):
                    gxp_cm[index] += gcols6[:, u, v]
                gx = gxp[:, :, p[0] : p[0] + h, p[1] : p[1] + wd]
        return gx, gw, gb

    return out, grads


def _conv_per_sample(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geometry: Geometry, need: tuple[bool, ...]
) -> tuple[np.ndarray, ConvGrads]:
    """cols (N, C*KH*KW, OH*OW) and one small GEMM per sample (groups == 1)."""
    s, p, dil, _, (oh, ow) = geometry
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ckk, L = c * kh * kw, oh * ow
    pointwise = kh == kw == 1 and s == (1, 1) and p == (0, 0)
    xp = _pad(x, p[0], p[0], p[1], p[1], 0.0)
    if pointwise:  # a 1x1 convolution's columns are the input itself
        cols = x.reshape(n, ckk, L)
    else:
        shape = (n, c, kh, kw, oh, ow)
        keep = STATE.grad_enabled and need[1]  # backward needs cols for the weight gradient
        mod = backend.array_module(x)
        cols6 = mod.empty(shape, x.dtype) if keep else _workspace(shape, x.dtype, x)
        for u, v, index in _windows(xp, (kh, kw), s, dil, (oh, ow)):
            cols6[:, :, u, v] = xp[index]
        cols = cols6.reshape(n, ckk, L)
    w2 = w.reshape(o, ckk)
    out = np.matmul(w2, cols).reshape(n, o, oh, ow)  # (N, O, L): contiguous NCHW
    if b is not None:
        out += b.reshape(1, o, 1, 1)

    def grads(grad: np.ndarray) -> tuple[Any, Any, Any]:
        g2 = grad.reshape(n, o, L)
        gx = gw = gb = None
        if need[1]:
            # sum over samples of g[n] @ cols[n]^T: N small GEMMs (CKK < 64), then one sum
            gw = np.matmul(g2, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
        if need[2]:
            gb = g2.sum(axis=(0, 2))
        if need[0] and pointwise:
            gx = np.matmul(w2.T, g2).reshape(x.shape)
        elif need[0]:
            gcols6 = _workspace((n, c, kh, kw, oh, ow), x.dtype, x)
            np.matmul(w2.T, g2, out=gcols6.reshape(n, ckk, L))
            gxp = backend.array_module(x).zeros(xp.shape, dtype=x.dtype)
            for u, v, index in _windows(gxp, (kh, kw), s, dil, (oh, ow)):
                gxp[index] += gcols6[:, :, u, v]
            gx = gxp[:, :, p[0] : p[0] + h, p[1] : p[1] + wd]
        return gx, gw, gb

    return out, grads


# Winograd's F(4x4, 3x3) (Lavin & Gray 2016): each 4x4 block of outputs from a 6x6 tile of input
# with 36 multiplications per channel pair instead of 144, so 3x3 stride-1 convolutions cost a
# quarter of the GEMM work; and F(2x2, 5x5), the same 6x6 tiles and interpolation points giving
# 2x2 outputs of a 5x5 filter, 36 multiplications instead of 100. The transforms are small
# constant matrices; written as Kronecker products (B^T d B is (B^T x B^T) vec(d)) each one is a
# GEMM over all tiles and channels, so the whole convolution runs at BLAS speed. It pays where the
# GEMMs dominate: many channels and many tiles, as in VGG's and ResNet's 3x3 layers on 28x28 maps
# and larger, and AlexNet's 5x5 layer. The points 0, +-1, +-2 keep float32 rounding within a few
# 1e-6 of the largest output. With these points G's row for point p is [1, p, p^2, ...] / N_p
# (N_p = 4, -6, -6, 24, 24; the last row, the point at infinity, picks the top coefficient), and
# A^T's row i is [p^i ...] with a 1 in the last column for the top row only.
_WINO_BT = np.array(
    [
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ]
)  # input transform
_WINO_G = np.array(
    [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ]
)  # filter transform
_WINO_AT = np.array(
    [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]
)  # output transform
_WINO_G5 = np.array(
    [[p**k / n for k in range(5)] for p, n in zip((0, 1, -1, 2, -2), (4, -6, -6, 24, 24))]
    + [[0, 0, 0, 0, 1]]
)  # filter transform of F(2x2, 5x5)
_WINO_AT2 = np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 1]])  # output transform, F(2x2, 5x5)
_WINO_BB = np.kron(_WINO_BT, _WINO_BT)  # (36, 36): B^T d B for a flattened 6x6 tile d
# kernel size -> (output tile size m, G g G^T as (36, r*r), A^T m A as (m*m, 36))
_WINO = {
    3: (4, np.kron(_WINO_G, _WINO_G), np.kron(_WINO_AT, _WINO_AT)),
    5: (2, np.kron(_WINO_G5, _WINO_G5), np.kron(_WINO_AT2, _WINO_AT2)),
}
_WINO_MIN_CHANNELS = 64
_WINO_MIN_TILES = 49  # a 28x28 output; on 14x14 maps im2col's one GEMM is faster
_WINO_BAND_TILES = 128  # tiles per GEMM: enough columns for an efficient product
_WINO_BAND_BYTES = 1 << 20  # and at least this much transformed input per band, so it stays cached


def _winograd_pays(
    x: np.ndarray,
    w: np.ndarray,
    s: tuple[int, int],
    dil: tuple[int, int],
    groups: int,
    out: tuple[int, int],
) -> bool:
    n, c = x.shape[:2]
    o, _, kh, kw = w.shape
    if kh != kw or kh not in _WINO:
        return False
    m = _WINO[kh][0]
    tiles = n * -(-out[0] // m) * -(-out[1] // m)
    return (
        s == dil == (1, 1)
        and groups == 1
        and min(c, o) >= _WINO_MIN_CHANNELS
        and tiles >= _WINO_MIN_TILES
        and backend.array_module(x) is np
    )


def _conv_winograd(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geometry: Geometry, need: tuple[bool, ...]
) -> tuple[np.ndarray, ConvGrads]:
    """3x3 or 5x5, stride 1, no gradient: Y = A^T [(G g G^T) * (B^T d B)] A for every 6x6 input
    tile d (stride m, the output tile's size: 4 for 3x3, 2 for 5x5) and filter g, the products
    summed over input channels as 36 GEMMs (O, C) @ (C, tiles). A band of tile rows at a time, so
    that the band's tiles and their transforms stay in cache."""
    _, p, _, _, (oh, ow) = geometry
    n, c, h, wd = x.shape
    o, _, r, _ = w.shape
    m, gg, aa = _WINO[r]
    th, tw = -(-oh // m), -(-ow // m)
    xp = np.zeros((c, n, m * th + r - 1, m * tw + r - 1), x.dtype)  # channel-major, whole tiles
    xp[:, :, p[0] : p[0] + h, p[1] : p[1] + wd] = x.transpose(1, 0, 2, 3)
    u = (gg.astype(x.dtype) @ w.reshape(o * c, r * r).T).reshape(36, o, c)
    bb, aa = _WINO_BB.astype(x.dtype), aa.astype(x.dtype)
    y = np.empty((n, o, th, m, tw, m), x.dtype)
    rows = max(-(-_WINO_BAND_TILES // (n * tw)), _WINO_BAND_BYTES // (144 * c * n * tw))
    rows = min(rows, th)
    # one band's temporaries, carved from the reused workspace: no fresh pages on every call
    most = n * rows * tw
    work = _workspace((most * (72 * c + (36 + m * m) * o),), x.dtype, x)
    d_all, v_all, rest = np.split(work, [36 * c * most, 72 * c * most])
    m_all, y_all = rest[: 36 * o * most], rest[36 * o * most :]
    for r0 in range(0, th, rows):
        r1 = min(th, r0 + rows)
        tiles = n * (r1 - r0) * tw
        d = d_all[: 36 * c * tiles].reshape(6, 6, c, n, r1 - r0, tw)  # each tile's 36 inputs
        for i in range(6):
            for j in range(6):
                d[i, j] = xp[:, :, m * r0 + i : m * r1 + i : m, j : j + m * tw : m]
        v = np.matmul(bb, d.reshape(36, -1), out=v_all[: 36 * c * tiles].reshape(36, -1))
        prod = np.matmul(  # (36, O, tiles): B^T d B times G g G^T, summed over input channels
            u, v.reshape(36, c, tiles), out=m_all[: 36 * o * tiles].reshape(36, o, tiles)
        )
        yb = np.matmul(aa, prod.reshape(36, -1), out=y_all[: m * m * o * tiles].reshape(m * m, -1))
        y[:, :, r0:r1] = yb.reshape(m, m, o, n, r1 - r0, tw).transpose(3, 2, 4, 0, 5, 1)  # A^T . A
    out = y.reshape(n, o, m * th, m * tw)[:, :, :oh, :ow]
    out = np.ascontiguousarray(out) if b is None else np.add(out, b.reshape(1, o, 1, 1))

    def grads(grad: np.ndarray) -> tuple[Any, Any, Any]:
        raise RuntimeError("conv2d: the Winograd path computes no gradient")

    return out, grads


_DEPTHWISE_BLOCK = 1 << 19  # elements of copied rows per channel block: 2 MiB in float32
_DEPTHWISE_DIRECT_WIDTH = 48  # stride 1: from this many input columns, no padded copy first
_DEPTHWISE_CHANNELS_LAST_WIDTH = 16  # inference: outputs up to this many columns go channels-last


def _conv_depthwise(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geometry: Geometry, need: tuple[bool, ...]
) -> tuple[np.ndarray, ConvGrads]:
    """groups == C == O: out[:, c, i, j] = sum_{u,v} w[c, 0, u, v] x_pad[:, c, s i + d u, s j + d v].

    Forward, per channel, on a "wide" output grid (whole rows, flattened; the columns past OW are
    dropped at the end): the KH input rows that kernel row u reads, one copy each (for a column
    stride s > 1, one copy per column phase q, the columns s j' + q), make a (KH*s, L) matrix A.
    Kernel column v reads phase q = d v mod s shifted by t = d v // s columns, so one small product
    B = W A, with W (shifts, KH*s) holding w[u, v] at row t, column (u, q), gives every shift's
    partial sum at once, and out[l] = sum_t B[t, l + t]: KH*s copies, a GEMM and a few additions,
    where KH*KW shifted copies of the input used to come first. On wide maps the rows are copied
    straight from the unpadded input into a zeroed A, whose border stays zero from one block of
    channels to the next (narrow stride-1 maps are padded first: their copies are then whole
    contiguous runs); the bias is one more row of A, all ones, so the GEMM adds it and the crop
    to OW columns is a plain copy.

    Backward: the KH*KW shifted views of the input weighted per channel (stride 1 on the wide grid
    too, so that NumPy loops over whole planes, not over OW-long rows)."""
    s, p, dil, _, (oh, ow) = geometry
    n, c, h, wd = x.shape
    _, _, kh, kw = w.shape
    mod = backend.array_module(x)
    taps = w.reshape(c, kh, kw)
    shifts = [dil[1] * v // s[1] for v in range(kw)]
    wq = ow + shifts[-1]  # the wide grid's width: every shift of a kept column stays in its row
    length = oh * wq
    k_rows, n_shifts = kh * s[1], shifts[-1] + 1
    k_all = k_rows + (b is not None)  # + the row of ones that carries the bias
    mix = mod.zeros((c, n_shifts, k_all), dtype=x.dtype)  # W: (shift, (u, phase)), then bias
    for u in range(kh):
        for v in range(kw):
            mix[:, shifts[v], u * s[1] + dil[1] * v % s[1]] = taps[:, u, v]
    if b is not None:
        mix[:, 0, k_rows] = b
    # A's row (u, q) holds x_pad[s i + d u, s j + q] at (i, j). Only the part inside x is copied,
    # into a zeroed A; but narrow planes with stride 1 (rows of a few cache lines) are padded
    # first, which makes each copy one contiguous run of whole rows.
    src, (top, left) = x, p
    if s == (1, 1) and wd < _DEPTHWISE_DIRECT_WIDTH:
        rows_needed = s[0] * (oh - 1) + dil[0] * (kh - 1) + 1
        bottom, right = max(p[0], rows_needed - h - p[0]), max(0, s[1] * wq - wd - p[1])
        src, (top, left) = _pad(x, p[0], bottom, p[1], right, 0.0), (0, 0)
    sh, sw = src.shape[2:]
    copies, covered = [], 0
    for u in range(kh):
        r0 = dil[0] * u - top  # the source row of i = 0
        i_lo, i_hi = max(0, -(r0 // s[0])), min(oh, (sh - 1 - r0) // s[0] + 1)
        for q in range(s[1]):
            c0 = q - left  # the source column of j = 0
            j_lo, j_hi = max(0, -(c0 // s[1])), min(wq, (sw - 1 - c0) // s[1] + 1)
            if i_lo < i_hi and j_lo < j_hi:
                index = (
                    slice(r0 + s[0] * i_lo, r0 + s[0] * (i_hi - 1) + 1, s[0]),
                    slice(c0 + s[1] * j_lo, c0 + s[1] * (j_hi - 1) + 1, s[1]),
                )
                copies.append((u * s[1] + q, slice(i_lo, i_hi), slice(j_lo, j_hi), index))
                covered += (i_hi - i_lo) * (j_hi - j_lo)
    out = mod.empty((n, c, length), dtype=x.dtype)
    block = max(1, _DEPTHWISE_BLOCK // (n * (k_all + n_shifts) * length))
    a = (mod.empty if covered == k_rows * length else mod.zeros)(
        (n, min(block, c), k_all, length), dtype=x.dtype
    )
    if b is not None:
        a[:, :, k_rows] = 1.0
    part = mod.empty((n, min(block, c), n_shifts, length), dtype=x.dtype)
    for c0 in range(0, c, block):
        k = min(block, c - c0)
        ab, pb, chans = a[:, :k], part[:, :k], slice(c0, c0 + k)
        grid = ab.reshape(n, k, k_all, oh, wq)
        for row, rows, cols, (r, q) in copies:
            grid[:, :, row, rows, cols] = src[:, chans, r, q]
        np.matmul(mix[chans], ab, out=pb)
        ob = out[:, chans]
        if n_shifts == 1:
            ob[...] = pb[:, :, 0]
        else:  # out[l] = sum_t B[t, l + t]; the last t columns of the grid are dropped anyway
            np.add(pb[:, :, 0, : length - shifts[-1]], pb[:, :, 1, 1 : length - shifts[-1] + 1],
                   out=ob[..., : length - shifts[-1]])  # fmt: skip
            for t in range(2, n_shifts):
                ob[..., : length - shifts[-1]] += pb[:, :, t, t : length - shifts[-1] + t]
    del a, part
    out = out.reshape(n, c, oh, wq)
    if wq != ow:  # the wide grid cropped
        out = mod.ascontiguousarray(out[..., :ow])

    def grads(grad: np.ndarray) -> tuple[Any, Any, Any]:
        gx = gw = gb = None
        if need[2]:
            gb = grad.sum(axis=(0, 2, 3))
        flat = s == (1, 1)
        if flat:  # + 1 row: the last run ends past the plane
            xp = _pad(x, p[0], p[0] + 1, p[1], p[1], 0.0)
            wp = xp.shape[3]
            src = xp.reshape(n, c, -1)
            grid: tuple[int, ...] = (n, c, oh * wp)
            views: list[tuple[int, int, tuple[slice, ...]]] = [
                (u, v, (slice(None), slice(None), slice(off, off + oh * wp)))
                for u in range(kh)
                for v in range(kw)
                for off in [u * dil[0] * wp + v * dil[1]]
            ]
        else:
            xp = src = _pad(x, p[0], p[0], p[1], p[1], 0.0)
            grid = (n, c, oh, ow)
            views = list(_windows(xp, (kh, kw), s, dil, (oh, ow)))
        per_channel = (1, -1) + (1,) * (len(grid) - 2)
        if flat:  # the gradient on the wide grid, zero in the dropped columns
            wide = mod.zeros((n, c, oh, wp), dtype=grad.dtype)
            wide[..., :ow] = grad
            grad = wide.reshape(grid)
        if need[1]:
            gw = mod.empty(w.shape, dtype=w.dtype)  # (C, 1, KH, KW)
            subscripts = "ncl,ncl->c" if flat else "nchw,nchw->c"
            for u, v, index in views:
                gw[:, 0, u, v] = np.einsum(subscripts, grad, src[index])
        if need[0]:
            gsrc = mod.zeros(src.shape, dtype=grad.dtype)
            term = mod.empty_like(grad)
            for u, v, index in views:
                gsrc[index] += np.multiply(grad, taps[:, u, v].reshape(per_channel), out=term)
            gx = gsrc.reshape(xp.shape)[:, :, p[0] : p[0] + h, p[1] : p[1] + wd]
        return gx, gw, gb

    return out, grads


def _is_channels_last(x: np.ndarray) -> bool:
    """(N, C, H, W) whose memory runs (N, H, W, C), with more than one channel and pixel."""
    return (
        x.shape[1] > 1
        and x.shape[2] * x.shape[3] > 1
        and x.transpose(0, 2, 3, 1).flags.c_contiguous
    )


def _conv_pointwise_channels_last(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geometry: Geometry, need: tuple[bool, ...]
) -> tuple[np.ndarray, ConvGrads]:
    """1x1, inference, channels-last input: one GEMM (N*H*W, C) @ (C, O), channels-last out."""
    n, c, h, wd = x.shape
    o = w.shape[0]
    out = x.transpose(0, 2, 3, 1).reshape(n * h * wd, c) @ w.reshape(o, c).T
    if b is not None:
        out += b

    def grads(grad: np.ndarray) -> tuple[Any, Any, Any]:
        raise RuntimeError("conv2d: the channels-last 1x1 path computes no gradient")

    return out.reshape(n, h, wd, o).transpose(0, 3, 1, 2), grads


def _conv_depthwise_channels_last(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geometry: Geometry, need: tuple[bool, ...]
) -> tuple[np.ndarray, ConvGrads]:
    """Depthwise, inference only, for small maps (a few rows of a few columns, many channels): with
    channels last, each of the KH*KW taps is one multiply-add over the whole map, its weight a
    vector over the contiguous channel axis, where a channels-first plane has rows too short for
    NumPy's loops. The result is NCHW-shaped with channels-last strides (PyTorch's channels_last
    memory format); a following 1x1 convolution reads it as a transposed GEMM operand, no copy."""
    s, p, dil, _, (oh, ow) = geometry
    n, c, h, wd = x.shape
    _, _, kh, kw = w.shape
    mod = backend.array_module(x)
    xp = mod.zeros((n, h + 2 * p[0], wd + 2 * p[1], c), dtype=x.dtype)
    xp[:, p[0] : p[0] + h, p[1] : p[1] + wd] = x.transpose(0, 2, 3, 1)
    taps = mod.ascontiguousarray(w.reshape(c, kh * kw).T)  # (KH*KW, C)
    out = mod.empty((n, oh, ow, c), dtype=x.dtype)
    term = mod.empty_like(out)
    for k in range(kh * kw):
        u, v = divmod(k, kw)
        r, q = dil[0] * u, dil[1] * v
        view = xp[:, r : r + s[0] * (oh - 1) + 1 : s[0], q : q + s[1] * (ow - 1) + 1 : s[1]]
        if k == 0:
            np.multiply(view, taps[0], out=out)
        else:
            out += np.multiply(view, taps[k], out=term)
    if b is not None:
        out += b

    def grads(grad: np.ndarray) -> tuple[Any, Any, Any]:
        raise RuntimeError("conv2d: the channels-last depthwise path computes no gradient")

    return out.transpose(0, 3, 1, 2), grads


def _pool_geometry(
    x: np.ndarray,
    kernel_size: Pair,
    stride: Pair | None,
    padding: Pair,
    dilation: Pair,
    ceil_mode: bool,
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    if x.ndim != 4:
        raise RuntimeError(f"pooling expects a 4-D (N, C, H, W) input, got shape {x.shape}")
    k = _pair(kernel_size)
    s = k if stride is None or stride == () else _pair(stride)
    p, d = _pair(padding), _pair(dilation)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise RuntimeError(
            f"pad should be at most half of effective kernel size, but got pad={p} and kernel_size={k}"
        )
    h, w = x.shape[2:]
    out = (
        _out_size(h, k[0], s[0], p[0], d[0], ceil_mode),
        _out_size(w, k[1], s[1], p[1], d[1], ceil_mode),
    )
    if out[0] <= 0 or out[1] <= 0:
        raise RuntimeError(f"pooling: input {x.shape} is too small for kernel {k}")
    return k, s, p, d, out


def _extra(n: int, k: int, s: int, p: int, d: int, out: int) -> int:
    """Padding needed on the far side beyond `p` so that every (ceil_mode) window fits."""
    return max(0, (out - 1) * s + d * (k - 1) + 1 - (n + 2 * p))


def max_pool2d(
    input: Tensor,
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    dilation: Pair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over each window (padding counts as -inf); the gradient goes to the first maximum.

    `return_indices=True` also returns, per output, the flat index h * W + w of that maximum in its
    (H, W) input plane (what `max_unpool2d` takes)."""
    x = input.data
    k, s, p, d, (oh, ow) = _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode)
    n, c, h, w = x.shape
    if STATE.shape_only:
        return Tensor._make(meta_array((n, c, oh, ow), x.dtype), (input,), lambda g: (None,))
    eh, ew = _extra(h, k[0], s[0], p[0], d[0], oh), _extra(w, k[1], s[1], p[1], d[1], ow)
    xp = _pad(x, p[0], p[0] + eh, p[1], p[1] + ew, -np.inf)
    mod = backend.array_module(x)
    best = mod.empty((n, c, oh, ow), dtype=x.dtype)
    # tap[n, c, i, j]: which kernel offset t = u * KW + v holds the window's first maximum, kept
    # only when a gradient will flow: one small integer per output instead of re-comparing the
    # input with the maxima in backward
    track = STATE.grad_enabled and input.requires_grad
    tap = (
        mod.zeros(best.shape, dtype=np.uint8 if k[0] * k[1] < 256 else np.int32) if track else None
    )
    above = mod.empty(best.shape, dtype=bool)
    window = mod.empty(best.shape, dtype=x.dtype)  # one offset's strided view, made contiguous
    for t, (_, _, index) in enumerate(_windows(xp, k, s, d, (oh, ow))):
        if t == 0:
            best[...] = xp[index]
            continue
        if tap is None:
            np.maximum(best, xp[index], out=best)
            continue
        window[...] = xp[index]
        # strictly greater keeps the first maximum on ties (row-major order, as PyTorch);
        # t exceeds every earlier tap, so max(tap, t * above) is where(above, t, tap)
        np.greater(window, best, out=above)
        np.maximum(tap, above * tap.dtype.type(t), out=tap)
        np.maximum(best, window, out=best)
    disjoint = s[0] >= d[0] * (k[0] - 1) + 1 and s[1] >= d[1] * (k[1] - 1) + 1
    indices = _argmax_windows(xp, best, k, s, p, d, (oh, ow), w) if return_indices else None

    def backward(g: np.ndarray) -> Grads:
        # scatter g to each window's first maximum, one kernel offset at a time
        assert tap is not None  # recorded whenever backward can run
        gxp = backend.array_module(g).zeros(xp.shape, dtype=g.dtype)
        for t, (_, _, index) in enumerate(_windows(gxp, k, s, d, (oh, ow))):
            np.equal(tap, t, out=above)
            if disjoint:  # windows do not overlap: write, do not accumulate
                np.multiply(g, above, out=gxp[index])
            else:
                gxp[index] += g * above
        return (gxp[:, :, p[0] : p[0] + h, p[1] : p[1] + w],)

    out = Tensor._make(best, (input,), backward)
    return (out, Tensor(indices)) if indices is not None else out


def _argmax_windows(
    xp: np.ndarray,
    best: np.ndarray,
    k: tuple[int, int],
    s: tuple[int, int],
    p: tuple[int, int],
    d: tuple[int, int],
    out: tuple[int, int],
    w: int,
) -> np.ndarray:
    """Flat input-plane index of the first maximum of each window (row-major, as PyTorch)."""
    oh, ow = out
    idx = np.full(best.shape, -1, dtype=np.int64)
    rows, cols = np.arange(oh) * s[0] - p[0], np.arange(ow) * s[1] - p[1]
    for u, v, index in _windows(xp, k, s, d, out):
        flat = (rows[:, None] + u * d[0]) * w + (cols[None, :] + v * d[1])
        take = (idx < 0) & ((xp[index] == best) | np.isnan(xp[index]))
        idx[take] = np.broadcast_to(flat, best.shape)[take]
    return idx


def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    output_size: Any = None,
) -> Tensor:
    """Put each value back at its `indices` (from max_pool2d) in a zero (H, W) plane."""
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    p = _pair(padding)
    n, c, ih, iw = input.shape
    if output_size is None:
        oh, ow = (ih - 1) * s[0] - 2 * p[0] + k[0], (iw - 1) * s[1] - 2 * p[1] + k[1]
    else:
        oh, ow = tuple(output_size)[-2:]
    flat_idx = indices.data.reshape(n, c, -1)
    out = np.zeros((n, c, oh * ow), dtype=input.dtype)
    np.put_along_axis(out, flat_idx, input.data.reshape(n, c, -1), axis=2)

    def backward(g: np.ndarray) -> Grads:
        gx = np.take_along_axis(g.reshape(n, c, -1), flat_idx, axis=2)
        return (gx.reshape(input.shape),)

    return Tensor._make(out.reshape(n, c, oh, ow), (input,), backward)


def avg_pool2d(
    input: Tensor,
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over each window; the divisor follows PyTorch (padding counted unless told otherwise)."""
    x = input.data
    k, s, p, d, (oh, ow) = _pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode)
    n, c, h, w = x.shape
    if STATE.shape_only:
        return Tensor._make(meta_array((n, c, oh, ow), x.dtype), (input,), lambda g: (None,))
    eh, ew = _extra(h, k[0], s[0], p[0], d[0], oh), _extra(w, k[1], s[1], p[1], d[1], ow)
    xp = _pad(x, p[0], p[0] + eh, p[1], p[1] + ew, 0.0)
    total = np.zeros((n, c, oh, ow), dtype=x.dtype)
    for _, _, index in _windows(xp, k, s, d, (oh, ow)):
        total += xp[index]
    if divisor_override:
        divisor: Any = float(divisor_override)
    else:
        # count the cells of each window that lie inside the input (+ padding if included)
        mask = np.zeros((1, 1, *xp.shape[2:]), dtype=x.dtype)
        if count_include_pad:
            mask[:, :, : h + 2 * p[0], : w + 2 * p[1]] = 1
        else:
            mask[:, :, p[0] : p[0] + h, p[1] : p[1] + w] = 1
        divisor = np.zeros((1, 1, oh, ow), dtype=x.dtype)
        for _, _, index in _windows(mask, k, s, d, (oh, ow)):
            divisor += mask[index]
    out = total / divisor

    def backward(g: np.ndarray) -> Grads:
        share = g / divisor
        gxp = np.zeros(xp.shape, dtype=g.dtype)
        for _, _, index in _windows(gxp, k, s, d, (oh, ow)):
            gxp[index] += share
        return (gxp[:, :, p[0] : p[0] + h, p[1] : p[1] + w],)

    return Tensor._make(out.astype(x.dtype, copy=False), (input,), backward)


def _adaptive_matrix(n_in: int, n_out: int, dtype: Any) -> np.ndarray:
    """(n_out, n_in) averaging matrix with PyTorch's bins [floor(i*n/m), ceil((i+1)*n/m))."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        lo, hi = (i * n_in) // n_out, math.ceil((i + 1) * n_in / n_out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


def adaptive_avg_pool2d(input: Tensor, output_size: Pair | tuple[int | None, int | None]) -> Tensor:
    """Average pooling to a fixed output size: out = P_h @ x @ P_w^T with constant bin matrices."""
    x = input.data
    if x.ndim != 4:
        raise RuntimeError(f"adaptive_avg_pool2d expects a 4-D input, got shape {x.shape}")
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    oh = x.shape[2] if size[0] is None else int(size[0])
    ow = x.shape[3] if size[1] is None else int(size[1])
    if STATE.shape_only:
        shape = (*x.shape[:2], oh, ow)
        return Tensor._make(meta_array(shape, x.dtype), (input,), lambda g: (None,))
    if (oh, ow) == (1, 1):
        return input.mean(dim=(2, 3), keepdim=True)
    ph = Tensor(_adaptive_matrix(x.shape[2], oh, x.dtype))
    pw = Tensor(_adaptive_matrix(x.shape[3], ow, x.dtype).T.copy())
    return ph @ input @ pw


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] | str = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution over (N, C, L): conv2d on a height-1 image."""

    def one(v: Any) -> int:
        return int(v[0]) if isinstance(v, (tuple, list)) else int(v)

    pad: Any = padding if isinstance(padding, str) else (0, one(padding))
    out = conv2d(
        input.unsqueeze(2),
        weight.unsqueeze(2),
        bias,
        (1, one(stride)),
        pad,
        (1, one(dilation)),
        groups,
    )
    return out.squeeze(2)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Pair = 1,
    padding: Pair = 0,
    output_padding: Pair = 0,
    groups: int = 1,
    dilation: Pair = 1,
) -> Tensor:
    """The adjoint of conv2d (its gradient with respect to the input), weight (C_in, C_out/G, kH, kW).

    Built from primitives: spread the input `stride` apart (zeros between), pad by
    dilation * (k - 1) - padding (+ output_padding on the far side), and convolve with the
    weight flipped in space and with in/out channels swapped per group."""
    from ..shape import pad as _pad_op

    if input.ndim != 4 or weight.ndim != 4:
        raise RuntimeError("conv_transpose2d expects 4-D input and weight")
    s, p, op, d = _pair(stride), _pair(padding), _pair(output_padding), _pair(dilation)
    n, cin, h, w = input.shape
    _, cout_g, kh, kw = weight.shape
    if cin % groups or weight.shape[0] != cin:
        raise RuntimeError(
            f"conv_transpose2d: weight {weight.shape} does not fit input {input.shape} with "
            f"groups={groups}"
        )
    x = input
    if s != (1, 1):  # (N, C, H, W) -> (N, C, (H-1)*s+1, (W-1)*s+1) with zeros between
        x = x.reshape(n, cin, h, 1, w, 1)
        x = _pad_op(x, (0, s[1] - 1, 0, 0, 0, s[0] - 1))
        x = x.reshape(n, cin, h * s[0], w * s[1])[:, :, : (h - 1) * s[0] + 1, : (w - 1) * s[1] + 1]
    lo = (d[0] * (kh - 1) - p[0], d[1] * (kw - 1) - p[1])
    x = _pad_op(x, (lo[1], lo[1] + op[1], lo[0], lo[0] + op[0]))
    cin_g = cin // groups
    wt = weight.reshape(groups, cin_g, cout_g, kh, kw).permute(0, 2, 1, 3, 4)
    wt = wt.reshape(groups * cout_g, cin_g, kh, kw).flip((2, 3))
    return conv2d(x, wt, bias, 1, 0, d, groups)
