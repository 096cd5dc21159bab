"""dtypes and the one place where mixed dtypes are promoted, by PyTorch's rules.

PyTorch (`torch.result_type`) sorts operands into three priority classes: tensors with dimensions,
0-d tensors, and Python scalars; and dtypes into categories: bool < integer < floating. The result
is the promoted dtype of the dimensioned tensors; a 0-d tensor changes it only if its category is
higher (then its own dtype wins), and a Python scalar only if its category is higher (then the
category's default: float32 for a float, int64 for an int). So `int32 + 2.5` is float32,
`float16 + float64 0-d tensor` stays float16, `int32 / int32` is float32 (division is floating).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import is_gpu_array

float32 = np.float32
float64 = np.float64
float16 = np.float16
int64 = np.int64
int32 = np.int32
int16 = np.int16
int8 = np.int8
uint8 = np.uint8
long = np.int64
bool_ = np.bool_

DEFAULT_FLOAT = np.dtype(np.float32)

_DTYPE_NAMES = {
    np.dtype(np.float32): "Float",
    np.dtype(np.float64): "Double",
    np.dtype(np.float16): "Half",
    np.dtype(np.int64): "Long",
    np.dtype(np.int32): "Int",
    np.dtype(np.int16): "Short",
    np.dtype(np.int8): "Char",
    np.dtype(np.uint8): "Byte",
    np.dtype(np.bool_): "Bool",
}


def dtype_name(dtype: np.dtype) -> str:
    return _DTYPE_NAMES.get(np.dtype(dtype), str(dtype))


def category(dtype: np.dtype) -> int:
    """0 bool, 1 integer, 2 floating (PyTorch's promotion categories)."""
    kind = np.dtype(dtype).kind
    return 0 if kind == "b" else 1 if kind in "iu" else 2


def _scalar_dtype(value: Any) -> np.dtype:
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, (int, np.integer)):
        return np.dtype(np.int64)
    return DEFAULT_FLOAT


def _promote_class(dtypes: list[np.dtype]) -> np.dtype | None:
    """Promote within one priority class: the highest category decides; NumPy promotes inside it."""
    if not dtypes:
        return None
    top = max(category(d) for d in dtypes)
    out = None
    for d in dtypes:
        if category(d) == top:
            out = d if out is None else np.promote_types(out, d)
    return out


def result_type(*operands: Any) -> np.dtype:
    """The dtype PyTorch gives an elementwise op on `operands` (arrays, 0-d arrays or scalars)."""
    dims: list[np.dtype] = []
    zero_dims: list[np.dtype] = []
    scalars: list[np.dtype] = []
    for op in operands:
        if isinstance(op, np.ndarray) or is_gpu_array(op):
            (dims if op.ndim else zero_dims).append(op.dtype)
        else:
            scalars.append(_scalar_dtype(op))
    out = _promote_class(dims)
    for extra in (_promote_class(zero_dims), _promote_class(scalars)):
        if extra is None:
            continue
        if out is None or category(extra) > category(out):
            out = extra
    assert out is not None
    return np.dtype(out)


def floating(dtype: np.dtype) -> np.dtype:
    """`dtype` if floating, else the default float dtype (true division, sqrt, exp of integers)."""
    return np.dtype(dtype) if category(dtype) == 2 else DEFAULT_FLOAT
