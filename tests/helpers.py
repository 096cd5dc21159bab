"""Helpers for tests (importable as `from helpers import need_data`; pytest puts tests/ on the path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def data_root() -> Path | None:
    root = os.environ.get("MLTUTORIAL_DATA")
    return Path(root) if root and Path(root).is_dir() else None


def need_data(folder: str) -> Path:
    """Return `$MLTUTORIAL_DATA/<folder>`, or skip the test naming the dataset it needs."""
    root = data_root()
    if root is None or not (root / folder).exists():
        pytest.skip(f"real dataset '{folder}' not found (set MLTUTORIAL_DATA)")
    return root / folder
