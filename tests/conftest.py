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


# In CI (CI=true) a skip is a failure unless it is one CI expects: there every real dataset, the
# PostgreSQL server, Debian's chromium and PyTorch are installed, so any other skip means a test that
# looks green but checked nothing.
CI_EXPECTED_SKIPS = ("root writes anywhere", "no GPU")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI", "").lower() not in ("1", "true") or not report.skipped:
        return
    reason = (
        str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    )
    if any(expected in reason for expected in CI_EXPECTED_SKIPS):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, where it must run: {reason}"
