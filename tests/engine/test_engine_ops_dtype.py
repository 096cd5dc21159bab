"""PyTorch's dtype promotion and the edge cases where a silently different number is worst.

Integer and boolean results are compared with torch exactly (values and dtype); the float edge
cases (0 ** x, x ** 0, powers at 0) compare values, NaN/inf placement and gradients.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from oracle import check_op

import mltutorial.engine.nn.functional as F
from mltutorial import engine

INTS = np.array([3, 2, 1, -4, 7], dtype=np.int32)
EXPS = np.array([-1, 0, 2, 3, 1], dtype=np.int32)
FLOATS = np.array([0.0, 1.0, -1.0, 2.0, 0.5], dtype=np.float32)
POWERS = np.array([0.0, 2.0, 3.0, -1.0, 0.0], dtype=np.float32)

MIXED = {
    "int / int": (lambda a, b: a / b, INTS, EXPS + 5),
    "int / python int": (lambda a, b: a / 2, INTS, EXPS),
    "float ** int tensor": (lambda a, b: 0.7**a, INTS, EXPS),
    "int ** int": (lambda a, b: a**b, INTS, EXPS),
    "int ** float": (lambda a, b: a**2.0, INTS, EXPS),
    "int + bool": (lambda a, b: a + True, INTS, EXPS),
    "int * python float": (lambda a, b: a * 1.5, INTS, EXPS),
    "int32 + int64": (lambda a, b: a + b.long(), INTS, EXPS),
    "bool + bool": (lambda a, b: (a > 0) + (b > 0), INTS, EXPS),
    "bool + int": (lambda a, b: (a > 0) + 1, INTS, EXPS),
    "int + float64 0-d": (lambda a, b: a + b[0].double(), INTS, EXPS),
    "half + float64 0-d": (lambda a, b: a.half() + b[0].double(), INTS, EXPS),
    "int + half": (lambda a, b: a + b.half(), INTS, EXPS),
    "argmin int32": (lambda a, b: a.argmin(), INTS, EXPS),
    "where int, float scalar": (lambda a, b: _lib(a).where(a > 0, a, 0.5), INTS, EXPS),
    "where two scalars": (lambda a, b: _lib(a).where(a > 0, 4, 2), INTS, EXPS),
    "where int, half": (lambda a, b: _lib(a).where(a > 0, a, b.half()), INTS, EXPS),
    "argmin int32 dim": (lambda a, b: a.argmin(0, keepdim=True), INTS, EXPS),
}


def _lib(t):  # the library a tensor belongs to
    return torch if isinstance(t, torch.Tensor) else engine


def _pair(fn, a, b):
    ours = fn(engine.tensor(a), engine.tensor(b))
    theirs = fn(torch.tensor(a), torch.tensor(b))
    return ours, theirs


@pytest.mark.parametrize("name", sorted(MIXED))
def test_mixed_dtypes_follow_torch_promotion(name: str) -> None:
    fn, a, b = MIXED[name]
    ours, theirs = _pair(fn, a, b)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), name
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


POW_EDGES = {
    "0 ** x": lambda x, y: 0**x,
    "(-2) ** x": lambda x, y: (-2) ** x,
    "x ** 0": lambda x, y: x**0,
    "x ** 0.5": lambda x, y: x**0.5,
    "x ** y": lambda x, y: x**y,
    "2 ** x": lambda x, y: 2**x,
}


@pytest.mark.parametrize("name", sorted(POW_EDGES))
def test_power_edge_cases_match_torch_with_gradients(name: str) -> None:
    fn = POW_EDGES[name]
    ex, ey = (engine.tensor(a, requires_grad=True) for a in (FLOATS, POWERS))
    tx, ty = (torch.tensor(a, requires_grad=True) for a in (FLOATS, POWERS))
    ours, theirs = fn(ex, ey), fn(tx, ty)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6)
    ours.sum().backward()
    theirs.sum().backward()
    for e, t in ((ex, tx), (ey, ty)):
        if t.grad is None:
            assert e.grad is None
        else:
            np.testing.assert_allclose(e.grad.data, t.grad.numpy(), rtol=1e-6)


def _soft_targets(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(3).uniform(0, 1, shape)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets_smoothing_and_target_gradient(
    reduction: str, smoothing: float
) -> None:
    check_op(
        [(4, 5, 3), (4, 5, 3)],
        lambda x, p: F.cross_entropy(x, p, label_smoothing=smoothing, reduction=reduction),
        lambda x, p: TF.cross_entropy(x, p, label_smoothing=smoothing, reduction=reduction),
        arrays=[np.random.default_rng(1).uniform(-2, 2, (4, 5, 3)), _soft_targets((4, 5, 3))],
    )


def test_nll_loss_weight_none_keeps_the_target_shape() -> None:
    target = np.random.default_rng(0).integers(0, 3, (4, 2, 2))
    weight = np.array([0.2, 1.0, 0.7])
    check_op(
        [(4, 3, 2, 2)],
        lambda x: F.nll_loss(
            x, engine.tensor(target), engine.tensor(weight).float(), reduction="none"
        ),
        lambda x: TF.nll_loss(
            x, torch.tensor(target), torch.tensor(weight).float(), reduction="none"
        ),
    )


def test_bce_losses_give_the_target_its_gradient() -> None:
    rng = np.random.default_rng(2)
    p, y, x = rng.uniform(0.05, 0.95, (3, 4)), rng.uniform(0, 1, (3, 4)), rng.uniform(-2, 2, (3, 4))
    check_op([], lambda a, b: F.binary_cross_entropy(a, b), TF.binary_cross_entropy, arrays=[p, y])
    check_op(
        [],
        lambda a, b: F.binary_cross_entropy_with_logits(a, b),
        TF.binary_cross_entropy_with_logits,
        arrays=[x, y],
    )


def test_sdpa_float_mask_gets_a_gradient() -> None:
    check_op(
        [(2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5)],
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m),
    )


def test_grad_fn_names_the_op_as_torch_does() -> None:
    x = engine.randn(2, 3, requires_grad=True)
    t = torch.randn(2, 3, requires_grad=True)
    for op in (
        lambda a: a * 2,
        lambda a: a + a,
        lambda a: a / 3,
        lambda a: a**2,
        lambda a: a.exp(),
        lambda a: a.sum(),
        lambda a: a.relu(),
        lambda a: a.reshape(6),
        lambda a: a.softmax(1),
    ):
        assert op(x).grad_fn.name() == op(t).grad_fn.name()
    assert repr(x * 2).endswith("grad_fn=<MulBackward0>)")
    assert engine.randn(2).grad_fn is None


@pytest.mark.parametrize(
    "alias", ["float", "double", "half", "int", "short", "long", "bool", "uint8", "int8", "int16"]
)
def test_dtype_aliases_are_torchs(alias: str) -> None:
    ours = engine.zeros(2, dtype=getattr(engine, alias))
    assert str(ours.dtype) == str(getattr(torch, alias)).removeprefix("torch.")


SMALL = {
    "uint8 + uint8 wraps": (lambda a, b: a + b, np.uint8),
    "int8 * int8 wraps": (lambda a, b: a * b, np.int8),
    "uint8 + int8": (lambda a, b: a + b.to(_lib(b).int8), np.uint8),
    "uint8 / uint8": (lambda a, b: a / (b + 1), np.uint8),
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_small_integer_types_exactly(name: str) -> None:
    fn, dt = SMALL[name]
    a = np.array([250, 7, 100, 3]).astype(dt)  # 250 is -6 in int8
    b = np.array([10, 120, 100, 1]).astype(dt)
    ours, theirs = _pair(fn, a, b)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), name
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


def test_unsupported_is_named_never_a_different_number() -> None:
    with pytest.raises(NotImplementedError, match=r"not supported by mltutorial\.engine"):
        F.interpolate(engine.zeros(1, 1, 4, 4, dtype=engine.uint8), size=(2, 2), mode="bilinear")
    with pytest.raises(RuntimeError, match=r"not supported by mltutorial\.engine"):
        x = engine.randn(3, requires_grad=True)
        x.scatter_reduce(0, engine.tensor([0, 0, 1]), engine.randn(3), "amax").sum().backward()
    with pytest.raises(RuntimeError, match="floating point"):
        engine.randint(0, 5, (3,), requires_grad=True)
