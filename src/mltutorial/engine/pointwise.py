"""Elementwise ops beyond `+ - * / **` (which live on `Tensor`): trigonometry, rounding, integer
division and remainder, bitwise ops, tests (isnan, isclose) and two-input math (copysign, lerp).

Each primitive computes its output and defines its local derivative right under it; composites
(`tan`, `lerp`, `logaddexp`) are built from primitives. Mixed dtypes go through the one promotion
rule, `Tensor._promoted` (`dtypes.result_type`). Every function is also a `Tensor` method, as in
PyTorch (`torch.floor(x)` and `x.floor()`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import backend
from . import ops as _ops
from .autograd import Grads, unbroadcast
from .dtypes import category, floating, result_type
from .tensor import Scalar, Tensor, to_array


def _tensor(x: Any, like: Tensor | None = None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return Tensor(to_array(x, like.dtype if like is not None and like.dtype.kind == "f" else None))


def _unary(
    x: Tensor, f: Callable[[np.ndarray], np.ndarray], df: Callable[[np.ndarray, np.ndarray], Any]
) -> Tensor:
    """y = f(x) on x (made floating), with dy/dx = df(x, y)."""
    x = x.to(floating(x.dtype))
    a = x.data
    with np.errstate(all="ignore"):
        y = backend.asarray(f(a)).astype(a.dtype, copy=False)

    def backward(g: np.ndarray) -> Grads:
        with np.errstate(all="ignore"):
            return ((g * df(a, y)).astype(a.dtype, copy=False),)

    return Tensor._make(y, (x,), backward)


# ---------------------------------------------------------------------- the classics
def exp(input: Tensor) -> Tensor:
    y = np.exp(input.data)
    return Tensor._make(y, (input,), lambda g: (g * y,))


def log(input: Tensor) -> Tensor:
    x = input.data
    return Tensor._make(np.log(x), (input,), lambda g: (g / x,))


def sqrt(input: Tensor) -> Tensor:
    y = np.sqrt(input.data)
    return Tensor._make(y, (input,), lambda g: (g / (2 * y),))


def tanh(input: Tensor) -> Tensor:
    y = np.tanh(input.data)
    return Tensor._make(y, (input,), lambda g: (g * (1 - y * y),))


def sigmoid(input: Tensor) -> Tensor:
    x = input.data
    # 1/(1+e^-x) written so that it never overflows: e^x/(1+e^x) for x < 0
    e = np.exp(-np.abs(x))
    y = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return Tensor._make(y, (input,), lambda g: (g * y * (1 - y),))


def relu(input: Tensor) -> Tensor:
    x = input.data
    if x.dtype.kind == "f":  # NumPy's clip to [0, inf] is vectorised, maximum with a scalar is not
        y = np.clip(x, x.dtype.type(0), x.dtype.type(np.inf))
    else:
        y = np.maximum(x, 0)
    return Tensor._make(y, (input,), lambda g: (g * (x > 0),))


def abs(input: Tensor) -> Tensor:
    x = input.data
    return Tensor._make(np.abs(x), (input,), lambda g: (g * np.sign(x),))


def sin(input: Tensor) -> Tensor:
    x = input.data
    return Tensor._make(np.sin(x), (input,), lambda g: (g * np.cos(x),))


def cos(input: Tensor) -> Tensor:
    x = input.data
    return Tensor._make(np.cos(x), (input,), lambda g: (-g * np.sin(x),))


def clamp(input: Tensor, min: Scalar | None = None, max: Scalar | None = None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = input.data
    y = np.clip(x, min, max)

    def backward(g: np.ndarray) -> Grads:
        keep = backend.array_module(x).ones(x.shape, dtype=bool)
        if min is not None:
            keep &= x >= min
        if max is not None:
            keep &= x <= max
        return (g * keep,)

    return Tensor._make(y, (input,), backward)


clip = clamp


def softmax(input: Tensor, dim: int) -> Tensor:
    return _ops.softmax(input, dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    return _ops.log_softmax(input, dim)


def masked_fill(input: Tensor, mask: Any, value: Scalar) -> Tensor:
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    xp = backend.array_module(input.data)
    m = backend.like(m, input.data)  # a host mask meets a tensor on the GPU
    return _ops.where(Tensor(m), Tensor(xp.asarray(value, dtype=input.dtype)), input)


# ---------------------------------------------------------------------- trigonometry, exp, log
def tan(input: Tensor) -> Tensor:
    """d tan x = 1 + tan^2 x."""
    return _unary(input, np.tan, lambda x, y: 1 + y * y)


def asin(input: Tensor) -> Tensor:
    return _unary(input, np.arcsin, lambda x, y: 1 / np.sqrt(1 - x * x))


def acos(input: Tensor) -> Tensor:
    return _unary(input, np.arccos, lambda x, y: -1 / np.sqrt(1 - x * x))


def atan(input: Tensor) -> Tensor:
    return _unary(input, np.arctan, lambda x, y: 1 / (1 + x * x))


def sinh(input: Tensor) -> Tensor:
    return _unary(input, np.sinh, lambda x, y: np.cosh(x))


def cosh(input: Tensor) -> Tensor:
    return _unary(input, np.cosh, lambda x, y: np.sinh(x))


def asinh(input: Tensor) -> Tensor:
    return _unary(input, np.arcsinh, lambda x, y: 1 / np.sqrt(x * x + 1))


def acosh(input: Tensor) -> Tensor:
    return _unary(input, np.arccosh, lambda x, y: 1 / np.sqrt(x * x - 1))


def atanh(input: Tensor) -> Tensor:
    return _unary(input, np.arctanh, lambda x, y: 1 / (1 - x * x))


def rsqrt(input: Tensor) -> Tensor:
    """1 / sqrt(x); d = -y^3 / 2."""
    return _unary(input, lambda x: 1 / np.sqrt(x), lambda x, y: -0.5 * y * y * y)


def log2(input: Tensor) -> Tensor:
    return _unary(input, np.log2, lambda x, y: 1 / (x * np.log(2.0)))


def log10(input: Tensor) -> Tensor:
    return _unary(input, np.log10, lambda x, y: 1 / (x * np.log(10.0)))


def exp2(input: Tensor) -> Tensor:
    return _unary(input, np.exp2, lambda x, y: y * np.log(2.0))


def expm1(input: Tensor) -> Tensor:
    return _unary(input, np.expm1, lambda x, y: y + 1)


def log1p(input: Tensor) -> Tensor:
    return _unary(input, np.log1p, lambda x, y: 1 / (1 + x))


def erf(input: Tensor) -> Tensor:
    """erf(x), d = 2 / sqrt(pi) exp(-x^2)."""
    from scipy.special import erf as _erf

    return _unary(input, _erf, lambda x, y: 2 / np.sqrt(np.pi) * np.exp(-x * x))


# ---------------------------------------------------------------------- sign and rounding
def _zero_grad(x: Tensor, y: np.ndarray) -> Tensor:
    """Piecewise-constant ops: the gradient is 0 almost everywhere (as PyTorch)."""
    return Tensor._make(y, (x,), lambda g: (np.zeros_like(g),))


def sign(input: Tensor) -> Tensor:
    return _zero_grad(input, np.sign(input.data))


def _rounding(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[Tensor], Tensor]:
    def op(input: Tensor) -> Tensor:
        if input.dtype.kind != "f":  # integers are already whole numbers
            return input.clone()
        return _zero_grad(input, fn(input.data))

    return op


floor = _rounding(np.floor)
ceil = _rounding(np.ceil)
trunc = _rounding(np.trunc)
round = _rounding(np.round)
fix = trunc


def isnan(input: Tensor) -> Tensor:
    return Tensor(np.isnan(input.data))


def isinf(input: Tensor) -> Tensor:
    return Tensor(np.isinf(input.data))


def isfinite(input: Tensor) -> Tensor:
    return Tensor(np.isfinite(input.data))


def logical_not(input: Tensor) -> Tensor:
    return Tensor(np.logical_not(input.data))


def logical_and(input: Tensor, other: Any) -> Tensor:
    return Tensor(np.logical_and(input.data, to_array(other)))


def logical_or(input: Tensor, other: Any) -> Tensor:
    return Tensor(np.logical_or(input.data, to_array(other)))


def isclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """|a - b| <= atol + rtol |b|, and inf == inf of the same sign (torch.isclose)."""
    a, b = input.data, to_array(other)
    dt = result_type(a, b)
    with np.errstate(all="ignore"):
        out = np.isclose(a.astype(dt), b.astype(dt), rtol=rtol, atol=atol, equal_nan=equal_nan)
    return Tensor(backend.asarray(out))


def allclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan).data.all())


# ---------------------------------------------------------------------- two inputs
def _pair(input: Any, other: Any, floating_result: bool = False) -> tuple[Tensor, Tensor]:
    x = _tensor(input, other if isinstance(other, Tensor) else None)
    x, o = x._promoted(other, floating_result)
    return x, _tensor(o, x).to(x.dtype)


def _binary(
    input: Any,
    other: Any,
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    da: Callable[[np.ndarray, np.ndarray, np.ndarray], Any] | None,
    db: Callable[[np.ndarray, np.ndarray, np.ndarray], Any] | None,
    floating_result: bool = False,
) -> Tensor:
    """out = f(a, b) with broadcasting; da/db(a, b, out) are the local derivatives (None: 0)."""
    x, o = _pair(input, other, floating_result)
    a, b = x.data, o.data
    with np.errstate(all="ignore"):
        out = backend.asarray(f(a, b))

    def backward(g: np.ndarray) -> Grads:
        with np.errstate(all="ignore"):
            ga = (
                None
                if da is None or not x.requires_grad
                else unbroadcast(g * da(a, b, out), a.shape)
            )
            gb = (
                None
                if db is None or not o.requires_grad
                else unbroadcast(g * db(a, b, out), b.shape)
            )
        return ga, gb

    return Tensor._make(out, (x, o), backward)


def maximum(input: Tensor, other: Any) -> Tensor:
    """Elementwise max; where equal, the gradient is split half and half (as PyTorch does)."""
    return _binary(
        input,
        other,
        np.maximum,
        lambda a, b, y: (a > b) + 0.5 * (a == b),
        lambda a, b, y: (b > a) + 0.5 * (a == b),
    )


def minimum(input: Tensor, other: Any) -> Tensor:
    return _binary(
        input,
        other,
        np.minimum,
        lambda a, b, y: (a < b) + 0.5 * (a == b),
        lambda a, b, y: (b < a) + 0.5 * (a == b),
    )


def copysign(input: Tensor, other: Any) -> Tensor:
    """|a| with the sign of b; d/da = sign(a) sign(b) (0 at a = 0, as PyTorch), d/db = 0."""

    def da(a: np.ndarray, b: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.where(a == 0, 0.0, np.sign(a) * np.where(np.signbit(b), -1.0, 1.0))

    return _binary(input, other, np.copysign, da, lambda a, b, y: 0.0, floating_result=True)


def logaddexp(input: Tensor, other: Any) -> Tensor:
    """log(e^a + e^b), computed stably; d/da = e^(a - out)."""
    return _binary(
        input,
        other,
        np.logaddexp,
        lambda a, b, y: np.exp(a - y),
        lambda a, b, y: np.exp(b - y),
        floating_result=True,
    )


def lerp(input: Tensor, end: Any, weight: Any) -> Tensor:
    """input + weight * (end - input)."""
    return input + weight * (end - input)


def fmod(input: Tensor, other: Any) -> Tensor:
    """C's remainder (sign of the dividend); d/da = 1, d/db = -trunc(a / b)."""
    return _binary(input, other, np.fmod, lambda a, b, y: 1.0, lambda a, b, y: -np.trunc(a / b))


