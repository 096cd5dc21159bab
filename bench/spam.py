"""Spam: one neuron (our L-BFGS, or gradient descent) vs scikit-learn's LogisticRegression.

Both fit the same objective: logistic loss with spam errors weighted 2 (our `pos_weight`, their
`class_weight={1: 2}`) and the L2 penalty our `weight_decay=1e-5` on the mean loss amounts to
(C = 1 / (weight_decay * n_train)). Ours runs, by default, our own full-batch L-BFGS
(apps/spam/lbfgs.py) to the same gradient tolerance (1e-4); `--solver gd` times 10 epochs of
mini-batch Adam (batch 128) on the engine (with the sparse first-layer op) instead. Theirs runs
SciPy's L-BFGS-B to convergence. Timed: fit + predict_proba on the test set, interleaved repeats in
one process, medians. Also reported: both test F1 and accuracy.

Run: `MLTUTORIAL_DATA=/path/to/data python bench/spam.py [--repeats 5] [--dataset sms|spamassassin]
[--solver lbfgs|gd]`. Writes bench/results/spam.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info

from mltutorial.apps.spam.features import TextFeatures
from mltutorial.apps.spam.ladder import LadderConfig, load_corpus, spam_metrics, split
from mltutorial.apps.spam.models import Neuron

HERE = Path(__file__).resolve().parent


def _time(fn) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dataset", default="sms")
    parser.add_argument("--solver", choices=("lbfgs", "gd"), default="lbfgs")
    parser.add_argument("--out", default=str(HERE / "results" / "spam.md"))
    args = parser.parse_args()

    corpus = load_corpus(dataset=args.dataset)
    cfg = LadderConfig(seed=0)
    y = np.asarray(corpus.y).astype(np.int64)
    train_idx, test_idx = split(y, cfg)
    features = TextFeatures()
    X_tr = features.fit_transform([corpus.texts[i] for i in train_idx])
    X_te = features.transform([corpus.texts[i] for i in test_idx])
    y_tr, y_te = y[train_idx], y[test_idx]
    neuron = Neuron(solver=args.solver)
    C = 1.0 / (neuron.weight_decay * len(y_tr))

    def ours() -> np.ndarray:
        return Neuron(solver=args.solver).fit(X_tr, y_tr).predict_proba(X_te)[:, 1]

    def peer() -> np.ndarray:
        lr = LogisticRegression(C=C, class_weight={0: 1.0, 1: neuron.pos_weight}, max_iter=5000)
        return lr.fit(X_tr, y_tr).predict_proba(X_te)[:, 1]

    times: dict[str, list[float]] = {"ours": [], "peer": []}
    scores: dict[str, np.ndarray] = {}
    load = [os.getloadavg()[0]]
    for rep in range(args.repeats):
        for name, fn in (
            (("ours", ours), ("peer", peer)) if rep % 2 == 0 else (("peer", peer), ("ours", ours))
        ):
            seconds, scores[name] = _time(fn)
            times[name].append(seconds)
        load.append(os.getloadavg()[0])
        print(
            f"repeat {rep + 1}: ours {times['ours'][-1]:.2f} s, peer {times['peer'][-1]:.2f} s",
            flush=True,
        )
    med = {k: statistics.median(v) for k, v in times.items()}
    m = {k: spam_metrics(y_te, s, 0.5) for k, s in scores.items()}
    ratio = med["ours"] / med["peer"]

    blas_threads = max(
        (lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"), default=1
    )
    solver_text = (
        f"our L-BFGS (apps/spam/lbfgs.py), full batch, to max |gradient| <= {neuron.tol}"
        if args.solver == "lbfgs"
        else f"{neuron.num_epochs} epochs of Adam (lr {neuron.lr}, batch {neuron.batch_size}) on "
        "the engine with the sparse linear op"
    )
    lines = [
        "## Spam: one neuron vs scikit-learn LogisticRegression",
        "",
        f"Command: `python bench/spam.py --repeats {args.repeats} --dataset {args.dataset} "
        f"--solver {args.solver}`; "
        "fit + predict_proba, interleaved repeats in one process, medians.",
        "",
        f"- Data: {corpus.info.label}, stratified 80/20 split (seed 0): {len(y_tr)} train / "
        f"{len(y_te)} test messages, {X_tr.shape[1]} TF-IDF features (words + char 2-5-grams), "
        f"{X_tr.nnz / X_tr.shape[0]:.0f} non-zeros per message",
        "- Same objective: logistic loss, spam weight 2, L2 with "
        f"C = {C:.1f}; ours: {solver_text}; "
        "peer: `LogisticRegression(solver='lbfgs')` to convergence",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU threads visible (shared with other "
        f"jobs), {blas_threads} BLAS thread(s) (our L-BFGS uses one), Python "
        f"{platform.python_version()}, NumPy {np.__version__}, scikit-learn {sklearn.__version__}",
        f"- Load during the run (1-min load average): {min(load):.1f} to {max(load):.1f}",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| train + predict time, ours / scikit-learn (median of {args.repeats}) | {ratio:.2f} |",
        f"| test F1 (spam), ours | {m['ours']['f1']:.4f} |",
        f"| test F1 (spam), scikit-learn | {m['peer']['f1']:.4f} |",
        f"| test accuracy, ours / scikit-learn | {m['ours']['accuracy']:.2%} / "
        f"{m['peer']['accuracy']:.2%} |",
        f"| test ROC-AUC, ours / scikit-learn | {m['ours']['roc_auc']:.4f} / "
        f"{m['peer']['roc_auc']:.4f} |",
        "",
        f"Absolute medians (noisy; the ratio is the claim): ours {med['ours']:.2f} s, "
        f"scikit-learn {med['peer']:.2f} s.",
        "",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
