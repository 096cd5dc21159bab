"""Elementwise ops of engine/pointwise.py and F's activations, forward and backward against torch
(float32) and finite differences (float64), with hypothesis shapes; integer and bitwise ops exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from oracle import check_op

import mltutorial.engine.nn.functional as F
from mltutorial import engine
from strategies import broadcastable_pairs, shapes

FAST = settings(max_examples=8, deadline=None)

# name: (op written once for both libraries, inputs kept in (0.2, 2) when True)
UNARY = {
    "tan": (lambda a: a.tan(), False),
    "asin": (lambda a: (a * 0.4).asin(), False),
    "acos": (lambda a: (a * 0.4).acos(), False),
    "atan": (lambda a: a.atan(), False),
    "sinh": (lambda a: a.sinh(), False),
    "cosh": (lambda a: a.cosh(), False),
    "asinh": (lambda a: a.asinh(), False),
    "acosh": (lambda a: (a + 1.5).acosh(), True),
    "atanh": (lambda a: (a * 0.4).atanh(), False),
    "rsqrt": (lambda a: a.rsqrt(), True),
    "log2": (lambda a: a.log2(), True),
    "log10": (lambda a: a.log10(), True),
    "exp2": (lambda a: a.exp2(), False),
    "expm1": (lambda a: a.expm1(), False),
    "log1p": (lambda a: a.log1p(), True),
    "erf": (lambda a: a.erf(), False),
    "lerp": (lambda a: a.lerp(a * a, 0.3), False),
}

ACTIVATIONS = {
    "elu": (F.elu, TF.elu),
    "celu": (lambda x: F.celu(x, 2.0), lambda x: TF.celu(x, 2.0)),
    "selu": (F.selu, TF.selu),
    "softplus": (lambda x: F.softplus(x, beta=3), lambda x: TF.softplus(x, beta=3)),
    "hardtanh": (lambda x: F.hardtanh(x, -1.5, 1.5), lambda x: TF.hardtanh(x, -1.5, 1.5)),
    "softsign": (F.softsign, TF.softsign),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "mish": (F.mish, TF.mish),
    "normalize": (lambda x: F.normalize(x, dim=-1), lambda x: TF.normalize(x, dim=-1)),
}

BINARY = {
    "copysign": (lambda a, b: a.copysign(b), lambda a, b: a.copysign(b)),
    "logaddexp": (lambda a, b: a.logaddexp(b), lambda a, b: a.logaddexp(b)),
    "maximum": (engine.maximum, torch.maximum),
    "minimum": (engine.minimum, torch.minimum),
    "fmod": (lambda a, b: a.fmod(b.abs() + 0.5), lambda a, b: a.fmod(b.abs() + 0.5)),
    "remainder": (lambda a, b: a % (b.abs() + 0.5), lambda a, b: a % (b.abs() + 0.5)),
}


def _away_from_kinks(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Inputs in +-(0.1, 2): finite differences are undefined at the kinks of piecewise ops."""
    rng = np.random.default_rng(seed)
    return np.asarray(rng.uniform(0.1, 2.0, shape) * rng.choice([-1, 1], shape))


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=shapes())
@FAST
def test_unary(name: str, shape: tuple[int, ...]) -> None:
    fn, positive = UNARY[name]
    check_op([shape], fn, positive=positive, rtol=2e-4)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(shape=shapes())
@FAST
def test_activations(name: str, shape: tuple[int, ...]) -> None:
    ours, theirs = ACTIVATIONS[name]
    check_op([], ours, theirs, arrays=[_away_from_kinks(shape)])


@pytest.mark.parametrize("name", sorted(BINARY))
@given(pair=broadcastable_pairs())
@FAST
def test_binary(name: str, pair: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    ours, theirs = BINARY[name]
    arrays = [_away_from_kinks(pair[0], 1), _away_from_kinks(pair[1], 2) * 1.37]
    check_op([], ours, theirs, arrays=arrays)


ROUNDING = ["floor", "ceil", "trunc", "round", "sign"]


@pytest.mark.parametrize("name", ROUNDING)
def test_rounding_values_and_zero_gradient(name: str) -> None:
    vals = np.array([1.499, 1.5, 2.5, -2.5, -2.501, 0.0, -5.0, 1e12], dtype=np.float32)
    x, t = engine.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
    out, ref = getattr(x, name)(), getattr(t, name)()
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


INT_A = np.array([-4, 7, 5, 4, -7, 8, -9, 0, 110, -111], dtype=np.int32)
INT_B = np.array([2, -3, 8, -2, 3, 5, -5, 7, 55, -55], dtype=np.int32)
EXACT = {
    "div_trunc": lambda a, b: a.div(b, rounding_mode="trunc"),
    "div_floor": lambda a, b: a.div(b, rounding_mode="floor"),
    "floordiv": lambda a, b: a // b,
    "floordiv_scalar": lambda a, b: a // 3,
    "mod": lambda a, b: a % b,
    "rmod_float": lambda a, b: 100.5 % b,
    "mod_float_scalar": lambda a, b: a % 3.5,
    "fmod": lambda a, b: a.fmod(b),
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | 0x1337,
    "xor": lambda a, b: 0x1337 ^ b,
    "not": lambda a, b: ~a,
    "lshift": lambda a, b: a << 3,
    "rshift": lambda a, b: a >> 2,
    "bool_and": lambda a, b: (a > 0) & (b > 0),
    "isclose": lambda a, b: a.float().isclose(b.float() * 1.0000001),
    "maximum_mixed": lambda a, b: torch_or_engine(a).maximum(a, b.float() * 0.5),
}


def torch_or_engine(a):  # the module a tensor belongs to
    return torch if isinstance(a, torch.Tensor) else engine


@pytest.mark.parametrize("name", sorted(EXACT))
def test_integer_and_bitwise_ops_are_exactly_torchs(name: str) -> None:
    fn = EXACT[name]
    ours = fn(engine.tensor(INT_A), engine.tensor(INT_B))
    theirs = fn(torch.tensor(INT_A), torch.tensor(INT_B))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), name
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_float_division_rounding_modes() -> None:
    a = np.array([5.0, 6, 7, 0, -5, -6, -7], dtype=np.float32)
    for mode in ("trunc", "floor"):
        for d in (-3.0, 2.0, 10.0):
            ours = engine.tensor(a).div(d, rounding_mode=mode)
            np.testing.assert_array_equal(
                ours.data, torch.tensor(a).div(d, rounding_mode=mode).numpy()
            )
    with pytest.raises(RuntimeError, match="rounding_mode"):
        engine.tensor(a).div(2, rounding_mode="typo")


def test_relu_special_values_match_torch():
    """NaN stays NaN, -0.0 stays -0.0 (as torch's), infinities clip; integers too."""
    x = np.array([np.nan, -0.0, 0.0, -1.5, 2.0, np.inf, -np.inf], np.float32)
    ours = engine.relu(engine.tensor(x)).data
    ref = torch.relu(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(ours, ref)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(ref))
    assert ours.dtype == np.float32
    xi = np.array([-3, 0, 4], np.int64)
    np.testing.assert_array_equal(engine.relu(engine.tensor(xi)).data, [0, 0, 4])
