"""Tests for the textgen app: vocabulary, bigram, GPT parity with PyTorch, training beats the
bigram, checkpoints and resume, sampling, bad input through the command line, the tour chapter."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from helpers import need_data
from mltutorial.apps.textgen import app, checkpoint
from mltutorial.apps.textgen import corpus as corpus_mod
from mltutorial.apps.textgen import train as T
from mltutorial.apps.textgen.bigram import BigramModel
from mltutorial.apps.textgen.sample import generate, next_distribution, prepare_prompt
from mltutorial.apps.textgen.vocab import CharVocab
from mltutorial.cli import main as cli_main
from mltutorial.errors import UserError

SHAKESPEARE_LIKE = (
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
    "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\nResolved. "
    "resolved.\n\nFirst Citizen:\nFirst, you know Caius Marcius is chief enemy to the people.\n\n"
) * 40


def _bench():
    """The PyTorch reference GPT (tests/oracles/reference_gpt.py; torch is a test-only oracle)."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # a tiny model: threads only add overhead on a shared machine
    from oracles import reference_gpt

    return torch, reference_gpt


@pytest.fixture
def text_file(tmp_path) -> Path:
    path = tmp_path / "plays.txt"
    path.write_text(SHAKESPEARE_LIKE, encoding="utf-8")
    return path


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


# ------------------------------------------------------------------ vocabulary, bigram, sampling


def test_vocab_roundtrip_and_unknown_prompt_characters():
    vocab = CharVocab.from_text("hello world\n")
    assert vocab.decode(vocab.encode("hello\nworld")) == "hello\nworld"
    warnings: list[str] = []
    assert prepare_prompt("hé1lo", vocab, warnings.append) == "hlo"
    assert len(warnings) == 1 and "'é1'" in warnings[0]
    assert prepare_prompt("ÆØ", vocab, warnings.append) == "\n"  # empty prompt -> newline


def test_bigram_is_the_normalised_counts():
    ids = np.array([0, 1, 0, 1, 1, 0])
    model = BigramModel(alpha=0.0).fit(ids, 2)
    np.testing.assert_allclose(np.exp(model.log_probs_), [[0, 1], [2 / 3, 1 / 3]])
    model = BigramModel(alpha=1.0).fit(ids, 2)
    assert model.loss(ids) == pytest.approx(-np.mean(np.log([3 / 4, 3 / 5, 3 / 4, 2 / 5, 3 / 5])))


def test_top_k_and_temperature():
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    p = next_distribution(logits, temperature=1.0, top_k=2)
    np.testing.assert_allclose(p, [0, 0, 3 / 7, 4 / 7])
    cold = next_distribution(logits, temperature=0.1)
    assert cold[3] > 0.9
    with pytest.raises(UserError):
        next_distribution(logits, temperature=0.0)


def test_sampling_is_deterministic_with_a_seed():
    corpus = corpus_mod.from_text(SHAKESPEARE_LIKE)
    model = BigramModel().fit(corpus.train, corpus.vocab.size)
    a = generate(model, corpus.vocab, "Cit", max_chars=80, seed=3)
    b = generate(model, corpus.vocab, "Cit", max_chars=80, seed=3)
    c = generate(model, corpus.vocab, "Cit", max_chars=80, seed=4)
    assert a == b and a != c and a.startswith("Cit") and len(a) == 83


def test_lr_schedule_is_nanogpts():
    _, cfg = T.make_configs("gpt", "baby")
    assert T.lr_at(0, cfg) == pytest.approx(1e-3 / 101)
    assert T.lr_at(100, cfg) == pytest.approx(1e-3)
    assert T.lr_at(1050, cfg) == pytest.approx(1e-4 + 0.5 * 0.9e-3)
    assert T.lr_at(2000, cfg) == pytest.approx(1e-4)
    assert T.lr_at(3000, cfg) == pytest.approx(1e-4)


# ------------------------------------------------------------------ parity with PyTorch


