"""Fixtures for `mltutorial present`: the talk's deck, a report folder as the tour writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltutorial.live.deck import load_deck
from present.fake_report import write_report


@pytest.fixture
def deck():
    return load_deck()


@pytest.fixture
def report_dir(tmp_path) -> Path:
    return write_report(tmp_path / "report")
