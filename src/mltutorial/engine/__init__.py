"""mltutorial.engine: a from-scratch NumPy deep-learning engine that speaks PyTorch.

Write model code as for PyTorch, with these imports::

    from mltutorial import engine
    from mltutorial.engine import nn, optim
    import mltutorial.engine.nn.functional as F

    engine.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss = F.cross_entropy(model(engine.tensor(X)), engine.tensor(y))
    opt.zero_grad(); loss.backward(); opt.step()

What is here (names, arguments, defaults and numerics follow PyTorch; tests check them against it):

* `Tensor` (tensor.py) with reverse-mode autodiff (autograd.py) and NumPy broadcasting; multi-input
  ops (ops.py: matmul incl. batched 4-D attention, softmax, where, cat, stack); factories
  (creation.py: tensor, zeros, ones, randn, rand, arange, manual_seed, ...); `no_grad()`.
* `nn`: Module, Parameter, Sequential/ModuleList/ModuleDict, Linear, Conv2d (stride, padding, groups,
  dilation), MaxPool2d (padding, ceil_mode), AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d/2d, LayerNorm,
  Embedding, Dropout, activations, losses; `nn.functional`; `nn.init`; `nn.utils.clip_grad_norm_`.
* `optim`: SGD, Adam, AdamW (+ StepLR, CosineAnnealingLR).
* `sparse.linear(X, weight, bias)`: `F.linear` for a SciPy sparse X (text features), in sparse.py.
* `summary(model, input_shape)`: per-layer output shape, parameters and MACs (summary.py).
* `save(obj, path)` / `load(path)`: state dicts as .npz (serialize.py). `Module.load_state_dict`
  also takes a dict of NumPy arrays, e.g. `{k: v.numpy() for k, v in torch_model.state_dict().items()}`.

dtypes: float32 by default and kept float32 through every op (Python scalars never upcast);
float64 works when asked (`engine.tensor(x, dtype=engine.float64)`, `model.double()`); mixing
float32 and float64 in matmul/linear/conv raises, as in PyTorch, rather than silently upcasting.

Counting big models without allocating them: inside `with engine.meta():` every parameter is a
zero-stride NumPy array (np.broadcast_to: no memory, initialisers skip it), so

    with engine.meta():
        vgg = build_vgg16()
    print(engine.summary(vgg, (1, 3, 224, 224)).total_params)   # 138,357,544, in milliseconds

`summary` never computes anyway: it runs the forward in shape-only mode, where conv/linear/matmul/
pool/norm ops return zero-stride outputs of the right shape and count their MACs.
"""

from __future__ import annotations

from . import nn, optim, sparse
from .autograd import enable_grad, is_grad_enabled, meta, no_grad
from .creation import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    get_rng,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .ops import cat, log_softmax, matmul, maximum, minimum, softmax, stack, tril, triu, where
from .serialize import LoadError, load, save
from .summary import Summary, SummaryRow, summary
from .tensor import (
    Scalar,
    Tensor,
    bool_,
    float16,
    float32,
    float64,
    int32,
    int64,
    long,
)

float = float32
double = float64


def exp(x: Tensor) -> Tensor:
    return x.exp()


def log(x: Tensor) -> Tensor:
    return x.log()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def relu(x: Tensor) -> Tensor:
    return x.relu()


def sqrt(x: Tensor) -> Tensor:
    return x.sqrt()


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return x.argmax(dim, keepdim)


def sum(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return x.sum(dim, keepdim)


def mean(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return x.mean(dim, keepdim)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return x.flatten(start_dim, end_dim)


def clamp(x: Tensor, min: Scalar | None = None, max: Scalar | None = None) -> Tensor:
    return x.clamp(min, max)


__all__ = [
    "LoadError",
    "Summary",
    "SummaryRow",
    "Tensor",
    "arange",
    "argmax",
    "as_tensor",
    "bool_",
    "cat",
    "clamp",
    "double",
    "empty",
    "enable_grad",
    "exp",
    "eye",
    "flatten",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_rng",
    "int32",
    "int64",
    "is_grad_enabled",
    "linspace",
    "load",
    "log",
    "log_softmax",
    "long",
    "manual_seed",
    "matmul",
    "maximum",
    "mean",
    "meta",
    "minimum",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "relu",
    "save",
    "sigmoid",
    "softmax",
    "sparse",
    "sqrt",
    "stack",
    "sum",
    "summary",
    "tanh",
    "tensor",
    "tril",
    "triu",
    "where",
    "zeros",
    "zeros_like",
]
