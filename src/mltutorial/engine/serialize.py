"""`save(obj, path)` / `load(path)`: state dicts as NumPy `.npz` files (no pickle, safe to load).

`obj` is a Module (its state_dict is saved) or a mapping of names to Tensors, arrays or numbers.
The file is written to a temporary name and renamed, so an interrupted save leaves no half file.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import backend
from .tensor import Tensor, to_array


class LoadError(ValueError):
    """A file that is missing, not an .npz archive, or not a state dict the engine wrote."""


def save(obj: Any, path: str | os.PathLike[str]) -> Path:
    """Write a Module's state dict (or a mapping of arrays) to `path` as .npz; returns the path."""
    from .nn.module import Module

    state = obj.state_dict() if isinstance(obj, Module) else obj
    if not isinstance(state, Mapping):
        raise TypeError(f"save() expects a Module or a mapping of arrays, got {type(obj).__name__}")
    arrays = {str(k): np.array(backend.to_host(to_array(v)), order="C") for k, v in state.items()}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def load(path: str | os.PathLike[str]) -> OrderedDict[str, Tensor]:
    """Read a state dict written by `save`: names -> Tensors (in the saved order)."""
    p = Path(path)
    if not p.is_file():
        raise LoadError(f"{p}: no such model file")
    try:
        with np.load(p, allow_pickle=False) as archive:
            return OrderedDict((k, Tensor(np.array(archive[k]))) for k in archive.files)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise LoadError(f"{p}: not a state dict saved by mltutorial.engine.save ({exc})") from None
