"""Shared fixtures. Real datasets come through MLTUTORIAL_DATA (see helpers.need_data)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MLTUTORIAL_QUIET", "1")
# One BLAS thread: the tests' models are small, and OpenBLAS threads on a busy 2-core machine turn a
# 0.1 ms matrix product into 5 ms. Set before NumPy is imported by any test module.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


@pytest.fixture
def no_real_data(monkeypatch, tmp_path):
    """Run as on a fresh machine: no MLTUTORIAL_DATA and an empty user cache."""
    monkeypatch.delenv("MLTUTORIAL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path
