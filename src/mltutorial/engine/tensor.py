"""`Tensor`: a NumPy array that remembers how it was computed, with PyTorch's names and semantics.

Each primitive op computes its output, defines right under it `backward(g)` (the local derivative:
gradient of the output -> gradients of the inputs) and returns `Tensor._make(out, parents, backward)`.
Composite ops (`-`, `/`, `mean`, `var`, `split`, ...) are built from the primitives. Broadcasting
follows NumPy (= PyTorch) and is undone in one place, `autograd.unbroadcast`.

dtypes: float32 by default (Python floats and lists become float32, like `torch.tensor`); mixed
dtypes are promoted in one place, `Tensor._promoted`, by PyTorch's rules (`dtypes.result_type`):
Python scalars never upcast, int / int is float32, float64 only when asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

import numpy as np

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

Scalar = int | float | bool
ArrayLike = Any


def to_array(data: ArrayLike, dtype: Any = None) -> np.ndarray:
    """NumPy array from a Tensor, array, scalar or nested list; Python floats become float32."""
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, np.ndarray):
        arr = data
    else:
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], Tensor):
            data = [d.data for d in data]
        arr = np.asarray(data)
        if dtype is None and arr.dtype == np.float64:
            arr = arr.astype(np.float32)
    if dtype is not None and arr.dtype != np.dtype(dtype):
        arr = arr.astype(dtype)
    return arr


def _power(a: np.ndarray, b: Any) -> np.ndarray:
    """a ** b; integer powers stay integer, and a negative integer power is 0 unless |a| = 1 (as
    C, and PyTorch, truncate), where NumPy would raise."""
    if np.asarray(a).dtype.kind in "iub" and np.asarray(b).dtype.kind in "iub":
        neg = np.asarray(b) < 0
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
    return any(isinstance(k, (np.ndarray, list)) for k in keys)


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


class Tensor:
    """An n-dimensional array with reverse-mode autodiff (see the module docstring)."""

    __slots__ = ("__weakref__", "_backward", "_prev", "_retain", "data", "grad", "requires_grad")

    __array_ufunc__ = None  # so `ndarray + Tensor` defers to Tensor.__radd__ (and friends)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """`np.asarray(t)` gives the data (for plotting and metrics), like torch for CPU tensors."""
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
        return "cpu"

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
            g = np.ones(self.shape, dtype=self.dtype)
        else:
            g = to_array(gradient, self.dtype)
            if g.shape != self.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output has a shape of {g.shape} and output has a "
                    f"shape of {self.shape}"
                )
        run_backward(self, g, retain_graph)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="tensor(")
        extra = "" if self.dtype in (np.float32, np.int64, np.bool_) else f", dtype={self.dtype}"
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
        """`.to(dtype)`; device strings ("cpu") are accepted and ignored."""
        dtype = kwargs.get("dtype")
        for a in args:
            if not isinstance(a, str):
                dtype = a
        if dtype is None or np.dtype(dtype) == self.dtype:
            return self
        src = self.dtype
        out = self.data.astype(dtype)
        return Tensor._make(out, (self,), lambda g: (g.astype(src),))

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

    def __invert__(self) -> Tensor:
        return Tensor(~self.data)

    def __and__(self, other: Any) -> Tensor:
        return self._cmp(np.logical_and, other)

    def __or__(self, other: Any) -> Tensor:
        return self._cmp(np.logical_or, other)

    def eq(self, other: Any) -> Tensor:
        return self == other

    def add(self, other: Any) -> Tensor:
        return self + other

    def sub(self, other: Any) -> Tensor:
        return self - other

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def matmul(self, other: Any) -> Tensor:
        return self @ other

    # ------------------------------------------------------------------ elementwise unary
    def exp(self) -> Tensor:
        y = np.exp(self.data)
        return Tensor._make(y, (self,), lambda g: (g * y,))

    def log(self) -> Tensor:
        x = self.data
        return Tensor._make(np.log(x), (self,), lambda g: (g / x,))

    def sqrt(self) -> Tensor:
        y = np.sqrt(self.data)
        return Tensor._make(y, (self,), lambda g: (g / (2 * y),))

    def tanh(self) -> Tensor:
        y = np.tanh(self.data)
        return Tensor._make(y, (self,), lambda g: (g * (1 - y * y),))

    def sigmoid(self) -> Tensor:
        x = self.data
        # 1/(1+e^-x) written so that it never overflows: e^x/(1+e^x) for x < 0
        e = np.exp(-np.abs(x))
        y = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        return Tensor._make(y, (self,), lambda g: (g * y * (1 - y),))

    def relu(self) -> Tensor:
        x = self.data
        y = np.maximum(x, 0)
        return Tensor._make(y, (self,), lambda g: (g * (x > 0),))

    def abs(self) -> Tensor:
        x = self.data
        return Tensor._make(np.abs(x), (self,), lambda g: (g * np.sign(x),))

    def sin(self) -> Tensor:
        x = self.data
        return Tensor._make(np.sin(x), (self,), lambda g: (g * np.cos(x),))

    def cos(self) -> Tensor:
        x = self.data
        return Tensor._make(np.cos(x), (self,), lambda g: (-g * np.sin(x),))

    def clamp(self, min: Scalar | None = None, max: Scalar | None = None) -> Tensor:
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        x = self.data
        y = np.clip(x, min, max)

        def backward(g: np.ndarray) -> Grads:
            keep = np.ones(x.shape, dtype=_bool)
            if min is not None:
                keep &= x >= min
            if max is not None:
                keep &= x <= max
            return (g * keep,)

        return Tensor._make(y, (self,), backward)

    clip = clamp

    def softmax(self, dim: _int) -> Tensor:
        from .ops import softmax

        return softmax(self, dim)

    def log_softmax(self, dim: _int) -> Tensor:
        from .ops import log_softmax

        return log_softmax(self, dim)

    def masked_fill(self, mask: Any, value: Scalar) -> Tensor:
        from .ops import where

        m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
        return where(Tensor(m), Tensor(np.asarray(value, dtype=self.dtype)), self)

    # ------------------------------------------------------------------ shapes
    def reshape(self, *shape: Any) -> Tensor:
        src = self.data.shape
        try:
            out = self.data.reshape(_shape_arg(shape))
        except ValueError:
            raise RuntimeError(
                f"shape '{list(_shape_arg(shape))}' is invalid for input of size {self.data.size}"
            ) from None
        return Tensor._make(out, (self,), lambda g: (g.reshape(src),))

    def view(self, *shape: Any) -> Tensor:
        """`view(shape)` is reshape; `view(dtype)` reinterprets the bytes (no gradient)."""
        if len(shape) == 1 and not isinstance(shape[0], (_int, tuple, list)):
            return Tensor(self.data.view(shape[0]))
        return self.reshape(*shape)

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _norm_dim(start_dim, self.ndim), _norm_dim(end_dim, self.ndim)
        shape = self.shape
        return self.reshape(*shape[:s], -1, *shape[e + 1 :])

    def unsqueeze(self, dim: _int) -> Tensor:
        d = dim if dim >= 0 else dim + self.ndim + 1
        shape = self.shape
        return self.reshape(*shape[:d], 1, *shape[d:])

    def squeeze(self, dim: _int | None = None) -> Tensor:
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        d = _norm_dim(dim, self.ndim)
        if self.ndim == 0 or self.shape[d] != 1:
            return self
        return self.reshape(self.shape[:d] + self.shape[d + 1 :])

    def permute(self, *dims: Any) -> Tensor:
        perm = tuple(_norm_dim(d, self.ndim) for d in _shape_arg(dims))
        inverse = tuple(np.argsort(perm))
        return Tensor._make(self.data.transpose(perm), (self,), lambda g: (g.transpose(inverse),))

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        perm = list(range(self.ndim))
        a, b = _norm_dim(dim0, self.ndim), _norm_dim(dim1, self.ndim)
        perm[a], perm[b] = perm[b], perm[a]
        return self.permute(*perm)

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        shape = tuple(
            s if n == -1 else n
            for n, s in zip(
                _shape_arg(sizes), (1,) * (len(_shape_arg(sizes)) - self.ndim) + self.shape
            )
        )
        src = self.shape
        out = np.broadcast_to(self.data, shape)
        return Tensor._make(out, (self,), lambda g: (unbroadcast(g, src),))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(*other.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        reps = _shape_arg(sizes)
        src = (1,) * (len(reps) - self.ndim) + self.shape
        out = np.tile(self.data, reps)

        def backward(g: np.ndarray) -> Grads:
            split = [d for pair in zip(reps, src) for d in pair]
            return (
                g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2))).reshape(self.shape),
            )

        return Tensor._make(out, (self,), backward)

    def __getitem__(self, key: Any) -> Tensor:
        k = _index_key(key)
        if _is_advanced(k) and isinstance(k, tuple) and any(_is_int(i) for i in k):
            # PyTorch selects with the ints first (basic indexing), then applies the arrays;
            # NumPy would treat the ints as arrays too and move the result's dims elsewhere
            first = tuple(i if _is_int(i) or i is None or i is Ellipsis else slice(None) for i in k)
            rest = tuple(slice(None) if i is None else i for i in k if not _is_int(i))
            return self[first][rest]
        x = self.data
        out = x[k]
        advanced = _is_advanced(k)

        def backward(g: np.ndarray) -> Grads:
            gx = np.zeros(x.shape, dtype=g.dtype)
            if advanced:
                np.add.at(gx, k, g)  # repeated indices add up
            else:
                gx[k] = g
            return (gx,)

        return Tensor._make(np.asarray(out), (self,), backward)

    def split(
        self, split_size_or_sections: _int | Sequence[_int], dim: _int = 0
    ) -> tuple[Tensor, ...]:
        d = _norm_dim(dim, self.ndim)
        n = self.shape[d]
        if isinstance(split_size_or_sections, _int):
            step = split_size_or_sections
            sizes = [min(step, n - i) for i in range(0, n, step)]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != n:
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                    f"size at dimension {d}), but got split_sizes={sizes}"
                )
        pieces, start = [], 0
        for size in sizes:
            index = (slice(None),) * d + (slice(start, start + size),)
            pieces.append(self[index])
            start += size
        return tuple(pieces)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        n = self.shape[_norm_dim(dim, self.ndim)]
        return self.split(-(-n // chunks), dim)

    def tril(self, diagonal: _int = 0) -> Tensor:
        return Tensor._make(
            np.tril(self.data, diagonal), (self,), lambda g: (np.tril(g, diagonal),)
        )

    def triu(self, diagonal: _int = 0) -> Tensor:
        return Tensor._make(
            np.triu(self.data, diagonal), (self,), lambda g: (np.triu(g, diagonal),)
        )


def meta_tensor(shape: Sequence[int], dtype: Any = np.float32) -> Tensor:
    """A Tensor whose data is a zero-stride array (no memory): for shape-only forwards."""
    return Tensor(meta_array(shape, dtype))
