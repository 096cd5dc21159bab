"""Galaxy classifier variants over four validation splits, probabilities kept for ensembles.

    OPENBLAS_NUM_THREADS=1 MLTUTORIAL_DATA=/work/shared/data python bench/galaxies_cv.py
        train --variants base,s64 [--splits 1,2,3,4]
    python bench/galaxies_cv.py report --variants base,d16,base+d16   # "+": p(spiral) averaged
    ... python bench/galaxies_cv.py test --variants d16 --splits 0,1,2,3,4
    python bench/galaxies_cv.py test-report --variants d16 --splits 0,1,2,3,4

As bench/galaxies_crop.py: the training 80 % of load_galaxy_zoo(seed=0) is split again (stratified,
split seed 1..4); a variant is fitted on four fifths and its 8-view p(spiral) (the network alone,
`_net_proba`) and the colour-and-shape logistic regression's p(spiral) are kept for the fifth left
out, in CACHE/<variant>-<split>.npz; `train` and `report` never read the test split. `report`
prints accuracy / balanced accuracy per split and their mean for each variant and average of
variants, blended with the logistic regression at 0 and 0.2, at threshold one half and at a
threshold chosen honestly: on the other three splits' galaxies (pooled), the one with the best
accuracy among those keeping balanced accuracy at least 89 %, then applied to the split left out.

`test` (only once a variant is chosen on validation) does what `vision train --dataset galaxy_zoo
--seed S` does for each S, fitting on the whole training split, and keeps the test split's
p(spiral) in CACHE/test-<variant>-<S>.npz; `test-report` scores them with the rule chosen on
validation (blend 0, threshold 0.65) and, for comparison, the app's (blend 0.2, threshold 0.5).

Variants change the network (`build`): `stages` conv-BN-ReLU-maxpool blocks (3 at 32 px; one more
per doubling of the side keeps the last map at 4 px), `double` two convs per block, `shift` random
shifts of up to that many pixels on top of the D4 augmentation.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mltutorial.apps.vision import galaxies as gal
from mltutorial.data import load_galaxy_zoo
from mltutorial.data.galaxies import stratified_split

CACHE = Path(os.environ.get("GALCV_CACHE", "/tmp/galcv"))
PLAIN_AUGMENT = gal.augment


@dataclass(frozen=True)
class Variant:
    size: int = 32
    width: int = 16
    epochs: int = 20
    stages: int = 3
    double: bool = False
    shift: int = 0
    lr: float = 3e-3
    task: str = "spiral"  # "gz1": learn the six GZ1 classes, p(spiral) = p(CW, ACW, edge-on)
    seed: int = 0  # added to the split seed for the network's initialisation


VARIANTS = {
    "base": Variant(),
    "base_b": Variant(seed=10),
    "base_c": Variant(seed=20),
    "s48": Variant(size=48, stages=3),
    "s48x4": Variant(size=48, stages=4),
    "s64": Variant(size=64, stages=4),
    "s64w24": Variant(size=64, stages=4, width=24),
    "d16": Variant(double=True),
    "d16_b": Variant(double=True, seed=10),
    "d16e40": Variant(double=True, epochs=40),
    "d16sh2": Variant(double=True, shift=2),
    "d24": Variant(width=24, double=True),
    "d16s48": Variant(size=48, double=True),
    "w32d": Variant(width=32, double=True, epochs=30),
    "sh2": Variant(shift=2),
    "gz1": Variant(task="gz1"),
    "e40": Variant(epochs=40),
    "smoke": Variant(width=4, epochs=1),
}


def build(v: Variant):
    """The app's CNN with `stages` blocks (and `double` convs per block)."""
    from mltutorial.engine import nn

    def block(c_in: int, c_out: int) -> list:
        return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]

    layers, c = [], 3
    for i in range(v.stages):
        out = v.width * 2 ** min(i, 2)  # 16, 32, 64, 64: the widest stage as the app's
        layers += block(c, out) + (block(out, out) if v.double else []) + [nn.MaxPool2d(2)]
        c = out
    k = 6 if v.task == "gz1" else 2
    layers += [*block(c, c), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, k)]
    return nn.Sequential(*layers)


