"""More activations of `F` (elu, celu, selu, softplus, hardtanh, hard-sigmoid/swish, mish, ...) and
`normalize`, each a composition of Tensor primitives (so each derivative comes from theirs), with
PyTorch's names, arguments and defaults. The fused ones (relu, gelu, silu) live in functional.py.
"""

from __future__ import annotations

from ..ops import where
from ..tensor import Tensor


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (e^x - 1) (Clevert et al. 2015)."""
    return where(input > 0, input, (input.clamp(max=0.0).expm1()) * alpha)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (e^(x / alpha) - 1)) (Barron 2017)."""
    return where(input > 0, input, (input.clamp(max=0.0) * (1.0 / alpha)).expm1() * alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants (Klambauer et al. 2017)."""
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, linear where beta x > threshold (as PyTorch)."""
    z = input * beta
    soft = (z.clamp(max=threshold).exp()).log1p() * (1.0 / beta)
    return where(z > threshold, input, soft)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    return input.clamp(min_val, max_val)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def logsigmoid(input: Tensor) -> Tensor:
    """log sigmoid(x) = -softplus(-x), stable for large |x|."""
    return -softplus(-input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    return (input + 3).clamp(0.0, 6.0) * (1 / 6)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x relu6(x + 3) / 6 (Howard et al. 2019, MobileNetV3)."""
    return input * hardsigmoid(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x)) (Misra 2019)."""
    return input * softplus(input).tanh()


def softmin(input: Tensor, dim: int) -> Tensor:
    return (-input).softmax(dim)


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: None = None
) -> Tensor:
    """x / max(||x||_p, eps) along `dim`."""
    norm = (input.abs() ** p).sum(dim, keepdim=True) ** (1.0 / p)
    return input / norm.clamp(min=eps)
