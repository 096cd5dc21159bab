"""From a single neuron to a neural network: a dense network on flattened colour images

The slide: "Deep Learning: from a single neuron to a neural network (NN). 32 x 32 x 3 -> 3072 x 1.
Cat (0.999). Billions of paramters to train! Maybe not all pixels are related?"

A 32x32 colour image is 32 x 32 x 3 = 3,072 numbers. Flatten it into one long vector and a neural
network is just many neurons side by side (a dense layer), stacked: every neuron of the first layer
sees every pixel. We train such a network with the engine (Adam, cross-entropy) on CIFAR-10 (its
classes include the slide's cat), or Fashion-MNIST, or scikit-learn's digits when CIFAR-10 is not
found, and print its answers the slide's way: the top classes with their probabilities.

What to look at: the probabilities are the network's confidence, not its correctness; a flattened
image loses which pixels are neighbours, so a dense network on CIFAR-10 stays far below what a
convolutional one reaches (the `convolution` lesson). Then the slide's worry, computed by
`engine.summary` rather than typed in: a dense first layer of 1,000 neurons on a 32x32x3 image has
3.1 million weights; on a 224x224x3 photo it has 150 million, and a first layer as wide as its
input (one neuron per pixel value) has 22.7 billion.

Run: mltutorial run networks  (options: --num_epochs=8 --hidden=512 --layers=2 --n_train=10000)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial import engine, viz
from mltutorial.chapter import ORDER_DEEP, Table
from mltutorial.config import bounded, seed_field
from mltutorial.engine import nn
from mltutorial.errors import UserError
from mltutorial.lessons import lesson_chapter
from mltutorial.lessons._images import MLP, load_images, n_params, predict_proba, train

# ------------------------------------------------------------------------ "Billions of parameters"


def dense_first_layer_params(height: int, width: int, channels: int, neurons: int) -> int:
    """Parameters of Flatten -> Linear(H*W*C, neurons), counted by engine.summary.

    Counted on the meta device (shapes only), so a 22-billion-weight layer costs no memory.
    """
    with engine.meta():
        layer = nn.Sequential(nn.Flatten(), nn.Linear(height * width * channels, neurons))
        report = engine.summary(layer, (1, channels, height, width))
    return int(report.total_params)


# ------------------------------------------------------------------------------------------- lesson


@dataclass
class Config:
    n_train: int = bounded(5000, ge=1)  # half of shared/data/cifar10's training batch
    n_test: int = bounded(2000, ge=1)  # enough for +-1% on the accuracy
    hidden: int = bounded(256, ge=1)  # neurons in each hidden layer
    layers: int = bounded(2, ge=0)  # hidden layers (0 would be logistic regression on the pixels)
    num_epochs: int = bounded(4, ge=1)
    batch_size: int = bounded(128, ge=1)
    lr: float = bounded(1e-3, gt=0)  # Adam's usual default
    n_show: int = bounded(8, ge=0)  # test images shown with their top classes
    top_k: int = bounded(3, ge=1)  # classes printed per image ("cat (0.91)")
    count_width: int = bounded(
        1000, ge=1
    )  # first-layer width for the "billions of parameters" count
    dataset: str = "auto"  # auto (CIFAR-10, else Fashion-MNIST, else digits) or one of those
    seed: int = seed_field(0)


@dataclass
class Prediction:
    true: str
    top: list[tuple[str, float]]  # [(class, probability)], most probable first
    note: str = ""

    def line(self) -> str:
        guesses = ", ".join(f"{c} ({p:.2f})" for c, p in self.top)
        mark = "right" if self.top[0][0] == self.true else "wrong"
        extra = f" [{self.note}]" if self.note else ""
        return f"{guesses}  <- truly: {self.true} ({mark}){extra}"


@dataclass
class Result:
    config: Config
    dataset: str
    data: str
    citation: str
    licence: str
    input_shape: tuple[int, int, int]  # (C, H, W)
    classes: list[str]
    n_params: int
    history: list[dict[str, float]]
    test_accuracy: float
    predictions: list[Prediction]
    images: np.ndarray  # (n_show, C, H, W) uint8, the shown test images
    max_value: int  # pixel value of white (255; 16 for digits)
    dense_counts: list[dict[str, Any]]  # the slide's worry, one row per (input, width)
    # the slide's "Cat (0.999)": the network's probability of "cat" for the test cat it is surest of
    cat_probability: float | None = None

    def summary(self) -> str:
        c, h, w = self.input_shape
        worst = self.dense_counts[-1]
        return (
            f"{h}x{w}x{c} -> {c * h * w}: test accuracy {self.test_accuracy:.1%} "
            f"({self.n_params:,} parameters, {self.dataset}); a dense first layer on "
            f"{worst['input']} has {worst['params']:,} parameters"
        )

    def numbers(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "test_accuracy": self.test_accuracy,
            "n_params": self.n_params,
            "hidden": self.config.hidden,
            "layers": self.config.layers,
            "num_epochs": self.config.num_epochs,
            "n_train": self.config.n_train,
            "n_test": self.config.n_test,
            "train_seconds": self.history[-1]["seconds"] if self.history else 0.0,
            "dense_first_layer_params": {
                f"{r['input']} -> {r['width']}": r["params"] for r in self.dense_counts
            },
            "cat_probability": self.cat_probability,
        }

    def samples(self) -> list[str]:
        return [p.line() for p in self.predictions]

    def tables(self) -> list[Table]:
        rows = [[r["input"], r["n_inputs"], r["width"], r["params"]] for r in self.dense_counts]
        return [
            Table(
                "Billions of parameters to train: one dense first layer (engine.summary)",
                ["input image", "inputs", "neurons", "parameters"],
                rows,
            ),
            Table(
                "Training (Adam, cross-entropy)",
                ["epoch", "train loss", "test accuracy", "seconds"],
                [
                    [int(h["epoch"]), h["train_loss"], h["test_accuracy"], h["seconds"]]
                    for h in self.history
                ],
            ),
        ]


def _dense_counts(c: int, h: int, w: int, width: int) -> list[dict[str, Any]]:
    rows = []
    for ch, hh, ww, neurons in [
        (c, h, w, width),
        (3, 224, 224, width),
        (3, 224, 224, 3 * 224 * 224),  # one neuron per input value: "billions"
    ]:
        rows.append(
            {
                "input": f"{hh}x{ww}x{ch}",
                "n_inputs": ch * hh * ww,
                "width": neurons,
                "params": dense_first_layer_params(hh, ww, ch, neurons),
            }
        )
    return rows


def run(cfg: Config) -> Result:
    from threadpoolctl import threadpool_limits

    # Small matrices: one BLAS thread is faster than several competing for two cores.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(cfg)


def _run(cfg: Config) -> Result:
    if cfg.n_train < 10 or cfg.n_test < 1 or cfg.num_epochs < 1 or cfg.batch_size < 1:
        raise UserError("n_train >= 10, n_test >= 1, num_epochs >= 1, batch_size >= 1 please")
    engine.manual_seed(cfg.seed)
    images = load_images(cfg.n_train, cfg.n_test, cfg.seed, cfg.dataset)
    c, h, w = images.X_train.shape[1:]
    model = MLP(c * h * w, [cfg.hidden] * cfg.layers, len(images.classes))
    history = train(
        model,
        images,
        num_epochs=cfg.num_epochs,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        seed=cfg.seed,
        desc="networks: dense network",
    )
    proba = predict_proba(model, images.X_test)  # (n_test, n_classes)
    shown = list(range(min(cfg.n_show, len(proba))))
    notes = {i: "" for i in shown}
    cat_probability = None
    # The slide's picture is a cat; CIFAR-10 has one: add the test cat the network is surest of.
    if "cat" in images.classes:
        cat = images.classes.index("cat")
        cats = np.flatnonzero(images.y_test == cat)
        if len(cats):
            best = int(cats[np.argmax(proba[cats, cat])])
            cat_probability = float(proba[best, cat])
            if best not in notes:
                shown.append(best)
            notes[best] = "the test cat it is surest of"
    predictions = []
    for i in shown:
        top = np.argsort(-proba[i])[: cfg.top_k]
        predictions.append(
            Prediction(
                true=images.classes[images.y_test[i]],
                top=[(images.classes[j], float(proba[i, j])) for j in top],
                note=notes[i],
            )
        )
    return Result(
        config=cfg,
        dataset=images.name,
        data=images.label,
        citation=images.citation,
        licence=images.licence,
        input_shape=(int(c), int(h), int(w)),
        classes=images.classes,
        n_params=n_params(model),
        history=history,
        test_accuracy=history[-1]["test_accuracy"],
        predictions=predictions,
        images=images.raw_test[shown],
        max_value=images.max_value,
        dense_counts=_dense_counts(int(c), int(h), int(w), cfg.count_width),
        cat_probability=cat_probability,
    )


# ------------------------------------------------------------------------------------------- figure


def show_image(ax: Any, image: np.ndarray, max_value: int = 255) -> None:
    """Draw one (C, H, W) uint8 image (colour or grey) without axes."""
    if image.shape[0] == 3:
        ax.imshow(np.transpose(image, (1, 2, 0)), interpolation="nearest")
    else:
        ax.imshow(image[0], cmap="gray", vmin=0, vmax=max_value, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot(result: Result, path: str | Path) -> list[Path]:
    path = Path(path)
    n = len(result.predictions)
    ncols = min(n, 5)
    nrows = (n + ncols - 1) // ncols
    fig, axes = viz.figure(ncols, nrows, width=2.3, height=3.3)
    axes = np.atleast_1d(axes).ravel()
    for ax, image, pred in zip(axes, result.images, result.predictions):
        show_image(ax, image, result.max_value)
        right = pred.top[0][0] == pred.true
        lines = [f"{c} ({p:.2f})" for c, p in pred.top]
        ax.set_title(
            "\n".join(lines),
            fontsize=9,
            color=viz.COLORS["test"] if right else viz.COLORS["ours"],
            fontweight="bold",
        )
        ax.set_xlabel(f"truly: {pred.true}" + (f"\n({pred.note})" if pred.note else ""), fontsize=8)
    for ax in axes[n:]:
        ax.set_visible(False)
    c, h, w = result.input_shape
    first = viz.save(
        fig,
        path,
        title=f"{h} x {w} x {c} -> {c * h * w} x 1 -> dense network: top-{result.config.top_k} "
        f"classes (green: right, red: wrong); test accuracy {result.test_accuracy:.1%}",
    )

    fig, (ax1, ax2) = viz.figure(2, 1, width=5.2, height=3.8)
    epochs = [r["epoch"] for r in result.history]
    ax1.plot(epochs, [r["train_loss"] for r in result.history], "o-", color=viz.COLORS["train"])
    ax1.set_xlabel("epoch")
    ax1.xaxis.get_major_locator().set_params(integer=True)
    ax1.set_ylabel("training loss (cross-entropy)", color=viz.COLORS["train"])
    twin = ax1.twinx()
    twin.plot(
        epochs, [100 * r["test_accuracy"] for r in result.history], "s-", color=viz.COLORS["test"]
    )
    twin.set_ylabel("test accuracy (%)", color=viz.COLORS["test"])
    twin.grid(False)
    sizes = "-".join(str(n) for n in [c * h * w, *[result.config.hidden] * result.config.layers])
    ax1.set_title(
        f"dense {sizes}-{len(result.classes)} on {result.dataset}: {result.n_params:,} params"
    )
    labels = [f"{r['input']}\n-> {r['width']:,} neurons" for r in result.dense_counts]
    params = [r["params"] for r in result.dense_counts]
    bars = ax2.bar(range(len(params)), params, color=viz.CYCLE[: len(params)])
    ax2.set_yscale("log")
    ax2.set_xticks(range(len(params)), labels, fontsize=8)
    ax2.set_ylabel("parameters of the first dense layer (log)")
    ax2.set_title("Billions of parameters to train!")
    for rect, p in zip(bars, params):
        ax2.annotate(
            f"{p / 1e9:.1f} billion" if p >= 1e9 else f"{p / 1e6:.1f} million",
            (rect.get_x() + rect.get_width() / 2, p),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax2.set_ylim(top=max(params) * 20)
    second = viz.save(fig, path.with_name(path.stem + "_training.png"))
    return [first, second]


CHAPTER = lesson_chapter(
    __name__,
    slide="Deep Learning: from a single neuron to a neural network (NN). 32 x 32 x 3 -> 3072 x 1. "
    "Cat (0.999). Billions of parameters to train!",
    order=ORDER_DEEP,
    tour={"n_train": 2000, "num_epochs": 3},
    quick={"n_train": 400, "n_test": 200, "num_epochs": 1},
)
