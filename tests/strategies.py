"""Hypothesis strategies shared by the tests: tensor shapes, broadcast-compatible shape pairs,
reduction dims and permutations. Shapes stay small so that float64 finite differences are cheap."""

from __future__ import annotations

from hypothesis import strategies as st

small_dim = st.integers(min_value=1, max_value=4)


@st.composite
def shapes(draw, min_dims: int = 1, max_dims: int = 3, max_side: int = 4) -> tuple[int, ...]:
    """A tensor shape of `min_dims..max_dims` dimensions, each side 1..max_side."""
    n = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.integers(1, max_side)) for _ in range(n))


@st.composite
def broadcastable_pairs(draw, max_dims: int = 3) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that broadcast together: from a full shape, drop leading dims and set sides to 1."""
    full = draw(shapes(1, max_dims))
    pair = []
    for _ in range(2):
        keep = draw(st.integers(0, len(full)))
        tail = full[len(full) - keep :]
        pair.append(tuple(1 if draw(st.booleans()) else n for n in tail))
    return pair[0], pair[1]


@st.composite
def shape_and_dim(draw, min_dims: int = 1, max_dims: int = 3) -> tuple[tuple[int, ...], int]:
    """A shape and a valid (possibly negative) dimension index into it."""
    shape = draw(shapes(min_dims, max_dims))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return shape, dim


@st.composite
def shape_and_permutation(
    draw, min_dims: int = 2, max_dims: int = 4
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    shape = draw(shapes(min_dims, max_dims))
    perm = draw(st.permutations(range(len(shape))))
    return shape, tuple(perm)


@st.composite
def matmul_shapes(draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shapes (..., n, k) and (..., k, m) with broadcastable batch dims (0-2 of them)."""
    n, k, m = draw(small_dim), draw(small_dim), draw(small_dim)
    batch_a, batch_b = draw(broadcastable_pairs(max_dims=2)) if draw(st.booleans()) else ((), ())
    return (*batch_a, n, k), (*batch_b, k, m)
