"""The talk's presets give the lessons' numbers."""

from __future__ import annotations

import numpy as np
import pytest

from mltutorial.lessons import convolution as conv_lesson
from mltutorial.lessons import universal_approximation as ua_lesson
from mltutorial.lessons import worst_case as wc_lesson
from mltutorial.playground import presets


def test_gradient_descent_converges_below_the_limit():
    d = presets.gradient_descent(0.1)
    assert d["lr_limit"] == pytest.approx(2 / d["eigenvalues"][1])
    assert d["lr_limit"] == pytest.approx(0.1108, abs=1e-3)
    assert d["path"][0] == [-0.5, 2.0]  # the lesson's start
    assert d["converged_step"] is not None and d["diverged_step"] is None
    w, b = d["path"][-1]
    assert w == pytest.approx(d["w_star"], abs=0.05) and b == pytest.approx(d["b_star"], abs=0.2)
    assert np.shape(d["log_cost"]) == (presets.SURFACE, presets.SURFACE)
    slow = presets.gradient_descent(0.01)
    assert slow["converged_step"] is None  # 600 steps are not enough at 0.01


def test_worst_case_stops_where_J_passes_the_threshold():
    d = presets.worst_case(0.15)
    step, costs = d["diverged_step"], d["costs"]
    assert d["threshold"] == wc_lesson.Config().max_cost == 1e6
    assert len(costs) == step
    assert costs[step - 1] > 1e6 and max(costs[: step - 1]) <= 1e6
    # the lesson's own run of the same learning rate stops at the same step
    lesson_step, *_ = wc_lesson._learning_rates(wc_lesson.Config(lr_big=0.15, num_steps=2))
    assert step == lesson_step
    assert "stopped" in d["message"]
    calm = presets.worst_case(0.1)
    assert calm["diverged_step"] is None and "below" in calm["message"]


def test_universal_approximation_matches_the_lesson(monkeypatch):
    d = presets.universal_approximation(4, steps=60)
    lesson = ua_lesson.run(ua_lesson.Config(max_neurons=64, steps=60))
    i = lesson.neurons.index(4)
    assert d["max_error"] == pytest.approx(lesson.max_errors[i])
    assert d["all_neurons"] == [1, 2, 4, 8, 16, 32, 64]
    assert d["all_max_errors"][-1] < d["all_max_errors"][0] / 5
    assert len(d["x"]) == len(d["fit"]) == len(d["target"])


def test_convolution_slide_example_and_photo():
    d = presets.convolution(tuple(np.ravel(conv_lesson.SLIDE_FILTER)), "slide")
    assert d["output"] == conv_lesson.SLIDE_OUTPUT
    identity = presets.convolution((0, 0, 0, 0, 1, 0, 0, 0, 0), "slide")
    assert identity["output"] == np.asarray(conv_lesson.SLIDE_INPUT)[1:4, 1:4].tolist()
    photo = presets.convolution((-1, -1, -1, -1, 8, -1, -1, -1, -1), "photo")
    h, w = photo["input_shape"]
    assert photo["output_shape"] == [h - 2, w - 2]
    lo, hi = photo["output_range"]
    assert lo < 0 < hi  # an edge filter: both signs
