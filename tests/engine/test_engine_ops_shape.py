"""Shape ops of engine/shape.py (flip, roll, diagonal, unfold, repeat_interleave, pad, meshgrid),
einsum, and F's conv1d, conv_transpose2d and interpolate, against torch and finite differences."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import check_op

import mltutorial.engine.nn.functional as F
from mltutorial import engine
from strategies import shapes

FAST = settings(max_examples=8, deadline=None)

SHAPE_OPS = {
    "flip": lambda x: x.flip((0, -1)),
    "roll": lambda x: x.roll(shifts=(1, -2), dims=(0, -1)),
    "roll_flat": lambda x: x.roll(3),
    "diagonal": lambda x: x.diagonal(offset=1, dim1=0, dim2=-1),
    "unfold": lambda x: x.unfold(-1, 2, 1),
    "repeat_interleave": lambda x: x.repeat_interleave(2, 0),
    "unflatten": lambda x: x.flatten().unflatten(0, (1, -1)),
}

PADS = [
    ((1, 2), "constant"),
    ((-1, 2, 1, 0), "constant"),
    ((1, 1, 2, 0), "reflect"),
    ((2, 3, 1, 1), "replicate"),
    ((1, 2, 2, 1), "circular"),
]

EINSUM = ["ij,jk->ik", "ij->ji", "ii->i", "ij->", "bij,bjk->bik", "i,j->ij", "...ij,...jk"]


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
@given(shape=shapes(min_dims=2, max_dims=3, max_side=4).filter(lambda s: s[-1] >= 2))
@FAST
def test_shape_ops(name: str, shape: tuple[int, ...]) -> None:
    check_op([shape], SHAPE_OPS[name])


@pytest.mark.parametrize("pad, mode", PADS)
def test_pad(pad: tuple[int, ...], mode: str) -> None:
    check_op(
        [(2, 3, 4, 5)],
        lambda x: F.pad(x, pad, mode=mode),
        lambda x: TF.pad(x, pad, mode=mode),
    )


@pytest.mark.parametrize("equation", EINSUM)
def test_einsum(equation: str) -> None:
    operands = {
        "ij,jk->ik": [(3, 4), (4, 2)],
        "ij->ji": [(3, 4)],
        "ii->i": [(3, 3)],
        "ij->": [(3, 4)],
        "bij,bjk->bik": [(2, 3, 4), (2, 4, 2)],
        "i,j->ij": [(3,), (4,)],
        "...ij,...jk": [(2, 3, 4), (2, 4, 2)],
    }[equation]
    check_op(
        operands,
        lambda *xs: engine.einsum(equation, *xs),
        lambda *xs: torch.einsum(equation, *xs),
    )


def test_meshgrid_both_indexings() -> None:
    def grids(lib, indexing):
        return lambda a, b, c: sum(
            g * (k + 1.0) for k, g in enumerate(lib.meshgrid(a, b, c, indexing=indexing))
        )

    for indexing in ("ij", "xy"):
        check_op([(3,), (4,), (2,)], grids(engine, indexing), grids(torch, indexing))


@given(stride=st.integers(1, 2), padding=st.integers(0, 1), groups=st.sampled_from([1, 2]))
@FAST
def test_conv1d_and_conv_transpose2d(stride: int, padding: int, groups: int) -> None:
    check_op(
        [(2, 4, 7), (6, 4 // groups, 3), (6,)],
        lambda x, w, b: F.conv1d(x, w, b, stride, padding, 1, groups),
        lambda x, w, b: TF.conv1d(x, w, b, stride, padding, 1, groups),
    )
    check_op(
        [(2, 4, 4, 5), (4, 6 // groups, 3, 3), (6,)],
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride, padding, stride - 1, groups),
        lambda x, w, b: TF.conv_transpose2d(x, w, b, stride, padding, stride - 1, groups),
    )


@pytest.mark.parametrize(
    "mode, size, align",
    [
        ("nearest", (5, 7), None),
        ("nearest-exact", (3, 9), None),
        ("bilinear", (5, 7), False),
        ("bilinear", (3, 9), True),
    ],
)
def test_interpolate(mode: str, size: tuple[int, int], align: bool | None) -> None:
    check_op(
        [(2, 3, 4, 6)],
        lambda x: F.interpolate(x, size=size, mode=mode, align_corners=align),
        lambda x: TF.interpolate(x, size=size, mode=mode, align_corners=align),
    )
