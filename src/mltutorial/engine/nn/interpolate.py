"""`F.interpolate`: resize (N, C, *spatial) tensors by nearest, nearest-exact or (bi/tri)linear
sampling, as PyTorch computes the source positions.

Linear modes are separable: one (out, in) interpolation matrix per spatial axis, applied with a
matmul, so the gradient is the transposed matrix (no special backward). Nearest modes gather.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}


def _source(n_in: int, n_out: int, align_corners: bool, scale: float | None) -> np.ndarray:
    """Continuous source coordinate of each output position (ATen's area_pixel_compute_source_index)."""
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        return dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    ratio = 1.0 / scale if scale else n_in / n_out
    return np.maximum((dst + 0.5) * ratio - 0.5, 0.0)


def _linear_matrix(n_in: int, n_out: int, align_corners: bool, scale: float | None) -> np.ndarray:
    src = _source(n_in, n_out, align_corners, scale)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w1 = src - i0
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.arange(n_out), i0), 1 - w1)
    np.add.at(m, (np.arange(n_out), i1), w1)
    return m


def _nearest_index(n_in: int, n_out: int, exact: bool, scale: float | None) -> np.ndarray:
    ratio = 1.0 / scale if scale else n_in / n_out
    dst = np.arange(n_out, dtype=np.float64)
    src = np.floor((dst + 0.5) * ratio) if exact else np.floor(dst * np.float32(ratio))
    return np.minimum(src.astype(np.int64), n_in - 1)


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of an (N, C, *spatial) tensor to `size` (or by `scale_factor`)."""
    k = input.ndim - 2
    if k < 1:
        raise ValueError(f"interpolate expects a (N, C, ...) input, got shape {input.shape}")
    if antialias:
        raise NotImplementedError(
            "interpolate(antialias=True) is not supported by mltutorial.engine"
        )
    spatial = input.shape[2:]
    scales: list[float | None]
    if size is not None:
        out = [size] * k if isinstance(size, int) else list(size)
        scales = [None] * k
    elif scale_factor is not None:
        sf = [scale_factor] * k if isinstance(scale_factor, (int, float)) else list(scale_factor)
        out = [int(np.floor(n * f)) for n, f in zip(spatial, sf)]
        scales = [None if recompute_scale_factor else float(f) for f in sf]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if len(out) != k:
        raise ValueError(f"size {out} does not match the {k} spatial dims of {input.shape}")
    x = input
    if mode in ("nearest", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with linear interpolating modes")
        for axis, (n_in, n_out, sc) in enumerate(zip(spatial, out, scales)):
            idx = _nearest_index(n_in, n_out, mode == "nearest-exact", sc)
            x = x[(slice(None),) * (2 + axis) + (idx,)]
        return x
    if mode not in _LINEAR and mode not in ("bicubic", "area"):
        raise NotImplementedError(f"interpolate mode {mode!r}")
    if mode not in _LINEAR:
        raise NotImplementedError(
            f"interpolate(mode={mode!r}) is not supported by mltutorial.engine"
        )
    if _LINEAR[mode] != k:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode] + 2}D input"
        )
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f"interpolate(mode={mode!r}) of {x.dtype} tensors is not supported by mltutorial.engine"
        )
    for axis, (n_in, n_out, sc) in enumerate(zip(spatial, out, scales)):
        m = Tensor(_linear_matrix(n_in, n_out, bool(align_corners), sc).astype(x.dtype))
        moved = x.transpose(2 + axis, -1)  # the axis last, then (..., n_in) @ (n_in, n_out)
        x = (moved @ m.T).transpose(2 + axis, -1)
    return x


def upsample(*args: Any, **kwargs: Any) -> Tensor:
    return interpolate(*args, **kwargs)
