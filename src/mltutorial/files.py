"""Writing outputs safely: atomic file writes and JSON that understands NumPy.

A command that fails never leaves a half-written file behind: write to a temporary file in the
same folder, then rename it over the target in one step. Model files are `.npz` archives with a JSON
header (`save_npz` / `load_npz`): no pickle, a format name and a version checked on load.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it onto `path`, on error remove it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(
            tmp_path, 0o666 & ~_umask()
        )  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def jsonable(obj: Any) -> Any:
    """Turn dataclasses, NumPy scalars/arrays, paths and tuples into plain JSON values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else (1e308 if obj > 0 else -1e308)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    return write_text(path, json.dumps(jsonable(obj), indent=2) + "\n")


def save_npz(path: str | os.PathLike[str], meta: dict[str, Any], arrays: dict[str, Any]) -> Path:
    """Save `arrays` and a JSON `meta` header (which must name "format" and "version") atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, __meta__=np.array(json.dumps(jsonable(meta))), **arrays)
    return Path(path)


def load_npz(
    path: str | os.PathLike[str], *, fmt: str, version: int, what: str, how: str
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a file written by `save_npz`; any problem is one `UserError` line.

    fmt/version: what the header must say; what: the kind of file, for messages ("word map");
    how: the command that makes one ("mltutorial words train -o FILE").
    """
    from mltutorial.errors import UserError

    path = Path(path)
    if path.is_dir():
        raise UserError(f"model file {path} is a folder; give the .npz file")
    if not path.is_file():
        raise UserError(f"model file {path} not found (make one with '{how}')")
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["__meta__"]))
            arrays = {k: z[k] for k in z.files if k != "__meta__"}
    except Exception as exc:
        raise UserError(f"{path}: not a readable {what} file ({type(exc).__name__})") from None
    if meta.get("format") != fmt or meta.get("version") != version:
        found = f"{meta.get('format')} version {meta.get('version')}"
        raise UserError(f"{path}: a {found} file, not a version-{version} {what} ({fmt})")
    return meta, arrays
