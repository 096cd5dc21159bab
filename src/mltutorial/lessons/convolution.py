"""Convolution: a small filter slides over the image, sharing its weights

The slide: "Filter f (k x k). Parameter sharing -> learn spatial features. 32 x 32 x 3 -> we maintain
spatial information!", with a worked example: a 5x5 input, a 3x3 filter and the 3x3 output
[[12, 12, 17], [10, 17, 19], [9, 6, 14]].

First the slide's example exactly, computed by `engine.nn.functional.conv2d` (stride 1, no padding):
each output number is the sum of the 3x3 window of the input multiplied element by element with the
filter (the top-left one: 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2 = 12). Deep-learning
libraries, the engine included, compute this cross-correlation and call it convolution.

Then why it matters: the same small filter is used at every position of the image (parameter
sharing), so a convolutional network needs far fewer weights than a dense one and keeps which pixels
are neighbours. We train a small CNN and the `networks` lesson's dense network on the same images,
with the same optimiser for the same number of epochs, and compare parameters and test accuracy.

What to look at: on CIFAR-10 photos the CNN wins with a small fraction of the parameters (about
1/70); its first layer's filters, drawn as little colour images, are what it learned to look for.
On the fallbacks the picture changes, and that is a lesson too: on Fashion-MNIST the two are close
after a short training, and on scikit-learn's centred 8x8 digits there is little spatial structure
to share, so the dense network wins there.

Run: mltutorial run convolution  (options: --num_epochs=6 --n_train=10000 --channels=16)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.patches import Rectangle

from mltutorial import engine, viz
from mltutorial.chapter import ORDER_DEEP, Table
from mltutorial.config import bounded, seed_field
from mltutorial.engine import nn
from mltutorial.errors import UserError
from mltutorial.lessons import lesson_chapter
from mltutorial.lessons._images import MLP, accuracy, load_images, n_params, train

# The slide's worked example.
SLIDE_INPUT = [
    [3, 3, 2, 1, 0],
    [0, 0, 1, 3, 1],
    [3, 1, 2, 2, 3],
    [2, 0, 0, 2, 2],
    [2, 0, 0, 0, 1],
]
SLIDE_FILTER = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
SLIDE_OUTPUT = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]  # as printed on the slide


def convolve(image: list[list[float]], kernel: list[list[float]]) -> np.ndarray:
    """2-D convolution (stride 1, no padding) of one grey image through engine's F.conv2d."""
    import mltutorial.engine.nn.functional as F

    x = engine.tensor(np.asarray(image, dtype=np.float32)[None, None])  # (1, 1, H, W)
    w = engine.tensor(np.asarray(kernel, dtype=np.float32)[None, None])  # (1, 1, k, k)
    return F.conv2d(x, w, stride=1, padding=0).numpy()[0, 0]  # (H - k + 1, W - k + 1)


