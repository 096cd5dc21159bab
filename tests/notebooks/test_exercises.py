"""Every exercise check both ways: the worked solution passes; a plausible wrong answer fails with
its hint (on stdout, one line starting "✗ wrong: ")."""

from __future__ import annotations

import runpy

import numpy as np
import pytest

from mltutorial import notebook_build
from mltutorial.exercises import (
    anomaly,
    complexity,
    convolution,
    galaxies,
    gradient_descent,
    gw,
    live,
    networks,
    neuron,
    practice,
    recommend,
    rl,
    software,
    spam,
    textgen,
    translate,
    universal_approximation,
    vision,
    worst_case,
)


@pytest.mark.parametrize("source", notebook_build.solution_sources(), ids=lambda p: p.stem)
def test_the_worked_solutions_pass_every_check(source, capsys):
    runpy.run_path(str(source), run_name="__main__")  # each check is asserted in the solution
    out = capsys.readouterr().out
    assert "✓ right" in out and "✗ wrong" not in out


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _xcorr_flipped(image, kernel):
    k = kernel[::-1, ::-1]
    n = image.shape[0] - 2
    return np.array([[np.sum(image[i : i + 3, j : j + 3] * k) for j in range(n)] for i in range(n)])


def _softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _attention_unscaled(q, k, v):
    s = q @ k.T
    s[~np.tril(np.ones(s.shape, bool))] = -np.inf
    w = np.exp(s - s.max(1, keepdims=True))
    return (w / w.sum(1, keepdims=True)) @ v


def _step_without_zero_grad(model, optimizer, loss_fn, X, y):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