def remainder(input: Any, other: Any) -> Tensor:
    """Python's `%` (sign of the divisor), as `torch.remainder`; d/db = -floor(a / b)."""
    return _binary(
        input, other, np.remainder, lambda a, b, y: 1.0, lambda a, b, y: -np.floor(a / b)
    )


def _int_divide(a: np.ndarray, b: np.ndarray, mode: str) -> np.ndarray:
    if a.dtype.kind in "iu" and not (b != 0).all():
        raise RuntimeError("ZeroDivisionError: integer division by zero")
    if mode == "floor":
        return np.floor_divide(a, b)
    if a.dtype.kind in "iu":  # truncate toward zero without going through floats
        q = np.floor_divide(a, b)
        return q + ((q < 0) & (q * b != a))
    return np.trunc(a / b)


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """`torch.div`: true division, or rounded toward zero ('trunc') or down ('floor').

    Rounded division keeps integer dtypes and has zero gradient, as in PyTorch."""
    if rounding_mode is None:
        return _tensor(input, other if isinstance(other, Tensor) else None) / other
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    x, o = _pair(input, other)
    with np.errstate(all="ignore"):
        out = _int_divide(x.data, o.data, rounding_mode)
    return Tensor._make(backend.asarray(out), (x, o), lambda g: (None, None))


