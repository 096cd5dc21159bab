"""The notebooks: one per tour chapter in slide order, opening with the slide, built in sync, and the
`mltutorial notebooks` command that writes them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mltutorial import cli, notebook_build
from mltutorial.tour import discover

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "notebooks"  # the built .ipynb a clone of the repository opens directly
SEED_SOFTWARE = "3. Software (Keras, Pytorch,...) You will learn this"  # seed/tutorial.txt


def _first_markdown(source: Path) -> str:
    text = source.read_text("utf-8")
    first = text.split("# %%", 2)[1]
    return " ".join(line.lstrip("# ").strip() for line in first.splitlines())


@pytest.fixture(scope="module")
def chapters():
    return discover()[0]


def test_one_notebook_per_chapter_in_slide_order(chapters):
    chapters = [c.name for c in chapters]
    names = [notebook_build.chapter_of(p) for p in notebook_build.sources()]
    assert names == [*chapters, "software"]
    numbers = [int(p.name[:2]) for p in notebook_build.sources()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [p.name for p in notebook_build.solution_sources()] == [
        p.name for p in notebook_build.sources()
    ]


def test_each_notebook_opens_with_its_slide(chapters):
    slides = {c.name: c.slide for c in chapters}
    for source in notebook_build.sources():
        slide = slides.get(notebook_build.chapter_of(source), SEED_SOFTWARE)
        assert " ".join(slide.split()) in _first_markdown(source), f"{source.name}: not its slide"


@pytest.mark.parametrize("source", notebook_build.sources(), ids=lambda p: p.stem)
def test_each_notebook_has_a_quick_setting_and_two_to_four_checked_exercises(source):
    text = source.read_text("utf-8")
    chapter = notebook_build.chapter_of(source)
    module = __import__(f"mltutorial.exercises.{chapter}", fromlist=["_"])
    checks = sorted(n for n in dir(module) if n.startswith("check_"))
    assert 2 <= len(checks) <= 4
    solution = (source.parent / "solutions" / source.name).read_text("utf-8")
    for name in checks:
        assert f"ex.{name}(" in text, f"{source.name} never calls {name}"
        assert f"assert ex.{name}(" in solution, f"the solution of {source.name} skips {name}"
    if chapter not in ("live", "complexity", "software"):  # these run in a second anyway
        assert 'QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"' in text


def test_built_notebooks_are_in_sync_with_their_sources():
    """`mltutorial notebooks notebooks --force` rebuilds them; outputs are never committed."""
    want = {}
    for source in notebook_build.sources():
        want[source.with_suffix(".ipynb").name] = notebook_build.build(source)
    for source in notebook_build.solution_sources():
        want[f"solutions/{source.with_suffix('.ipynb').name}"] = notebook_build.build(source)
    have = {str(p.relative_to(BUILT)): p.read_text("utf-8") for p in BUILT.rglob("*.ipynb")}
    assert sorted(have) == sorted(want), "run: mltutorial notebooks notebooks --force"
    for name, text in want.items():
        assert have[name] == text, f"{name} is stale: run mltutorial notebooks notebooks --force"
        nb = json.loads(text)
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_notebook_for_names_each_chapter():
    assert notebook_build.notebook_for("neuron") == "12_neuron.ipynb"
    assert notebook_build.notebook_for("no_such_chapter") is None


def test_the_command_writes_them_and_says_how_to_open_them(tmp_path, capsys):
    dest = tmp_path / "nb"
    assert cli.main(["notebooks", str(dest)]) == 0
    out = capsys.readouterr().out
    assert f"jupyter lab {dest}" in out
    assert "wrote 20 notebooks and 20 solutions" in out
    assert (dest / "12_neuron.ipynb").exists() and (dest / "solutions/12_neuron.ipynb").exists()
    assert (dest / "12_neuron.ipynb").read_text() == (BUILT / "12_neuron.ipynb").read_text()


def test_the_command_never_overwrites_your_edits(tmp_path, capsys):
    dest = tmp_path / "nb"
    dest.mkdir()
    (dest / "12_neuron.ipynb").write_text("my edits")
    assert cli.main(["notebooks", str(dest)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0] and "--force" in err[0]
    assert (dest / "12_neuron.ipynb").read_text() == "my edits"
    assert not (dest / "01_hardware.ipynb").exists()  # nothing half-written
    assert cli.main(["notebooks", str(dest), "--force"]) == 0
    assert (dest / "12_neuron.ipynb").read_text() != "my edits"


def test_the_command_on_a_file_is_one_line_exit_2(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("x")
    assert cli.main(["notebooks", str(target)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "not a folder" in err


def test_the_command_without_jupytext_says_what_to_install(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "jupytext", None)  # import jupytext -> ImportError
    assert cli.main(["notebooks", str(tmp_path / "nb")]) == 2
    err = capsys.readouterr().err
    assert re.search(r"pip install 'mltutorial\[notebooks\]'", err)
    assert not (tmp_path / "nb").exists()


def test_the_report_links_each_chapter_to_its_notebook(chapters, tmp_path):
    from mltutorial import report
    from mltutorial.chapter import ChapterOutput
    from mltutorial.tour import ChapterRecord

    records = [ChapterRecord(c, ChapterOutput(summary="s", numbers={}), 0.1) for c in chapters]
    page = report.render(records, {}, {}, tmp_path)
    for c in chapters:
        name = notebook_build.notebook_for(c.name)
        assert f"href='../mltutorial-notebooks/{name}'" in page


def test_the_command_has_help(capsys):
    assert cli.main(["notebooks", "--help"]) == 0
    assert "usage: mltutorial notebooks" in capsys.readouterr().out
