"""Execute the notebooks in a fresh Jupyter kernel (nbclient) on their QUICK setting, with the
shared data and without it (MLTUTORIAL_DATA an empty folder, an empty user cache): a notebook that
raises fails. One fast notebook runs by default; all of them, twice, are `slow`."""

from __future__ import annotations

import os
import time

import pytest

from mltutorial import notebook_build
from nbrun import execute, outputs

SOURCES = notebook_build.sources()
BUDGET_S = 60  # the limit per notebook on a CI machine


def _env(tmp_path, with_data: bool) -> dict[str, str]:
    env = {"MLTUTORIAL_QUICK": "1", "MLTUTORIAL_QUIET": "1"}
    if not with_data:
        (tmp_path / "empty").mkdir()
        env["MLTUTORIAL_DATA"] = str(tmp_path / "empty")
        env["XDG_CACHE_HOME"] = str(tmp_path / "empty")
    return env


def _run(source, tmp_path, with_data):
    if with_data and not os.environ.get("MLTUTORIAL_DATA"):
        pytest.skip("MLTUTORIAL_DATA is not set: the shared datasets are not on this machine")
    start = time.perf_counter()
    nb = execute(source, _env(tmp_path, with_data), cwd=tmp_path)
    return nb, time.perf_counter() - start


def test_the_neuron_notebook_runs_and_draws(tmp_path):
    nb, _ = _run(SOURCES[11], tmp_path, with_data=False)
    assert SOURCES[11].name == "12_neuron.py"
    text = "".join(o.get("text", "") for o in outputs(nb, "stream"))
    assert "largest difference in dJ/dw" in text
    assert "✗ wrong: " in text  # the exercises are left for the learner: the checks say so
    assert any("image/png" in o.get("data", {}) for o in outputs(nb, "display_data"))


@pytest.mark.slow
@pytest.mark.parametrize("with_data", [True, False], ids=["shared-data", "no-data"])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_notebook_runs(source, with_data, tmp_path):
    nb, seconds = _run(source, tmp_path, with_data)
    assert not outputs(nb, "error")
    if "plt.show()" in source.read_text("utf-8"):  # figures inline, not lost to a file backend
        assert any("image/png" in o.get("data", {}) for o in outputs(nb, "display_data"))
    text = "".join(o.get("text", "") for o in outputs(nb, "stream"))
    for line in (line for line in text.splitlines() if line.startswith("data:")):
        if with_data:  # the real dataset was found, not silently replaced
            assert "built-in sample" not in line, line
        else:  # the fallback says what it is (scikit-learn's own datasets are always there)
            assert "built-in sample standing in for" in line or "scikit-learn" in line, line
    assert seconds < BUDGET_S, f"{source.name} took {seconds:.0f} s"
