"""Figures of the spam ladder: confusion matrices, ROC curves, and the neuron's spam and ham words.

Each function takes a `LadderResult` (or a trained neuron filter) and a path, and writes one PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn import metrics as skm

from mltutorial import viz

from .filter import SpamFilter
from .ladder import LadderResult

SLIDE = "Gmail — Anti-spam algorithms — Spam / Non-spam"
LABELS = {"majority": "majority class", "nb": "naive Bayes", "neuron": "one neuron", "mlp": "MLP"}
COLORS = {
    "majority": viz.COLORS["peer"],
    "nb": "#ff7f0e",
    "neuron": viz.COLORS["ours"],
    "mlp": "#9467bd",
}


def plot_confusion(result: LadderResult, path: str | Path) -> Path:
    """One confusion matrix per model (rows: true class, columns: predicted), counts and shares."""
    names = [n for n in result.results if n != "majority"] or list(result.results)
    fig, axes = viz.figure(ncols=len(names), width=3.4, height=3.3)
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, names):
        r = result.results[name]
        cm = skm.confusion_matrix(result.y_test, r.y_pred, labels=[0, 1])  # (2, 2)
        share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for i in range(2):
            for j in range(2):
                ax.text(
                    j,
                    i,
                    f"{cm[i, j]}\n({share[i, j]:.1%})",
                    ha="center",
                    va="center",
                    color="white" if share[i, j] > 0.5 else "black",
                    fontsize=10,
                )
        ax.set_xticks([0, 1], ["ham", "spam"])
        ax.set_yticks([0, 1], ["ham", "spam"])
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.grid(False)
        ax.set_title(
            f"{LABELS.get(name, name)}\nF1 {r.metrics['f1']:.3f}, acc {r.metrics['accuracy']:.2%}"
        )
    return viz.save(
        fig, path, title=f"{SLIDE}: test-set confusion ({result.n_test} messages, {result.dataset})"
    )


def plot_roc(result: LadderResult, path: str | Path) -> Path:
    """ROC curves of the spam class for every model, AUC in the legend."""
    fig, (ax, zoom) = viz.figure(ncols=2, width=4.6, height=4.0)
    for name, r in result.results.items():
        fpr, tpr, _ = skm.roc_curve(result.y_test, r.y_score)
        label = f"{LABELS.get(name, name)} (AUC {r.metrics['roc_auc']:.3f})"
        ax.plot(fpr, tpr, label=label, color=COLORS.get(name))
        zoom.plot(fpr, tpr, label=label, color=COLORS.get(name))
    ax.plot([0, 1], [0, 1], color=viz.COLORS["peer"], linestyle=":", linewidth=1)
    for a in (ax, zoom):
        a.set_xlabel("false positive rate (ham flagged as spam)")
        a.set_ylabel("true positive rate (spam caught)")
    ax.set_title("ROC curve, spam class")
    zoom.set_xlim(0, 0.1)
    zoom.set_ylim(0.8, 1.0)
    zoom.set_title("zoom: few false alarms")
    zoom.legend(loc="lower right", fontsize=8)
    return viz.save(fig, path, title=f"{SLIDE}: ROC on the test set ({result.dataset})")


def top_words(
    flt: SpamFilter, k: int = 15
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The k word features with the largest and the k with the smallest neuron weights.

    Only word features (and special tokens) are ranked, not character n-grams: they read as words.
    """
    weights = flt.model.coef_[: len(flt.features.words_)]  # (n_words,)
    words = flt.features.words_
    order = np.argsort(weights)
    spam = [(str(words[i]), float(weights[i])) for i in order[::-1][:k]]
    ham = [(str(words[i]), float(weights[i])) for i in order[:k]]
    return spam, ham


def plot_words(flt: SpamFilter, path: str | Path, k: int = 15, dataset: str = "") -> Path:
    """Two bar charts: the words whose weights push a message most toward spam, and toward ham."""
    spam, ham = top_words(flt, k)
    fig, (ax_spam, ax_ham) = viz.figure(ncols=2, width=4.2, height=0.28 * k + 1.2)
    for ax, pairs, colour, title in (
        (ax_spam, spam, viz.COLORS["spam"], "toward SPAM (largest weights)"),
        (ax_ham, ham, viz.COLORS["ham"], "toward HAM (most negative weights)"),
    ):
        labels = [w for w, _ in pairs][::-1]
        values = [v for _, v in pairs][::-1]
        ax.barh(range(len(values)), values, color=colour)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("neuron weight on the word's TF-IDF")
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
    where = f" ({dataset})" if dataset else ""
    return viz.save(fig, path, title=f"{SLIDE}: what the neuron learned{where}")


def plot_loss(result: LadderResult, path: str | Path) -> Path:
    """Training loss per epoch of the engine models (gradient descent at work), per step of
    L-BFGS for the neuron (its cost includes the L2 term)."""
    fig, ax = viz.figure(width=5.5, height=3.6)
    for name, r in result.results.items():
        history = getattr(r.filter.model, "loss_history_", None)
        if history:
            ax.plot(
                range(1, len(history) + 1),
                history,
                marker="o",
                ms=3,
                label=LABELS[name],
                color=COLORS[name],
            )
    ax.set_yscale("log")
    ax.set_xlabel("epoch (L-BFGS: step; both pass over the whole training set)")
    ax.set_ylabel("training loss (weighted BCE)")
    ax.set_title("learning from the gradient")
    ax.legend()
    return viz.save(fig, path, title=f"{SLIDE}: learning curves")


def plot_all(result: LadderResult, out_dir: str | Path) -> list[Path]:
    """Every figure of a ladder run into `out_dir`; returns their paths."""
    out = Path(out_dir)
    paths = [plot_confusion(result, out / "spam_confusion.png")]
    paths.append(plot_roc(result, out / "spam_roc.png"))
    if "neuron" in result.results:
        flt = result.results["neuron"].filter
        paths.append(plot_words(flt, out / "spam_words.png", dataset=result.dataset))
    if any(getattr(r.filter.model, "loss_history_", None) for r in result.results.values()):
        paths.append(plot_loss(result, out / "spam_loss.png"))
    return paths
