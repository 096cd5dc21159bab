"""Benchmark: the Galaxy Zoo ladder beside scikit-learn, and the galaxy CNN beside PyTorch, one run.

    OPENBLAS_NUM_THREADS=1 MLTUTORIAL_DATA=/work/shared/data python bench/galaxies.py [--quick]
        [--epochs 20] [--threads 1]

Elliptical vs spiral on load_galaxy_zoo(size=32, crop=0.35)'s stratified split (seed 0):

1. The ladder, time and accuracy: logistic regression on five features (colour, concentration,
   shape; apps/vision/galaxies.simple_features) and on raw pixels (scikit-learn); scikit-learn's
   MLPClassifier on pixels beside the app's dense net (engine); the app's CNN (engine) with the sky's
   symmetries and test-time augmentation.
2. The CNN's training step on the engine vs the same network in PyTorch: same initial weights
   (copied), the same augmented batches, class weights, Adam and cosine schedule, steps interleaved;
   median per-step time ratio and both test accuracies.

Writes bench/results/galaxies.md (collected by bench/collect.py).
"""

from __future__ import annotations

import argparse
import os
import sys

_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--threads", type=int, default=1)
_THREADS = _pre.parse_known_args()[0].threads
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(_THREADS)

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from mltutorial import engine  # noqa: E402
from mltutorial.apps.vision.galaxies import (  # noqa: E402
    GalaxyClassifier,
    augment,
    build,
    dihedral,
    simple_features,
    task_labels,
)
from mltutorial.data import load_galaxy_zoo  # noqa: E402

HERE = Path(__file__).resolve().parent


def scores(y, y_hat) -> tuple[float, float]:
    from sklearn.metrics import balanced_accuracy_score

    return float((y == y_hat).mean()), float(balanced_accuracy_score(y, y_hat))


def torch_twin(net_e, c: int, s: int, width: int) -> torch.nn.Module:
    """The engine CNN's architecture in PyTorch, with the engine's initial weights copied in."""
    N = torch.nn
    layers, ch = [], c
    for out in (width, 2 * width, 4 * width):
        layers += [N.Conv2d(ch, out, 3, padding=1), N.BatchNorm2d(out), N.ReLU(), N.MaxPool2d(2)]
        ch = out
    layers += [N.Conv2d(ch, ch, 3, padding=1), N.BatchNorm2d(ch), N.ReLU()]
    layers += [N.AdaptiveAvgPool2d(1), N.Flatten(), N.Linear(ch, 2)]
    ref = N.Sequential(*layers)
    state = {
        k: torch.from_numpy(np.array(getattr(v, "data", v))) for k, v in net_e.state_dict().items()
    }
    ref.load_state_dict(state, strict=False)
    return ref


def bench_ladder(images, cfg) -> list[list]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    keep, y, _ = task_labels(images.y_train, "spiral")
    keep_t, yt, _ = task_labels(images.y_test, "spiral")
    X, Xt = images.X_train[keep], images.X_test[keep_t]
    flat, flat_t = X.reshape(len(X), -1) / 255.0, Xt.reshape(len(Xt), -1) / 255.0
    rows = []

    def sk(name, model, A, At):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(A, y)
        rows.append([name, time.perf_counter() - start, *scores(yt, model.predict(At))])

    sk(
        "logistic regression, 5 features (scikit-learn)",
        make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced")),
        simple_features(X),
        simple_features(Xt),
    )
    sk(
        "logistic regression, pixels (scikit-learn)",
        LogisticRegression(max_iter=300, class_weight="balanced"),
        flat,
        flat_t,
    )
    sk(
        "MLPClassifier(64), pixels (scikit-learn)",
        MLPClassifier((64,), max_iter=cfg.epochs, random_state=0),
        flat,
        flat_t,
    )
    for arch, name in (
        ("mlp", "dense net 64 (engine, D4 + TTA)"),
        ("cnn", "CNN (engine, D4 + TTA, blended with the features)"),
    ):
        model = GalaxyClassifier(arch=arch, num_epochs=cfg.epochs, width=16)
        model.fit(images.X_train, images.y_train)
        rows.append([name, model.fit_seconds_, *scores(yt, model.predict(Xt))])
    return rows


