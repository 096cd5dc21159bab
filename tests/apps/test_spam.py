"""Gmail's anti-spam app: tokeniser, engine op, the goal numbers on SMS, save/load, CLI, bad input."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from helpers import need_data
from mltutorial import cli
from mltutorial.apps.spam import features as spam_features
from mltutorial.apps.spam.features import TextFeatures, tokenize
from mltutorial.apps.spam.filter import FORMAT_VERSION, SpamFilter
from mltutorial.apps.spam.ladder import LadderConfig, train_ladder
from mltutorial.apps.spam.models import Neuron

# ---------------------------------------------------------------------------- tokeniser, features


def test_tokenize_folds_kinds_of_things_into_special_tokens():
    tokens = tokenize(
        "WINNER!! Call 09061701461 or +44 7700 900123 to claim £900 (150p/msg) at "
        "www.win.co.uk, http://x.io/a?b=1 or mail Prize@Win.com: code 4 U"
    )
    assert tokens[:3] == ["winner", "!", "!"]
    assert tokens.count("<phone>") == 2
    assert tokens.count("<money>") == 2
    assert tokens.count("<url>") == 2
    assert tokens.count("<email>") == 1
    assert tokens.count("<number>") == 1  # "4"
    assert "WINNER" not in tokens and "u" in tokens


def test_tokenize_odd_text_does_not_fail():
    assert tokenize("") == []
    assert tokenize("\x00\x01\ufffd\ufffd") == []
    assert tokenize("café Ü don't") == ["café", "ü", "don't"]
    # a 10 MB message is read up to MAX_CHARS characters, quickly
    start = time.perf_counter()
    assert len(tokenize("free " * 2_000_000)) == spam_features.MAX_CHARS // 5
    assert time.perf_counter() - start < 5


def test_features_state_round_trip():
    texts = ["free prize now", "see you at 6", "free free entry txt 87121", "ok lar"] * 3
    f = TextFeatures().fit(texts)
    X = f.transform(texts)
    assert X.shape == (12, f.n_features_) and X.dtype == np.float32
    np.testing.assert_allclose(np.sqrt(X.multiply(X).sum(axis=1)).A1, np.sqrt(2), rtol=1e-5)
    g = TextFeatures.from_state(f.get_state())
    assert abs(g.transform(["free café"]) - f.transform(["free café"])).max() == 0


# ---------------------------------------------------------------------------- scikit-learn's manners


@pytest.mark.parametrize("name", ["majority", "nb", "neuron", "mlp"])
def test_unfitted_model_says_not_fitted(name):
    from sklearn.exceptions import NotFittedError

    from mltutorial.apps.spam.models import MODELS
    from mltutorial.errors import UserError

    X = TextFeatures().fit(["free prize", "see you"]).transform(["free prize"])
    model = MODELS[name]()
    for method in ("predict_proba", "predict"):
        with pytest.raises(NotFittedError, match="not fitted") as info:
            getattr(model, method)(X)
        assert isinstance(info.value, UserError)  # one line on the command line


@pytest.mark.parametrize("name", ["majority", "nb", "neuron", "mlp"])
def test_every_model_checks_the_number_of_features(name):
    from mltutorial.apps.spam.models import MODELS

    texts = ["free prize now", "see you at 6", "free entry txt", "ok lar"] * 4
    X = TextFeatures().fit(texts).transform(texts)
    y = np.array([1, 0, 1, 0] * 4)
    params = {"num_epochs": 1} if name in ("neuron", "mlp") else {}
    model = MODELS[name](**params).fit(X, y)
    assert model.predict(X).shape == (16,)
    wider = sp.hstack([X, X]).tocsr()
    with pytest.raises(ValueError, match=f"{X.shape[1]} features"):
        model.predict_proba(wider)
    # a model loaded from its state keeps the check
    restored = type(model).from_state(model.get_params(), model.get_state())
    with pytest.raises(ValueError, match="features"):
        restored.predict(wider)


def test_base_class_names_no_subclass():
    import ast
    import inspect

    from mltutorial.apps.spam import models

    subclasses = {"Majority", "NaiveBayes", "Neuron", "MLP"}
    for base in (models._Classifier, models._EngineModel):
        tree = ast.parse(inspect.getsource(base))
        named = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert not named & subclasses, f"{base.__name__} names {named & subclasses}"


# ---------------------------------------------------------------------------- goals on real data


@pytest.fixture(scope="module")
def sms_ladder():
    need_data("sms_spam_collection")
    from mltutorial.data import load_sms_spam

    corpus = load_sms_spam()
    assert not corpus.info.is_fallback
    return train_ladder(corpus, LadderConfig(seed=0))


def test_sms_goals(sms_ladder):
    r = {name: res.metrics for name, res in sms_ladder.results.items()}
    assert sms_ladder.n_test == 1115 and sms_ladder.n_train == 4459
    best = sms_ladder.best()
    assert r[best]["accuracy"] >= 0.985
    assert r[best]["f1"] >= 0.94
    assert r["neuron"]["f1"] >= r["nb"]["f1"]  # the talk's neuron at least matches naive Bayes
    # the numbers quoted in the report (seed 0), with a tolerance
    assert r["neuron"]["accuracy"] == pytest.approx(0.9901, abs=0.004)
    assert r["neuron"]["f1"] == pytest.approx(0.9617, abs=0.015)
    assert r["neuron"]["roc_auc"] >= 0.985
    assert r["nb"]["f1"] == pytest.approx(0.955, abs=0.015)
    assert r["majority"]["f1"] == 0.0 and r["majority"]["accuracy"] == pytest.approx(
        0.8664, abs=1e-3
    )


def _neuron_and_scikit_learn_f1(corpus) -> tuple[float, float, Neuron]:
    """Test F1 of the neuron (default solver) and of LogisticRegression on the same objective."""
    from sklearn.linear_model import LogisticRegression

    from mltutorial.apps.spam.ladder import spam_metrics, split

    y = np.asarray(corpus.y).astype(np.int64)
    train_idx, test_idx = split(y, LadderConfig(seed=0))
    features = TextFeatures()
    X_tr = features.fit_transform([corpus.texts[i] for i in train_idx])
    X_te = features.transform([corpus.texts[i] for i in test_idx])
    neuron = Neuron().fit(X_tr, y[train_idx])
    C = 1.0 / (neuron.weight_decay * len(train_idx))  # the same L2 on scikit-learn's summed loss
    peer = LogisticRegression(C=C, class_weight={0: 1.0, 1: neuron.pos_weight}, max_iter=5000)
    peer.fit(X_tr, y[train_idx])
    ours = spam_metrics(y[test_idx], neuron.predict_proba(X_te)[:, 1], 0.5)["f1"]
    theirs = spam_metrics(y[test_idx], peer.predict_proba(X_te)[:, 1], 0.5)["f1"]
    np.testing.assert_allclose(neuron.coef_, peer.coef_[0], atol=0.05)  # one optimum
    return ours, theirs, neuron


def test_sms_neuron_f1_at_least_scikit_learns():
    need_data("sms_spam_collection")
    from mltutorial.data import load_sms_spam

    ours, theirs, neuron = _neuron_and_scikit_learn_f1(load_sms_spam())
    assert ours >= theirs and ours == pytest.approx(0.9617, abs=0.005)  # bench/results/spam.md
    assert neuron.solver == "lbfgs" and neuron.n_iter_ < 50


@pytest.mark.slow
def test_spamassassin_neuron_f1_at_least_scikit_learns():
    need_data("spamassassin")
    from mltutorial.data import load_spamassassin

    ours, theirs, _ = _neuron_and_scikit_learn_f1(load_spamassassin())
    assert ours >= theirs >= 0.95


@pytest.mark.parametrize("name", ["nb", "neuron", "mlp"])
def test_save_load_round_trip_predicts_the_same(sms_ladder, tmp_path, name):
    flt = sms_ladder.results[name].filter
    path = flt.save(tmp_path / f"{name}.npz")
    back = SpamFilter.load(path)
    texts = sms_ladder.test_texts[:300]
    np.testing.assert_allclose(back.predict_proba(texts), flt.predict_proba(texts), rtol=1e-6)
    assert back.classify(texts) == flt.classify(texts)
    assert back.threshold == flt.threshold and back.model_name == name


def test_neuron_words_make_sense(sms_ladder):
    from mltutorial.apps.spam.plots import top_words

    spam, ham = top_words(sms_ladder.results["neuron"].filter, k=15)
    spam_words = {w for w, _ in spam}
    assert {"<phone>", "<url>", "<money>"} <= spam_words
    assert all(v > 0 for _, v in spam) and all(v < 0 for _, v in ham)


def test_figures(sms_ladder, tmp_path):
    from mltutorial.apps.spam.plots import plot_all

    paths = plot_all(sms_ladder, tmp_path)
    assert {p.name for p in paths} == {
        "spam_confusion.png",
        "spam_roc.png",
        "spam_words.png",
        "spam_loss.png",
    }
    assert all(p.stat().st_size > 10_000 for p in paths)


@pytest.mark.slow
def test_spamassassin_goal():
    need_data("spamassassin")
    from mltutorial.data import load_spamassassin

    result = train_ladder(load_spamassassin(), LadderConfig(seed=0))
    r = {name: res.metrics for name, res in result.results.items()}
    assert r[result.best()]["f1"] >= 0.95
    assert r["neuron"]["f1"] >= 0.95


# ---------------------------------------------------------------------------- CLI


def _run(argv, capsys, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    rc = cli.main(["spam", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture(scope="module")
def small_filter(tmp_path_factory):
    """A neuron filter trained (quickly) on the built-in sample: for the CLI contract tests."""
    from mltutorial.data import load_sms_spam

    tmp = tmp_path_factory.mktemp("spam")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLTUTORIAL_DATA", raising=False)
        mp.setenv("XDG_CACHE_HOME", str(tmp / "cache"))
        corpus = load_sms_spam()
    assert corpus.info.is_fallback
    cfg = LadderConfig(models=("neuron",), char_ngrams=None, neuron_epochs=10)
    result = train_ladder(corpus, cfg)
    return result.results["neuron"].filter.save(tmp / "f.npz")


def test_classify_prints_one_line_per_message_and_is_deterministic(small_filter, capsys):
    argv = ["classify", "--model-file", str(small_filter)]
    msgs = ["WINNER! Call 09061701461 to claim your £900 prize at www.win.co.uk", "see you at 6"]
    rc, out, err = _run([*argv, *msgs], capsys)
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["spam", "ham"]
    assert all(len(line.split()[1]) == 5 for line in lines)  # "0.998"
    assert _run([*argv, *msgs], capsys)[1] == out


def test_classify_stdin_file_and_odd_bytes(small_filter, capsys, monkeypatch, tmp_path):
    argv = ["classify", "--model-file", str(small_filter)]
    data = b"FREE entry! txt WIN to 87121\n\n\xff\xfe\x00binary \x80 junk\nok lar\n"
    rc, out, _ = _run([*argv, "-"], capsys, stdin=data, monkeypatch=monkeypatch)
    assert rc == 0 and len(out.splitlines()) == 3  # the blank line is skipped
    f = tmp_path / "msgs.txt"
    f.write_bytes(data)
    rc, out2, _ = _run([*argv, "--file", str(f)], capsys)
    assert rc == 0 and out2 == out
    # a 10 MB message: classified from its first MAX_CHARS characters, in reasonable time
    big = tmp_path / "big.txt"
    big.write_bytes(b"call now to win a prize " * 440_000)
    start = time.perf_counter()
    rc, out, _ = _run([*argv, "--file", str(big)], capsys)
    assert rc == 0 and len(out.splitlines()) == 1
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize(
    "argv, stdin, expect",
    [
        (["classify", ""], None, "empty message"),
        (["classify"], None, "nothing to classify"),
        (["classify", "-"], b"\n  \n", "no messages in stdin"),
        (["classify", "--file", "/nonexistent/msgs.txt"], None, "message file not found"),
        (["train", "--model", "svm"], None, "invalid choice"),
        (["train", "--data", "/nonexistent/corpus"], None, "/nonexistent/corpus"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(small_filter, capsys, monkeypatch, argv, stdin, expect):
    if argv[0] == "classify":
        argv = [*argv, "--model-file", str(small_filter)]
    rc, _, err = _run(argv, capsys, stdin=stdin, monkeypatch=monkeypatch)
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and expect in err
    assert "Traceback" not in err


def test_solver_option(tmp_path, capsys):
    from helpers import assert_one_line_error, run_cli

    rc, _, err = run_cli(["spam", "train", "--solver", "sgd"], capsys)
    line = assert_one_line_error(rc, err)
    assert "--solver" in line and "invalid choice: 'sgd'" in line and "lbfgs" in line
    rc, _, err = run_cli(["spam", "train", "--epochs", "3"], capsys)  # epochs are gd's
    line = assert_one_line_error(rc, err)
    assert "--epochs" in line and "--solver gd" in line
    folder = _write_mail_folder(tmp_path / "mail")
    for solver in ("gd", "lbfgs"):
        out_file = tmp_path / f"{solver}.npz"
        argv = ["spam", "train", "--data", str(folder), "--model", "neuron", "-o", str(out_file)]
        extra = ["--solver", "gd", "--epochs", "5"] if solver == "gd" else []
        rc, _, err = run_cli([*argv, *extra, "--json"], capsys)
        assert rc == 0, err
        assert SpamFilter.load(out_file).meta["params"]["solver"] == solver


def test_bad_model_files(small_filter, capsys, tmp_path):
    missing = tmp_path / "missing.npz"
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(small_filter.read_bytes()[:2000])
    other = tmp_path / "other.npz"
    np.savez(other, weights=np.zeros(3))
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    # a filter from a future version
    future = tmp_path / "future.npz"
    with np.load(small_filter) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["version"] = np.array(FORMAT_VERSION + 1)
    np.savez(future, **arrays)
    for path, expect in [
        (missing, "model file not found"),
        (truncated, "not a spam filter file"),
        (other, "not a spam filter file"),
        (text, "not a spam filter file"),
        (future, f"format version {FORMAT_VERSION + 1}"),
        (tmp_path, "is a folder"),
    ]:
        rc, out, err = _run(["classify", "--model-file", str(path), "hello"], capsys)
        assert rc == 2 and out == "", path
        assert len(err.strip().splitlines()) == 1 and expect in err, err


def _write_mail_folder(root: Path, n: int = 14) -> Path:
    spam_lines = [
        "You WON a FREE prize! Click http://win.example.com now, claim $1000 cash",
        "Cheap meds, no prescription. Order now at www.pills.biz, only $9.99",
        "URGENT: your account wins 1,000,000 dollars. Reply with your bank details",
    ]
    ham_lines = [
        "Hi Anna, the meeting moved to Thursday at 10. See you there, Bob",
        "Here are the minutes of yesterday's project call; comments welcome",
        "Can you review my patch for the parser before Friday? Thanks",
    ]
    for label, lines in (("spam", spam_lines), ("ham", ham_lines)):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(n):
            body = lines[i % 3] + f"\nmessage {i}\n"
            mail = f"From: someone{i}@example.org\nSubject: note {i}\n\n{body}"
            (folder / f"{i:05d}.eml").write_text(mail)
    return root


def test_train_evaluate_on_a_mail_folder_with_json(tmp_path, capsys):
    folder = _write_mail_folder(tmp_path / "mail")
    out_file = tmp_path / "folder-filter.npz"
    rc, out, err = _run(
        ["train", "--data", str(folder), "--model", "neuron", "-o", str(out_file), "--json"], capsys
    )
    assert rc == 0, err
    obj = json.loads(out)
    assert list(obj) == ["dataset", "n_train", "n_test", "models"]
    assert obj["n_train"] + obj["n_test"] == 28
    assert list(obj["models"]) == ["neuron"]
    assert list(obj["models"]["neuron"]) == [
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "train_seconds",
    ]
    assert obj["models"]["neuron"]["f1"] == 1.0  # an easy toy folder
    rc, out, err = _run(
        ["evaluate", "--model-file", str(out_file), "--data", str(folder), "--json"], capsys
    )
    assert rc == 0, err
    obj = json.loads(out)
    assert obj["n_test"] == 28 and obj["models"]["neuron"]["accuracy"] == 1.0
    rc, out, _ = _run(
        ["classify", "--model-file", str(out_file), "Claim your FREE cash prize now"], capsys
    )
    assert rc == 0 and out.startswith("spam ")


def test_training_is_deterministic(no_real_data):
    from mltutorial.data import load_sms_spam

    corpus = load_sms_spam()
    cfg = LadderConfig(models=("neuron",), char_ngrams=None, neuron_epochs=3)
    a = train_ladder(corpus, cfg).results["neuron"]
    b = train_ladder(corpus, cfg).results["neuron"]
    np.testing.assert_array_equal(a.filter.model.coef_, b.filter.model.coef_)
    np.testing.assert_array_equal(a.y_score, b.y_score)


# ---------------------------------------------------------------------------- fallback and tour


def test_chapter_quick_on_the_builtin_sample(no_real_data, tmp_path):
    from mltutorial.apps.spam.chapter import CHAPTER
    from mltutorial.chapter import ORDER_DAILY_LIFE, ChapterContext

    assert CHAPTER.order == ORDER_DAILY_LIFE + 1
    out = CHAPTER.run(ChapterContext(out_dir=tmp_path, quick=True))
    assert out.data.startswith("built-in sample standing in for")
    assert out.citation and out.licence
    assert len(out.figures) == 4 and all(p.exists() for p in out.figures)
    assert out.tables[0].columns[0] == "model" and len(out.tables[0].rows) == 4
    assert out.samples and ("spam " in out.samples[0] or "ham " in out.samples[0])
    assert 0.0 <= out.numbers["neuron_f1"] <= 1.0


def test_neuron_estimator_manners():
    import scipy.sparse as sp

    m = Neuron(num_epochs=2)
    assert m.get_params()["num_epochs"] == 2 and not hasattr(m, "net_")
    X = sp.csr_matrix(np.eye(6, dtype=np.float32))
    y = np.array([0, 1, 0, 1, 0, 1])
    assert m.fit(X, y) is m
    proba = m.predict_proba(X)
    assert proba.shape == (6, 2) and np.allclose(proba.sum(1), 1)
    assert 0.0 <= m.score(X, y) <= 1.0


def test_tuned_threshold_comes_from_the_training_data(no_real_data):
    from mltutorial.data import load_sms_spam

    corpus = load_sms_spam()
    cfg = LadderConfig(
        models=("nb", "neuron"), char_ngrams=None, neuron_epochs=5, tune_threshold=True
    )
    result = train_ladder(corpus, cfg)
    for r in result.results.values():
        assert 0.0 < r.metrics["threshold"] < 1.0
        assert r.filter.threshold == r.metrics["threshold"]


def test_classify_raw_mail_files(tmp_path, capsys):
    folder = _write_mail_folder(tmp_path / "mail")
    out_file = tmp_path / "f.npz"
    rc, _, err = _run(
        ["train", "--data", str(folder), "--model", "nb", "-o", str(out_file)], capsys
    )
    assert rc == 0, err
    mails = [folder / "spam" / "00001.eml", folder / "ham" / "00001.eml"]
    rc, out, err = _run(
        ["classify", "--model-file", str(out_file), "--mail", *map(str, mails)], capsys
    )
    assert rc == 0, err
    assert [line.split()[0] for line in out.splitlines()] == ["spam", "ham"]
    rc, _, err = _run(["classify", "--model-file", str(out_file), "--mail", "/no/such.eml"], capsys)
    assert rc == 2 and "mail file not found" in err
