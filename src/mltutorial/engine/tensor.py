"""`Tensor`: a NumPy array that remembers how it was computed, with PyTorch's names and semantics.

This file holds the class itself (data, grad, `_make`, `backward`, dtype casts, in-place updates)
and the arithmetic operators `+ - * / **` with the one place where mixed dtypes are promoted,
`Tensor._promoted`, by PyTorch's rules (`dtypes.result_type`): Python scalars never upcast,
int / int is float32, float64 only when asked. Every other op lives in a module of its family and
is attached to the class as a method there: pointwise.py (exp, tanh, floor, %, bitwise, ...),
reduce.py (sum, mean, var, max, cumsum, ...), shape.py (reshape, permute, flip, pad, ...),
index.py (x[key], gather, scatter, sort, ...), ops.py (matmul, softmax, where, cat), einsum.py.

Each primitive op computes its output, defines right under it `backward(g)` (the local derivative:
gradient of the output -> gradients of the inputs) and returns `Tensor._make(out, parents, backward)`.
Composite ops are built from the primitives. Broadcasting follows NumPy (= PyTorch) and is undone
in one place, `autograd.unbroadcast`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

import numpy as np

from . import backend
from .autograd import STATE, BackwardFn, Grads, meta_array, run_backward, unbroadcast
from .dtypes import (  # noqa: F401  (re-exported: engine.float32, ...)
    bool_,
    category,
    dtype_name,
    float16,
    float32,
    float64,
    floating,
    int8,
    int16,
    int32,
    int64,
    long,
    result_type,
    uint8,
)
from .methods import TensorMethods

Scalar = int | float | bool
ArrayLike = Any


def to_array(data: ArrayLike, dtype: Any = None) -> np.ndarray:
    """NumPy array from a Tensor, array, scalar or nested list; Python floats become float32.
    A CuPy array (or a list of CUDA tensors) stays on its GPU."""
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, np.ndarray) or backend.is_gpu_array(data):
        arr = data
    else:
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], Tensor):
            data = [d.data for d in data]
            if backend.is_gpu_array(data[0]):
                data = backend.array_module(data[0]).stack(data)
        arr = data if backend.is_gpu_array(data) else np.asarray(data)
        if dtype is None and arr.dtype == np.float64:
            arr = arr.astype(np.float32)
    if dtype is not None and arr.dtype != np.dtype(dtype):
        arr = arr.astype(dtype)
    return arr


def _power(a: np.ndarray, b: Any) -> np.ndarray:
    """a ** b; integer powers stay integer, and a negative integer power is 0 unless |a| = 1 (as
    C, and PyTorch, truncate), where NumPy would raise."""
    xp = backend.array_module(a)
    if xp.asarray(a).dtype.kind in "iub" and xp.asarray(b).dtype.kind in "iub":
        neg = xp.asarray(b) < 0
        if neg.any():
            out = np.power(a, np.where(neg, 0, b))
            odd = np.asarray(b) % 2 != 0
            inv = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
            return np.where(neg, inv, out).astype(out.dtype)
        return np.power(a, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.power(a, b)


def _broadcast_error(a: tuple[int, ...], b: tuple[int, ...]) -> RuntimeError:
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    for dim in range(n - 1, -1, -1):
        if pa[dim] != pb[dim] and pa[dim] != 1 and pb[dim] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[dim]}) must match the size of tensor b ({pb[dim]}) "
                f"at non-singleton dimension {dim} (shapes {a} and {b})"
            )
    return RuntimeError(f"shapes {a} and {b} cannot be broadcast together")


def _check_broadcast(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise _broadcast_error(a.shape, b.shape) from None


def _norm_dim(dim: int, ndim: int) -> int:
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(ndim, 1)}, "
            f"{max(ndim, 1) - 1}], but got {dim})"
        )
    return dim % max(ndim, 1)


def _axes(dim: int | Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
    if dim is None:
        return None
    if isinstance(dim, int):
        return (_norm_dim(dim, ndim),)
    return tuple(_norm_dim(d, ndim) for d in dim)


def _shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _index_key(key: Any) -> Any:
    if isinstance(key, Tensor):
        return key.data
    if isinstance(key, tuple):
        return tuple(k.data if isinstance(k, Tensor) else k for k in key)
    return key


def _is_int(k: Any) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, bool)


def _is_advanced(key: Any) -> bool:
    keys = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (np.ndarray, list)) or backend.is_gpu_array(k) for k in keys)


# builtins under other names: Tensor has methods called int/bool/float, as torch does
_int: TypeAlias = int
_bool: TypeAlias = bool
_float: TypeAlias = float


# PyTorch's node names where they differ from the op's function name in CamelCase
_GRAD_FN_NAMES = {
    "__getitem__": "Index",
    "__truediv__": "Div",
    "_extremum": "Max",
    "reshape": "View",
    "to": "ToCopy",
    "matmul": "Mm",
    "linear": "Addmm",
    "conv2d": "Convolution",
    "cross_entropy": "NllLoss",
    "layer_norm": "NativeLayerNorm",
    "batch_norm": "NativeBatchNorm",
    "scaled_dot_product_attention": "ScaledDotProductAttention",
}


class GradFn:
    """What `t.grad_fn` returns: the node that made `t`, named as PyTorch names it (`MulBackward0`).

    The name comes from the op whose closure computes the local derivative, so a learner reading a
    graph sees `<MulBackward0>`, `<ExpBackward0>`, `<NllLossBackward0>`, as in PyTorch."""

    __slots__ = ("_backward",)

    def __init__(self, backward: BackwardFn) -> None:
        self._backward = backward

    def name(self) -> str:
        parts = getattr(self._backward, "__qualname__", "backward").split(".")
        op = parts[-3] if len(parts) >= 3 else parts[0]
        base = _GRAD_FN_NAMES.get(op) or "".join(w.capitalize() for w in op.split("_") if w)
        return f"{base}Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} object>"


class Tensor(TensorMethods):
    """An n-dimensional array with reverse-mode autodiff (see the module docstring)."""

    __slots__ = ("__weakref__", "_backward", "_prev", "_retain", "data", "grad", "requires_grad")

    __array_ufunc__ = None  # so `ndarray + Tensor` defers to Tensor.__radd__ (and friends)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """`np.asarray(t)` gives the data (for plotting and metrics), like torch for CPU tensors."""
        if backend.is_gpu_array(self.data):
            raise TypeError(_CUDA_TO_NUMPY)
        return self.data if dtype is None else self.data.astype(dtype)

    def __init__(self, data: ArrayLike, requires_grad: _bool = False, dtype: Any = None) -> None:
        self.data: np.ndarray = to_array(data, dtype)
        self.grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self._prev: tuple[Tensor, ...] = ()
        self._backward: BackwardFn | None = None
        self._retain = False
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")

    @staticmethod
    def _make(data: np.ndarray, parents: tuple[Tensor, ...], backward: BackwardFn) -> Tensor:
        """The output of an op: joins the graph when grad mode is on and a parent requires grad."""
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out._retain = False
        if STATE.grad_enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._prev = parents
            out._backward = backward
        else:
            out.requires_grad = False
            out._prev = ()
            out._backward = None
        return out

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple[_int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> _int:
        return self.data.ndim

    @property
    def grad_fn(self) -> GradFn | None:
        return None if self._backward is None else GradFn(self._backward)

    @property
    def is_leaf(self) -> _bool:
        return self._backward is None

    @property
    def device(self) -> str:
        """ "cpu", or "cuda:0" for a tensor whose data is a CuPy array (see `backend`)."""
        return backend.device_of(self.data)

    @property
    def is_cuda(self) -> _bool:
        return backend.is_gpu_array(self.data)

    def cuda(self, device: Any = "cuda") -> Tensor:
        return self.to(device if str(device).startswith("cuda") else f"cuda:{device}")

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def size(self, dim: _int | None = None) -> Any:
        return self.shape if dim is None else self.shape[dim]

    def dim(self) -> _int:
        return self.data.ndim

    def numel(self) -> _int:
        return int(self.data.size)

    def __len__(self) -> _int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def item(self) -> Any:
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar"
            )
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        if backend.is_gpu_array(self.data):
            raise TypeError(_CUDA_TO_NUMPY)
        return self.data

    def detach(self) -> Tensor:
        return Tensor(self.data)

    def clone(self) -> Tensor:
        data = self.data
        return Tensor._make(data.copy(), (self,), lambda g: (g,))

    def contiguous(self) -> Tensor:
        return self

    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        self._retain = True

    def backward(
        self, gradient: Tensor | np.ndarray | None = None, retain_graph: _bool = False
    ) -> None:
        """Accumulate the gradient of this tensor into `.grad` of every leaf that requires it."""
        if not self.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs (this tensor has "
                    f"shape {self.shape}); pass backward(gradient) of the same shape"
                )
            g = backend.array_module(self.data).ones(self.shape, dtype=self.dtype)
        else:
            g = backend.like(to_array(gradient, self.dtype), self.data)
            if g.shape != self.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output has a shape of {g.shape} and output has a "
                    f"shape of {self.shape}"
                )
        run_backward(self, g, retain_graph)

    def __repr__(self) -> str:
        data = backend.to_host(self.data)
        body = np.array2string(data, precision=4, separator=", ", prefix="tensor(")
        extra = f", device='{self.device}'" if self.is_cuda else ""
        extra += "" if self.dtype in (np.float32, np.int64, np.bool_) else f", dtype={self.dtype}"
        if self._backward is not None:
            extra += f", grad_fn=<{GradFn(self._backward).name()}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    __hash__ = object.__hash__

    def __bool__(self) -> _bool:
        if self.data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.data.reshape(()))

    def __float__(self) -> _float:
        return float(self.item())

    def __int__(self) -> _int:
        return int(self.item())

    def __index__(self) -> _int:
        return int(self.item())

    # ------------------------------------------------------------------ dtype
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """`.to(dtype)`, `.to(device)`, `.to(device, dtype)`; a device is "cpu", "cuda", "cuda:N"
        or a `torch.device`. Returns `self` when nothing changes; gradients flow back across."""
        dtype, device = kwargs.get("dtype"), kwargs.get("device")
        for a in args:
            if isinstance(a, str) or type(a).__name__ == "device":
                device = a
            elif isinstance(a, Tensor):
                dtype, device = a.dtype, a.device
            else:
                dtype = a
        out = self
        if device is not None and backend.parse_device(device) != self.device:
            out = out._to_device(backend.parse_device(device))
        if dtype is None or np.dtype(dtype) == out.dtype:
            return out
        src = out.dtype
        return Tensor._make(out.data.astype(dtype), (out,), lambda g: (g.astype(src),))

    def _to_device(self, device: str) -> Tensor:
        src = self.device

        def backward(g: np.ndarray) -> Grads:
            return (backend.to_device(g, src),)

        return Tensor._make(backend.to_device(self.data, device), (self,), backward)

    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def half(self) -> Tensor:
        return self.to(np.float16)

    def short(self) -> Tensor:
        return Tensor(self.data.astype(np.int16))

    def char(self) -> Tensor:
        return Tensor(self.data.astype(np.int8))

    def byte(self) -> Tensor:
        return Tensor(self.data.astype(np.uint8))

    def long(self) -> Tensor:
        return Tensor(self.data.astype(np.int64))

    def int(self) -> Tensor:
        return Tensor(self.data.astype(np.int32))

    def bool(self) -> Tensor:
        return Tensor(self.data.astype(np.bool_))

    def type(self, dtype: Any) -> Tensor:
        return self.to(dtype)

    # ------------------------------------------------------------------ in place (no graph)
    def _check_inplace(self) -> None:
        if STATE.grad_enabled and self.requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation "
                "(wrap the update in `with engine.no_grad():`)"
            )

    def _inplace(self, ufunc: Any, other: Any) -> Tensor:
        self._check_inplace()
        ufunc(self.data, to_array(other) if isinstance(other, Tensor) else other, out=self.data)
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(np.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(np.subtract, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(np.multiply, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(np.true_divide, other)

    def add_(self, other: Any, alpha: _float = 1.0) -> Tensor:
        return self._inplace(np.add, other if alpha == 1.0 else to_array(other) * alpha)

    def sub_(self, other: Any, alpha: _float = 1.0) -> Tensor:
        return self._inplace(np.subtract, other if alpha == 1.0 else to_array(other) * alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(np.true_divide, other)

    def zero_(self) -> Tensor:
        self._check_inplace()
        self.data[...] = 0
        return self

    def fill_(self, value: Scalar) -> Tensor:
        self._check_inplace()
        self.data[...] = value
        return self

    def copy_(self, src: Any) -> Tensor:
        self._check_inplace()
        self.data[...] = to_array(src)
        return self

    def __setitem__(self, key: Any, value: Any) -> None:
        if STATE.grad_enabled and (self.requires_grad or self._backward is not None):
            raise RuntimeError(
                "in-place assignment into a tensor that is part of a graph is not supported; "
                "build the result with engine.cat / engine.where / masked_fill instead"
            )
        self.data[_index_key(key)] = to_array(value) if isinstance(value, Tensor) else value

    # ------------------------------------------------------------------ elementwise binary
    def _other(self, other: Any) -> Tensor | Scalar:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (_int, _float, _bool, np.generic)) and not isinstance(
            other, np.ndarray
        ):
            return other.item() if isinstance(other, np.generic) else other
        return Tensor(to_array(other, self.dtype if self.dtype.kind == "f" else None))

    def _promoted(self, other: Any, floating_result: _bool = False) -> tuple[Tensor, Any]:
        """Both operands in PyTorch's result dtype (`dtypes.result_type`, the one promotion rule).

        A Python scalar stays a scalar: NumPy keeps the array's dtype for it ("weak" scalars),
        so only a scalar of a higher category (a float with an int tensor) casts the tensor.
        """
        o = self._other(other)
        a = self.data
        if isinstance(o, Tensor):
            if o.data.dtype == a.dtype and (not floating_result or a.dtype.kind == "f"):
                return self, o
            dt = result_type(a, o.data)
            dt = floating(dt) if floating_result else dt
            return self.to(dt), o.to(dt)
        if a.dtype.kind == "f" or (
            category(a.dtype) >= category(result_type(o)) and not floating_result
        ):
            return self, o
        dt = result_type(a, o)
        return self.to(floating(dt) if floating_result else dt), o

    def __add__(self, other: Any) -> Tensor:
        x, o = self._promoted(other)
        if not isinstance(o, Tensor):
            return Tensor._make(x.data + o, (x,), lambda g: (g,))
        a, b = x.data, o.data
        _check_broadcast(a, b)

        def backward(g: np.ndarray) -> Grads:
            return unbroadcast(g, a.shape), unbroadcast(g, b.shape)

        return Tensor._make(a + b, (x, o), backward)

    def __mul__(self, other: Any) -> Tensor:
        x, o = self._promoted(other)
        a = x.data
        if not isinstance(o, Tensor):
            s = o
            return Tensor._make(a * s, (x,), lambda g: (g * s,))
        b = o.data
        _check_broadcast(a, b)

        def backward(g: np.ndarray) -> Grads:
            ga = unbroadcast(g * b, a.shape) if x.requires_grad else None
            gb = unbroadcast(g * a, b.shape) if o.requires_grad else None
            return ga, gb

        return Tensor._make(a * b, (x, o), backward)

    def __truediv__(self, other: Any) -> Tensor:
        """x / y, always floating (int / int is float32, as PyTorch); dx = g / y, dy = -g x / y^2."""
        x, o = self._promoted(other, floating_result=True)
        a = x.data
        if not isinstance(o, Tensor):
            s = o
            with np.errstate(divide="ignore", invalid="ignore"):
                out = a / s
            return Tensor._make(out, (x,), lambda g: (g / s,))
        b = o.data
        _check_broadcast(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a / b

        def backward(g: np.ndarray) -> Grads:
            with np.errstate(divide="ignore", invalid="ignore"):
                ga = unbroadcast(g / b, a.shape) if x.requires_grad else None
                gb = unbroadcast(-g * out / b, b.shape) if o.requires_grad else None
            return ga, gb

        return Tensor._make(out, (x, o), backward)

    def __rtruediv__(self, other: Any) -> Tensor:
        x, _ = self._promoted(other, floating_result=True)
        return Tensor(to_array(other, x.dtype)) / x

    def __pow__(self, exponent: Any) -> Tensor:
        """x ** y. dx = y x^(y-1) (0 where y = 0); dy = x^y log x (0 where x = 0 and y >= 0),
        as PyTorch masks them, so 0 ** 0 and x ** 0 have finite gradients."""
        x, p = self._promoted(exponent)
        a = x.data
        if not isinstance(p, Tensor):
            if a.dtype.kind in "iu" and isinstance(p, _int) and p < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            out = _power(a, p)

            def backward_scalar(g: np.ndarray) -> Grads:
                if p == 0:
                    return (np.zeros_like(g),)
                with np.errstate(divide="ignore", invalid="ignore"):
                    return (g * (p * a ** (p - 1)),)

            return Tensor._make(out, (x,), backward_scalar)
        b = p.data
        _check_broadcast(a, b)
        out = _power(a, b)

        def backward(g: np.ndarray) -> Grads:
            ga = gb = None
            with np.errstate(divide="ignore", invalid="ignore"):
                if x.requires_grad:
                    ga = unbroadcast(np.where(b == 0, 0, g * b * a ** (b - 1)), a.shape)
                if p.requires_grad:
                    gb = np.where((a == 0) & (b >= 0), 0, g * out * np.log(a))
                    gb = unbroadcast(gb, b.shape)
            return ga, gb

        return Tensor._make(out, (x, p), backward)

    def __rpow__(self, base: Any) -> Tensor:
        x, _ = self._promoted(base)
        return Tensor(to_array(base, x.dtype)) ** x

    def __neg__(self) -> Tensor:
        return Tensor._make(-self.data, (self,), lambda g: (-g,))

    def __sub__(self, other: Any) -> Tensor:
        x, o = self._promoted(other)
        if not isinstance(o, Tensor):
            return Tensor._make(x.data - o, (x,), lambda g: (g,))
        a, b = x.data, o.data
        _check_broadcast(a, b)

        def backward(g: np.ndarray) -> Grads:
            gb = unbroadcast(-g, b.shape) if o.requires_grad else None
            return unbroadcast(g, a.shape), gb

        return Tensor._make(a - b, (x, o), backward)

    def __rsub__(self, other: Any) -> Tensor:
        return (-self) + other

    __radd__ = __add__
    __rmul__ = __mul__

    def reciprocal(self) -> Tensor:
        x = self.to(floating(self.dtype))
        with np.errstate(divide="ignore"):
            y = 1.0 / x.data

        def backward(g: np.ndarray) -> Grads:
            return (-g * y * y,)

        return Tensor._make(y, (x,), backward)

    def __matmul__(self, other: Any) -> Tensor:
        from .ops import matmul

        return matmul(self, other if isinstance(other, Tensor) else Tensor(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        from .ops import matmul

        return matmul(Tensor(other), self)

    # comparisons give bool tensors outside the graph
    def _cmp(self, op: Any, other: Any) -> Tensor:
        return Tensor(op(self.data, other.data if isinstance(other, Tensor) else other))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._cmp(np.equal, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._cmp(np.not_equal, other)

    def __lt__(self, other: Any) -> Tensor:
        return self._cmp(np.less, other)

    def __le__(self, other: Any) -> Tensor:
        return self._cmp(np.less_equal, other)

    def __gt__(self, other: Any) -> Tensor:
        return self._cmp(np.greater, other)

    def __ge__(self, other: Any) -> Tensor:
        return self._cmp(np.greater_equal, other)

    def eq(self, other: Any) -> Tensor:
        return self == other

    def add(self, other: Any) -> Tensor:
        return self + other

    def sub(self, other: Any) -> Tensor:
        return self - other

    def mul(self, other: Any) -> Tensor:
        return self * other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def matmul(self, other: Any) -> Tensor:
        return self @ other


_CUDA_TO_NUMPY = (
    "can't convert cuda tensor to numpy; use .cpu() to copy the tensor to host memory first"
)


def meta_tensor(shape: Sequence[int], dtype: Any = np.float32) -> Tensor:
    """A Tensor whose data is a zero-stride array (no memory): for shape-only forwards."""
    return Tensor(meta_array(shape, dtype))
