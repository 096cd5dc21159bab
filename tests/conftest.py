"""Shared fixtures. Real datasets come through MLTUTORIAL_DATA (see helpers.need_data)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MLTUTORIAL_QUIET", "1")


@pytest.fixture
def no_real_data(monkeypatch, tmp_path):
    """Run as on a fresh machine: no MLTUTORIAL_DATA and an empty user cache."""
    monkeypatch.delenv("MLTUTORIAL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path
