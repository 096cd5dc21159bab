"""Writing outputs safely and reading inputs carefully: one writer, one model-file reader.

A command that fails never leaves a half-written file behind: write to a temporary file in the
same folder, then rename it over the target in one step. The rename only ever replaces a regular
file: a device (`/dev/null`), a pipe or a folder at the target is refused, never replaced.

Model files are `.npz` archives with a JSON header (`save_npz` / `load_npz`): no pickle, a format
name and a version checked on load, then every array checked against what its app declares (names,
shapes, dtypes, finite values) before any of it is used. Every input file is checked to be a
regular file before it is opened, so a FIFO with no writer fails at once instead of hanging.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import stat
import tempfile
import typing
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial.errors import UserError, WriteError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ------------------------------------------------------------------------------ file types


def system_root(path: str | os.PathLike[str]) -> str | None:
    """The system root (/dev, /proc or /sys) that `path` lies under, as given or resolved; or None."""
    for p in (Path(os.path.abspath(path)), Path(os.path.realpath(path))):
        if p.parts[1:2] in (("dev",), ("proc",), ("sys",)):
            return "/" + p.parts[1]
    return None


def output_target(path: str | os.PathLike[str], flag: str = "") -> Path:
    """The file to write for `path`; a `UserError` for a target the writer must not replace.

    Refused: an empty name, a folder, anything that exists and is not a regular file (a device,
    a pipe, a socket), and anything under /dev, /proc or /sys (`/dev/stdout` is a link there,
    whatever stdout is). A link to a regular file is written through: the link stays a link.
    """
    where = f"{flag} " if flag else ""
    if str(path) == "":
        raise UserError(f"{where}'': an empty file name; give a file name".lstrip())
    given = Path(path)
    resolved = Path(os.path.realpath(given))
    root = system_root(given)
    if root is not None:
        raise UserError(
            f"{where}{given}: a device or system file (under {root}); "
            "refusing to replace it; give a file name"
        )
    try:
        mode = os.stat(resolved).st_mode
    except OSError:
        return resolved  # not there yet (or its folder is wrong: the write says so)
    if stat.S_ISDIR(mode):
        raise UserError(f"{where}{given}: is a folder; give a file name")
    if not stat.S_ISREG(mode):
        raise UserError(
            f"{where}{given}: exists and is not a regular file (a device, pipe or socket); "
            "refusing to replace it"
        )
    return resolved


def input_file(path: str | os.PathLike[str], what: str = "file", how: str = "") -> Path:
    """`path` as a regular file to read; else one `UserError` line. Checked before opening, so a
    FIFO with no writer is refused instead of blocking forever."""
    if str(path) == "":
        raise UserError(f"'': an empty {what} name")
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        hint = f" (make one with '{how}')" if how else ""
        raise UserError(f"{what} not found: {p}{hint}") from None
    except OSError as exc:
        raise UserError(f"{what} {p}: cannot read it ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise UserError(f"{what} {p} is a folder; give the file")
    if not stat.S_ISREG(mode):
        raise UserError(f"{what} {p} is not a regular file (a device, pipe or socket)")
    return p


# ------------------------------------------------------------------------------ the writer


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it onto `path`, on error remove it.

    Refuses (before writing anything) a target that exists and is not a regular file, or lies
    under /dev, /proc or /sys (see `output_target`). A failed write is reported with the target's
    name, never the temporary one.
    """
    target = output_target(path)  # a link's target, so the link itself stays
    shown = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent
        )
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600: give the usual permissions
        output_target(target)  # something may have appeared there while we wrote
        os.replace(tmp_path, target)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise WriteError(f"cannot write {shown}: {exc.strerror or exc}") from None
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


# ------------------------------------------------------------------------------ the reader


@dataclasses.dataclass(frozen=True)
class Array:
    """What one array of a model file must look like.

    shape: one entry per dimension: an int (exactly that), a name (the same size, at least 1,
    wherever that name appears in the file's arrays) or None (any size); kind: the NumPy dtype kinds accepted
    ("f" float, "i"/"u" integer, "U" text, "b" bool); floats must be finite.
    """

    shape: tuple[int | str | None, ...]
    kind: str = "f"


_KINDS = {"f": "floats", "i": "integers", "u": "integers", "U": "text", "b": "booleans"}