def _tiny_gpt(dtype: str, bias: bool):
    from mltutorial.apps.textgen.gpt import GPT, GPTConfig

    cfg = GPTConfig(block_size=8, vocab_size=11, n_layer=2, n_head=2, n_embd=16, bias=bias)
    model = GPT(cfg, seed=0)
    rng = np.random.default_rng(1)
    for _, p in model.named_parameters():  # non-trivial norms and biases, not just 1 and 0
        if p.data.ndim == 1:
            p.data[...] += rng.normal(0, 0.1, p.data.shape)
    if dtype == "float64":
        model.double()
    X = rng.integers(0, 11, size=(3, 8))
    Y = rng.integers(0, 11, size=(3, 8))
    return model, X, Y


# Tolerances. Loss: float32 atol 1e-5 / rtol 1e-4, as asked of the engine. Gradients: measured
# worst difference 3.7e-8 on entries up to 0.3 (about one float32 ulp: NumPy and PyTorch sum the
# matmuls, softmax and layer norm in different orders), so atol 1e-6 / rtol 1e-4 leaves a 25x
# margin and still catches any real mistake (a wrong scale, mask or tie moves them by >= 1e-3).
# float64: measured 4e-16 on the loss and 6e-17 on gradients; 1e-12 allows for other BLAS builds.
@pytest.mark.parametrize(
    ("dtype", "bias", "flash", "loss_tol", "grad_tol"),
    [
        ("float32", False, True, (1e-5, 1e-4), (1e-6, 1e-4)),
        ("float32", True, False, (1e-5, 1e-4), (1e-6, 1e-4)),
        ("float64", False, False, (1e-12, 1e-12), (1e-12, 1e-10)),
        ("float64", True, True, (1e-12, 1e-12), (1e-12, 1e-10)),
    ],
)
def test_engine_gpt_matches_pytorch(dtype, bias, flash, loss_tol, grad_tol):
    torch, bench = _bench()
    model, X, Y = _tiny_gpt(dtype, bias)
    for block in model.h:  # fused attention op, or spelled out op by op: on both sides
        block.attn.flash = flash
    ref = bench.torch_gpt_like(model, flash=flash, dtype=getattr(torch, dtype))
    _, loss = model(X, Y)
    loss.backward()
    _, ref_loss = ref(torch.from_numpy(X), torch.from_numpy(Y))
    ref_loss.backward()
    np.testing.assert_allclose(loss.item(), ref_loss.item(), atol=loss_tol[0], rtol=loss_tol[1])
    names = [name for name, _ in T.unique_parameters(model)]
    assert len(names) == len(list(ref.parameters()))  # tied weight counted once in both
    for name, p in T.unique_parameters(model):
        g_ref = ref.get_parameter(name).grad.numpy()
        np.testing.assert_allclose(
            p.grad.data, g_ref, atol=grad_tol[0], rtol=grad_tol[1], err_msg=name
        )


@pytest.mark.slow  # ~20 s here: torch.optim's first step imports torch._dynamo
def test_engine_training_steps_match_pytorch():
    """Five AdamW steps with clipping and the lr schedule: same weights after, float32."""
    torch, bench = _bench()
    model, X, Y = _tiny_gpt("float32", False)
    ref = bench.torch_gpt_like(model, flash=False)
    _, cfg = T.make_configs("gpt", "tiny", ["--grad_clip=0.5"])
    opt, opt_ref = T.make_optimizer(model, cfg), bench.torch_adamw(ref, cfg)
    params = [p for _, p in T.unique_parameters(model)]
    for step in range(5):
        T.set_lr(opt, T.lr_at(step, cfg))
        for g in opt_ref.param_groups:
            g["lr"] = T.lr_at(step, cfg)
        _, loss = model(X, Y)
        opt.zero_grad()
        loss.backward()
        T.clip_grad_norm(params, cfg.grad_clip)
        opt.step()
        _, ref_loss = ref(torch.from_numpy(X), torch.from_numpy(Y))
        opt_ref.zero_grad()
        ref_loss.backward()
        torch.nn.utils.clip_grad_norm_(ref.parameters(), cfg.grad_clip)
        opt_ref.step()
    for name, p in T.unique_parameters(model):
        np.testing.assert_allclose(
            p.data, ref.get_parameter(name).detach().numpy(), atol=2e-5, rtol=1e-4, err_msg=name
        )