def shifted(X: np.ndarray, rng: np.random.Generator, shift: int) -> np.ndarray:
    """Each image moved by up to `shift` pixels each way, the edge repeated into the gap."""
    n, _, s, _ = X.shape
    pad = np.pad(X, ((0, 0), (0, 0), (shift, shift), (shift, shift)), mode="edge")
    dy, dx = rng.integers(0, 2 * shift + 1, size=(2, n))
    out = np.empty_like(X)
    for i in range(n):
        out[i] = pad[i, :, dy[i] : dy[i] + s, dx[i] : dx[i] + s]
    return out


def train(name: str, split: int) -> Path:
    v = VARIANTS[name]
    path = CACHE / f"{name}-{split}.npz"
    if path.exists():
        return path
    d = load_galaxy_zoo(size=v.size, crop=0.35, seed=0)
    fit, val = stratified_split(d.y_train, 0.2, seed=split)
    keep, y, _ = gal.task_labels(d.y_train[val], "spiral")
    Xv = d.X_train[val][keep]
    gal.build = lambda arch, c, s, k, width, convs=1: build(v)
    gal.augment = PLAIN_AUGMENT
    if v.shift:

        def moved(X, y, rng, swap):
            X, y = PLAIN_AUGMENT(X, y, rng, swap)
            return shifted(X, rng, v.shift), y

        gal.augment = moved
    model = gal.GalaxyClassifier(
        task=v.task, num_epochs=v.epochs, width=v.width, lr=v.lr, seed=split + v.seed
    )
    start = time.perf_counter()
    model.fit(d.X_train[fit], d.y_train[fit])
    seconds = time.perf_counter() - start
    if v.task == "gz1":  # the four classes the spiral task keeps, renormalised
        p6 = model._net_proba(Xv, 256)
        p_net = p6[:, 1:4].sum(axis=1) / p6[:, :4].sum(axis=1)
        p_lr = np.load(train("base", split))["p_lr"]  # the same galaxies
        p_mix = 0.8 * p_net + 0.2 * p_lr
    else:
        p_net = model._net_proba(Xv, 256)[:, 1]
        p_mix = model.predict_proba(Xv)[:, 1]  # blend 0.2 (the app's default)
        p_lr = (p_mix - (1 - model.blend_) * p_net) / model.blend_
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, y=y, p_net=p_net, p_lr=p_lr, seconds=seconds)
    acc = float(((p_mix >= 0.5) == y).mean())
    print(f"{name} split {split}: blend 0.2 accuracy {acc:.1%} ({seconds:.0f} s)", flush=True)
    return path


def test(name: str, seed: int) -> Path:
    """As `vision train --dataset galaxy_zoo --seed S`: fit on the whole training split of
    load_galaxy_zoo(seed=S), the network seeded S; p(spiral) kept for the test split."""
    v = VARIANTS[name]
    path = CACHE / f"test-{name}-{seed}.npz"
    if path.exists():
        return path
    d = load_galaxy_zoo(size=v.size, crop=0.35, seed=seed)
    keep, y, _ = gal.task_labels(d.y_test, "spiral")
    gal.build = lambda arch, c, s, k, width, convs=1: build(v)
    model = gal.GalaxyClassifier(num_epochs=v.epochs, width=v.width, lr=v.lr, seed=seed + v.seed)
    start = time.perf_counter()
    model.fit(d.X_train, d.y_train)
    seconds = time.perf_counter() - start
    p_net = model._net_proba(d.X_test[keep], 256)[:, 1]
    p_mix = model.predict_proba(d.X_test[keep])[:, 1]
    p_lr = (p_mix - (1 - model.blend_) * p_net) / model.blend_
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, y=y, p_net=p_net, p_lr=p_lr, seconds=seconds)
    print(f"test {name} seed {seed}: done ({seconds:.0f} s)", flush=True)
    return path


