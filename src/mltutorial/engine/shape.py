"""Shape ops beyond reshape/permute/expand (which live on `Tensor`): flip, roll, diagonal, unfold,
repeat_interleave, unflatten, meshgrid and padding (constant, reflect, replicate, circular).

Primitives move entries without arithmetic, so each backward moves the gradient back the same
way; `roll`, `meshgrid`, `repeat_interleave` and the non-constant paddings are composites of
indexing and `cat`. Every function is also a `Tensor` method.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import backend
from .autograd import Grads, unbroadcast
from .ops import cat
from .tensor import Tensor, _norm_dim, _shape_arg


# ---------------------------------------------------------------------- views and copies
def reshape(input: Tensor, *shape: Any) -> Tensor:
    src = input.data.shape
    try:
        out = input.data.reshape(_shape_arg(shape))
    except ValueError:
        raise RuntimeError(
            f"shape '{list(_shape_arg(shape))}' is invalid for input of size {input.data.size}"
        ) from None
    return Tensor._make(out, (input,), lambda g: (g.reshape(src),))


def view(input: Tensor, *shape: Any) -> Tensor:
    """`view(shape)` is reshape; `view(dtype)` reinterprets the bytes (no gradient)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        return Tensor(input.data.view(shape[0]))
    return input.reshape(*shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return input.reshape(other.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if input.ndim == 0:
        return input.reshape(1)
    s, e = _norm_dim(start_dim, input.ndim), _norm_dim(end_dim, input.ndim)
    shape = input.shape
    return input.reshape(*shape[:s], -1, *shape[e + 1 :])


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = dim if dim >= 0 else dim + input.ndim + 1
    shape = input.shape
    return input.reshape(*shape[:d], 1, *shape[d:])


def squeeze(input: Tensor, dim: int | None = None) -> Tensor:
    if dim is None:
        return input.reshape(tuple(n for n in input.shape if n != 1))
    d = _norm_dim(dim, input.ndim)
    if input.ndim == 0 or input.shape[d] != 1:
        return input
    return input.reshape(input.shape[:d] + input.shape[d + 1 :])


def permute(input: Tensor, *dims: Any) -> Tensor:
    perm = tuple(_norm_dim(d, input.ndim) for d in _shape_arg(dims))
    if len(perm) != input.ndim or len(set(perm)) != len(perm):
        raise RuntimeError(
            f"permute: dims {tuple(_shape_arg(dims))} must name each of the input's {input.ndim} "
            f"dimensions exactly once"
        )
    inverse = tuple(np.argsort(perm))
    return Tensor._make(input.data.transpose(perm), (input,), lambda g: (g.transpose(inverse),))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    perm = list(range(input.ndim))
    a, b = _norm_dim(dim0, input.ndim), _norm_dim(dim1, input.ndim)
    perm[a], perm[b] = perm[b], perm[a]
    return input.permute(*perm)


def T(input: Tensor) -> Tensor:
    return input.permute(*reversed(range(input.ndim)))


def mT(input: Tensor) -> Tensor:
    return input.transpose(-2, -1)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    shape = tuple(
        s if n == -1 else n
        for n, s in zip(
            _shape_arg(sizes), (1,) * (len(_shape_arg(sizes)) - input.ndim) + input.shape
        )
    )
    src = input.shape
    out = np.broadcast_to(input.data, shape)
    return Tensor._make(out, (input,), lambda g: (unbroadcast(g, src),))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return input.expand(*other.shape)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    reps = _shape_arg(sizes)
    src = (1,) * (len(reps) - input.ndim) + input.shape
    out = np.tile(input.data, reps)

    def backward(g: np.ndarray) -> Grads:
        split = [d for pair in zip(reps, src) for d in pair]
        return (g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2))).reshape(input.shape),)

    return Tensor._make(out, (input,), backward)