def bench_step(images, cfg) -> dict:
    """Engine CNN vs its PyTorch twin on identical batches, steps interleaved."""
    from mltutorial.engine import optim
    from mltutorial.engine.nn import functional as F

    keep, y, _ = task_labels(images.y_train, "spiral")
    keep_t, yt, _ = task_labels(images.y_test, "spiral")
    proto = GalaxyClassifier()
    X = images.X_train[keep].astype(np.float32) / 255
    proto.mean_, proto.std_ = (
        X.mean(axis=(0, 2, 3), keepdims=True)[0],
        X.std(axis=(0, 2, 3), keepdims=True)[0],
    )
    Xp, Xtp = proto._prepare(images.X_train[keep]), proto._prepare(images.X_test[keep_t])
    engine.manual_seed(0)
    c, s = Xp.shape[1], Xp.shape[2]
    net = build("cnn", c, s, 2, 16)
    ref = torch_twin(net, c, s, 16)
    counts = np.bincount(y, minlength=2)
    weight = (len(y) / (2 * counts)).astype(np.float32)
    n_batches = len(Xp) // 64
    steps = cfg.epochs * n_batches
    opt_e = optim.Adam(net.parameters(), lr=3e-3)
    sched_e = optim.lr_scheduler.CosineAnnealingLR(opt_e, T_max=steps)
    opt_t = torch.optim.Adam(ref.parameters(), lr=3e-3)
    sched_t = torch.optim.lr_scheduler.CosineAnnealingLR(opt_t, T_max=steps)
    w_e, w_t = engine.tensor(weight), torch.from_numpy(weight)
    rng = np.random.default_rng(0)
    t_e, t_t = [], []
    net.train()
    ref.train()
    for _ in range(cfg.epochs):
        order = rng.permutation(len(Xp))
        for b in range(n_batches):
            idx = order[b * 64 : (b + 1) * 64]
            xb, yb = augment(Xp[idx], y[idx], rng, None)
            xb = np.ascontiguousarray(xb)
            start = time.perf_counter()
            loss = F.cross_entropy(net(engine.tensor(xb)), engine.tensor(yb), weight=w_e)
            opt_e.zero_grad()
            loss.backward()
            opt_e.step()
            sched_e.step()
            t_e.append(time.perf_counter() - start)
            start = time.perf_counter()
            loss_t = torch.nn.functional.cross_entropy(
                ref(torch.from_numpy(xb)), torch.from_numpy(yb), weight=w_t
            )
            opt_t.zero_grad()
            loss_t.backward()
            opt_t.step()
            sched_t.step()
            t_t.append(time.perf_counter() - start)
    net.eval()
    ref.eval()
    p_e, p_t = np.zeros((len(Xtp), 2)), np.zeros((len(Xtp), 2))
    with engine.no_grad(), torch.no_grad():
        for t in range(8):  # the app's test-time augmentation, on both sides
            view = np.ascontiguousarray(dihedral(Xtp, t))
            p_e += net(engine.tensor(view)).softmax(dim=-1).data
            p_t += torch.softmax(ref(torch.from_numpy(view)), -1).numpy()
    return {
        "steps": len(t_e),
        "step_ratio": statistics.median(e / t for e, t in zip(t_e, t_t)),
        "engine_epoch_s": sum(t_e) / cfg.epochs,
        "torch_epoch_s": sum(t_t) / cfg.epochs,
        "engine": scores(yt, p_e.argmax(1)),
        "torch": scores(yt, p_t.argmax(1)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1 epoch on 800 galaxies (a smoke run)"
    )
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    cfg = parser.parse_args(argv)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(0)
    wall = time.perf_counter()
    load_start = os.getloadavg()[0]
    images = load_galaxy_zoo(size=32, crop=0.35)
    if images.info.is_fallback:
        print(
            "galaxy_zoo not found (set MLTUTORIAL_DATA): the bench needs the real images",
            file=sys.stderr,
        )
        return 2
    if cfg.quick:
        cfg.epochs = 1
        images.X_train, images.y_train = images.X_train[:800], images.y_train[:800]
        images.X_test, images.y_test = images.X_test[:300], images.y_test[:300]
    ladder = bench_ladder(images, cfg)
    step = bench_step(images, cfg)
    minutes = (time.perf_counter() - wall) / 60
    lines = [
        "## Galaxy Zoo: the ladder vs scikit-learn, the CNN vs PyTorch (CPU)",
        "",
        f"Command: `MLTUTORIAL_DATA=/work/shared/data python bench/galaxies.py{' --quick' if cfg.quick else ''}"
        f" --epochs {cfg.epochs}`. Elliptical vs spiral (clockwise, anti-clockwise and edge-on together;"
        " don't-know and mergers left out), 32x32 centre crops (35 % of the cutout), stratified 80/20"
        f" split (seed 0): {int(task_labels(images.y_train, 'spiral')[0].sum()):,} training and"
        f" {int(task_labels(images.y_test, 'spiral')[0].sum()):,} test galaxies."
        + (
            " **Quick smoke run: 800 training galaxies, 1 epoch; not the real numbers.**"
            if cfg.quick
            else ""
        ),
        "",
        f"- {platform.machine()}, {os.cpu_count()} logical cores; 1-min load average {load_start:.1f} at"
        f" start, {os.getloadavg()[0]:.1f} at the end; Python {platform.python_version()}, NumPy"
        f" {np.__version__}, PyTorch {torch.__version__} ({cfg.threads} thread(s)), scikit-learn"
        f" {__import__('sklearn').__version__}",
        f"- Whole run: {minutes:.1f} min wall.",
        "",
        "### 1. The ladder",
        "",
        "| model | fit seconds | accuracy | balanced accuracy |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {n} | {s:.1f} | {a:.1%} | {b:.1%} |" for n, s, a, b in ladder]
    lines += [
        "",
        "### 2. The CNN's training step: engine vs the same network in PyTorch",
        "",
        f"conv3x3(16)-BN-ReLU-pool, (32), (64), conv3x3(64)-BN-ReLU, global average pool, linear(2);"
        f" {step['steps']} steps of 64 augmented galaxies, identical batches and initial weights,"
        " class-weighted cross-entropy, Adam 3e-3 with a cosine schedule; 8-view TTA for both.",
        "",
        "| figure | engine | PyTorch | engine / torch |",
        "| --- | ---: | ---: | ---: |",
        f"| time per training step (median of per-step ratios) | | | {step['step_ratio']:.2f} |",
        f"| time per epoch, seconds | {step['engine_epoch_s']:.1f} | {step['torch_epoch_s']:.1f} |"
        f" {step['engine_epoch_s'] / step['torch_epoch_s']:.2f} |",
        f"| test accuracy | {step['engine'][0]:.1%} | {step['torch'][0]:.1%} | |",
        f"| test balanced accuracy | {step['engine'][1]:.1%} | {step['torch'][1]:.1%} | |",
        "",
    ]
    out = HERE / "results" / "galaxies.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
