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

* `Tensor` (tensor.py) with reverse-mode autodiff (autograd.py), NumPy broadcasting and PyTorch's
  dtype promotion (dtypes.py); its ops by family, each also a Tensor method: pointwise.py (exp,
  tanh, floor, %, //, div(rounding_mode), bitwise, isclose, copysign, ...), reduce.py (sum, mean,
  var, std, max, prod, logsumexp, cumsum, cumprod, cummax, logcumsumexp, ...), shape.py (reshape,
  permute, flip, roll, diagonal, unfold, pad, meshgrid, ...), index.py (x[key], gather, scatter,
  scatter_reduce, sort, topk, nonzero, ...), einsum.py; multi-input ops (ops.py: matmul incl.
  batched 4-D attention, softmax, where, cat, stack); factories (creation.py: tensor, zeros, ones,
  randn, rand, arange, manual_seed, ...); `no_grad()`. An op the engine leaves out raises an error
  that names it; it never returns a different number than PyTorch.
* `nn`: Module, Parameter, Sequential/ModuleList/ModuleDict, Linear, Conv2d (stride, padding, groups,
  dilation), MaxPool2d (padding, ceil_mode), AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d/2d, LayerNorm,
  Embedding, Dropout, activations, losses; `nn.functional` (also pad, interpolate, conv1d,
  conv_transpose2d, max_unpool2d, elu/celu/selu/softplus/hardtanh/mish, normalize); `nn.init`;
  `nn.utils.clip_grad_norm_`.
* `optim`: SGD, Adam, AdamW (+ StepLR, CosineAnnealingLR).
* `sparse.linear(X, weight, bias)`: `F.linear` for a SciPy sparse X (text features), in sparse.py.
* `summary(model, input_shape)`: per-layer output shape, parameters and MACs (summary.py).
* memory.py: importing the engine tunes glibc's malloc so that a training step's arrays reuse
  the memory the previous step freed instead of faulting in fresh pages (`MLTUTORIAL_KEEP_MEMORY=0`
  turns it off).
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

import builtins
from typing import Any

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
from .dtypes import (
    bool_,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    long,
    result_type,
    uint8,
)
from .einsum import einsum
from .index import (
    argsort,
    argwhere,
    gather,
    index_select,
    kthvalue,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
    sort,
    take_along_dim,
    topk,
)
from .memory import keep_freed_memory
from .ops import cat, log_softmax, matmul, softmax, stack, tril, triu, where
from .pointwise import (
    acos,
    acosh,
    allclose,
    asin,
    asinh,
    atan,
    atanh,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    ceil,
    copysign,
    cosh,
    div,
    erf,
    exp2,
    expm1,
    floor,
    floor_divide,
    fmod,
    isclose,
    isfinite,
    isinf,
    isnan,
    lerp,
    log1p,
    log2,
    log10,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    remainder,
    round,
    rsqrt,
    sign,
    sinh,
    tan,
    trunc,
)
from .reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cummax,
    cummin,
    cumprod,
    cumsum,
    logcumsumexp,
    logsumexp,
    max,
    mean,
    min,
    prod,
    std,
    std_mean,
    sum,
    var,
    var_mean,
)
from .serialize import LoadError, load, save
from .shape import diag, diagonal, flip, meshgrid, repeat_interleave, roll, unflatten, unfold
from .summary import Summary, SummaryRow, summary
from .tensor import Scalar, Tensor

# PyTorch's dtype aliases (torch.float is float32, torch.int is int32, ...)
float = float32
double = float64
half = float16
int = int32
short = int16
bool = bool_


# torch.exp(x) is x.exp(): the unbound Tensor methods are the functions
exp = Tensor.exp
log = Tensor.log
tanh = Tensor.tanh
sigmoid = Tensor.sigmoid
relu = Tensor.relu
sqrt = Tensor.sqrt
abs = Tensor.abs
sin = Tensor.sin
cos = Tensor.cos
neg = negative = Tensor.__neg__
reciprocal = Tensor.reciprocal
clamp = clip = Tensor.clamp
flatten = Tensor.flatten
squeeze = Tensor.squeeze
unsqueeze = Tensor.unsqueeze
reshape = Tensor.reshape
permute = Tensor.permute
transpose = Tensor.transpose
chunk = Tensor.chunk
split = Tensor.split
masked_fill = Tensor.masked_fill
numel = Tensor.numel


def add(x: Any, y: Any) -> Tensor:
    return x + y if isinstance(x, Tensor) else y.__radd__(x)


def sub(x: Any, y: Any) -> Tensor:
    return x - y if isinstance(x, Tensor) else y.__rsub__(x)


def mul(x: Any, y: Any) -> Tensor:
    return x * y if isinstance(x, Tensor) else y.__rmul__(x)


def pow(x: Any, y: Any) -> Tensor:
    return x**y if isinstance(x, Tensor) else y.__rpow__(x)


def is_tensor(obj: Any) -> builtins.bool:
    return isinstance(obj, Tensor)


__all__ = [
    "LoadError",
    "Scalar",
    "Summary",
    "SummaryRow",
    "Tensor",
    "abs",
    "acos",
    "acosh",
    "add",
    "all",
    "allclose",
    "amax",
    "amin",
    "any",
    "arange",
    "argmax",
    "argmin",
    "argsort",
    "argwhere",
    "as_tensor",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "bool",
    "bool_",
    "cat",
    "ceil",
    "chunk",
    "clamp",
    "clip",
    "copysign",
    "cos",
    "cosh",
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "diag",
    "diagonal",
    "div",
    "double",
    "einsum",
    "empty",
    "enable_grad",
    "erf",
    "exp",
    "exp2",
    "expm1",
    "eye",
    "flatten",
    "flip",
    "float",
    "float16",
    "float32",
    "float64",
    "floor",
    "floor_divide",
    "fmod",
    "from_numpy",
    "full",
    "full_like",
    "gather",
    "get_rng",
    "half",
    "index_select",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "is_tensor",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "keep_freed_memory",
    "kthvalue",
    "lerp",
    "linspace",
    "load",
    "log",
    "log1p",
    "log2",
    "log10",
    "log_softmax",
    "logaddexp",
    "logcumsumexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logsumexp",
    "long",
    "manual_seed",
    "masked_fill",
    "masked_select",
    "matmul",
    "max",
    "maximum",
    "mean",
    "meshgrid",
    "meta",
    "min",
    "minimum",
    "mul",
    "neg",
    "negative",
    "nn",
    "no_grad",
    "nonzero",
    "numel",
    "ones",
    "ones_like",
    "optim",
    "permute",
    "pow",
    "prod",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "reciprocal",
    "relu",
    "remainder",
    "repeat_interleave",
    "reshape",
    "result_type",
    "roll",
    "round",
    "rsqrt",
    "save",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "short",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softmax",
    "sort",
    "sparse",
    "split",
    "sqrt",
    "squeeze",
    "stack",
    "std",
    "std_mean",
    "sub",
    "sum",
    "summary",
    "take_along_dim",
    "tan",
    "tanh",
    "tensor",
    "topk",
    "transpose",
    "tril",
    "triu",
    "trunc",
    "uint8",
    "unflatten",
    "unfold",
    "unsqueeze",
    "var",
    "var_mean",
    "where",
    "zeros",
    "zeros_like",
]

keep_freed_memory()  # see memory.py: no fresh pages every training step