def read_npz(path: str | os.PathLike[str], what: str, how: str = "") -> dict[str, np.ndarray]:
    """Every array of the `.npz` file at `path`, read without pickle; any problem is one line.

    Each member's declared shape and dtype are checked against its stored size before it is read,
    so a damaged or edited file cannot ask for a huge allocation.
    """
    p = input_file(path, what, how)
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(p) as zf:
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with zf.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read_header(fh)
                    if dtype.hasobject:
                        raise ValueError("an array of Python objects")
                    header_len = fh.tell()
                    if math.prod(shape) * dtype.itemsize != info.file_size - header_len:
                        raise ValueError(f"array {info.filename[:-4]!r} has the wrong size")
                with zf.open(info) as fh:
                    arrays[info.filename[:-4]] = np.lib.format.read_array(fh, allow_pickle=False)
    except Exception as exc:  # zip, npy header, zlib, short read: the file is not what it says
        reason = str(exc) if isinstance(exc, ValueError) and "array" in str(exc) else ""
        raise UserError(
            f"{p}: not a {what} file, or a damaged one ({reason or type(exc).__name__})"
        ) from None
    return arrays


def check_arrays(
    arrays: Mapping[str, np.ndarray], spec: Mapping[str, Array], where: str
) -> dict[str, int]:
    """Check `arrays` against `spec` (see `Array`); return the named sizes. One `UserError` line."""
    sizes: dict[str, int] = {}
    for name, want in spec.items():
        if name not in arrays:
            raise UserError(f"{where}: no {name!r} array (damaged file?)")
        a = arrays[name]
        if a.dtype.kind not in want.kind:
            kinds = " or ".join(dict.fromkeys(_KINDS.get(k, k) for k in want.kind))
            raise UserError(f"{where}: array {name!r} holds {a.dtype}, expected {kinds}")
        if a.ndim != len(want.shape):
            raise UserError(
                f"{where}: array {name!r} has {a.ndim} dimensions, expected {len(want.shape)}"
            )
        for axis, (got, dim) in enumerate(zip(a.shape, want.shape)):
            if isinstance(dim, str):
                if got == 0:
                    raise UserError(f"{where}: array {name!r} is empty along axis {axis}")
                dim = sizes.setdefault(dim, got)
            if dim is not None and got != dim:
                raise UserError(
                    f"{where}: array {name!r} has shape {a.shape}; axis {axis} should be {dim}"
                )
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise UserError(f"{where}: array {name!r} holds NaN or infinite values")
    return sizes


def _matches(value: Any, kind: Any) -> bool:
    """isinstance for header values: int, float (an int is a float), str, bool, list[X], dict."""
    origin = typing.get_origin(kind)
    if origin is list:
        (inner,) = typing.get_args(kind) or (Any,)
        return isinstance(value, list) and (inner is Any or all(_matches(v, inner) for v in value))
    if kind is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False  # JSON true is not a number
    if kind is float:
        return isinstance(value, (int, float)) and math.isfinite(value)
    return isinstance(value, kind)


def check_header(meta: Any, fields: Mapping[str, Any], where: str) -> dict[str, Any]:
    """`meta` must be a JSON object whose `fields` have the given types (see `_matches`)."""
    if not isinstance(meta, dict):
        raise UserError(f"{where}: the header is not a JSON object (damaged file?)")
    for key, kind in fields.items():
        if key not in meta:
            raise UserError(f"{where}: the header lacks {key!r} (damaged file?)")
        if not _matches(meta[key], kind):
            name = getattr(kind, "__name__", str(kind))
            raise UserError(f"{where}: header field {key!r} is {meta[key]!r}, expected {name}")
    return meta


def load_npz(
    path: str | os.PathLike[str],
    *,
    fmt: str,
    version: int,
    what: str,
    how: str,
    header: Mapping[str, Any] | None = None,
    arrays: Mapping[str, Array] | Callable[[dict[str, Any]], Mapping[str, Array]] | None = None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a file written by `save_npz`; any problem is one `UserError` line.

    fmt/version: what the header must say; what: the kind of file, for messages ("word map");
    how: the command that makes one ("mltutorial words train -o FILE"); header: the fields the
    header must have and their types; arrays: what each array must look like (or a function of
    the checked header giving that, when shapes follow from the header).
    """
    p = Path(path)
    found = read_npz(p, what, how)
    if "__meta__" not in found:
        raise UserError(f"{p}: not a {what} file (no header)")
    try:
        meta = json.loads(str(found.pop("__meta__")))
    except ValueError:
        raise UserError(f"{p}: not a readable {what} file (damaged header)") from None
    if not isinstance(meta, dict):
        raise UserError(f"{p}: not a {what} file (the header is not a JSON object)")
    if meta.get("format") != fmt or meta.get("version") != version:
        was = f"{meta.get('format')} version {meta.get('version')}"
        raise UserError(f"{p}: a {was} file, not a version-{version} {what} ({fmt})")
    check_header(meta, header or {}, str(p))
    spec = arrays(meta) if callable(arrays) else arrays
    check_arrays(found, spec or {}, str(p))
    return meta, found
