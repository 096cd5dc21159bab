"""Bad input, everywhere: what a careless user types ends in ONE line on stderr and exit status 2.

The cases of issue 18's "Bad input, everywhere", each fixed where it arises: the one writer
(`files.atomic_path`) never replaces a device, a pipe or a folder; the one model reader
(`files.read_npz` / `load_npz`) checks a file's header and arrays before use; seeds and config
fields are range-checked where they are defined; inputs are checked to be regular files before they
are opened, so a FIFO with no writer never hangs a command. Every case also checks that nothing was
written.
"""

from __future__ import annotations

import json
import os
import stat
import struct
import threading
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from helpers import assert_one_line_error as _assert_one_line_error
from helpers import run_cli as _call
from mltutorial import cli
from mltutorial.errors import UserError
from mltutorial.files import (
    Array,
    atomic_path,
    check_arrays,
    load_npz,
    output_target,
    read_npz,
    save_npz,
    write_text,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and device nodes are POSIX")


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """Commands write defaults (a model, a report folder) into the current folder: not the repo's."""
    monkeypatch.chdir(tmp_path)


def _bad(argv: list[str], capsys) -> str:
    """Run argv; assert one error line, exit 2, nothing on stdout; return the line."""
    rc, out, err = _call(argv, capsys)
    line = _assert_one_line_error(rc, err)
    assert out == "", out
    return line


def _call_or_hang(argv: list[str], capsys, seconds: float = 30) -> tuple[int, str, str]:
    """`cli.main(argv)` in a thread: a command blocked on a FIFO fails the test instead of hanging it."""
    box: dict[str, int] = {}
    thread = threading.Thread(target=lambda: box.setdefault("rc", cli.main(argv)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{argv} hangs (blocked opening a FIFO?)"
    out, err = capsys.readouterr()
    return box["rc"], out, err


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "fifo.npz"
    os.mkfifo(path)
    return path


@pytest.fixture
def device_link(tmp_path) -> Path:
    """A symlink to /dev/null: the writer follows links, so it must refuse this target too.

    Replacing the link (not /dev/null) is the worst a broken writer could do here, so the test is
    safe to run as root.
    """
    link = tmp_path / "null.npz"
    link.symlink_to("/dev/null")
    return link


def _assert_still_device(link: Path) -> None:
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def _no_stray_files(folder: Path, *keep: str) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(keep)


# --- the one writer: never replaces a device, a pipe or a folder ---------------------------------


@posix_only
def test_the_writer_refuses_a_device_a_pipe_a_folder_and_an_empty_name(tmp_path, fifo, device_link):
    folder = tmp_path / "adir"
    folder.mkdir()
    for target, says in [
        (device_link, "refusing to replace it"),
        (fifo, "refusing to replace it"),
        (folder, "is a folder"),
        ("", "empty file name"),
    ]:
        with pytest.raises(UserError, match=says):
            write_text(target, "x")
        with pytest.raises(UserError, match=says):
            save_npz(target, {"format": "f", "version": 1}, {"a": np.zeros(2)})
        with pytest.raises(UserError, match=says), atomic_path(target) as tmp:
            tmp.write_text("never")
    _assert_still_device(device_link)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    _no_stray_files(tmp_path, "adir", "fifo.npz", "null.npz")
    assert output_target(tmp_path / "new.npz") == tmp_path / "new.npz"  # not there yet: fine


@posix_only
def test_the_real_dev_null_is_refused_without_writing():
    """Checked, never written: the refusal comes before any temporary file or rename."""
    before = os.stat("/dev/null")
    for name in ("/dev/null", "/dev/full", "/dev/stdout", "/dev/new-file", "/proc/self/fd/1"):
        with pytest.raises(UserError, match="refusing to replace it"):
            output_target(name, "-o")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_failed_write_names_the_target_not_a_temporary_file(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(UserError) as info, atomic_path(target) as tmp:
        raise OSError(28, "No space left on device", str(tmp))
    assert str(info.value) == f"cannot write {target}: No space left on device"
    assert isinstance(info.value, OSError)  # a cache that ignores failed writes still can
    _no_stray_files(tmp_path)


@posix_only
@pytest.mark.parametrize(
    "command",
    [
        ["rl", "train", "--episodes", "1"],
        ["words", "train"],
        ["vision", "train"],
        ["spam", "train"],
        ["recommend", "train", "--folds", "0"],
        ["generate", "train", "--model", "bigram"],
    ],
    ids=lambda c: c[0],
)
def test_output_to_a_device_or_a_pipe_is_refused_before_the_work(
    command, tmp_path, fifo, device_link, capsys
):
    for target in (device_link, fifo):
        line = _bad([*command, "-o", str(target)], capsys)
        assert "refusing to replace it" in line and str(target) in line
    line = _bad([*command, "-o", ""], capsys)
    assert "empty" in line
    _assert_still_device(device_link)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    _no_stray_files(tmp_path, "fifo.npz", "null.npz")


@posix_only
def test_figure_folders_and_plots_are_checked_before_the_work(tmp_path, fifo, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    assert "not a folder" in _bad(["spam", "train", "--figures", str(a_file)], capsys)
    assert "not a folder" in _bad(
        ["recommend", "train", "--folds", "0", "--figures", str(a_file)], capsys
    )
    line = _bad(["generate", "train", "--model", "bigram", "--plot", str(fifo)], capsys)
    assert "--plot" in line and "refusing to replace it" in line


# --- generate train: no checkpoint of an interrupted or diverged run ------------------------------

TEXT = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n" * 8


@pytest.fixture
def text_file(tmp_path) -> Path:
    path = tmp_path / "text.txt"
    path.write_text(TEXT)
    return path


_TINY_GPT = [
    "--model", "gpt", "--config", "tiny", "--n_layer=1", "--n_embd=8", "--n_head=2",
    "--block_size=8", "--batch_size=2", "--eval_iters=1", "--sample", "0",
]  # fmt: skip


def test_a_diverged_run_leaves_no_checkpoint(tmp_path, text_file, capsys):
    """...and says so in one line: no NumPy overflow warnings printed before it."""
    ckpt = tmp_path / "out" / "gpt.npz"
    argv = ["generate", "train", "--data", str(text_file), *_TINY_GPT, "-o", str(ckpt)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = _bad([*argv, "--max_iters=20", "--eval_interval=5", "--learning_rate=1e300"], capsys)
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == []
    assert "learning_rate" in line
    assert not ckpt.exists()
    assert not ckpt.parent.exists() or list(ckpt.parent.iterdir()) == []


def test_a_text_shorter_than_the_context_is_one_line(tmp_path, text_file, capsys):
    argv = ["generate", "train", "--data", str(text_file), "--model", "mlp", "--context=1000"]
    assert "too short for context=1000" in _bad([*argv, "-o", str(tmp_path / "m.npz")], capsys)
    _no_stray_files(tmp_path, "text.txt")


def test_ctrl_c_during_training_leaves_no_checkpoint(tmp_path, text_file, monkeypatch, capsys):
    """Interrupted after a periodic checkpoint was written: that checkpoint is removed too."""
    from mltutorial.apps.textgen import train as train_mod

    real = train_mod.sample_batch
    seen = []

    def sample_then_interrupt(*args, **kwargs):
        if ckpt.exists():  # the first batch after a periodic checkpoint was written
            seen.append(ckpt.stat().st_size)
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(train_mod, "sample_batch", sample_then_interrupt)
    ckpt = tmp_path / "gpt.npz"
    argv = ["generate", "train", "--data", str(text_file), *_TINY_GPT, "-o", str(ckpt)]
    rc, _out, err = _call([*argv, "--max_iters=50", "--eval_interval=2"], capsys)
    assert rc == 130 and err.strip() == "interrupted"
    assert seen  # a checkpoint was there when Ctrl-C came
    assert not ckpt.exists()
    _no_stray_files(tmp_path, "text.txt")


def test_figures_that_fail_after_the_save_say_the_model_is_safe(
    tmp_path, text_file, monkeypatch, capsys
):
    from mltutorial.apps.textgen import app
    from mltutorial.errors import WriteError

    def no_space(curves, path, *args, **kwargs):
        raise WriteError(f"cannot write {path}: No space left on device")

    monkeypatch.setattr(app, "plot_curves", no_space)
    ckpt = tmp_path / "gpt.npz"
    argv = ["generate", "train", "--data", str(text_file), *_TINY_GPT, "-o", str(ckpt)]
    line = _bad([*argv, "--max_iters=2", "--eval_interval=2"], capsys)
    assert f"saved to {ckpt}" in line and "gpt-loss.png" in line
    assert "/." not in line  # no temporary file's name
    assert ckpt.is_file()


# --- the one model reader: header and arrays checked before use ----------------------------------


def _rl_file(path: Path, **edit) -> Path:
    meta = {"format": "mltutorial.rl", "version": 1, "env_id": "CartPole-v1", "hidden": 4}
    meta.update({"gamma": 0.99, "lr": 0.01})
    arrays = {"w0": np.zeros((4, 4)), "w1": np.zeros(4), "w2": np.zeros((2, 4)), "w3": np.zeros(2)}
    for key, value in edit.items():
        (arrays if key in arrays else meta)[key] = value
    return save_npz(path, meta, arrays)


def _words_file(path: Path, **edit) -> Path:
    meta = {"format": "mltutorial.words", "version": 1, "method": "ppmi", "dim": 3}
    meta.update({"src_words": ["cat", "dog"], "tgt_words": ["gato", "perro"]})
    arrays = {"src": np.eye(2, 3), "tgt": np.eye(2, 3), "W": np.eye(3)}
    for key, value in edit.items():
        (arrays if key in arrays else meta)[key] = value
    return save_npz(path, meta, arrays)


def _vision_file(path: Path, **edit) -> Path:
    meta = {"format": "mltutorial.vision", "version": 1, "arch": "mlp", "classes": ["a", "b"]}
    meta.update({"shape": [1, 4, 4], "max_value": 255, "mean": 0.0, "std": 1.0})
    rng = np.random.default_rng(0)
    arrays = {
        "1.weight": rng.normal(size=(256, 16)).astype(np.float32),
        "1.bias": np.zeros(256, np.float32),
        "3.weight": rng.normal(size=(2, 256)).astype(np.float32),
        "3.bias": np.zeros(2, np.float32),
    }
    for key, value in edit.items():
        (arrays if key in arrays else meta)[key] = value
    return save_npz(path, meta, arrays)


def _with_raw_header(path: Path, header: str) -> Path:
    """Rewrite the `__meta__` JSON of a model file verbatim (valid JSON of any kind)."""
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["__meta__"] = np.array(header)
    np.savez(path, **arrays)
    return path


def _npy_claiming_shape(data: bytes, shape: tuple[int, ...]) -> bytes:
    """An .npy member whose header claims `shape` of float64 while holding only `data`."""
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (-(len(header) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def _huge_claim(path: Path, member: str) -> Path:
    """Replace `member` by a tiny array that claims a 2**40-element shape (an 8 TiB read)."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[f"{member}.npy"] = _npy_claiming_shape(b"\0" * 64, (2**40,))
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def image(tmp_path) -> Path:
    from PIL import Image

    path = tmp_path / "ok.png"
    Image.new("L", (8, 8), color=100).save(path)
    return path


def test_valid_hand_made_model_files_work(tmp_path, image, capsys):
    """The edits below are the only thing wrong with the files they make."""
    rc, out, err = _call(
        ["words", "translate", "cat", "--model-file", str(_words_file(tmp_path / "w.npz"))],
        capsys,
    )
    assert rc == 0 and out.startswith("cat: gato"), err
    v = _vision_file(tmp_path / "v.npz")
    rc, out, err = _call(["vision", "predict", str(image), "--model-file", str(v)], capsys)
    assert rc == 0 and out.startswith(f"{image}: "), err
    r = _rl_file(tmp_path / "r.npz")
    rc, out, err = _call(["rl", "play", "--episodes", "1", "--model-file", str(r)], capsys)
    assert rc == 0 and out.startswith("CartPole-v1: returns"), err


_EDITS = {
    "header is a list": ({}, "[1, 2, 3]", "not a JSON object"),
    "header is a number": ({}, "42", "not a JSON object"),
    "NaN weights": ({"@": lambda a: np.full_like(a, np.nan)}, None, "NaN"),
    "string weights": ({"@": lambda a: np.full(a.shape, "a")}, None, "holds <U1"),
    "shrunk weights": ({"@": lambda a: a.ravel()[:1]}, None, "dimensions"),
    "8 TiB claimed": ({}, "huge", "wrong size"),
}


@pytest.mark.parametrize("edit", list(_EDITS), ids=list(_EDITS))
@pytest.mark.parametrize("app", ["rl", "words", "vision"])
def test_damaged_or_edited_model_files_are_one_line(app, edit, tmp_path, image, capsys):
    arrays, header, says = _EDITS[edit]
    maker, name, command = {
        "rl": (_rl_file, "w0", ["rl", "play", "--episodes", "1"]),
        "words": (_words_file, "W", ["words", "translate", "cat"]),
        "vision": (_vision_file, "1.weight", ["vision", "predict", str(image)]),
    }[app]
    path = maker(tmp_path / "m.npz")
    if arrays:
        with np.load(path) as z:
            edited = {k: z[k] for k in z.files}
        edited[name] = arrays["@"](edited[name])
        np.savez(path, **edited)
    if header == "huge":
        _huge_claim(path, name)
    elif header is not None:
        _with_raw_header(path, header)
    line = _bad([*command, "--model-file", str(path)], capsys)
    assert str(path) in line and says in line, line


@pytest.mark.parametrize(
    ("app", "edit", "says"),
    [
        ("rl", {"hidden": 10**9}, "axis 0 should be 1000000000"),
        ("rl", {"hidden": "many"}, "expected int"),
        ("rl", {"gamma": None}, "expected float"),
        ("rl", {"env_id": "Acrobot-v1"}, "Acrobot-v1 has 6 and 3"),
        ("rl", {"w0": np.zeros((4, 3))}, "reads 3 observations"),
        ("words", {"src_words": ["cat"]}, "axis 0 should be 1"),
        ("words", {"src_words": "cat"}, "expected list"),
        ("words", {"W": np.eye(4)}, "axis 0 should be 3"),
        ("vision", {"shape": [3, 100000, 100000]}, "not (C, H, W)"),
        ("vision", {"shape": [1, 4]}, "not (C, H, W)"),
        ("vision", {"classes": []}, "no classes"),
        ("vision", {"std": 0.0}, "std"),
        ("vision", {"classes": ["a", "b", "c"]}, "axis 0 should be 3"),
        ("vision", {"arch": "resnet"}, "unknown architecture"),
    ],
)
def test_edited_model_headers_are_one_line(app, edit, says, tmp_path, image, capsys):
    maker, command = {
        "rl": (_rl_file, ["rl", "play", "--episodes", "1"]),
        "words": (_words_file, ["words", "translate", "cat"]),
        "vision": (_vision_file, ["vision", "predict", str(image)]),
    }[app]
    path = maker(tmp_path / "m.npz", **edit)
    assert says in _bad([*command, "--model-file", str(path)], capsys)


def test_the_shared_reader_checks_names_shapes_dtypes_and_values(tmp_path):
    arrays = {"W": np.zeros((3, 2)), "b": np.zeros(2), "ids": np.arange(3)}
    spec = {"W": Array(("n", "k")), "b": Array(("k",)), "ids": Array(("n",), "iu")}
    assert check_arrays(arrays, spec, "f") == {"n": 3, "k": 2}
    for bad, says in [
        ({"b": np.zeros(3)}, "axis 0 should be 2"),
        ({"ids": np.zeros(3)}, "expected integers"),
        ({"W": np.zeros((0, 2)), "ids": np.arange(0)}, "empty"),
        ({"W": np.full((3, 2), np.inf)}, "NaN or infinite"),
        ({"b": None}, "no 'b' array"),
    ]:
        edited = {**arrays, **bad}
        edited = {k: v for k, v in edited.items() if v is not None}
        with pytest.raises(UserError, match=says):
            check_arrays(edited, spec, "f")
    path = save_npz(tmp_path / "m.npz", {"format": "x", "version": 1, "n": 3}, arrays)
    meta, got = load_npz(
        path, fmt="x", version=1, what="thing", how="make it", header={"n": int}, arrays=spec
    )
    assert meta["n"] == 3 and set(got) == set(arrays)
    with pytest.raises(UserError, match="header field 'n'"):
        load_npz(path, fmt="x", version=1, what="thing", how="", header={"n": str})
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(tmp_path / "obj.npz", "w") as zf:
        zf.write(tmp_path / "obj.npy", "a.npy")
    with pytest.raises(UserError, match="objects"):
        read_npz(tmp_path / "obj.npz", "thing")


def _bigram_ckpt(tmp_path: Path, text_file: Path, capsys) -> Path:
    ckpt = tmp_path / "bigram.npz"
    argv = ["generate", "train", "--model", "bigram", "--data", str(text_file), "-o", str(ckpt)]
    rc, _, err = _call([*argv, "--sample", "0"], capsys)
    assert rc == 0, err
    return ckpt


def test_edited_textgen_checkpoints_are_one_line(tmp_path, text_file, capsys):
    ckpt = _bigram_ckpt(tmp_path, text_file, capsys)
    with np.load(ckpt) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    V = len(meta["vocab"])
    gpt_cfg = {"block_size": 8, "vocab_size": V, "n_layer": 10**6, "n_head": 4, "n_embd": 128}
    cases = [
        ({"meta": "[1, 2]"}, "format 'list'"),
        ({"model/counts": np.full((V, V), np.nan)}, "NaN"),
        ({"model/counts": np.zeros((V, 2))}, f"axis 1 should be {V}"),
        ({"model/counts": -np.ones((V, V))}, "negative"),
        ({"meta": {**meta, "train_config": {"alpha": -1}}}, "alpha"),
        ({"meta": {**meta, "vocab": 7}}, "expected str"),
        ({"meta": {**meta, "model": "gpt", "model_config": gpt_cfg}}, "memory"),
        ({"meta": {**meta, "model": "gpt", "model_config": {**gpt_cfg, "n_layer": 0}}}, "n_layer"),
    ]
    for i, (edit, says) in enumerate(cases):
        edited = {**arrays, **edit}
        if isinstance(edited["meta"], dict):
            edited["meta"] = json.dumps(edited["meta"])
        path = tmp_path / f"edited{i}.npz"
        np.savez(path, **{k: np.asarray(v) for k, v in edited.items()})
        line = _bad(["generate", "sample", "--ckpt", str(path), "--max-chars", "5"], capsys)
        assert says in line, (edit, line)


# --- seeds ----------------------------------------------------------------------------------------

_SEEDED = [
    ["tour", "--list"],
    ["rl", "train"],
    ["rl", "play", "--model-file", "x.npz"],
    ["words", "train"],
    ["vision", "train"],
    ["anomaly", "evaluate"],
    ["spam", "train"],
    ["recommend", "train"],
    ["recommend", "for", "--user", "1"],
    ["generate", "train"],
    ["generate", "sample"],
    ["generate", "ladder"],
]


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
@pytest.mark.parametrize("command", _SEEDED, ids=lambda c: "-".join(c[:2]))
def test_seeds_outside_numpys_range_are_one_line(command, seed, capsys):
    assert "a seed is an integer from 0 to 2**32 - 1" in _bad([*command, "--seed", seed], capsys)


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_config_seeds_outside_numpys_range_are_one_line(seed, capsys):
    assert "--seed" in _bad(["run", "neuron", f"--seed={seed}"], capsys)
    assert "--seed" in _bad(["generate", "train", "--model", "bigram", f"--seed={seed}"], capsys)


# --- configs: every field's range, and models that cannot fit -------------------------------------


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run", "networks", "--hidden=0"], "--hidden=0: must be at least 1"),
        (["run", "networks", "--top_k=0"], "--top_k=0: must be at least 1"),
        (["run", "networks", "--batch_size=0"], "at least 1"),
        (["run", "networks", "--layers=-1"], "--layers=-1: must be at least 0"),
        (["run", "networks", "--dataset="], "empty value"),
        (["run", "convolution", "--channels=0"], "at least 1"),
        (["run", "neuron", "--num_steps=-1"], "--num_steps=-1: must be at least 1"),
        (["run", "neuron", "--check_every=0"], "--check_every=0: must be at least 1"),
        (["run", "neuron", "--features="], "empty value"),
        (["run", "gradient_descent", "--lrs=0.1,-1"], "--lrs=0.1,-1: must be positive"),
        (["run", "practice", "--widths=4,0"], "at least 1"),
        (["run", "complexity", "--repeats=0"], "at least 1"),
        (["run", "worst_case", "--depth=1"], "at least 2"),
        (["generate", "train", "--beta1=2"], "--beta1=2: must be between 0 and 1"),
        (["generate", "train", "--beta2=-0.1"], "--beta2"),
        (["generate", "train", "--model", "bigram", "--alpha=-1"], "--alpha=-1: must be positive"),
        (["generate", "train", "--max_iters=-5"], "--max_iters"),
        (["generate", "train", "--dropout=1"], "--dropout"),
        (["generate", "train", "--n_layer=1000000"], "memory"),
        (["generate", "train", "--n_embd=1000000", "--n_head=1"], "memory"),
        (["generate", "train", "--block_size=100000"], "memory"),
        (["generate", "train", "--model", "mlp", "--n_hidden=100000000"], "memory"),
    ],
)
def test_impossible_config_values_are_one_line(argv, says, capsys):
    assert says in _bad(argv, capsys)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "networks", "--hidden=1000000000000"],
        ["run", "universal_approximation", "--n_grid=1000000000000"],
        ["run", "worst_case", "--width=1000000000000"],
    ],
)
def test_sizes_no_machine_has_are_one_line(argv, capsys):
    """NumPy refuses a petabyte array at once; the command says so in one line."""
    assert "not enough memory" in _bad(argv, capsys)


# --- data: verify, a split that is missing, a damaged cache, paths outside the data folder ---------


def test_data_verify_fails_on_a_missing_file_or_a_folder_in_its_place(
    no_real_data, monkeypatch, capsys
):
    root = no_real_data / "data"
    (root / "tinyshakespeare").mkdir(parents=True)
    (root / "tinyshakespeare" / "PROVENANCE.md").write_text("a copy\n")
    monkeypatch.setenv("MLTUTORIAL_DATA", str(root))
    rc, out, err = _call(["data", "verify", "tinyshakespeare"], capsys)
    assert "missing" in out and "not present" in out
    assert "missing" in _assert_one_line_error(rc, err)
    (root / "tinyshakespeare" / "input.txt").mkdir()
    rc, out, err = _call(["data", "verify", "tinyshakespeare"], capsys)
    assert "a folder is there" in out
    assert "missing" in _assert_one_line_error(rc, err)


def test_vision_train_without_test_images_is_one_line_before_training(monkeypatch, capsys):
    from mltutorial import data

    real = data.load_digits()
    empty = real.__class__(
        **{**real.__dict__, "X_test": real.X_test[:0], "y_test": real.y_test[:0]}
    )
    monkeypatch.setattr(data, "load_fashion_mnist", lambda: empty)
    assert "no test images" in _bad(["vision", "train", "--epochs", "1"], capsys)


def test_a_parsed_cache_entry_cut_in_half_is_rebuilt(no_real_data):
    from mltutorial.data import cache

    source = no_real_data / "source.csv"
    source.write_text("1,2\n3,4\n")
    builds = []

    def build():
        builds.append(1)
        return {"X": np.arange(1000.0), "names": ["a", "b"]}

    first = cache.cached("test", 1, [source], build)
    entry = cache.cache_file("test", 1, [source])
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    again = cache.cached("test", 1, [source], build)
    assert len(builds) == 2  # rebuilt, not a BadZipFile
    assert again["names"] == first["names"] and np.array_equal(again["X"], first["X"])
    assert cache.cached("test", 1, [source], build)["names"] == ["a", "b"]
    assert len(builds) == 2  # the rebuilt entry is whole again


@pytest.mark.parametrize("name", ["../../etc/passwd", "../cardio", "/etc/passwd", ".hidden", ""])
def test_an_odds_name_never_reads_outside_the_data_folder(name, no_real_data, capsys):
    line = _bad(["anomaly", "evaluate", "--dataset", f"odds:{name}", "--quick"], capsys)
    assert "not an ODDS table name" in line


# --- images ---------------------------------------------------------------------------------------


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that says width x height (and holds no pixels): enough for PIL to judge its size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


def test_a_decompression_bomb_and_a_bad_image_leave_the_others_answered(tmp_path, image, capsys):
    model = _vision_file(tmp_path / "v.npz")
    bomb = _png_header_only(tmp_path / "bomb.png", 20000, 20000)
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    argv = ["vision", "predict", str(bomb), "--model-file", str(model)]
    assert "too large" in _bad(argv, capsys)
    rc, out, err = _call(
        ["vision", "predict", str(image), str(text), "--model-file", str(model)], capsys
    )
    assert "not a readable image" in _assert_one_line_error(rc, err)
    assert out.startswith(f"{image}: ") and out.count("\n") == 1


# --- hangs: FIFOs are refused before they are opened; a closed stdin ------------------------------


@posix_only
def test_a_fifo_with_no_writer_never_hangs_a_command(tmp_path, fifo, image, text_file, capsys):
    model = _vision_file(tmp_path / "v.npz")
    commands = [
        ["rl", "play", "--model-file", str(fifo)],
        ["words", "translate", "cat", "--model-file", str(fifo)],
        ["vision", "predict", str(image), "--model-file", str(fifo)],
        ["vision", "predict", str(fifo), "--model-file", str(model)],
        ["recommend", "for", "--user", "1", "--model-file", str(fifo)],
        ["spam", "classify", "hi", "--model-file", str(fifo)],
        ["generate", "sample", "--ckpt", str(fifo)],
        ["generate", "train", "--model", "bigram", "--data", str(fifo)],
        ["generate", "train", "--resume", str(fifo)],
    ]
    for argv in commands:
        rc, _out, err = _call_or_hang(argv, capsys)
        line = _assert_one_line_error(rc, err)
        assert "not a regular file" in line and str(fifo) in line, (argv, line)
    for argv in [  # a data path that must be a folder: refused as such, without opening it
        ["recommend", "train", "--data", str(fifo)],
        ["words", "train", "--data", str(fifo)],
        ["spam", "train", "--data", str(fifo)],
        ["spam", "classify", "--file", str(fifo), "--model-file", str(fifo)],
    ]:
        rc, _out, err = _call_or_hang(argv, capsys)
        _assert_one_line_error(rc, err)


def test_spam_classify_with_stdin_closed(tmp_path, monkeypatch, capsys):
    sms = tmp_path / "sms.tsv"
    lines = [
        ("spam\tWIN a FREE prize now, call" if i % 3 == 0 else "ham\tsee you at lunch") + f" {i}"
        for i in range(60)
    ]
    sms.write_text("\n".join(lines) + "\n")
    model = tmp_path / "spam.npz"
    rc, _, err = _call(
        ["spam", "train", "--data", str(sms), "--model", "nb", "-o", str(model)], capsys
    )
    assert rc == 0, err
    monkeypatch.setattr("sys.stdin", None)  # what Python sets when started with stdin closed (<&-)
    line = _bad(["spam", "classify", "-", "--model-file", str(model)], capsys)
    assert "stdin is closed" in line


# --- smaller: empty values, a continuous environment, an empty method list ------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["tour", "--only", ""],
        ["tour", "--skip="],
        ["spam", "train", "--dataset", ""],
        ["anomaly", "evaluate", "--dataset", ""],
        ["recommend", "train", "--method", ""],
        ["recommend", "train", "--data", ""],
        ["generate", "train", "--data", ""],
        ["words", "train", "--data", ""],
    ],
)
def test_an_empty_value_is_an_error_not_the_default(argv, capsys):
    assert "empty" in _bad(argv, capsys)


def test_small_cases(capsys):
    assert "--top-k" in _bad(["generate", "sample", "--top-k", "-1"], capsys)
    line = _bad(["rl", "train", "--env", "Pendulum-v1", "--episodes", "1"], capsys)
    assert "Pendulum-v1" in line and "discrete" in line
    assert "names no method" in _bad(["recommend", "train", "--method", ","], capsys)
    assert "system folder" in _bad(["run", "neuron", "--out", "/dev"], capsys)
    assert "system folder" in _bad(["tour", "--out", "/proc/self"], capsys)
    assert "names no chapter" in _bad(["tour", "--only", ","], capsys)
    assert "names no chapter" in _bad(["tour", "--skip", " , "], capsys)
    assert list(Path.cwd().iterdir()) == []  # no report folder made for a run that cannot start
