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


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run `mltutorial ARGV` in-process: (exit status, stdout, stderr)."""
    from mltutorial import cli

    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line_error(rc: int, err: str) -> str:
    """A user error: exit status 2 and one `...: error: ...` line on stderr, no traceback."""
    lines = err.strip().splitlines()
    assert rc == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert ": error: " in lines[0]
    return lines[0]
