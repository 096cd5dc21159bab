"""Shared test helpers: real datasets are found through MLTUTORIAL_DATA and skipped by name when absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MLTUTORIAL_QUIET", "1")


def data_root() -> Path | None:
    root = os.environ.get("MLTUTORIAL_DATA")
    return Path(root) if root and Path(root).is_dir() else None


def need_data(folder: str) -> Path:
    """Return `$MLTUTORIAL_DATA/<folder>`, or skip the test naming the dataset it needs."""
    root = data_root()
    if root is None or not (root / folder).exists():
        pytest.skip(f"real dataset '{folder}' not found (set MLTUTORIAL_DATA)")
    return root / folder


@pytest.fixture
def no_real_data(monkeypatch, tmp_path):
    """Run as on a fresh machine: no MLTUTORIAL_DATA and an empty user cache."""
    monkeypatch.delenv("MLTUTORIAL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path