def scores(y: np.ndarray, p: np.ndarray, t: float = 0.5) -> tuple[float, float]:
    y_hat = (p >= t).astype(int)
    return float((y_hat == y).mean()), float(np.mean([(y_hat[y == c] == c).mean() for c in (0, 1)]))


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve: the chance a spiral gets a higher p(spiral) than an elliptical."""
    ranks = np.argsort(np.argsort(p)) + 1
    n1 = int(y.sum())
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1)))


def chosen_threshold(y: np.ndarray, p: np.ndarray, min_bal: float = 0.89) -> float:
    best = (-1.0, 0.5)
    for t in np.arange(0.3, 0.801, 0.01):
        acc, bal = scores(y, p, t)
        if bal >= min_bal and acc > best[0]:
            best = (acc, float(t))
    return best[1]


def load(combo: str, split: int, blend: float) -> tuple[np.ndarray, np.ndarray]:
    parts = [np.load(CACHE / f"{n}-{split}.npz") for n in combo.split("+")]
    y = parts[0]["y"]
    p_net = np.mean([z["p_net"] for z in parts], axis=0)
    return y, (1 - blend) * p_net + blend * parts[0]["p_lr"]


def report(combos: list[str], splits: list[int]) -> None:
    print(
        "| variant | blend | threshold | " + " | ".join(f"split {s}" for s in splits) + " | mean |"
    )
    print("| --- | ---: | --- |" + " ---: |" * (len(splits) + 1))
    for combo in combos:
        if not all((CACHE / f"{n}-{s}.npz").exists() for n in combo.split("+") for s in splits):
            continue
        secs = [
            float(np.load(CACHE / f"{n}-{s}.npz")["seconds"])
            for n in combo.split("+")
            for s in splits
        ]
        for blend in (0.0, 0.2):
            data = {s: load(combo, s, blend) for s in splits}
            for mode in ("0.5", "chosen"):
                cells, accs, bals = [], [], []
                for s in splits:
                    y, p = data[s]
                    t = 0.5
                    if mode == "chosen":
                        others = [o for o in splits if o != s]
                        t = chosen_threshold(
                            np.concatenate([data[o][0] for o in others]),
                            np.concatenate([data[o][1] for o in others]),
                        )
                    acc, bal = scores(y, p, t)
                    accs.append(acc)
                    bals.append(bal)
                    cells.append(
                        f"{acc:.1%} / {bal:.1%}" + (f" (t {t:.2f})" if mode != "0.5" else "")
                    )
                label = f"{combo} ({np.mean(secs):.0f} s a fit)"
                if mode == "0.5":
                    label += f", AUC {np.mean([auc(*data[s]) for s in splits]):.4f}"
                mean = f"**{np.mean(accs):.1%} / {np.mean(bals):.1%}**"
                print(f"| {label} | {blend} | {mode} | " + " | ".join(cells) + f" | {mean} |")


def test_report(name: str, seeds: list[int], rules: list[tuple[float, float]]) -> None:
    """Accuracy / balanced accuracy on each test split, for each (blend, threshold)."""
    print("| " + name + " | " + " | ".join(f"seed {s}" for s in seeds) + " | mean |")
    print("| --- |" + " ---: |" * (len(seeds) + 1))
    for blend, t in rules:
        accs, bals = [], []
        for s in seeds:
            z = np.load(CACHE / f"test-{name}-{s}.npz")
            acc, bal = scores(z["y"], (1 - blend) * z["p_net"] + blend * z["p_lr"], t)
            accs.append(acc)
            bals.append(bal)
        cells = [f"{a:.1%} / {b:.1%}" for a, b in zip(accs, bals)]
        mean = f"**{np.mean(accs):.1%} / {np.mean(bals):.1%}**"
        print(f"| blend {blend}, threshold {t} | " + " | ".join(cells) + f" | {mean} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("train", "report", "test", "test-report"))
    parser.add_argument("--variants", default="base")
    parser.add_argument("--splits", default="1,2,3,4")
    parser.add_argument(
        "--rules",
        default="0.0:0.65,0.0:0.5,0.2:0.5",
        help="test-report: BLEND:THRESHOLD pairs, comma-separated",
    )
    args = parser.parse_args()
    splits = [int(s) for s in args.splits.split(",")]
    if args.what == "test-report":
        rules = [tuple(float(v) for v in r.split(":")) for r in args.rules.split(",")]
        test_report(args.variants, splits, rules)
    elif args.what == "test":
        for name in args.variants.split(","):
            for s in splits:
                test(name, s)
    elif args.what == "train":
        for name in args.variants.split(","):
            for s in splits:
                train(name, s)
    else:
        report(args.variants.split(","), splits)


if __name__ == "__main__":
    main()
