"""The command line's manners, as a user meets them, for the finished commands.

Bad input ends with ONE line on stderr and exit status 2 (130 for Ctrl-C), never a traceback, and
leaves no half-written file; `--help` works everywhere and is instant; `--json` prints exactly one
JSON object on stdout. Most tests call `mltutorial.cli.main` in-process; a few start a real process
where the exit status or the purity of stdout is the point.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

from helpers import assert_one_line_error as _assert_one_line_error
from helpers import run_cli as _call
from mltutorial import cli
from mltutorial.errors import UserError


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MLTUTORIAL_QUIET": "1", **extra}


# --- help -------------------------------------------------------------------------------------


def test_importing_the_cli_loads_no_heavy_library():
    code = (
        "import sys, mltutorial.cli; "
        "print([m for m in ('numpy', 'matplotlib', 'sklearn', 'scipy', 'torch') "
        "if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["tour", "--help"],
        ["lessons", "--help"],
        ["run", "--help"],
        ["data", "--help"],
        ["data", "verify", "--help"],
        ["rl", "--help"],
        ["rl", "train", "--help"],
        ["rl", "play", "--help"],
        ["words", "train", "--help"],
        ["words", "translate", "--help"],
        ["anomaly", "--help"],
        ["vision", "train", "--help"],
        ["vision", "predict", "--help"],
    ],
)
def test_every_finished_command_has_help(argv, capsys):
    rc, out, err = _call(argv, capsys)
    assert rc == 0
    assert "usage" in out.lower()
    assert err == ""


# --- bad options and values: one line, exit 2 --------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["nosuch"], "unknown command"),
        (["tour", "--bogus"], "unrecognized arguments"),
        (["tour", "--seed", "x"], "invalid int value"),
        (["lessons", "extra"], "unrecognized arguments"),
        (["run"], "required"),
        (["run", "nosuch"], "unknown lesson"),
        (["run", "neuron", "--bogus=1"], "unknown config key"),
        (["run", "neuron", "--lr=abc"], "expected a value of type"),
        (["run", "neuron", "--lr=nan"], "finite float"),
        (["run", "neuron", "--lr=-1"], "positive"),
        (["run", "neuron", "--test_size=0"], "between 0 and 1"),
        (["run", "neuron", "--test_size=1.5"], "between 0 and 1"),
        (["run", "gradient_descent", "--lrs=nan"], "finite float"),
        (["run", "gradient_descent", "--w0=inf"], "finite float"),
        (["run", "worst_case", "--width=0"], "at least 1"),
        (["run", "worst_case", "--saddle_steps=0"], "at least 1"),
        (["run", "universal_approximation", "--n_grid=0"], "n_grid"),
        (["run", "practice", "--test_fraction=1"], "between 0 and 1"),
        (["run", "practice", "--val_fraction=0"], "between 0 and 1"),
        (["data", "bogus"], "invalid choice"),
        (["data", "info", "nosuch"], "unknown dataset"),
        (["rl"], "required"),
        (["rl", "train", "--episodes", "0"], "must be positive"),
        (["rl", "play", "--model-file", "x.npz", "--episodes", "0"], "at least 1"),
        (["rl", "play", "--model-file", "x.npz", "--episodes", "-1"], "at least 1"),
        (["words", "train", "--vocab", "5"], "at least 100"),
        (["words", "translate", "cat", "--model-file", "x.npz", "-k", "0"], "at least 1"),
        (["anomaly", "evaluate", "--dataset", "nosuch"], "unknown dataset"),
        (["vision", "train", "--epochs", "0"], "at least 1"),
        (["vision", "predict", "a.png", "--model-file", "x.npz", "-k", "0"], "at least 1"),
    ],
)
def test_bad_options_are_one_line_exit_2(argv, says, capsys):
    rc, out, err = _call(argv, capsys)
    line = _assert_one_line_error(rc, err)
    assert says in line
    assert out == ""


def test_rl_train_with_an_unknown_environment(capsys):
    rc, _, err = _call(["rl", "train", "--env", "NoSuch-v0", "--episodes", "1"], capsys)
    assert "NoSuch-v0" in _assert_one_line_error(rc, err)


# --- model files: missing, a folder, empty, garbage, truncated, another kind, another version ----


def _bad_model_files(folder: Path) -> dict[str, Path]:
    files = {"missing": folder / "nofile.npz", "folder": folder / "adir.npz"}
    files["folder"].mkdir()
    files["empty"] = folder / "empty.npz"
    files["empty"].write_bytes(b"")
    files["garbage"] = folder / "garbage.npz"
    files["garbage"].write_bytes(b"not a model \xff\xfe")
    files["other"] = folder / "other.npz"
    np.savez(files["other"], a=np.arange(3))
    whole = folder / "whole.npz"
    np.savez(whole, meta=np.array([1.0, 32, 0.99, 0.01]), w0=np.zeros((4, 32)))
    files["truncated"] = folder / "truncated.npz"
    files["truncated"].write_bytes(whole.read_bytes()[:300])
    meta = json.dumps({"format": "mltutorial.rl", "version": 99})
    files["rl_version"] = folder / "rl_v99.npz"
    np.savez(
        files["rl_version"], __meta__=np.array(meta), **{f"w{i}": np.zeros(2) for i in range(4)}
    )
    meta = json.dumps({"format": "mltutorial.words", "version": 99})
    files["words_version"] = folder / "words_v99.npz"
    np.savez(files["words_version"], __meta__=np.array(meta), src=0, tgt=0, W=0)
    meta = json.dumps({"format": "mltutorial.vision", "version": 99})
    files["vision_version"] = folder / "vision_v99.npz"
    np.savez(files["vision_version"], __meta__=np.array(meta))
    return files


@pytest.mark.parametrize(
    "command",
    [
        ["rl", "play", "--episodes", "1"],
        ["words", "translate", "cat"],
        ["vision", "predict", "a.png"],
    ],
    ids=["rl", "words", "vision"],
)
def test_bad_model_files_are_one_line_exit_2(command, tmp_path, capsys):
    for kind, path in _bad_model_files(tmp_path).items():
        rc, out, err = _call([*command, "--model-file", str(path)], capsys)
        line = _assert_one_line_error(rc, err)
        assert str(path) in line, (kind, line)
        if kind == "folder":
            assert "folder" in line
        if kind.endswith("version") and kind.startswith(command[0]):
            assert "version" in line, (kind, line)
        assert "pickle" not in line  # numpy's hint to load unsafely is not advice for users
        assert out == ""


# --- output folders and files: checked before the work, nothing left behind ---------------------


def test_unwritable_outputs_fail_before_the_work(tmp_path, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    a_folder = tmp_path / "a_folder"
    a_folder.mkdir()
    cases = [
        (["tour", "--out", str(a_file)], "not a folder"),
        (["tour", "--out", str(a_file / "sub")], "cannot write"),
        (["run", "neuron", "--out", str(a_file)], "not a folder"),
        (["run", "neuron", "--out", str(a_file / "sub")], "cannot write"),
        (["rl", "train", "--episodes", "1", "-o", str(a_folder)], "is a folder"),
        (["rl", "train", "--episodes", "1", "-o", str(a_file / "rl.npz")], "not a folder"),
        (["words", "train", "-o", str(a_folder)], "is a folder"),
        (["vision", "train", "-o", str(a_file / "v.npz")], "not a folder"),
        (["vision", "train", "-o", str(a_file / "sub" / "v.npz")], "cannot write"),
    ]
    for argv, says in cases:
        start = time.perf_counter()
        rc, out, err = _call(argv, capsys)
        assert says in _assert_one_line_error(rc, err), argv
        assert out == ""
        assert time.perf_counter() - start < 10, f"{argv} did the work before checking the output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "a_folder"]
    assert list(a_folder.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_output_folder(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        rc, _, err = _call(["run", "neuron", "--out", str(ro)], capsys)
        assert "cannot write" in _assert_one_line_error(rc, err)
        rc, _, err = _call(["rl", "train", "--episodes", "1", "-o", str(ro / "m.npz")], capsys)
        assert "cannot write" in _assert_one_line_error(rc, err)
    finally:
        ro.chmod(0o755)


# --- the safety net in cli.main ------------------------------------------------------------------


def _fake_command(monkeypatch, exc: BaseException) -> None:
    module = types.ModuleType("mltutorial_fake_command")

    def main(argv, prog):
        raise exc

    module.main = main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(cli.COMMANDS, "fake", (module.__name__, "a command that fails"))


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (PermissionError(13, "Permission denied", "/some/out.npz"), "Permission denied"),
        (IsADirectoryError(21, "Is a directory", "/some/folder"), "/some/folder"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not UTF-8"),
        (UserError("first line\n  second line"), "first line second line"),
    ],
)
def test_file_errors_and_multi_line_messages_become_one_line(monkeypatch, capsys, exc, says):
    _fake_command(monkeypatch, exc)
    rc, out, err = _call(["fake"], capsys)
    assert says in _assert_one_line_error(rc, err)
    assert out == ""


def test_ctrl_c_in_process_is_130(monkeypatch, capsys):
    _fake_command(monkeypatch, KeyboardInterrupt())
    rc, _, err = _call(["fake"], capsys)
    assert rc == 130
    assert err.strip() == "interrupted"


# --- --json: exactly one JSON object on stdout ---------------------------------------------------


def test_run_json_and_config_json_are_pure(tmp_path, capsys):
    rc, out, err = _call(["run", "neuron", "--config", "--json"], capsys)
    assert rc == 0
    assert json.loads(out)["test_size"] == 0.25
    rc, out, err = _call(
        ["run", "neuron", "--num_steps=3", "--json", "--out", str(tmp_path)], capsys
    )
    assert rc == 0, err
    assert json.loads(out)["steps"] == 3
    assert (tmp_path / "neuron.png").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files


def test_real_processes_exit_status_and_pure_json(tmp_path):
    env = _env(MLTUTORIAL_DATA=str(tmp_path / "no-data-here"))
    done = subprocess.run(
        [sys.executable, "-m", "mltutorial", "data", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)
    done = subprocess.run(
        [sys.executable, "-m", "mltutorial", "nosuch"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "unknown command" in done.stderr
    mlt = shutil.which("mlt")
    if mlt is not None:
        done = subprocess.run(
            [mlt, "--version"], capture_output=True, text=True, env=env, timeout=60
        )
        assert done.returncode == 0 and done.stdout.startswith("mltutorial ")


def test_ctrl_c_in_a_real_process_is_130_and_leaves_no_file(tmp_path):
    """SIGINT during `rl train -o FILE`: one line, status 130, and no model file, not even partly.

    The child says "training" from inside its first episode, so the signal lands in the training loop
    whatever the machine's load (a fixed sleep once sent it during the lazy imports instead).
    """
    code = (
        "import sys; from mltutorial.cli import main; import mltutorial.apps.rl.agent as agent\n"
        "fit = agent.Reinforce.fit\n"
        "def fit_and_say(self, env_id, on_episode=None):\n"
        "    def tick(episode, total):\n"
        "        if episode == 0: print('training', flush=True)\n"
        "        on_episode(episode, total)\n"
        "    return fit(self, env_id, on_episode=tick)\n"
        "agent.Reinforce.fit = fit_and_say\n"
        "sys.exit(main(sys.argv[1:]))"
    )
    target = tmp_path / "out" / "rl.npz"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "rl", "train", "--episodes", "100000", "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "training"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted"
    assert out == ""
    assert not target.exists()
    assert not target.parent.exists() or list(target.parent.iterdir()) == []


def test_a_ctrl_c_that_cpython_swallows_is_raised_at_the_next_progress_tick():
    """The cause of a once-flaky test: SIGINT handled inside a weakref callback (importlib drops a
    module lock through one) raises KeyboardInterrupt where CPython can only print and drop it."""
    import weakref

    from mltutorial import interrupt
    from mltutorial.progress import bar, progress

    class Lock:
        pass

    seen = []
    hook, sys.unraisablehook = sys.unraisablehook, lambda u: seen.append(u.exc_type)
    try:
        with interrupt.handling_ctrl_c():
            lock = Lock()
            ref = weakref.ref(lock, lambda _: signal.raise_signal(signal.SIGINT))
            del lock  # the callback runs, the handler raises inside it, CPython drops the exception
            assert ref() is None and seen == [KeyboardInterrupt]
            ticks = bar(10)
            with pytest.raises(KeyboardInterrupt):
                ticks.update(1)
            with pytest.raises(KeyboardInterrupt):
                next(progress(range(3)))
        interrupt.check()  # the block is over: nothing pending, the old handler is back
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        sys.unraisablehook = hook


def test_a_mistyped_odds_table_is_an_error_even_without_data(no_real_data, capsys):
    rc, out, err = _call(["anomaly", "evaluate", "--dataset", "odds:nosuch", "--quick"], capsys)
    assert "unknown ODDS table 'nosuch'" in _assert_one_line_error(rc, err)
    assert out == ""


def test_data_fetch_rejects_a_non_positive_timeout(no_real_data, capsys):
    for value in ("0", "-1", "nan"):
        rc, out, err = _call(["data", "fetch", "tinyshakespeare", "--timeout", value], capsys)
        assert "--timeout" in _assert_one_line_error(rc, err)
        assert out == ""


def test_tour_with_nothing_left_to_run():
    from mltutorial.chapter import Chapter
    from mltutorial.tour_cli import _select

    chapters = [Chapter(n, n, "", i, "", lambda ctx: None) for i, n in enumerate(["a", "b"])]
    assert [c.name for c in _select(chapters, "a,b", "b")] == ["a"]
    with pytest.raises(UserError, match="no chapter to run"):
        _select(chapters, "a", "a")
