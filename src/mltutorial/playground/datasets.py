"""The playground's data: TensorFlow Playground's six generators, and a checked CSV of your own.

The formulas are those of TensorFlow Playground's `dataset.ts` (Apache 2.0), drawn from a seeded
NumPy generator instead of `Math.random`: points live in the square [-6, 6]^2; classification labels
are -1 and +1, regression values lie in [-1, 1]; `noise` in [0, 0.5] blurs the label (circle, XOR,
planes), widens the clusters (Gaussian) or jitters the points (spiral).

Each generator returns `(X, y)`: X (n_samples, 2) the coordinates x1, x2; y (n_samples,) the label or
value. `split(X, y, train_pct, rng)` shuffles and splits as the page's "ratio of training data" does.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable

import numpy as np

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
MAX_UPLOAD_BYTES = 1_000_000  # a CSV of 2,000 points is about 60 kB: a megabyte is plenty
MAX_UPLOAD_ROWS = 2000  # the same bound as the generated data: each step stays fast
MIN_UPLOAD_ROWS = 10
DOMAIN = 6.0  # the heat map shows [-6, 6]^2, as TensorFlow Playground does


class DataError(ValueError):
    """A CSV the playground cannot use: the message says which line and why."""


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Label +1 inside radius 2.5, -1 in the ring 3.5..5; the label is taken at a noisy position."""
    radius = 5.0
    half = n // 2
    r = np.concatenate(
        [rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)]
    )
    angle = rng.uniform(0, 2 * math.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    noisy = X + rng.uniform(-radius, radius, (n, 2)) * noise
    y = np.where(np.hypot(noisy[:, 0], noisy[:, 1]) < radius * 0.5, 1.0, -1.0)
    return X, y


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Label +1 where x1 x2 >= 0 (the first and third quadrants); points kept 0.3 off the axes."""
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    noisy = X + rng.uniform(-5, 5, (n, 2)) * noise
    y = np.where(noisy[:, 0] * noisy[:, 1] >= 0, 1.0, -1.0)
    return X, y


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters at (2, 2) (+1) and (-2, -2) (-1); variance 0.5 + 7 noise (0.5..4)."""
    variance = 0.5 + noise * (4.0 - 0.5) / 0.5
    half = n // 2
    centres = np.concatenate([np.full((half, 2), 2.0), np.full((n - half, 2), -2.0)])
    X = centres + rng.normal(0.0, math.sqrt(variance), (n, 2))
    y = np.concatenate([np.ones(half), -np.ones(n - half)])
    return X, y


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of 1.75 turns out to radius 5; each point jittered by +-noise."""
    half = n // 2
    parts = []
    for count, delta, label in ((half, 0.0, 1.0), (n - half, math.pi, -1.0)):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * math.pi + delta
        xs = r * np.sin(t) + rng.uniform(-1, 1, count) * noise
        ys = r * np.cos(t) + rng.uniform(-1, 1, count) * noise
        parts.append((np.column_stack([xs, ys]), np.full(count, label)))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def reg_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Value (x1 + x2) / 10 at a noisy position: a tilted plane, from -1.2 to 1.2 across the square."""
    X = rng.uniform(-DOMAIN, DOMAIN, (n, 2))
    noisy = X + rng.uniform(-DOMAIN, DOMAIN, (n, 2)) * noise
    return X, (noisy[:, 0] + noisy[:, 1]) / 10.0


GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def reg_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Six bumps of sign +-1, each falling linearly to 0 at distance 2; the largest |bump| wins."""
    X = rng.uniform(-DOMAIN, DOMAIN, (n, 2))
    noisy = X + rng.uniform(-DOMAIN, DOMAIN, (n, 2)) * noise
    bumps = np.stack(
        [
            sign * np.clip(1.0 - np.hypot(noisy[:, 0] - cx, noisy[:, 1] - cy) / 2.0, 0.0, 1.0)
            for cx, cy, sign in GAUSSIANS
        ]
    )  # (6, n)
    pick = np.argmax(np.abs(bumps), axis=0)
    y = bumps[pick, np.arange(n)]
    return X, y


GENERATORS: dict[str, Generator] = {
    "circle": circle,
    "xor": xor,
    "gauss": gauss,
    "spiral": spiral,
    "reg-plane": reg_plane,
    "reg-gauss": reg_gauss,
}


def generate(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = GENERATORS[name](n, noise, np.random.default_rng(seed))
    return X.astype(np.float64), y.astype(np.float64)


def split(
    X: np.ndarray, y: np.ndarray, train_pct: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle, then the first train_pct % for training and the rest for testing (at least 1 each)."""
    order = rng.permutation(len(y))
    n_train = min(max(1, round(len(y) * train_pct / 100)), len(y) - 1)
    tr, te = order[:n_train], order[n_train:]
    return X[tr], y[tr], X[te], y[te]


def parse_csv(raw: bytes) -> tuple[np.ndarray, np.ndarray, str]:
    """Points from a CSV of three columns x1, x2, label-or-value (a header line is optional).

    Labels that take only two values become -1 and +1 (classification); any other numbers are a
    regression target scaled into [-1, 1]. Coordinates are scaled into [-5, 5] keeping their aspect,
    so any units fit the heat map. Returns (X, y, problem). DataError names the line of a bad file.
    """
    if len(raw) > MAX_UPLOAD_BYTES:
        raise DataError(f"the file is {len(raw):,} bytes; the limit is {MAX_UPLOAD_BYTES:,}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("the file is not UTF-8 text (save it as CSV)") from None
    rows: list[tuple[float, float, float]] = []
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != 3:
            raise DataError(f"line {line_no}: expected 3 columns (x1, x2, label), found {len(row)}")
        try:
            values = tuple(float(c) for c in row)
        except ValueError:
            if line_no == 1 and not rows:  # a header
                continue
            raise DataError(f"line {line_no}: not numbers: {','.join(row)[:60]!r}") from None
        if not all(math.isfinite(v) for v in values):
            raise DataError(f"line {line_no}: NaN or infinite value")
        rows.append(values)  # type: ignore[arg-type]
        if len(rows) > MAX_UPLOAD_ROWS:
            raise DataError(f"more than {MAX_UPLOAD_ROWS} rows: the playground trains live")
    if len(rows) < MIN_UPLOAD_ROWS:
        raise DataError(f"{len(rows)} data rows; at least {MIN_UPLOAD_ROWS} are needed")
    data = np.asarray(rows, dtype=np.float64)  # (n, 3)
    X, labels = data[:, :2], data[:, 2]
    centre = (X.max(0) + X.min(0)) / 2
    span = float(np.max(X.max(0) - X.min(0)))
    X = (X - centre) * (10.0 / span if span > 0 else 1.0)
    classes = np.unique(labels)
    if len(classes) == 1:
        raise DataError("every row has the same label: nothing to learn")
    if len(classes) == 2:
        return X, np.where(labels == classes[1], 1.0, -1.0), "classification"
    lo, hi = float(labels.min()), float(labels.max())
    return X, 2 * (labels - lo) / (hi - lo) - 1, "regression"