class SmallCNN(nn.Module):
    """conv 3x3 -> ReLU -> max-pool 2 -> conv 3x3 -> ReLU -> max-pool 2 -> dense (LeNet's shape).

    3x3 filters like the slide's; "same" padding keeps the image size until each pooling halves it.
    """

    def __init__(self, in_channels: int, size: int, channels: int, n_classes: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, 2 * channels, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(2 * channels * (size // 4) ** 2, n_classes)

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))  # (N, channels, H/2, W/2)
        x = self.pool(self.relu(self.conv2(x)))  # (N, 2 * channels, H/4, W/4)
        return self.fc(x.reshape(x.shape[0], -1))  # (N, n_classes)


@dataclass
class Config:
    # of cifar10's 10,000: the engine's convolution is NumPy, keep it brief
    n_train: int = bounded(4000, ge=1)
    n_test: int = bounded(1000, ge=1)
    # the same for both networks: a fair "same training" comparison
    num_epochs: int = bounded(4, ge=1)
    batch_size: int = bounded(32, ge=1)  # small batches: more steps for the same images
    lr: float = bounded(2e-3, gt=0)  # Adam, both networks
    # 3x3 filters in the CNN's first layer (the second has twice as many)
    channels: int = bounded(8, ge=1)
    hidden: int = bounded(256, ge=1)  # the dense network's hidden width, as in the networks lesson
    layers: int = bounded(2, ge=0)  # the dense network's hidden layers, as in the networks lesson
    dataset: str = "auto"  # auto (CIFAR-10, else Fashion-MNIST, else digits) or one of those
    seed: int = seed_field(0)


@dataclass
class Contender:
    name: str
    n_params: int
    test_accuracy: float
    train_seconds: float
    history: list[dict[str, float]]


@dataclass
class Result:
    config: Config
    example_output: np.ndarray  # (3, 3) the slide's example through F.conv2d
    example_matches: bool
    dataset: str
    data: str
    citation: str
    licence: str
    cnn: Contender
    mlp: Contender
    filters: np.ndarray  # (channels, C, 3, 3) the CNN's first-layer weights

    def summary(self) -> str:
        return (
            f"slide example {'reproduced' if self.example_matches else 'NOT reproduced'}; "
            f"CNN {self.cnn.test_accuracy:.1%} with {self.cnn.n_params:,} parameters vs dense "
            f"{self.mlp.test_accuracy:.1%} with {self.mlp.n_params:,} "
            f"({self.config.num_epochs} epochs each, {self.dataset})"
        )

    def numbers(self) -> dict[str, Any]:
        return {
            "example_output": self.example_output.tolist(),
            "example_matches_slide": self.example_matches,
            "dataset": self.dataset,
            "num_epochs": self.config.num_epochs,
            "n_train": self.config.n_train,
            "n_test": self.config.n_test,
            "cnn_params": self.cnn.n_params,
            "cnn_test_accuracy": self.cnn.test_accuracy,
            "cnn_train_seconds": self.cnn.train_seconds,
            "mlp_params": self.mlp.n_params,
            "mlp_test_accuracy": self.mlp.test_accuracy,
            "mlp_train_seconds": self.mlp.train_seconds,
            "param_ratio_mlp_over_cnn": self.mlp.n_params / self.cnn.n_params,
        }

    def tables(self) -> list[Table]:
        return [
            Table(
                f"Same images, same optimiser, {self.config.num_epochs} epochs each",
                ["network", "parameters", "test accuracy", "training seconds"],
                [
                    [c.name, c.n_params, c.test_accuracy, c.train_seconds]
                    for c in (self.cnn, self.mlp)
                ],
            )
        ]

    def samples(self) -> list[str]:
        rows = [" ".join(f"{v:4.0f}" for v in row) for row in self.example_output]
        return ["F.conv2d(slide input, slide filter) =\n" + "\n".join(rows)]


def _contender(name: str, model: Any, images: Any, cfg: Config) -> Contender:
    history = train(
        model,
        images,
        num_epochs=cfg.num_epochs,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        seed=cfg.seed,
        desc=f"convolution: {name}",
    )
    return Contender(
        name=name,
        n_params=n_params(model),
        test_accuracy=accuracy(model, images.X_test, images.y_test),
        train_seconds=history[-1]["seconds"],
        history=history,
    )


def run(cfg: Config) -> Result:
    from threadpoolctl import threadpool_limits

    # Small matrices: one BLAS thread is faster than several competing for two cores.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(cfg)


def _run(cfg: Config) -> Result:
    if cfg.n_train < 10 or cfg.n_test < 1 or cfg.num_epochs < 1 or cfg.channels < 1:
        raise UserError("n_train >= 10, n_test >= 1, num_epochs >= 1, channels >= 1 please")
    example = convolve(SLIDE_INPUT, SLIDE_FILTER)
    images = load_images(cfg.n_train, cfg.n_test, cfg.seed, cfg.dataset)
    c, h, w = images.X_train.shape[1:]
    n_classes = len(images.classes)
    engine.manual_seed(cfg.seed)
    cnn_model = SmallCNN(int(c), int(h), cfg.channels, n_classes)
    cnn = _contender(
        f"CNN (conv {cfg.channels}, conv {2 * cfg.channels}, dense)", cnn_model, images, cfg
    )
    engine.manual_seed(cfg.seed)
    hidden = [cfg.hidden] * cfg.layers
    mlp = _contender(
        f"dense ({c * h * w}-{'-'.join(map(str, hidden))}-{n_classes})",
        MLP(int(c * h * w), hidden, n_classes),
        images,
        cfg,
    )
    return Result(
        config=cfg,
        example_output=example,
        example_matches=bool(np.array_equal(example, np.asarray(SLIDE_OUTPUT))),
        dataset=images.name,
        data=images.label,
        citation=images.citation,
        licence=images.licence,
        cnn=cnn,
        mlp=mlp,
        filters=np.array(cnn_model.conv1.weight.detach().numpy()),
    )


# ------------------------------------------------------------------------------------------ figures


def _grid(ax: Any, values: Any, *, highlight: tuple[int, int, int] | None = None, sub=None) -> None:
    """Draw a matrix as the slide does: a grid of numbers, a k x k window shaded (row, col, k)."""
    values = np.asarray(values)
    n_rows, n_cols = values.shape
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    if highlight is not None:
        r0, c0, k = highlight
        ax.add_patch(
            Rectangle(
                (c0, r0), k, k, facecolor="#ffd966", edgecolor="#c00000", linewidth=2.5, zorder=0
            )
        )
    for r in range(n_rows + 1):
        ax.plot([0, n_cols], [r, r], color="black", linewidth=0.8)
    for c in range(n_cols + 1):
        ax.plot([c, c], [0, n_rows], color="black", linewidth=0.8)
    for r in range(n_rows):
        for c in range(n_cols):
            ax.text(c + 0.5, r + 0.5, f"{values[r, c]:g}", ha="center", va="center", fontsize=15)
            if sub is not None and sub[r][c] is not None:
                ax.text(
                    c + 0.82, r + 0.8, f"x{sub[r][c]}", ha="center", va="center",
                    fontsize=8, color="#c00000",
                )  # fmt: skip


def plot_example(result: Result, path: str | Path) -> Path:
    """Input with the filter's window, the filter, the output: the slide's picture."""
    fig, axes = viz.figure(3, 1, width=3.2, height=3.6, gridspec_kw={"width_ratios": [5, 3, 3]})
    k = len(SLIDE_FILTER)
    sub = [[None] * 5 for _ in range(5)]
    for r in range(k):
        for c in range(k):
            sub[r][c] = SLIDE_FILTER[r][c]
    _grid(axes[0], SLIDE_INPUT, highlight=(0, 0, k), sub=sub)
    axes[0].set_title("input 5 x 5 (window at top-left)")
    _grid(axes[1], SLIDE_FILTER)
    axes[1].set_title(f"filter f ({k} x {k})")
    _grid(axes[2], result.example_output, highlight=(0, 0, 1))
    axes[2].set_title("output 3 x 3 (F.conv2d)")
    terms = " + ".join(
        f"{SLIDE_INPUT[r][c]}·{SLIDE_FILTER[r][c]}" for r in range(k) for c in range(k)
    )
    fig.supxlabel(f"top-left output: {terms} = {result.example_output[0, 0]:g}", fontsize=11)
    verdict = "equals the slide" if result.example_matches else "DIFFERS from the slide"
    return viz.save(fig, path, title=f"Convolution, stride 1, no padding: output {verdict}")


def _mosaic(filters: np.ndarray, per_row: int = 0) -> np.ndarray:
    """Tile (n, C, k, k) filters into one RGB image; 0.5 grey = weight 0, one scale for all."""
    n, c, k, _ = filters.shape
    per_row = per_row or int(np.ceil(np.sqrt(n)))
    rows = (n + per_row - 1) // per_row
    scaled = 0.5 + 0.5 * filters / (np.abs(filters).max() + 1e-12)  # (n, C, k, k) in [0, 1]
    tile = np.ones((rows * (k + 1) + 1, per_row * (k + 1) + 1, 3))
    for i, f in enumerate(scaled):
        img = np.transpose(f, (1, 2, 0)) if c == 3 else np.repeat(f[0][:, :, None], 3, axis=2)
        r, col = divmod(i, per_row)
        tile[1 + r * (k + 1) : 1 + r * (k + 1) + k, 1 + col * (k + 1) : 1 + col * (k + 1) + k] = img
    return tile


def plot(result: Result, path: str | Path) -> list[Path]:
    path = Path(path)
    example = plot_example(result, path.with_name(path.stem + "_example.png"))
    fig, (ax1, ax2, ax3) = viz.figure(3, 1, width=4.4, height=3.8)
    for c, color in ((result.cnn, viz.COLORS["ours"]), (result.mlp, viz.COLORS["peer"])):
        ax1.plot(
            [h["epoch"] for h in c.history],
            [100 * h["test_accuracy"] for h in c.history],
            "o-",
            color=color,
            label=f"{c.name.split(' (')[0]}: {c.n_params:,} parameters",
        )
    ax1.set_xlabel("epoch (same for both)")
    ax1.xaxis.get_major_locator().set_params(integer=True)
    ax1.set_ylabel("test accuracy (%)")
    ax1.set_title(f"Same images ({result.dataset}), same training")
    ax1.legend(loc="lower right", fontsize=8)
    names = ["CNN", "dense"]
    params = [result.cnn.n_params, result.mlp.n_params]
    bars = ax2.bar(names, params, color=[viz.COLORS["ours"], viz.COLORS["peer"]])
    ax2.set_yscale("log")
    ax2.set_ylabel("parameters (log scale)")
    ax2.set_ylim(1e3, max(params) * 8)
    ax2.set_title("Parameter sharing: fewer weights")
    for rect, p, acc in zip(bars, params, [result.cnn.test_accuracy, result.mlp.test_accuracy]):
        ax2.annotate(
            f"{p:,}\n{acc:.1%} test acc.",
            (rect.get_x() + rect.get_width() / 2, p),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax3.imshow(_mosaic(result.filters), interpolation="nearest")
    ax3.axis("off")
    n, _, k, _ = result.filters.shape
    ax3.set_title(f"the CNN's {n} learned first-layer filters ({k}x{k})")
    ax3.text(
        0.5, -0.04, "R, G, B weights as colour; grey = 0, one scale for all",
        transform=ax3.transAxes, ha="center", va="top", fontsize=9,
    )  # fmt: skip
    comparison = viz.save(fig, path, title="Convolution: parameter sharing learns spatial features")
    return [example, comparison]


CHAPTER = lesson_chapter(
    __name__,
    slide="Filter f (k x k). Parameter sharing -> learn spatial features. 32 x 32 x 3 -> we maintain "
    "spatial information!",
    order=ORDER_DEEP + 1,
    tour={"n_train": 2000, "num_epochs": 2},
    quick={"n_train": 300, "n_test": 200, "num_epochs": 1},
)
