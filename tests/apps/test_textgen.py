"""Tests for the textgen app: vocabulary, bigram, GPT parity with PyTorch, training beats the
bigram, checkpoints and resume, sampling, bad input through the command line, the tour chapter."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from mltutorial.apps.textgen import corpus as corpus_mod
from mltutorial.apps.textgen import train as T
from mltutorial.apps.textgen.bigram import BigramModel
from mltutorial.apps.textgen.sample import generate, next_distribution, prepare_prompt
from mltutorial.apps.textgen.vocab import CharVocab
from mltutorial.errors import UserError

REPO = Path(__file__).resolve().parents[2]
SHAKESPEARE_LIKE = (
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
    "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\nResolved. "
    "resolved.\n\nFirst Citizen:\nFirst, you know Caius Marcius is chief enemy to the people.\n\n"
) * 40


def _bench():
    """bench/textgen.py holds the PyTorch reference GPT (torch is a test/bench-only oracle)."""
    torch = pytest.importorskip("torch")
    spec = importlib.util.spec_from_file_location("bench_textgen", REPO / "bench" / "textgen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return torch, module


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
