"""A stand-in for CuPy on a machine without a GPU: NumPy arrays of a marked type that refuse,
as CuPy does, to be mixed with plain NumPy arrays.

`FakeGPUArray` is an `ndarray` subclass whose module name starts with "cupy", so
`engine.backend` takes it for a GPU array; `install(monkeypatch)` makes `backend` import this
module instead of CuPy. Every ufunc, `np.*` function and index that meets a plain NumPy array (one
made on the host by `np.zeros(shape)`, `np.arange(n)`, a random draw, or `np.asarray(gpu_array)`)
raises, so a training step that runs through without error and leaves every parameter, gradient
and optimizer buffer a `FakeGPUArray` would not have touched the host on a real GPU either.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np


class HostMixError(TypeError):
    """A plain NumPy array met a (fake) GPU array: CuPy raises here too."""


def _refuse_host(obj: Any) -> None:
    if type(obj) is np.ndarray:
        raise HostMixError(f"a NumPy array {obj.shape} {obj.dtype} met a GPU array")
    if isinstance(obj, (list, tuple)):
        for o in obj:
            _refuse_host(o)


def _unwrap(obj: Any) -> Any:
    if isinstance(obj, FakeGPUArray):
        return obj.view(np.ndarray)
    if isinstance(obj, tuple):
        return tuple(_unwrap(o) for o in obj)
    if isinstance(obj, list):
        return [_unwrap(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _unwrap(v) for k, v in obj.items()}
    return obj


def _wrap(obj: Any) -> Any:
    if type(obj) is np.ndarray:
        return obj.view(FakeGPUArray)
    if isinstance(obj, np.generic):  # CuPy's reductions give 0-d arrays, not scalars
        return np.asarray(obj).view(FakeGPUArray)
    if isinstance(obj, tuple):
        return tuple(_wrap(o) for o in obj)
    if isinstance(obj, list):
        return [_wrap(o) for o in obj]
    return obj


class _Device:
    id = 0

    def __enter__(self) -> _Device:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeGPUArray(np.ndarray):
    """A NumPy array that behaves, for mixing rules, like a CuPy array on GPU 0."""

    device = _Device()  # type: ignore[assignment]

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        _refuse_host(inputs)
        _refuse_host(kwargs.get("out", ()))
        result = getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs))
        return _wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        _refuse_host(args)
        _refuse_host(list(kwargs.values()))
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def __getitem__(self, key: Any) -> Any:
        _refuse_host(key)
        return _wrap(super().__getitem__(key))

    def __setitem__(self, key: Any, value: Any) -> None:
        _refuse_host(key)
        _refuse_host(value)
        super().__setitem__(key, value)

    def get(self) -> np.ndarray:
        """The host copy, as `cupy.ndarray.get()`."""
        return self.view(np.ndarray).copy()


FakeGPUArray.__module__ = "cupy_fake"  # what `backend.is_gpu_array` looks at


class _Module(types.SimpleNamespace):
    """`cupy`: NumPy's functions, with array results on the fake GPU."""

    def __getattr__(self, name: str) -> Any:
        fn = getattr(np, name)
        if isinstance(fn, np.ufunc) or not callable(fn):
            return fn  # ufuncs dispatch through FakeGPUArray.__array_ufunc__ (add.at, ...)

        def on_gpu(*args: Any, **kwargs: Any) -> Any:
            return _wrap(fn(*_unwrap(args), **_unwrap(kwargs)))

        return on_gpu


def _asarray(a: Any, dtype: Any = None) -> FakeGPUArray:
    return np.asarray(_unwrap(a), dtype=dtype).view(FakeGPUArray)


def _array(a: Any, dtype: Any = None, copy: bool = True) -> FakeGPUArray:
    return np.array(_unwrap(a), dtype=dtype, copy=copy).view(FakeGPUArray)


cupy = _Module(
    ndarray=FakeGPUArray,
    asarray=_asarray,
    array=_array,
    cuda=types.SimpleNamespace(
        runtime=types.SimpleNamespace(
            getDeviceCount=lambda: 1, getDeviceProperties=lambda index: {"name": b"Fake GPU"}
        ),
        Device=lambda index=0: _Device(),
        get_current_stream=lambda: types.SimpleNamespace(synchronize=lambda: None),
    ),
)


def install(monkeypatch: Any) -> Any:
    """Make `engine.backend` see this fake as CuPy (one GPU) for the rest of the test."""
    from mltutorial.engine import backend

    monkeypatch.setattr(backend, "_cupy", lambda: cupy)
    return cupy


def on_gpu(*arrays: Any) -> bool:
    return all(isinstance(a, FakeGPUArray) for a in arrays)