def split(
    input: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
) -> tuple[Tensor, ...]:
    d = _norm_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        sizes = [min(step, n - i) for i in range(0, n, step)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * d + (slice(start, start + size),)
        pieces.append(input[index])
        start += size
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    n = input.shape[_norm_dim(dim, input.ndim)]
    return input.split(-(-n // chunks), dim)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return Tensor._make(np.tril(input.data, diagonal), (input,), lambda g: (np.tril(g, diagonal),))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return Tensor._make(np.triu(input.data, diagonal), (input,), lambda g: (np.triu(g, diagonal),))


# ---------------------------------------------------------------------- flip, roll, ...
def _dim_list(dims: Any, ndim: int, what: str) -> tuple[int, ...]:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    norm = tuple(_norm_dim(d, ndim) for d in dims)
    if len(set(norm)) != len(norm):
        raise RuntimeError(f"dim {norm} appears multiple times in the list of dims ({what})")
    return norm


def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order along `dims`; the gradient is flipped back."""
    axes = _dim_list(dims, input.ndim, "flip")
    if not axes or input.ndim == 0:
        return input.clone()
    out = np.flip(input.data, axes).copy()
    return Tensor._make(out, (input,), lambda g: (np.flip(g, axes),))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift entries cyclically (as np.roll); without dims, over the flattened tensor."""
    if dims is None:
        if not isinstance(shifts, int) and len(shifts) != 1:
            raise RuntimeError("roll: shifts must be a single integer when dims is not given")
        s = shifts if isinstance(shifts, int) else shifts[0]
        return roll(input.flatten(), s, 0).reshape(input.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}"
        )
    axes = tuple(_norm_dim(d, input.ndim) for d in dims)
    out = np.roll(input.data, shifts, axes)
    back = tuple(-s for s in shifts)
    return Tensor._make(out, (input,), lambda g: (np.roll(g, back, axes),))


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of each (dim1, dim2) plane, appended as the last dimension."""
    a, b = _norm_dim(dim1, input.ndim), _norm_dim(dim2, input.ndim)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    x = input.data
    out = np.diagonal(x, offset, a, b).copy()

    def backward(g: np.ndarray) -> Grads:
        gx = backend.array_module(g).zeros(x.shape, dtype=g.dtype)
        view = np.diagonal(gx, offset, a, b)
        view.setflags(write=True)  # NumPy's diagonal of a fresh array is a writeable view
        view[...] = g
        return (gx,)

    return Tensor._make(out, (input,), backward)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-D -> the square matrix with it on the diagonal; 2-D -> its diagonal."""
    if input.ndim == 2:
        return globals()["diagonal"](input, diagonal)
    if input.ndim != 1:
        raise RuntimeError("diag(): Supports 1D or 2D tensors")
    v = input.data
    out = np.diag(v, diagonal)
    return Tensor._make(out, (input,), lambda g: (np.diag(g, diagonal).copy(),))


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """All windows of `size` along `dimension`, `step` apart, as a new last dimension."""
    d = _norm_dim(dimension, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    x = input.data if input.ndim else input.data.reshape(1)
    mod = backend.array_module(x)  # the windows are made where the tensor lives
    count = (n - size) // step + 1
    index = mod.arange(count)[:, None] * step + mod.arange(size)[None, :]  # (count, size)
    win = mod.take(x, index, axis=d)  # (..., count, size, ...)
    out = mod.moveaxis(win, d + 1, -1)

    def backward(g: np.ndarray) -> Grads:
        gx = backend.array_module(g).zeros(x.shape, dtype=g.dtype)
        gw = backend.array_module(g).moveaxis(g, -1, d + 1)
        idx: list[Any] = [slice(None)] * x.ndim
        idx[d] = index
        backend.add_at(gx, tuple(idx), gw)
        return (gx.reshape(input.shape),)

    return Tensor._make(mod.ascontiguousarray(out), (input,), backward)


def repeat_interleave(input: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
    """Repeat each entry `repeats` times along `dim` (flattened when dim is None)."""
    x = input.flatten() if dim is None else input
    d = 0 if dim is None else _norm_dim(dim, x.ndim)
    reps = repeats.data if isinstance(repeats, Tensor) else repeats
    index = np.repeat(np.arange(x.shape[d]), reps)
    key = (slice(None),) * d + (index,)
    return x[key]


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    d = _norm_dim(dim, input.ndim)
    shape = input.shape
    return input.reshape(*shape[:d], *sizes, *shape[d + 1 :])


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors ('ij': matrix indexing, 'xy': Cartesian)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    ts = [t.reshape(-1) for t in tensors]
    shape = [t.shape[0] for t in ts]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(ts):
        pos = {0: 1, 1: 0}.get(i, i) if swap else i
        view = [1] * len(ts)
        view[pos] = t.shape[0]
        out.append(t.reshape(*view).expand(*shape))
    return tuple(out)


# ---------------------------------------------------------------------- padding
def _pad_pairs(pad: Sequence[int], ndim: int) -> list[tuple[int, int]]:
    """F.pad's flat (left, right, top, bottom, ...) from the last dim backwards, as pairs per dim."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {ndim}"
        )
    pairs = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        pairs[ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return pairs


def _constant_pad(input: Tensor, pairs: list[tuple[int, int]], value: float) -> Tensor:
    """Zero-or-value padding; a negative amount crops. Backward: the gradient's inner window."""
    x = input.data
    crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pairs, x.shape))
    inner = x[crop]
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    out = np.pad(inner, grow, constant_values=value) if any(map(any, grow)) else inner.copy()
    window = tuple(slice(lo, lo + n) for (lo, _), n in zip(grow, inner.shape))

    def backward(g: np.ndarray) -> Grads:
        gx = backend.array_module(g).zeros(x.shape, dtype=g.dtype)
        gx[crop] = g[window]
        return (gx,)

    return Tensor._make(out, (input,), backward)


def _index_pad(input: Tensor, pairs: list[tuple[int, int]], mode: str) -> Tensor:
    """reflect / replicate / circular: gather along each dim with an index array (negative
    amounts crop first), so the gradient scatters back through indexing."""
    out = input
    for d, (lo, hi) in enumerate(pairs):
        if lo == 0 and hi == 0:
            continue
        n = out.shape[d]
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "circular" and (lo < 0 or hi < 0):
            raise RuntimeError(
                "negative padding is not supported by mltutorial.engine in circular mode"
            )
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input {out.shape}"
            )
        pos = np.arange(-lo, n + hi)
        if mode == "reflect":
            period = 2 * (n - 1) if n > 1 else 1
            pos = np.abs(pos) % period
            pos = np.where(pos >= n, period - pos, pos)
        elif mode == "replicate":
            pos = np.clip(pos, 0, n - 1)
        else:
            pos = pos % n
        out = out[(slice(None),) * d + (pos,)]
    return out


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """`F.pad`: (left, right) for the last dim, then (top, bottom) for the one before, ...

    Modes constant (a negative amount crops), reflect, replicate, circular, as PyTorch."""
    pairs = _pad_pairs(pad, input.ndim)
    if mode == "constant":
        return _constant_pad(input, pairs, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    return _index_pad(input, pairs, mode)


# ---------------------------------------------------------------------- Tensor methods
Tensor.reshape = reshape
Tensor.view = view
Tensor.view_as = view_as
Tensor.flatten = flatten
Tensor.unsqueeze = unsqueeze
Tensor.squeeze = squeeze
Tensor.permute = permute
Tensor.transpose = transpose
Tensor.T = property(T)  # type: ignore[assignment]
Tensor.mT = property(mT)  # type: ignore[assignment]
Tensor.expand = expand
Tensor.expand_as = expand_as
Tensor.repeat = repeat
Tensor.split = split
Tensor.chunk = chunk
Tensor.tril = tril
Tensor.triu = triu
Tensor.flip = flip
Tensor.roll = roll
Tensor.diagonal = diagonal
Tensor.diag = diag
Tensor.unfold = unfold
Tensor.repeat_interleave = repeat_interleave
Tensor.unflatten = unflatten
Tensor.fliplr = lambda self: flip(self, 1)
Tensor.flipud = lambda self: flip(self, 0)
__all__ = [
    "cat",
    "diag",
    "diagonal",
    "flip",
    "meshgrid",
    "pad",
    "repeat_interleave",
    "roll",
    "unflatten",
    "unfold",
]
