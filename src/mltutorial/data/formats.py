"""Low-level readers shared by the loaders: bytes (gzip or not), UTF-8 text, IDX, numeric tables.

Every reader turns a bad file into a `DataError` that names the file (and the line, when there is
one): a truncated gzip, a non-UTF-8 byte, an empty file, a malformed row.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mltutorial.errors import DataError


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip (by magic number, not by name)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block, a device never end
            kind = "a folder" if path.is_dir() else "not a regular file (a device, pipe or socket)"
            raise DataError(f"{path}: {kind}")
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise DataError(f"{path}: damaged or truncated gzip file ({exc})") from None
    return raw


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte `offset`."""
    return data.count(b"\n", 0, offset) + 1


def decode_utf8(data: bytes, path: Path, bom: bool = True) -> str:
    """Decode UTF-8 (a BOM is dropped); a bad byte is reported with its line and column."""
    try:
        return data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        line = line_of(data, exc.start)
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at column {col}); "
            "convert it, e.g. iconv -f latin1 -t utf-8"
        ) from None


def read_text(path: Path, what: str = "text") -> str:
    """A whole UTF-8 text file (gzip allowed), universal newlines, non-empty."""
    data = read_bytes(path)
    if not data.strip():
        raise DataError(f"{path}: empty file (expected {what})")
    return decode_utf8(data, path).replace("\r\n", "\n").replace("\r", "\n")


# ---- IDX (MNIST, Fashion-MNIST) ----------------------------------------------------------------

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path) -> np.ndarray:
    """An IDX array (LeCun's format: magic 0x0000TTDD, then DD big-endian uint32 sizes, then data)."""
    data = read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise DataError(f"{path}: not an IDX file (bad magic number)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: truncated IDX header")
    shape = tuple(int(v) for v in np.frombuffer(data, ">u4", ndim, 4))
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise DataError(
            f"{path}: IDX size mismatch: header says {shape} ({expected:,} bytes), "
            f"file has {len(data):,} bytes (truncated?)"
        )
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


# ---- delimited numeric tables ------------------------------------------------------------------


def _tokens_per_line(data: bytes) -> np.ndarray:
    """Number of whitespace-separated tokens on each line (vectorised over the bytes)."""
    b = np.frombuffer(data, np.uint8)
    ws = (b == 32) | (b == 9) | (b == 10) | (b == 13) | (b == 11) | (b == 12)
    starts = ~ws
    starts[1:] &= ws[:-1]  # a token starts where non-space follows space
    line = np.cumsum(b == 10)  # 0-based line index of every byte
    return np.bincount(line[starts], minlength=int(line[-1]) + 1 if len(b) else 1)


def int_table(data: bytes, path: Path, ncols: int) -> np.ndarray:
    """Parse whitespace-separated integers, `ncols` per line (blank lines skipped), to (n, ncols) int64.

    Every line's field count is checked first (so a short line next to a long one cannot shift
    the columns); then one conversion of all tokens. Problems name the line.
    """
    counts = _tokens_per_line(data)
    bad = np.flatnonzero((counts != 0) & (counts != ncols))
    if len(bad):
        i = int(bad[0])
        raise DataError(f"{path}:{i + 1}: expected {ncols} columns, found {counts[i]}")
    tokens = data.split()
    if not tokens:
        raise DataError(f"{path}: empty file (expected {ncols} integer columns)")
    try:
        return np.array(tokens, dtype=np.int64).reshape(-1, ncols)
    except ValueError:
        pass
    for i, line in enumerate(data.split(b"\n"), 1):
        for f in line.split():
            try:
                int(f)
            except ValueError:
                raise DataError(f"{path}:{i}: not an integer: {f[:40]!r}") from None
    raise DataError(f"{path}: malformed table")  # pragma: no cover - unreachable in practice


def csv_floats(lines: Sequence[str], path: Path, ncols: int, first_line: int = 1) -> np.ndarray:
    """Comma-separated floats, `ncols` per line -> (n, ncols) float64; bad rows are named."""
    try:
        X = np.array([line.split(",") for line in lines], dtype=np.float64)
        if X.ndim == 2 and X.shape[1] == ncols:
            return X
    except ValueError:
        pass
    for i, line in enumerate(lines, first_line):
        fields = line.split(",")
        if len(fields) != ncols:
            raise DataError(f"{path}:{i}: expected {ncols} columns, found {len(fields)}")
        for f in fields:
            try:
                float(f)
            except ValueError:
                raise DataError(f"{path}:{i}: not a number: {f[:40]!r}") from None
    raise DataError(f"{path}: malformed table")  # pragma: no cover
