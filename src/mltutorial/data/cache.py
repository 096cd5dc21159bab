"""A cache of parsed arrays in the user cache, for the two sets whose text formats are slow to parse
(KDD Cup 99: 494,021 CSV rows; SpamAssassin: 6,046 MIME messages).

The key is (what, format version, every source file's absolute path, size and mtime): a changed or
replaced source file is parsed again. Entries are plain `.npz` files (no pickle); lists of str are
stored as one JSON-encoded byte array. Nothing is ever written inside the project.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial.data.registry import cache_root
from mltutorial.errors import UserError
from mltutorial.files import atomic_path, read_npz

Parsed = dict[str, Any]  # name -> np.ndarray or list[str]


def _key(what: str, version: int, sources: list[Path]) -> str:
    h = hashlib.sha256(f"{what}:{version}".encode())
    for p in sources:
        st = p.stat()
        h.update(f"|{p.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


def _where(sources: list[Path]) -> str:
    return hashlib.sha256("|".join(str(p.resolve()) for p in sources).encode()).hexdigest()[:8]


def cache_file(what: str, version: int, sources: list[Path]) -> Path:
    """One entry per (dataset, source location); a newer version of the sources replaces it."""
    return cache_root() / "parsed" / f"{what}-{_where(sources)}-{_key(what, version, sources)}.npz"


def cached(what: str, version: int, sources: list[Path], build: Callable[[], Parsed]) -> Parsed:
    """`build()`'s result, from the cache when the sources are unchanged since it was stored."""
    path = cache_file(what, version, sources)
    if path.is_file():
        try:
            out: Parsed = {}
            for k, v in read_npz(path, "parsed-data cache").items():
                out[k[5:] if k.startswith("json:") else k] = (
                    json.loads(v.tobytes().decode("utf-8")) if k.startswith("json:") else v
                )
            return out
        except (UserError, ValueError, KeyError):
            pass  # a damaged entry (cut short, edited) is rebuilt below
    result = build()
    try:
        arrays = {}
        for k, v in result.items():
            if isinstance(v, np.ndarray):
                arrays[k] = v
            else:
                arrays["json:" + k] = np.frombuffer(json.dumps(v).encode("utf-8"), np.uint8)
        for old in path.parent.glob(f"{what}-{_where(sources)}-*.npz"):
            old.unlink(missing_ok=True)  # keep one entry per dataset
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez(f, **arrays)
    except (OSError, UserError):
        pass  # read-only cache: parse again next time
    return result
