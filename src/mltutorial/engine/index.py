"""Indexing by tensors: gather, scatter (+ reductions), masked_select, nonzero, sort/argsort/topk.

gather reads `x[..., index[i], ...]` along one dim (backward: add the gradient back at those
places); scatter writes `src` there (backward: `src` gets the gradient it wrote, `self` the rest).
sort and topk are a gather at the sorted positions. Every function is also a `Tensor` method.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import backend
from .autograd import Grads
from .reduce import ValuesIndices
from .tensor import Tensor, _index_key, _is_advanced, _is_int, _norm_dim, to_array


def getitem(input: Tensor, key: Any) -> Tensor:
    """`x[key]`: basic and advanced (array) indexing; the gradient is added back at the picked
    places (repeated indices add up)."""
    k = _index_key(key)
    if _is_advanced(k) and isinstance(k, tuple) and any(_is_int(i) for i in k):
        # PyTorch selects with the ints first (basic indexing), then applies the arrays;
        # NumPy would treat the ints as arrays too and move the result's dims elsewhere
        first = tuple(i if _is_int(i) or i is None or i is Ellipsis else slice(None) for i in k)
        rest = tuple(slice(None) if i is None else i for i in k if not _is_int(i))
        return input[first][rest]
    x = input.data
    out = x[k]
    advanced = _is_advanced(k)

    def backward(g: np.ndarray) -> Grads:
        gx = backend.array_module(g).zeros(x.shape, dtype=g.dtype)
        if advanced:
            backend.add_at(gx, k, g)  # repeated indices add up
        else:
            gx[k] = g
        return (gx,)

    return Tensor._make(backend.asarray(out), (input,), backward)


def _index(index: Any) -> np.ndarray:
    idx = to_array(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {idx.dtype}")
    return idx.astype(np.int64, copy=False)


def _check_index(x: np.ndarray, idx: np.ndarray, d: int, what: str) -> None:
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i, (m, n) in enumerate(zip(idx.shape, x.shape)):
        if i != d and m > n:
            raise RuntimeError(
                f"Size does not match at dimension {i} expected index {idx.shape} to be no larger "
                f"than self {x.shape} apart from dimension {d}"
            )
    if idx.size and (idx.min() < -x.shape[d] or idx.max() >= x.shape[d]):
        raise RuntimeError(f"{what}(): index out of bounds for dimension {d} of size {x.shape[d]}")


def _region(x_shape: tuple[int, ...], idx: np.ndarray, d: int) -> tuple[Any, ...]:
    """Advanced index that addresses x[i0, .., idx[i], .., in] for every position of idx."""
    host: tuple[np.ndarray, ...] = np.indices(idx.shape, sparse=True)
    grids: list[Any] = [backend.like(i, idx) for i in host]
    grids[d] = idx % x_shape[d]
    return tuple(grids)


def gather(input: Tensor, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j] = x[index[i][j]][j] (dim 0); backward adds the gradient back at those places."""
    x = input.data
    d = _norm_dim(dim, x.ndim)
    idx = _index(index)
    _check_index(x, idx, d, "gather")
    where = _region(x.shape, idx, d)
    out = x[where]

    def backward(g: np.ndarray) -> Grads:
        gx = backend.array_module(g).zeros(x.shape, dtype=g.dtype)
        backend.add_at(gx, where, g)
        return (gx,)

    return Tensor._make(out, (input,), backward)


def take_along_dim(input: Tensor, indices: Any, dim: int) -> Tensor:
    return gather(input, dim, indices)


def _src_array(src: Any, idx: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, Tensor | None]:
    if isinstance(src, Tensor):
        if src.dtype != dtype:
            raise RuntimeError(
                f"scatter(): Expected self.dtype to be equal to src.dtype ({dtype} vs {src.dtype})"
            )
        if src.ndim != idx.ndim or any(m > n for m, n in zip(idx.shape, src.shape)):
            raise RuntimeError(
                f"scatter(): Expected index {idx.shape} to be no larger than src {src.shape}"
            )
        region = tuple(slice(0, n) for n in idx.shape)
        return src.data[region], src
    return backend.array_module(idx).full(idx.shape, src, dtype=dtype), None


def scatter(
    input: Tensor,
    dim: int,
    index: Any,
    src: Any = None,
    value: Any = None,
    *,
    reduce: str | None = None,
) -> Tensor:
    """out = x with out[index[i][j]][j] = src[i][j] (dim 0); `reduce` 'add' or 'multiply'.

    Backward (no reduce): x gets the gradient where it was not overwritten, src what it wrote."""
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
    x = input.data
    d = _norm_dim(dim, x.ndim)
    idx = _index(index)
    _check_index(x, idx, d, "scatter")
    s, src_t = _src_array(value if src is None else src, idx, x.dtype)
    where = _region(x.shape, idx, d)
    out = x.copy()
    if reduce is None:
        out[where] = s
    elif reduce == "add":
        backend.add_at(out, where, s)
    else:
        np.multiply.at(out, where, s)
    if reduce == "multiply":
        parents: tuple[Tensor, ...] = (input,)

        def backward_none(g: np.ndarray) -> Grads:
            raise RuntimeError(
                "the gradient of scatter(reduce='multiply') is not supported by mltutorial.engine"
            )

        return Tensor._make(out, parents, backward_none)
    parents = (input,) if src_t is None else (input, src_t)

    def backward(g: np.ndarray) -> Grads:
        gx = g.copy()
        if reduce is None:
            gx[where] = 0
        grads: list[np.ndarray | None] = [gx]
        if src_t is not None:
            gs = backend.array_module(g).zeros(src_t.shape, dtype=g.dtype)
            gs[tuple(slice(0, n) for n in idx.shape)] = g[where]
            grads.append(gs)
        return tuple(grads)

    return Tensor._make(out, parents, backward)


