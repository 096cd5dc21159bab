"""Weight initialisation with PyTorch's names and formulas (`nn.init`), drawing from the engine's RNG.

Default layer init (as torch): Linear and Conv2d weights kaiming_uniform_(a=sqrt(5)), i.e.
U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for their bias; Embedding N(0, 1).
Paper: He et al., "Delving Deep into Rectifiers", 2015; Glorot & Bengio 2010.
Initialisers leave meta (zero-stride) parameters alone: see `engine.meta()`.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import is_meta_array
from ..creation import get_rng
from ..tensor import Tensor


def _fans(t: Tensor) -> tuple[int, int]:
    if t.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = int(np.prod(t.shape[2:])) if t.ndim > 2 else 1
    return t.shape[1] * receptive, t.shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    if nonlinearity in ("linear", "conv2d", "sigmoid", "conv1d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(t: Tensor, values: np.ndarray) -> Tensor:
    if not is_meta_array(t.data):
        t.data[...] = values
    return t


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    if is_meta_array(t.data):
        return t
    return _fill(t, get_rng().uniform(a, b, t.shape).astype(t.dtype))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    if is_meta_array(t.data):
        return t
    return _fill(
        t, (get_rng().standard_normal(t.shape, dtype=np.float32) * std + mean).astype(t.dtype)
    )


def constant_(t: Tensor, val: float) -> Tensor:
    return _fill(t, np.asarray(val, dtype=t.dtype))


def zeros_(t: Tensor) -> Tensor:
    return constant_(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    return constant_(t, 1.0)


def kaiming_uniform_(
    t: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    fan_in, fan_out = _fans(t)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(t, -bound, bound)


def kaiming_normal_(
    t: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    fan_in, fan_out = _fans(t)
    fan = fan_in if mode == "fan_in" else fan_out
    return normal_(t, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = _fans(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound)


def xavier_normal_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = _fans(t)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def trunc_normal_(
    t: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> Tensor:
    if is_meta_array(t.data):
        return t
    rng = get_rng()
    values = rng.standard_normal(t.shape) * std + mean
    bad = (values < a) | (values > b)
    while bad.any():  # redraw the few samples outside [a, b]
        values[bad] = rng.standard_normal(int(bad.sum())) * std + mean
        bad = (values < a) | (values > b)
    return _fill(t, values.astype(t.dtype))


def fan_in_bound(weight: Tensor) -> float:
    """1/sqrt(fan_in): the bound torch uses for the default bias init of Linear and Conv."""
    fan_in, _ = _fans(weight)
    return 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