def floor_divide(input: Any, other: Any) -> Tensor:
    return div(input, other, rounding_mode="floor")


# ---------------------------------------------------------------------- bitwise (no gradient)
def _bitwise(f: Callable[[np.ndarray, np.ndarray], np.ndarray], name: str) -> Callable[..., Tensor]:
    def op(input: Any, other: Any) -> Tensor:
        a = to_array(input)
        b = to_array(other) if isinstance(other, Tensor) else other
        dt = result_type(a, b if isinstance(b, np.ndarray) else other)
        if category(dt) == 2:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for '{dt}' (integer or bool only)")
        return Tensor(
            backend.asarray(f(a.astype(dt), b.astype(dt) if isinstance(b, np.ndarray) else b))
        )

    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def _shift(left: bool) -> Callable[..., Tensor]:
    def op(input: Any, other: Any) -> Tensor:
        a = to_array(input)
        b = to_array(other) if isinstance(other, Tensor) else np.asarray(other, dtype=a.dtype)
        if a.dtype.kind not in "iu":
            raise RuntimeError("bit shifts are only for integer tensors")
        if left:  # wraps around as C's << on two's complement integers, like PyTorch
            out = (a.astype(np.uint64) << b.astype(np.uint64)).astype(a.dtype)
        else:
            out = a >> b.astype(a.dtype)
        return Tensor(backend.asarray(out))

    return op


