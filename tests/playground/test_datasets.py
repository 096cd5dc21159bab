"""TensorFlow Playground's generators (same formulas) and the CSV upload's checks."""

from __future__ import annotations

import numpy as np
import pytest

from mltutorial.playground import datasets
from mltutorial.playground.datasets import DataError, parse_csv


@pytest.mark.parametrize("name", list(datasets.GENERATORS))
def test_every_generator_is_seeded_and_shaped(name):
    X, y = datasets.generate(name, 300, 0.1, seed=3)
    assert X.shape == (300, 2) and y.shape == (300,)
    assert np.all(np.abs(X) <= 6.5)  # the heat map's square (Gaussian tails aside)
    assert np.all(np.abs(y) <= 1.2 + 1e-9)
    X2, y2 = datasets.generate(name, 300, 0.1, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, datasets.generate(name, 300, 0.1, seed=4)[0])


def test_circle_inside_is_positive_without_noise():
    X, y = datasets.generate("circle", 400, 0.0, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(y[r < 2.5] == 1) and np.all(y[r >= 2.5] == -1)
    assert (y == 1).sum() == 200 and r.max() <= 5


def test_xor_label_is_the_sign_of_the_product_and_points_avoid_the_axes():
    X, y = datasets.generate("xor", 400, 0.0, 0)
    assert np.array_equal(y, np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0))
    assert np.abs(X).min() >= 0.3


def test_gauss_clusters_and_noise_widens_them():
    X, y = datasets.generate("gauss", 2000, 0.0, 0)
    assert np.allclose(X[y == 1].mean(0), [2, 2], atol=0.1)
    assert np.allclose(X[y == -1].mean(0), [-2, -2], atol=0.1)
    assert X[y == 1].var(0).mean() == pytest.approx(0.5, rel=0.15)
    wide, _ = datasets.generate("gauss", 2000, 0.5, 0)
    assert wide[:1000].var(0).mean() == pytest.approx(4.0, rel=0.15)


def test_spiral_arms_turn_out_to_radius_five():
    X, y = datasets.generate("spiral", 500, 0.0, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() < 5 and (y == 1).sum() == 250
    assert np.allclose(X[y == 1], -X[y == -1], atol=1e-9)  # the arms are half a turn apart


def test_regression_targets():
    X, y = datasets.generate("reg-plane", 300, 0.0, 0)
    assert np.allclose(y, (X[:, 0] + X[:, 1]) / 10)
    X, y = datasets.generate("reg-gauss", 3000, 0.0, 0)
    near = np.hypot(X[:, 0] + 4, X[:, 1] - 2.5) < 0.3  # the positive bump at (-4, 2.5)
    assert y[near].min() > 0.8
    assert y.min() >= -1 and y.max() <= 1


def test_noise_blurs_the_labels():
    X, y = datasets.generate("circle", 1000, 0.5, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    wrong = np.mean(np.where(r < 2.5, 1.0, -1.0) != y)
    assert 0.1 < wrong < 0.5


def test_split_follows_the_ratio():
    X, y = datasets.generate("xor", 500, 0, 0)
    _, ytr, _, yte = datasets.split(X, y, 70, np.random.default_rng(0))
    assert len(ytr) == 350 and len(yte) == 150


def _csv(rows, header=True) -> bytes:
    lines = ["x1,x2,label"] if header else []
    lines += [",".join(str(v) for v in r) for r in rows]
    return "\n".join(lines).encode()


def test_csv_classification_and_regression():
    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 100, (40, 2))
    X, y, problem = parse_csv(_csv([(a, b, int(a > b)) for a, b in pts]))
    assert problem == "classification" and set(np.unique(y)) == {-1.0, 1.0}
    assert np.abs(X).max() <= 5 + 1e-9
    X, y, problem = parse_csv(_csv([(a, b, a * 0.3 + b) for a, b in pts], header=False))
    assert problem == "regression" and y.min() == -1 and y.max() == 1


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"1,2\n" * 20, "expected 3 columns"),
        (_csv([(1, 2, 0)] * 5 + [(1, "x", 1)] + [(2, 3, 1)] * 10), "line 7: not numbers"),
        (_csv([(1, 2, 0)] * 5), "at least 10"),
        (_csv([(1, 2, 1)] * 20), "same label"),
        (_csv([(1, 2, 0)] * 10 + [(1, "nan", 1)]), "NaN"),
        (b"\xff\xfe" + b"\x00" * 50, "not UTF-8"),
        (b"1,2,1\n" * 2001 + b"1,2,0\n", "more than 2000 rows"),
        (b"x" * (datasets.MAX_UPLOAD_BYTES + 1), "limit"),
    ],
)
def test_bad_csv_says_why(raw, words):
    with pytest.raises(DataError, match=words):
        parse_csv(raw)