WRONG = [
    # (check, the learner's wrong answer as args, a piece of the hint it must print)
    (live.check_word_counts, [lambda a: {w: a.count(w) for w in a}], "one word"),
    (live.check_quiz_points, [lambda c, e, t: 1000 if c else 0], "falling linearly"),
    (vision.check_softmax, [_softmax_naive], "overflows"),
    (vision.check_cross_entropy, [lambda z, y: -np.mean(z[np.arange(len(y)), y])], "log softmax"),
    (galaxies.check_mirror_labels, [lambda y: y], "clockwise"),
    (galaxies.check_mirror_labels, [lambda y: np.where(y == 1, 2, y)], "anti-clockwise one (2) and back"),
    (galaxies.check_class_weights, [lambda y, k: np.bincount(y, minlength=k) / len(y)], "inverse"),
    (galaxies.check_balanced_accuracy, [lambda y, yh: np.mean(y == yh)], "plain accuracy"),
    (anomaly.check_roc_auc, [lambda s, y: np.mean((s > 0) == y)], "pair"),
    (anomaly.check_mahalanobis, [lambda Xt, X: np.linalg.norm(X - Xt.mean(0), axis=1)], "Σ⁻¹"),
    (rl.check_discounted_returns, [lambda r, g: np.cumsum(r)], "γ·G"),
    (rl.check_policy, [lambda obs: int(obs[2] > 0.5)], "goal 195"),
    (spam.check_precision_recall, [lambda y, yh: (0.75, 0.6)], "swapped"),
    (spam.check_f1, [lambda y, yh: (0.6 + 0.75) / 2], "harmonic"),
    (recommend.check_rmse, [lambda p, a: np.mean(np.abs(p - a))], "square first"),
    (recommend.check_mf_gradient, [lambda p, q, bu, bi, mu, r: (2 * p, 2 * q)], "OTHER vector"),
    (translate.check_nearest, [lambda v, M, k: np.argsort(-(M @ v))[:k]], "dot product"),
    (translate.check_procrustes, [lambda X, Y: np.linalg.lstsq(X, Y, rcond=None)[0]], "orthogonal"),
    (gw.check_whiten, [lambda x, fs, p: np.fft.irfft(np.fft.rfft(x) / (p * fs / 2), len(x))], "not by its square root"),
    (gw.check_whiten, [lambda x, fs, p: np.fft.irfft(np.fft.rfft(x) / np.sqrt(p), len(x))], "unit variance"),
    (gw.check_matched_filter, [lambda x, h: np.correlate(x, h, "valid")], "divide by ‖h‖"),
    (gw.check_matched_filter, [lambda x, h: np.abs(np.correlate(x, h, "valid")) / np.linalg.norm(h)], "keep the sign"),
    (gw.check_chirp_mass, [lambda m1, m2: (m1 * m2) ** 0.5], "(m1·m2)^(3/5)"),
    (textgen.check_causal_mask, [lambda T: np.triu(np.ones((T, T), bool))], "future"),
    (textgen.check_attention, [_attention_unscaled], "√d"),
    (neuron.check_sigmoid_derivative, [_sig], "σ(z)·(1 − σ(z))"),
    (neuron.check_cost_gradient, [lambda w, b, X, y: (X.T @ (_sig(X @ w + b) - y), 0.0)], "forgot σ'"),
    (gradient_descent.check_largest_stable_lr, [0.02], "grow without bound"),
    (gradient_descent.check_largest_stable_lr, [0.005], "a larger one does too"),
    (gradient_descent.check_momentum_step, [lambda w, v, g, lr, m: (w - lr * g, g)], "momentum·v"),
    (worst_case.check_sigmoid_chain_bound, [lambda n: 0.5**n], "0.25"),
    (worst_case.check_is_saddle, [lambda H: bool(np.diag(H).min() < 0 < np.diag(H).max())], "diagonal"),
    (networks.check_dense_params, [lambda i, o: i * o], "bias"),
    (networks.check_slide_prediction, [lambda p, c: f"{c[int(np.argmax(p))]} ({p.max():.3f})"], "capitalised"),
    (convolution.check_conv2d, [_xcorr_flipped], "flipped"),
    (convolution.check_output_size, [lambda n, k, s, p: n - k + 1], "stride"),
    (universal_approximation.check_one_hidden_layer, [lambda x, w, b, v: _sig(x * w.sum() + b.sum()) * v.sum()], "σ(wᵢ·x + bᵢ)"),
    (universal_approximation.check_step, [1.0, 0.0], "steeper"),
    (complexity.check_conv_params, [lambda ci, co, k: ci * co * k * k], "bias"),
    (complexity.check_conv_macs, [lambda ci, co, k, h, w: co * h * w], "c_in × k × k"),
    (practice.check_pick_by_validation, [lambda r: min(r, key=lambda x: x["train_error"])["hidden"]], "VALIDATION"),
    (practice.check_standardise, [lambda a, b: ((a - a.mean(0)) / a.std(0), (b - b.mean(0)) / b.std(0))], "leak"),
    (software.check_train_step, [_step_without_zero_grad], "zero_grad()"),
    (software.check_count_parameters, [lambda m: len(list(m.parameters()))], "numel"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("check", "args", "hint"), WRONG, ids=[f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}-{i}" for i, (c, _, _) in enumerate(WRONG)]
)  # fmt: skip
def test_a_plausible_wrong_answer_fails_with_its_hint(check, args, hint, capsys):
    assert check(*args) is False
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("✗ wrong: "), out
    assert hint in out[0], out[0]


def test_every_check_is_tested_with_a_wrong_answer():
    modules = [live, vision, galaxies, anomaly, rl, spam, recommend, translate, gw, textgen, neuron,
               gradient_descent, worst_case, networks, convolution, universal_approximation,
               complexity, practice, software]  # fmt: skip
    everything = {f"{m.__name__}.{n}" for m in modules for n in dir(m) if n.startswith("check_")}
    tested = {f"{c.__module__}.{c.__name__}" for c, _, _ in WRONG}
    assert everything == tested


@pytest.mark.parametrize("bad", [None, 42, lambda *a: 1 / 0, lambda *a: None])
def test_a_check_never_raises(bad, capsys):
    assert neuron.check_cost_gradient(bad) is False
    assert capsys.readouterr().out.startswith("✗ wrong: ")
