"""Which array module holds a tensor's data: NumPy on the CPU, CuPy on an NVIDIA GPU.

The engine is written against NumPy. CuPy arrays implement NumPy's dispatch protocols
(`__array_ufunc__`, `__array_function__`, NEP 18), so `np.exp(a)`, `np.matmul(a, b)` or
`np.einsum(...)` on a CuPy array already run on the GPU. What does not dispatch is creating an
array from nothing (`np.zeros(shape)`, `np.arange(n)`, a random draw) and copying to the host
(`np.asarray(gpu_array)`, which CuPy refuses). Those few places ask `array_module(x)` for the
module that `x` lives in and create there.

CuPy is imported lazily, only when a device other than the CPU is asked for or a non-NumPy array is
seen, so importing the engine never imports CuPy.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from ..errors import UserError

_INSTALL_HINT = "pip install cupy-cuda12x"


class DeviceError(UserError, RuntimeError):
    """A device that is unknown or not present on this machine: one line that says which and why."""


def _cupy() -> ModuleType | None:
    """The cupy module if it is installed (imported on first use), else None."""
    try:
        import cupy
    except Exception:  # not installed, or installed without a usable CUDA runtime
        return None
    return cupy


def array_module(x: Any) -> ModuleType:
    """`cupy` if `x` is a CuPy array, else `numpy` (one type check on the CPU path)."""
    if type(x) is np.ndarray or not type(x).__module__.startswith("cupy"):
        return np
    cp = _cupy()
    return cp if cp is not None else np


def is_gpu_array(x: Any) -> bool:
    return type(x) is not np.ndarray and type(x).__module__.startswith("cupy")


def writeable(a: Any) -> bool:
    """NumPy's `flags.writeable` (CuPy arrays have no such flag and are always writeable)."""
    return a.flags.writeable if isinstance(a, np.ndarray) else True


def gpu_available() -> bool:
    """True when CuPy imports and sees at least one CUDA device (any error means no)."""
    cp = _cupy()
    if cp is None:
        return False
    try:
        return int(cp.cuda.runtime.getDeviceCount()) > 0
    except Exception:
        return False


def parse_device(device: Any) -> str:
    """Canonical name of a device: "cpu" or "cuda:N". Accepts "cpu", "cuda", "cuda:0" and
    `torch.device` objects (anything whose `str()` is such a name)."""
    name = str(device if device is not None else "cpu").strip().lower()
    if name == "cpu":
        return "cpu"
    if name == "cuda":
        return "cuda:0"
    if name.startswith("cuda:") and name[5:].isdigit():
        return f"cuda:{int(name[5:])}"
    raise DeviceError(f"unknown device {device!r}: expected 'cpu', 'cuda' or 'cuda:N'")


def _require_gpu(device: str) -> ModuleType:
    cp = _cupy()
    if cp is None or not gpu_available():
        what = "neither CuPy nor a GPU" if cp is None else "CuPy but no NVIDIA GPU"
        raise DeviceError(
            f"device {device!r} needs CuPy and an NVIDIA GPU; this machine has {what} "
            f"({_INSTALL_HINT})"
        )
    return cp


def module_for(device: Any) -> ModuleType:
    """The array module for a device: numpy for "cpu", cupy for "cuda" (a clear error if absent)."""
    name = parse_device(device)
    return np if name == "cpu" else _require_gpu(name)


def device_of(x: Any) -> str:
    """ "cpu" for a NumPy array, "cuda:N" for a CuPy array on GPU N."""
    if not is_gpu_array(x):
        return "cpu"
    return f"cuda:{int(x.device.id)}"


def to_device(array: Any, device: Any) -> Any:
    """`array` on `device`: the same object when it is already there, else a copy."""
    name = parse_device(device)
    if name == "cpu":
        return array.get() if is_gpu_array(array) else array
    cp = _require_gpu(name)
    index = int(name.split(":")[1])
    if is_gpu_array(array) and int(array.device.id) == index:
        return array
    with cp.cuda.Device(index):
        return cp.asarray(array)


def like(a: Any, x: Any) -> Any:
    """Array `a` on the device of array `x`: `a` itself when `x` is a NumPy array (the CPU path),
    for a host-made index, mask or random draw that meets data that may live on a GPU."""
    if not is_gpu_array(x) or is_gpu_array(a):
        return a
    with x.device:
        return array_module(x).asarray(a)


def asarray(x: Any) -> Any:
    """`np.asarray(x)` (a NumPy scalar becomes a 0-d array) that leaves a CuPy array where it is."""
    return x if is_gpu_array(x) else np.asarray(x)


def add_at(a: Any, index: Any, values: Any) -> None:
    """`np.add.at(a, index, values)` (repeated indices add up) on the device of `a`: CuPy's
    `add.at` where it has one (CuPy >= 13), else `cupyx.scatter_add`."""
    if not is_gpu_array(a):
        np.add.at(a, index, values)
        return
    xp = array_module(a)
    try:
        xp.add.at(a, index, values)
    except (AttributeError, NotImplementedError):
        import cupyx

        cupyx.scatter_add(a, index, values)


def to_host(x: Any) -> Any:
    """A NumPy array (or scalar) from a NumPy or CuPy one: for the few host-side reads."""
    return x.get() if is_gpu_array(x) else x


def synchronize() -> None:
    """Wait for the GPU to finish its queued work (no-op without CuPy): stop clocks after this."""
    cp = _cupy()
    if cp is None:
        return
    try:
        cp.cuda.get_current_stream().synchronize()
    except Exception:  # CuPy installed, no usable device: nothing was queued
        return