bitwise_left_shift = _shift(left=True)
bitwise_right_shift = _shift(left=False)


def bitwise_not(input: Tensor) -> Tensor:
    if input.dtype.kind == "f":
        raise RuntimeError("bitwise_not is only for integer and bool tensors")
    return Tensor(np.invert(input.data))


# ---------------------------------------------------------------------- Tensor methods
Tensor.exp = exp
Tensor.log = log
Tensor.sqrt = sqrt
Tensor.tanh = tanh
Tensor.sigmoid = sigmoid
Tensor.relu = relu
Tensor.abs = abs
Tensor.sin = sin
Tensor.cos = cos
Tensor.clamp = Tensor.clip = clamp
Tensor.softmax = softmax
Tensor.log_softmax = log_softmax
Tensor.masked_fill = masked_fill
Tensor.tan = tan
Tensor.asin = Tensor.arcsin = asin
Tensor.acos = Tensor.arccos = acos
Tensor.atan = Tensor.arctan = atan
Tensor.sinh = sinh
Tensor.cosh = cosh
Tensor.asinh = Tensor.arcsinh = asinh
Tensor.acosh = Tensor.arccosh = acosh
Tensor.atanh = Tensor.arctanh = atanh
Tensor.rsqrt = rsqrt
Tensor.log2 = log2
Tensor.log10 = log10
Tensor.exp2 = exp2
Tensor.expm1 = expm1
Tensor.log1p = log1p
Tensor.erf = erf
Tensor.sign = sign
Tensor.floor = floor
Tensor.ceil = ceil
Tensor.trunc = Tensor.fix = trunc
Tensor.round = round
Tensor.isnan = isnan
Tensor.isinf = isinf
Tensor.isfinite = isfinite
Tensor.logical_not = logical_not
Tensor.logical_and = logical_and
Tensor.logical_or = logical_or
Tensor.isclose = isclose
Tensor.allclose = allclose
Tensor.maximum = maximum
Tensor.minimum = minimum
Tensor.copysign = copysign
Tensor.logaddexp = logaddexp
Tensor.lerp = lerp
Tensor.fmod = fmod
Tensor.remainder = remainder
Tensor.div = Tensor.divide = div
Tensor.floor_divide = floor_divide
Tensor.bitwise_and = bitwise_and
Tensor.bitwise_or = bitwise_or
Tensor.bitwise_xor = bitwise_xor
Tensor.bitwise_not = bitwise_not
Tensor.bitwise_left_shift = bitwise_left_shift
Tensor.bitwise_right_shift = bitwise_right_shift
Tensor.__mod__ = remainder
Tensor.__rmod__ = lambda self, other: remainder(other, self)
Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = lambda self, other: floor_divide(other, self)
Tensor.__and__ = Tensor.__rand__ = bitwise_and
Tensor.__or__ = Tensor.__ror__ = bitwise_or  # type: ignore[method-assign, assignment]
Tensor.__xor__ = Tensor.__rxor__ = bitwise_xor
Tensor.__invert__ = bitwise_not
Tensor.__lshift__ = bitwise_left_shift
Tensor.__rshift__ = bitwise_right_shift
Tensor.__rlshift__ = lambda self, other: bitwise_left_shift(other, self)
Tensor.__rrshift__ = lambda self, other: bitwise_right_shift(other, self)
Tensor.neg = Tensor.negative = Tensor.__neg__
Tensor.true_divide = Tensor.__truediv__
Tensor.square = lambda self: self * self
