"""Search for a better elliptical-vs-spiral galaxy classifier on a validation split, never the test split.

    OPENBLAS_NUM_THREADS=1 MLTUTORIAL_DATA=/work/shared/data python bench/galaxies_search.py
        [--variants base,base_s1,e40,s48,w32]

The training 80 % of load_galaxy_zoo's stratified split is split again (stratified, seed 1, as in
bench/galaxies_validation.py): each CNN variant is fitted on four fifths and its 8-view p(spiral)
scored on the fifth left out (threshold one half). Beside it, feature models fitted on the same four
fifths: the app's logistic regression on its five features (`simple_features`) and a
gradient-boosted classifier (scikit-learn HistGradientBoostingClassifier) on sixteen richer ones
(`rich_features`: colour inside and outside the half-light radius and their difference,
concentrations r90/r50 and r80/r20, axis ratio, radii, asymmetry under a 180-degree turn and under
mirrors, clumpiness, Gini, total light). Printed: each network alone and blended with each feature
model at weights 0.1 and 0.2, and the networks averaged in pairs.

Writes bench/results/galaxies_search.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from mltutorial.apps.vision.galaxies import (
    GalaxyClassifier,
    elongation_of,
    fit_logistic,
    simple_features,
    task_labels,
)
from mltutorial.data import load_galaxy_zoo
from mltutorial.data.galaxies import stratified_split

HERE = Path(__file__).resolve().parent
# name: (size, crop, width, epochs, seed)
VARIANTS = {
    "base": (32, 0.35, 16, 20, 0),
    "base_s1": (32, 0.35, 16, 20, 1),
    "e40": (32, 0.35, 16, 40, 0),
    "s48": (48, 0.35, 16, 20, 0),
    "w32": (32, 0.35, 32, 20, 0),
    "s64": (64, 0.35, 16, 20, 0),
    "smoke": (32, 0.35, 4, 1, 0),  # checks the script runs, in seconds
}


def rich_features(X: np.ndarray, chunk: int = 512) -> np.ndarray:
    """(N, 16) morphology features from (N, 3, S, S) uint8 RGB images, `chunk` images at a time."""
    parts = [_rich_features(X[s : s + chunk]) for s in range(0, len(X), chunk)]
    return np.concatenate(parts)


def _rich_features(X: np.ndarray) -> np.ndarray:
    n, _, s, _ = X.shape
    img = X.astype(np.float64)  # (N, 3, S, S)
    img = img - np.median(img.reshape(n, 3, -1), axis=2)[:, :, None, None]  # sky per channel
    light = img.sum(axis=1)  # (N, S, S)
    light_c = np.clip(light, 0, None)
    grid = np.arange(s) - (s - 1) / 2
    yy, xx = np.meshgrid(grid, grid, indexing="ij")
    r = np.sqrt(xx**2 + yy**2).ravel()
    order = np.argsort(r)
    flat = light_c.reshape(n, -1)[:, order]
    cum = np.cumsum(flat, axis=1) / (flat.sum(axis=1, keepdims=True) + 1e-9)
    r_sorted = r[order]

    def radius(f: float) -> np.ndarray:
        return r_sorted[np.minimum((cum < f).sum(axis=1), s * s - 1)]

    r20, r50, r80, r90 = radius(0.2), radius(0.5), radius(0.8), radius(0.9)
    R = r.reshape(1, s, s)
    inner = r50[:, None, None] >= R
    outer = (r50[:, None, None] < R) & (r90[:, None, None] >= R)
    aperture = np.maximum(r90, 2)[:, None, None] >= R

    def band(mask: np.ndarray, ch: int) -> np.ndarray:
        return np.clip((img[:, ch] * mask).sum(axis=(1, 2)), 0, None) + 1.0

    b_in = [band(inner, c) for c in range(3)]
    b_out = [band(outer, c) for c in range(3)]
    total = light_c.sum(axis=(1, 2)) + 1e-9
    elongation = elongation_of(light_c, xx, yy)
    norm = (np.abs(light) * aperture).sum(axis=(1, 2)) + 1e-9

    def asymmetry(other: np.ndarray) -> np.ndarray:
        return (np.abs(light - other) * aperture).sum(axis=(1, 2)) / norm

    turn, mx, my = (
        asymmetry(light[:, ::-1, ::-1]),
        asymmetry(light[:, :, ::-1]),
        asymmetry(light[:, ::-1, :]),
    )
    pad = np.pad(light, ((0, 0), (1, 1), (1, 1)), mode="edge")
    smooth = sum(pad[:, i : i + s, j : j + s] for i in range(3) for j in range(3)) / 9
    clumpiness = asymmetry(smooth)
    gini = np.empty(n)
    for i in range(n):
        v = np.sort(np.abs(light[i][aperture[i]]))
        k = len(v)
        gini[i] = ((2 * np.arange(1, k + 1) - k - 1) * v).sum() / (v.mean() * k * (k - 1) + 1e-9)
    colour_in, colour_out = np.log(b_in[0] / b_in[2]), np.log(b_out[0] / b_out[2])
    return np.stack(
        [
            colour_in,
            np.log(b_in[0] / b_in[1]),
            colour_out,
            np.log(b_out[0] / b_out[1]),
            colour_in - colour_out,
            r90 / np.maximum(r50, 0.5),
            r80 / np.maximum(r20, 0.5),
            elongation,
            r50,
            r90,
            turn,
            np.minimum(mx, my),
            np.maximum(mx, my),
            clumpiness,
            gini,
            np.log(total),
        ],
        axis=1,
    )


def pct(y: np.ndarray, p: np.ndarray) -> str:
    acc, bal = scores(y, p)
    return f"{acc:.1%} / {bal:.1%}"


def scores(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    y_hat = (p >= 0.5).astype(int)
    return float((y_hat == y).mean()), float(np.mean([(y_hat[y == c] == c).mean() for c in (0, 1)]))


def feature_models(size: int, crop: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Validation labels and p(spiral) of the two feature models on images of this size and crop."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    d = load_galaxy_zoo(size=size, crop=crop)
    fit, val = stratified_split(d.y_train, 0.2, seed=1)
    kf, yf, _ = task_labels(d.y_train[fit], "spiral")
    kv, yv, _ = task_labels(d.y_train[val], "spiral")
    Xf, Xv = d.X_train[fit][kf], d.X_train[val][kv]
    S = simple_features(Xf)
    mean, std = S.mean(axis=0), S.std(axis=0) + 1e-9
    counts = np.bincount(yf, minlength=2)
    coef = fit_logistic((S - mean) / std, yf, len(yf) / (2 * counts))
    z = (simple_features(Xv) - mean) / std
    p_lr = 1 / (1 + np.exp(-(z @ coef[1:] + coef[0])))
    gb = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.05, class_weight="balanced", random_state=0
    ).fit(rich_features(Xf), yf)
    return yv, {"simple-lr": p_lr, "rich-gb": gb.predict_proba(rich_features(Xv))[:, 1]}


def network(size: int, crop: float, width: int, epochs: int, seed: int) -> tuple[np.ndarray, float]:
    d = load_galaxy_zoo(size=size, crop=crop)
    fit, val = stratified_split(d.y_train, 0.2, seed=1)
    model = GalaxyClassifier(convs=1, num_epochs=epochs, width=width, seed=seed, blend=0.0)
    start = time.perf_counter()
    model.fit(d.X_train[fit], d.y_train[fit])
    seconds = time.perf_counter() - start
    keep, _, _ = task_labels(d.y_train[val], "spiral")
    return model._net_proba(d.X_train[val][keep], 256)[:, 1], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="base,base_s1,e40,s48,w32")
    args = parser.parse_args()
    names = args.variants.split(",")
    feats, nets, lines = {}, {}, []
    for name in names:
        size, crop, width, epochs, seed = VARIANTS[name]
        if (size, crop) not in feats:
            feats[size, crop] = feature_models(size, crop)
        y, models = feats[size, crop]
        p, seconds = network(size, crop, width, epochs, seed)
        nets[name] = (size, crop, p)
        row = [f"{name} ({size}px, width {width}, {epochs} epochs, seed {seed}, {seconds:.0f} s)"]
        row.append(pct(y, p))
        for m in ("simple-lr", "rich-gb"):
            for w in (0.1, 0.2):
                row.append(pct(y, (1 - w) * p + w * models[m]))
        lines.append("| " + " | ".join(row) + " |")
        print(lines[-1], flush=True)
    feature_rows = [
        f"| {m} ({size}px) | " + pct(y, p) + " |"
        for (size, _), (y, models) in feats.items()
        for m, p in models.items()
    ]
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if nets[a][:2] == nets[b][:2]:
                y = feats[nets[a][:2]][0]
                p = (nets[a][2] + nets[b][2]) / 2
                pairs.append(f"| {a} + {b} | " + pct(y, p) + " |")
    out = [
        "## Galaxy Zoo: searching for a better elliptical-vs-spiral model on validation data",
        "",
        "Command: `MLTUTORIAL_DATA=/work/shared/data python bench/galaxies_search.py"
        f" --variants {args.variants}`. Fit on four fifths of the training split, scored on the"
        f" fifth left out ({len(feats[next(iter(feats))][0])} galaxies; 1 point = about 9 galaxies)."
        " Accuracy / balanced accuracy, in per cent, threshold one half.",
        "",
        "| network | alone | + simple-lr 0.1 | + simple-lr 0.2 | + rich-gb 0.1 | + rich-gb 0.2 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *lines,
        "",
        "| feature model alone | validation |",
        "| --- | ---: |",
        *feature_rows,
        "",
        "| two networks averaged | validation |",
        "| --- | ---: |",
        *pairs,
        "",
    ]
    path = HERE / "results" / "galaxies_search.md"
    path.write_text(replace_first_section(path, "\n".join(out)), encoding="utf-8")
    print("\n".join(out))


def replace_first_section(path: Path, section: str) -> str:
    """The file with its first "## " section replaced by `section`; the sections other scripts
    appended after it (bench/galaxies_crop.py, bench/galaxies_cv.py) are kept."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    rest = old.find("\n## ", 1)
    return section if rest < 0 else section.rstrip("\n") + "\n" + old[rest:]


if __name__ == "__main__":
    main()