def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    return scatter(input, dim, index, src, reduce="add")


_REDUCERS = {
    "sum": np.add,
    "prod": np.multiply,
    "mean": np.add,
    "amax": np.maximum,
    "amin": np.minimum,
}


def scatter_reduce(
    input: Tensor, dim: int, index: Any, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """Reduce `src` into x at `index` along `dim` with sum/prod/mean/amax/amin (torch's rules:
    `include_self=False` leaves x's own value out wherever something is scattered)."""
    if reduce not in _REDUCERS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    x = input.data
    d = _norm_dim(dim, x.ndim)
    idx = _index(index)
    _check_index(x, idx, d, "scatter_reduce")
    s, _ = _src_array(src, idx, x.dtype)
    where = _region(x.shape, idx, d)
    ufunc = _REDUCERS[reduce]
    out = x.copy()
    hit = backend.array_module(x).zeros(x.shape, dtype=bool)
    hit[where] = True
    if not include_self:
        identity: Any = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
        if identity is None:
            identity = -np.inf if reduce == "amax" else np.inf
            if x.dtype.kind in "iu":
                info = np.iinfo(x.dtype)
                identity = info.min if reduce == "amax" else info.max
        out[hit] = identity
    ufunc.at(out, where, s)
    if reduce == "mean":
        count = backend.array_module(x).zeros(x.shape, dtype=np.int64)
        backend.add_at(count, where, 1)
        count += 1 if include_self else 0
        safe = np.maximum(count, 1)
        if x.dtype.kind == "f":
            out = np.where(hit, out / safe, out).astype(x.dtype)
        else:
            out = np.where(hit, np.floor_divide(out, safe), out).astype(x.dtype)

    def backward(g: np.ndarray) -> Grads:
        raise RuntimeError("the gradient of scatter_reduce is not supported by mltutorial.engine")

    return Tensor._make(out, (input,), backward)


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    d = _norm_dim(dim, input.ndim)
    return input[(slice(None),) * d + (_index(index),)]


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The entries where `mask` (broadcast) is True, as a 1-D tensor."""
    m = to_array(mask).astype(bool)
    shape = np.broadcast_shapes(input.shape, m.shape)
    x = input.expand(*shape) if input.shape != shape else input
    return x[np.broadcast_to(m, shape)]


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the non-zero entries: (count, ndim) int64, or one index tensor per dim."""
    idx = np.nonzero(input.data)
    if as_tuple:
        return tuple(Tensor(i.astype(np.int64)) for i in idx)
    return Tensor(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


def _order(x: np.ndarray, d: int, descending: bool) -> np.ndarray:
    """Stable argsort along d; descending keeps equal entries in their original order."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    n = x.shape[d]
    rev = np.flip(x, d)
    order = np.argsort(rev, axis=d, kind="stable")
    return np.flip(n - 1 - order, d)


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> ValuesIndices:
    """Sorted values and their indices (stable, so ties keep their order)."""
    if input.ndim == 0:
        return ValuesIndices(input.clone(), Tensor(np.asarray(0)))
    d = _norm_dim(dim, input.ndim)
    order = _order(input.data, d, descending)
    return ValuesIndices(gather(input, d, order), Tensor(order))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    return sort(input, dim, descending, stable=stable).indices


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> ValuesIndices:
    """The k largest (or smallest) entries along `dim` and their indices, sorted."""
    d = _norm_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k = {k}, size {n})")
    if input.ndim == 0:
        return ValuesIndices(input.clone(), Tensor(np.asarray(0)))
    order = _order(input.data, d, descending=largest)
    picked = np.take(order, np.arange(k), axis=d)
    return ValuesIndices(gather(input, d, picked), Tensor(picked))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    d = _norm_dim(dim, input.ndim)
    order = _order(input.data, d, descending=False)
    picked = np.take(order, [k - 1], axis=d)
    values, indices = gather(input, d, picked), Tensor(picked)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return ValuesIndices(values, indices)


# ---------------------------------------------------------------------- Tensor methods
Tensor.__getitem__ = getitem
Tensor.gather = gather
Tensor.take_along_dim = take_along_dim
Tensor.scatter = scatter
Tensor.scatter_add = scatter_add
Tensor.scatter_reduce = scatter_reduce
Tensor.index_select = index_select
Tensor.masked_select = masked_select
Tensor.nonzero = nonzero
Tensor.argwhere = argwhere
Tensor.sort = sort
Tensor.argsort = argsort
Tensor.topk = topk
Tensor.kthvalue = kthvalue
