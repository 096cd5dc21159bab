"""Lessons I (neuron, gradient_descent, worst_case, universal_approximation, practice): each runs a
small config and its key numbers are asserted; figures are written; CLI errors are one line, exit 2."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from mltutorial import lessons
from mltutorial.cli import main
from mltutorial.lessons import (
    gradient_descent,
    neuron,
    practice,
    universal_approximation,
    worst_case,
)

MINE = ["neuron", "gradient_descent", "worst_case", "universal_approximation", "practice"]


def _is_png(path) -> bool:
    return (
        path.exists()
        and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        and path.stat().st_size > 20_000
    )


def test_neuron_hand_gradient_equals_autograd_and_learns(tmp_path):
    # The hand-derived gradient of J = 1/2 ||sigma(Xw + b) - y||^2 against autograd, float64.
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(50, 2)), (rng.random(50) > 0.5).astype(np.float64)
    w, b = rng.normal(size=2), 0.3
    _, dw, db = neuron.cost_and_grad(w, b, X, y)
    aw, ab = neuron.autograd_grad(w, b, X, y)
    np.testing.assert_allclose(aw, dw, atol=1e-6, rtol=0)
    assert abs(ab - db) < 1e-6
    # ... and a finite difference agrees too (so both are right, not just equal)
    eps = 1e-6
    fd = (
        neuron.cost_and_grad(w + np.array([eps, 0]), b, X, y)[0]
        - neuron.cost_and_grad(w - np.array([eps, 0]), b, X, y)[0]
    ) / (2 * eps)
    assert fd == pytest.approx(dw[0], rel=1e-5)

    r = neuron.run(neuron.Config(num_steps=150, check_every=5))
    assert r.max_grad_diff < 1e-6
    assert len(r.grad_diffs) == 30
    assert r.costs[-1] < 0.3 * r.costs[0]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(r.costs))  # small lr: J never rises
    assert r.test_accuracy > 0.9
    assert abs(r.test_accuracy - r.sklearn_test_accuracy) < 0.04
    assert "breast cancer" in r.data and r.citation and r.licence
    assert _is_png(neuron.plot(r, tmp_path / "neuron.png"))


def test_gradient_descent_steps_to_converge():
    r = gradient_descent.run(gradient_descent.Config(lrs=[0.03, 0.1, 0.2], max_steps=1500))
    steps = r.steps_to_converge()
    # measured: 985 and 295 steps; 0.2 is beyond 2 / lambda_max ~ 0.111 and diverges
    assert steps["0.03"] == pytest.approx(985, abs=5)
    assert steps["0.1"] == pytest.approx(295, abs=3)
    assert steps["0.2"] is None and r.runs[2].diverged_step is not None
    assert r.lr_limit == pytest.approx(0.1108, abs=1e-3)
    assert r.w_star == pytest.approx(0.4158, abs=1e-3) and r.b_star == pytest.approx(
        -0.3631, abs=1e-3
    )
    # the path really ends at the closed-form minimum
    end = r.runs[1].path[-1]
    assert abs(end[0] - r.w_star) < 0.01 and abs(end[1] - r.b_star) < 0.05
    assert "0.1: 295 steps" in r.summary()


def test_worst_case_numbers(tmp_path):
    cfg = worst_case.Config(num_steps=100, nonconvex_steps=200, saddle_steps=200, batch=64)
    r = worst_case.run(cfg)
    assert r.diverged_step == 14 and r.diverged_cost > 1e6  # measured: step 14 at lr 0.15
    assert r.small_costs[-1] > 20 * r.good_costs[-1]  # crawling
    left, right = r.nonconvex_ends
    assert left == pytest.approx(-1.30, abs=0.02) and right == pytest.approx(1.13, abs=0.02)
    assert r.nonconvex_costs[0] < r.nonconvex_costs[1] - 2  # only one is the best minimum
    assert 50 <= r.saddle_tiny_steps <= 90 and r.saddle_escape_step is not None
    assert r.sigmoid_ratio < 1e-5  # first layer's gradient vanishes through 10 sigmoids
    assert 0.1 < r.relu_ratio < 10
    assert _is_png(worst_case.plot(r, tmp_path / "worst_case.png"))


def test_universal_approximation_error_falls_with_neurons():
    r = universal_approximation.run(universal_approximation.Config(max_neurons=16, steps=150))
    assert r.neurons == [1, 2, 4, 8, 16]
    errs = r.max_errors
    assert all(b <= 1.1 * a for a, b in itertools.pairwise(errs)), errs
    assert errs[-1] < errs[0] / 5
    assert r.rms_errors[-1] < 0.05


def test_practice_size_search_and_more_data(tmp_path):
    cfg = practice.Config(
        widths=[1, 4, 32, 128],
        grid_lrs=[1e-4, 1e-2, 1.0],
        grid_widths=[4, 32],
        sizes=[30, 120, 500],
        steps=100,
    )
    r = practice.run(cfg)
    # (a) small underfits, large overfits: training error ~0 with a gap to validation
    assert r.size_val_errors[0] > 0.5 and r.size_train_errors[0] > 0.5  # width 1: 80% / 71%
    assert r.best_width == 32 and r.size_val_errors[2] < 0.08
    assert r.size_train_errors[-1] < 0.01 and r.size_val_errors[-1] > r.size_train_errors[-1] + 0.02
    # (b) the validation choice beats the median random pick on the held-out test set
    # measured: lr 0.01, width 32, test error 2.9% vs the grid's median 48.8%
    assert (r.chosen[0], r.chosen[1]) == (1e-2, 32)
    assert r.chosen[3] < 0.05 and r.random_median_test_error > 0.3
    # (c) more data, lower validation error
    # measured: 20.7% with 30 examples, 10.0% with 120, 5.2% with 500
    assert r.curve_val_errors[0] > 0.12 and r.curve_val_errors[-1] < 0.08
    assert r.curve_val_errors[1] < r.curve_val_errors[0]
    assert r.n_train + r.n_val + r.n_test == 1797
    paths = lessons._as_paths(practice.plot(r, tmp_path / "practice.png"))
    assert all(_is_png(p) for p in paths)


def test_lessons_are_listed_in_slide_order_with_titles(capsys):
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    for name in MINE:
        assert name in out
    orders = {m: lessons.get(m).CHAPTER.order for m in MINE}
    assert orders == {
        "neuron": 41,
        "gradient_descent": 42,
        "worst_case": 43,
        "universal_approximation": 53,
        "practice": 60,
    }
    for name in MINE:
        module = lessons.get(name)
        assert "Run: mltutorial run " + name in module.__doc__
        assert "Slide:" in module.__doc__


def test_run_json_and_figure(tmp_path, capsys):
    code = main(
        [
            "run",
            "gradient_descent",
            "--lrs=0.1",
            "--max_steps=400",
            "--json",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    numbers = json.loads(capsys.readouterr().out)
    assert numbers["steps_to_converge"] == {"0.1": 295}
    assert _is_png(tmp_path / "gradient_descent.png")


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["run", "nueron"], "did you mean neuron"),
        (["run", "neuron", "--num_stpes=3"], "did you mean --num_steps"),
        (["run", "neuron", "--num_steps=abc"], "expected a value of type int"),
        (["run", "neuron", "--features=worst radius"], "exactly two feature names"),
        (
            ["run", "neuron", "--features=worst radius,worst nonsense"],
            "unknown breast cancer feature",
        ),
        (["run", "gradient_descent", "--lrs=-1"], "--lrs=-1: must be positive"),
        (
            ["run", "universal_approximation", "--lr=1000", "--max_neurons=2", "--steps=50"],
            "cost diverged at step",
        ),
    ],
)
def test_errors_are_one_line_exit_2(argv, needle, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err
    assert not list(tmp_path.glob("*.png"))  # nothing half-written