# ------------------------------------------------------------------ training and checkpoints

TINY = ["--config", "tiny", "--sample", "0"]


def _train(tmp_path, text_file, out, *extra):
    argv = ["generate", "train", "--data", str(text_file), *TINY, "-o", str(tmp_path / out), *extra]
    assert cli_main(argv) == 0
    return tmp_path / out


def test_small_gpt_beats_the_bigram(tmp_path, text_file, capsys):
    """On a repetitive text, context pays off fast: a tiny GPT goes far below the bigram."""
    corpus = corpus_mod.load(text_file)
    bigram = T.fit_bigram(corpus, T.TrainConfig())
    path = _train(
        tmp_path,
        text_file,
        "gpt.npz",
        "--max_iters=150",
        "--lr_decay_iters=150",
        "--learning_rate=1e-2",
        "--json",
    )
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {
        "dataset",
        "model",
        "params",
        "iters",
        "train_loss",
        "val_loss",
        "seconds",
    }
    assert report["model"] == "gpt" and report["iters"] == 150
    assert report["val_loss"] < bigram.val_loss - 0.5, (report["val_loss"], bigram.val_loss)
    assert (tmp_path / "gpt-loss.png").stat().st_size > 10_000
    model, vocab, meta = app.load_checkpoint(path)
    assert meta["step"] == 150 and vocab == corpus.vocab
    assert T.split_loss(model, corpus.val) == pytest.approx(report["val_loss"], abs=1e-6)


def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path, text_file):
    common = ["--lr_decay_iters=40", "--eval_interval=10"]
    half = _train(tmp_path, text_file, "half.npz", "--max_iters=20", *common)
    whole = _train(tmp_path, text_file, "whole.npz", "--max_iters=40", *common)
    argv = [
        "generate",
        "train",
        "--resume",
        str(half),
        "--max_iters=40",
        "--sample",
        "0",
        "-o",
        str(tmp_path / "resumed.npz"),
    ]
    assert cli_main(argv) == 0
    meta_a, model_a, optim_a = checkpoint.load(tmp_path / "resumed.npz")
    meta_b, model_b, optim_b = checkpoint.load(whole)
    assert meta_a["step"] == meta_b["step"] == 40
    assert meta_a["rng_state"] == meta_b["rng_state"]
    assert model_a.keys() == model_b.keys() and optim_a.keys() == optim_b.keys()
    for key in model_b:
        np.testing.assert_array_equal(model_a[key], model_b[key], err_msg=key)
    for key in optim_b:
        np.testing.assert_array_equal(optim_a[key], optim_b[key], err_msg=key)
    assert meta_a["history"]["loss"] == meta_b["history"]["loss"]


def test_sample_command_is_deterministic_and_drops_unknown_characters(tmp_path, text_file, capsys):
    path = _train(tmp_path, text_file, "gpt.npz", "--max_iters=10")
    capsys.readouterr()
    argv = [
        "generate",
        "sample",
        "--ckpt",
        str(path),
        "First 7",
        "--max-chars",
        "50",
        "--seed",
        "5",
    ]
    assert cli_main(argv) == 0
    first = capsys.readouterr()
    assert cli_main(argv) == 0
    second = capsys.readouterr()
    assert first.out == second.out and first.out.startswith("First ")
    assert len(first.out.rstrip("\n")) >= len("First ") + 40
    assert first.err.count("\n") == 1 and "'7'" in first.err


