"""Fast smoke tests of the command line and shared helpers."""

import subprocess
import sys
from dataclasses import dataclass

import pytest

from mltutorial.cli import main
from mltutorial.config import parse_overrides
from mltutorial.errors import UserError


def test_help_lists_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("tour", "lessons", "run", "spam", "recommend", "generate", "data", "live"):
        assert name in out


def test_unknown_command_is_one_line_exit_2(capsys):
    assert main(["tuor"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean 'tour'" in err[0]


def test_python_dash_m():
    out = subprocess.run(
        [sys.executable, "-m", "mltutorial", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("mltutorial ")


@dataclass
class _Cfg:
    lr: float = 0.1
    width: int = 8
    quick: bool = False
    name: str = "x"


def test_parse_overrides_types_and_errors():
    cfg = parse_overrides(_Cfg, ["--lr=0.5", "--width", "16", "--quick"])
    assert cfg == _Cfg(lr=0.5, width=16, quick=True)
    with pytest.raises(UserError, match="did you mean --width"):
        parse_overrides(_Cfg, ["--widht=3"])
    with pytest.raises(UserError, match="expected a value of type int"):
        parse_overrides(_Cfg, ["--width=abc"])


def test_no_merge_conflict_markers_left_in_the_sources():
    """A merge that left `<<<<<<<` / `>>>>>>>` lines behind once reached the README's benchmark table."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [root / "README.md", root / "pyproject.toml"]
    for folder in ("src", "tests", "bench", "docs", "notebooks"):
        for suffix in ("*.py", "*.md", "*.toml", "*.yaml", "*.yml", "*.html", "*.js", "*.css"):
            files += (root / folder).rglob(suffix)
    marked = [
        f"{path.relative_to(root)}:{i}"
        for path in files
        if path.is_file()
        for i, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if line.startswith(("<<<<<<< ", ">>>>>>> "))
    ]
    assert not marked, marked