def test_bigram_and_mlp_rungs_train_save_and_sample(tmp_path, text_file, capsys):
    for kind in ("bigram", "mlp"):
        path = _train(tmp_path, text_file, f"{kind}.npz", "--model", kind, "--json")
        report = json.loads(capsys.readouterr().out)
        assert report["model"] == kind and math.isfinite(report["val_loss"])
        model, vocab, _ = app.load_checkpoint(path)
        text = generate(model, vocab, "", max_chars=30, seed=0, warn=None)
        assert len(text) == 31 and text[0] == "\n"


# ------------------------------------------------------------------ bad input, one line, exit 2


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"   \n\n", "empty"), (b"\x00\x01\x02binary\xff\xfe" * 50, "")],
)
def test_bad_text_files(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    argv = ["generate", "train", "--data", str(path), "--model", "bigram"]
    assert cli_main(argv) == 2
    line = _one_error_line(capsys)
    assert "bad.txt" in line and message in line
    assert not list(tmp_path.glob("*.npz"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--config", "huge"], "unknown config 'huge'"),
        (["train", "--config", "tiny", "--n_layers=3"], "did you mean --n_layer"),
        (["train", "--config", "tiny", "--n_embd=30", "--n_head=4"], "multiple"),
        (["train", "--model", "rnn"], "invalid choice"),
        (["sample", "--temperature", "0"], "--temperature"),
        (["sample", "--ckpt", "missing.npz"], "no such checkpoint"),
        (["sample", "--ckpt", "not-a-checkpoint.txt"], "not a textgen checkpoint"),
        (["fly"], "unknown subcommand"),
    ],
)
def test_bad_arguments(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-a-checkpoint.txt").write_text("hello")
    assert cli_main(["generate", *argv]) == 2
    assert message in _one_error_line(capsys)


def test_checkpoint_of_another_version_or_vocabulary(tmp_path, text_file, capsys):
    path = _train(tmp_path, text_file, "gpt.npz", "--max_iters=5")
    meta, model_state, _ = checkpoint.load(path)
    # another version
    old = tmp_path / "old.npz"
    arrays = {"meta": np.array(json.dumps({**meta, "version": 99}))}
    arrays.update({f"model/{k}": v for k, v in model_state.items()})
    np.savez(old, **arrays)
    capsys.readouterr()
    assert cli_main(["generate", "sample", "--ckpt", str(old)]) == 2
    assert "version 99" in _one_error_line(capsys)
    # another vocabulary: resume on a text with other characters
    other = tmp_path / "other.txt"
    other.write_text("0123456789 digits only, and some 123 numbers\n" * 20, encoding="utf-8")
    argv = ["generate", "train", "--resume", str(path), "--data", str(other), "--sample", "0"]
    assert cli_main(argv) == 2
    line = _one_error_line(capsys)
    assert "vocabulary differs" in line and "gpt.npz" in line
    checkpoint.load(path)  # the checkpoint is untouched


def test_fallback_text_without_real_data(no_real_data):
    corpus = corpus_mod.load()
    assert corpus.is_fallback and corpus.label.startswith("built-in sample standing in for")
    bigram = T.fit_bigram(corpus, T.TrainConfig())
    model_cfg, cfg = T.make_configs("gpt", "tiny", ["--max_iters=3", "--eval_iters=1"])
    model_cfg = dataclasses.replace(model_cfg, vocab_size=corpus.vocab.size)
    result = T.fit_neural(T.build_model("gpt", model_cfg, 0), corpus, cfg, final_eval=False)
    assert math.isfinite(bigram.val_loss) and math.isfinite(result.val_loss)


# ------------------------------------------------------------------ the tour's chapter


def test_chapter_quick(tmp_path):
    from mltutorial.apps.textgen.chapter import CHAPTER
    from mltutorial.chapter import ChapterContext

    out = CHAPTER.run(ChapterContext(out_dir=tmp_path, quick=True, seed=0))
    assert [row[0] for row in out.tables[0].rows] == ["bigram", "mlp", "gpt"]
    assert all(math.isfinite(out.numbers[f"val_loss_{k}"]) for k in ("bigram", "mlp", "gpt"))
    assert out.figures and out.figures[0].exists()
    assert "ROMEO:" in out.samples[0] and "Einstein Telescope" in out.samples[1]
    assert out.data and out.summary.startswith("val loss")


# ------------------------------------------------------------------ real data (slow)


@pytest.mark.slow
def test_tour_ladder_on_tiny_shakespeare(tmp_path):
    """The tour's configuration on the real corpus: each rung beats the one below it."""
    need_data("tinyshakespeare")
    ladder = app.run_ladder(config="tour", plot=tmp_path / "ladder.png")
    bigram, mlp, gpt = (r.val_loss for r in ladder.results)
    assert bigram == pytest.approx(2.4819, abs=1e-3)  # add-one bigram, whole val split
    assert mlp < bigram - 0.1 and gpt < mlp, (bigram, mlp, gpt)


@pytest.mark.slow  # nanoGPT's CPU run: 2,000 iterations, ~10-45 minutes on two cores
def test_baby_config_reaches_nanogpt_loss(tmp_path, capsys):
    """The engine trainer's own recipe (NumPy's generator, seed 1337), measured on tiny
    Shakespeare: val 1.919 on the whole split (nanoGPT-style 20-batch estimate 1.906). The final
    loss varies with the seed: 1.910 +- 0.005 over five of ours, 1.902 +- 0.008 over five of
    nanoGPT's (bench/textgen_seeds.py); nanoGPT's own seed reaches 1.886 on the engine (next test).
    The assertion allows 0.01 for other BLAS builds and thread counts."""
    need_data("tinyshakespeare")
    argv = [
        "generate",
        "train",
        "--config",
        "baby",
        "--sample",
        "0",
        "--json",
        "-o",
        str(tmp_path / "baby.npz"),
    ]
    assert cli_main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["iters"] == 2000 and report["params"] == 795_904
    assert report["val_loss"] <= 1.919 + 0.01


@pytest.mark.slow  # 2,000 engine iterations: ~5 minutes on one core
def test_engine_on_nanogpts_own_run_reaches_its_loss():
    """nanoGPT's baby run replayed on the engine: train.py's seed 1337 gives the initial weights
    (torch.manual_seed + model.py's init) and the batches (torch.randint in train.py's order);
    torch is only the random-number oracle here, every step is the engine's. Measured: nanoGPT's
    estimate 1.8857 at step 2000 (nanoGPT reports ~1.88), whole validation split 1.8982; PyTorch
    on the same run gives the same to 1e-4 (bench/textgen.py). Goal: <= 1.90."""
    need_data("tinyshakespeare")
    _, bench = _bench()
    from mltutorial.apps.textgen.gpt import GPT

    corpus = corpus_mod.load(None)
    model_cfg, cfg = T.make_configs("gpt", "baby")
    model_cfg = dataclasses.replace(model_cfg, vocab_size=corpus.vocab.size)
    model = GPT(model_cfg)
    nano = bench.nanogpt_gpt(model_cfg, cfg.seed)
    bench.copy_into_engine(nano, model)
    stream = bench.NanoGPTBatches(corpus.train, corpus.val, model_cfg.block_size, cfg.batch_size)
    opt = T.make_optimizer(model, cfg)
    params = [p for _, p in T.unique_parameters(model)]
    for kind, step, batches in bench.nanogpt_steps(stream, cfg):
        if kind == "eval":
            drawn = batches  # drawn as train.py's estimate_loss draws them
            continue
        T.set_lr(opt, T.lr_at(step, cfg))
        _, loss = model(*batches)
        opt.zero_grad()
        loss.backward()
        T.clip_grad_norm(params, cfg.grad_clip)
        opt.step()
    estimate = bench.engine_batches_loss(model, drawn["val"])
    whole = T.split_loss(model, corpus.val)
    assert estimate <= 1.90 and estimate == pytest.approx(1.8857, abs=0.01)
    assert whole == pytest.approx(1.8982, abs=0.01)
