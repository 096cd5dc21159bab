"""Comparing complexity: accuracy against operations and parameters of six ImageNet networks

The slide: "Comparing complexity... An Analysis of Deep Neural Network Models for Practical
Applications, 2017" (Canziani, Paszke, Culurciello, arXiv:1605.07678): its chart puts each famous
ImageNet network at its top-1 accuracy (up) against the operations one image costs (right), with the
bubble's size showing the number of parameters.

We write AlexNet, VGG-16, GoogLeNet, ResNet-18, ResNet-50 and MobileNetV2 with `engine.nn`, layer for
layer as torchvision does (`lessons/_zoo.py`), and count their parameters and multiply-accumulates
(MACs) for one 224x224 colour image with `engine.summary`, on the meta device (shapes only, so even
VGG-16's 138 million weights cost no memory). The counts equal torchvision's published ones; the
accuracies are torchvision's published top-1 for its ImageNet weights (cited below, not measured:
nothing is trained here). Optionally the engine also times one forward pass of each.

What to look at: more operations bought accuracy from AlexNet to VGG-16, but VGG-16 is the outlier:
ResNet-50 is more accurate with a quarter of its operations and a fifth of its parameters, and
MobileNetV2 matches VGG-16 (71.9% vs 71.6% top-1) with 1/50 of the operations. Size is not
accuracy; architecture is.

Run: mltutorial run complexity  (options: --time_forward=false to skip the engine timings)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial import engine, viz
from mltutorial.chapter import ORDER_DEEP, Table
from mltutorial.config import bounded
from mltutorial.errors import UserError
from mltutorial.lessons import lesson_chapter
from mltutorial.lessons._zoo import MODELS

_TV = "https://pytorch.org/vision/stable/models/generated/torchvision.models."


@dataclass(frozen=True)
class Published:
    """What torchvision publishes for its ImageNet-1K weights of a model (the model's doc page).

    top1: "acc@1 (on ImageNet-1K)" of the weights named; params: "num_params"; gmacs: the "GFLOPS"
    column, which torchvision computes as multiply-accumulates (ResNet-50: 4.09).
    """

    year: int  # of the paper
    top1: float
    params: int
    gmacs: float
    weights: str
    source: str


PUBLISHED = {
    # Krizhevsky et al. 2012; torchvision AlexNet_Weights.IMAGENET1K_V1.
    "AlexNet": Published(
        2012, 56.522, 61_100_840, 0.71, "AlexNet_Weights.IMAGENET1K_V1", _TV + "alexnet.html"
    ),
    # Simonyan & Zisserman 2015; torchvision VGG16_Weights.IMAGENET1K_V1.
    "VGG-16": Published(
        2014, 71.592, 138_357_544, 15.47, "VGG16_Weights.IMAGENET1K_V1", _TV + "vgg16.html"
    ),
    # Szegedy et al. 2015; torchvision GoogLeNet_Weights.IMAGENET1K_V1.
    "GoogLeNet": Published(
        2014, 69.778, 6_624_904, 1.50, "GoogLeNet_Weights.IMAGENET1K_V1", _TV + "googlenet.html"
    ),
    # He et al. 2016; torchvision ResNet18_Weights.IMAGENET1K_V1.
    "ResNet-18": Published(
        2015, 69.758, 11_689_512, 1.81, "ResNet18_Weights.IMAGENET1K_V1", _TV + "resnet18.html"
    ),
    # He et al. 2016; torchvision ResNet50_Weights.IMAGENET1K_V1 (V2 weights reach 80.858).
    "ResNet-50": Published(
        2015, 76.130, 25_557_032, 4.09, "ResNet50_Weights.IMAGENET1K_V1", _TV + "resnet50.html"
    ),
    # Sandler et al. 2018; torchvision MobileNet_V2_Weights.IMAGENET1K_V1.
    "MobileNetV2": Published(
        2018,
        71.878,
        3_504_872,
        0.30,
        "MobileNet_V2_Weights.IMAGENET1K_V1",
        _TV + "mobilenet_v2.html",
    ),
}

CITATION = (
    "A. Canziani, A. Paszke, E. Culurciello, An Analysis of Deep Neural Network Models for "
    "Practical Applications, arXiv:1605.07678, 2017. Accuracies: torchvision model documentation "
    "(https://pytorch.org/vision/stable/models.html), top-1 on ImageNet-1K of each model's "
    "IMAGENET1K_V1 weights."
)


def count(model_name: str, input_size: int = 224) -> tuple[int, int]:
    """(parameters, MACs) of a zoo model for one 3 x size x size image, counted by engine.summary.

    Built and counted on the meta device: shapes flow through the layers, no weight is allocated.
    """
    with engine.meta():
        model = MODELS[model_name]()
        report = engine.summary(model, (1, 3, input_size, input_size))
    return int(report.total_params), int(report.total_macs)


def build_fast(model_name: str, seed: int = 0) -> Any:
    """A zoo model with random weights of the right shapes, built in a blink.

    Built on the meta device, then every parameter and buffer gets an array cut from one block of
    float32 normal draws (scaled by 1/sqrt(fan-in); batch-norm variances 1): the engine's per-layer
    initialisers take seconds for VGG-16's 138 M weights, and the values do not matter for timing.
    """
    block = np.random.default_rng(seed).standard_normal(1 << 20, dtype=np.float32)
    with engine.meta():
        model = MODELS[model_name]()
    for name, t in model.state_dict().items():  # shared tensors: assigning .data fills the model
        shape = tuple(t.shape)
        dtype = np.asarray(t.data).dtype
        if name.endswith("running_var"):
            t.data = np.ones(shape, dtype)
        elif np.issubdtype(dtype, np.floating) and not name.endswith("running_mean"):
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            t.data = np.resize(block, shape) * np.float32(1 / np.sqrt(fan_in))
        else:
            t.data = np.zeros(shape, dtype)
    return model


def time_forward(model_name: str, input_size: int = 224, repeats: int = 1) -> float:
    """Seconds for one forward pass of one random image through the engine model (best of repeats)."""
    model = build_fast(model_name)
    model.eval()
    x = engine.tensor(np.random.default_rng(1).standard_normal((1, 3, input_size, input_size)))
    x = x.float()
    best = float("inf")
    with engine.no_grad():
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            best = min(best, time.perf_counter() - start)
    return best


@dataclass
class Config:
    input_size: int = bounded(224, ge=32)  # ImageNet's crop; the published counts are for 224x224
    time_forward: bool = True  # also time one engine forward pass per model (a few seconds each)
    # forward passes timed per model (the best is kept: a busy machine is noisy)
    repeats: int = bounded(2, ge=1)


@dataclass
class Row:
    name: str
    params: int
    macs: int
    published: Published
    seconds: float | None  # engine forward, one image; None when not timed

    @property
    def matches_params(self) -> bool:
        return self.params == self.published.params

    @property
    def mac_error(self) -> float:
        """Relative difference of our MAC count from torchvision's published (rounded) GMACs."""
        return abs(self.macs / 1e9 - self.published.gmacs) / self.published.gmacs


@dataclass
class Result:
    config: Config
    rows: list[Row]
    citation: str = CITATION
    data: str = "no data: architectures only (accuracies are published figures, cited)"
    licence: str = "torchvision documentation: BSD-3-Clause"

    def row(self, name: str) -> Row:
        return next(r for r in self.rows if r.name == name)

    def summary(self) -> str:
        same = sum(r.matches_params for r in self.rows)
        big = max(self.rows, key=lambda r: r.macs)
        small = min(self.rows, key=lambda r: r.macs)
        return (
            f"{same}/{len(self.rows)} parameter counts equal torchvision's; ops from "
            f"{small.macs / 1e9:.2f} GMACs ({small.name}, {small.published.top1:.1f}% top-1) to "
            f"{big.macs / 1e9:.2f} GMACs ({big.name}, {big.published.top1:.1f}%)"
        )

    def numbers(self) -> dict[str, Any]:
        return {
            r.name: {
                "params": r.params,
                "macs": r.macs,
                "gflops": 2 * r.macs / 1e9,
                "top1": r.published.top1,
                "params_equal_torchvision": r.matches_params,
                "engine_forward_seconds": r.seconds,
            }
            for r in self.rows
        }

    def tables(self) -> list[Table]:
        columns = ["model", "year", "parameters", "GMACs", "top-1 % (published)"]
        columns += ["torchvision params", "equal"]
        timed = any(r.seconds is not None for r in self.rows)
        if timed:
            columns.append("engine forward s")
        rows = []
        for r in self.rows:
            cells = [r.name, r.published.year, r.params, round(r.macs / 1e9, 3), r.published.top1]
            cells += [r.published.params, "yes" if r.matches_params else "NO"]
            if timed:
                cells.append(None if r.seconds is None else round(r.seconds, 3))
            rows.append(cells)
        return [
            Table(
                f"Counted by engine.summary at 1x3x{self.config.input_size}x"
                f"{self.config.input_size} (1 MAC = 1 multiply-add = 2 FLOPs)",
                columns,
                rows,
            )
        ]


def run(cfg: Config) -> Result:
    from threadpoolctl import threadpool_limits

    # Small matrices: one BLAS thread is faster than several competing for two cores.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(cfg)


def _run(cfg: Config) -> Result:
    if cfg.input_size < 32:
        raise UserError(f"--input_size={cfg.input_size}: these ImageNet networks need at least 32")
    rows = []
    for name in MODELS:
        params, macs = count(name, cfg.input_size)
        seconds = time_forward(name, cfg.input_size, cfg.repeats) if cfg.time_forward else None
        rows.append(Row(name, params, macs, PUBLISHED[name], seconds))
    return Result(config=cfg, rows=rows)


# ------------------------------------------------------------------------------------------- figure


def _bubble(params: float) -> float:
    return params / 1e6 * 22.0  # marker area in points^2: area proportional to parameters


_LABEL_ABOVE = {"GoogLeNet"}  # its bubble sits beside ResNet-18's: put one label above


def _plain_log_axis(axis: Any, ticks: list[float]) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    axis.set_major_locator(FixedLocator(ticks))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def plot(result: Result, path: str | Path) -> Path:
    timed = [r for r in result.rows if r.seconds is not None]
    fig, axes = viz.figure(2 if timed else 1, 1, width=6.4, height=5.0)
    ax = axes[0] if timed else axes
    for i, r in enumerate(result.rows):
        color = viz.CYCLE[i % len(viz.CYCLE)]
        x, y = r.macs / 1e9, r.published.top1
        ax.scatter(x, y, s=_bubble(r.params), color=color, alpha=0.55, edgecolor="black", zorder=3)
        ax.scatter(x, y, s=6, color="black", zorder=4)
        above = r.name in _LABEL_ABOVE
        offset = np.sqrt(_bubble(r.params)) / 2 + 4
        ax.annotate(
            f"{r.name}\n{r.params / 1e6:.1f} M params",
            (x, y),
            xytext=(0, offset if above else -offset),
            textcoords="offset points",
            ha="center",
            va="bottom" if above else "top",
            fontsize=8.5,
        )
    ax.set_xscale("log")
    ax.set_xlim(0.12, 60)
    _plain_log_axis(ax.xaxis, [0.2, 0.5, 1, 2, 5, 10, 20, 50])
    ax.set_ylim(50, 80)
    ax.set_xlabel("operations for one 224x224 image [G-MACs, log scale]")
    ax.set_ylabel("top-1 accuracy on ImageNet [%] (torchvision, published)")
    top = ax.secondary_xaxis("top", functions=(lambda m: 2 * m, lambda f: f / 2))
    top.set_xlabel("[G-FLOPs = 2 x G-MACs]")
    _plain_log_axis(top.xaxis, [0.5, 1, 2, 5, 10, 20, 50, 100])
    for p in (5e6, 25e6, 100e6):
        ax.scatter(
            [], [], s=_bubble(p), color="grey", alpha=0.4, label=f"{p / 1e6:.0f} M parameters"
        )
    ax.legend(loc="lower right", labelspacing=2.4, borderpad=1.8, fontsize=8, title="bubble area")
    ax.set_title("Accuracy vs operations; bubble area = parameters")
    if timed:
        ax2 = axes[1]
        for i, r in enumerate(result.rows):
            if r.seconds is None:
                continue
            ax2.scatter(
                r.macs / 1e9, r.seconds, color=viz.CYCLE[i % len(viz.CYCLE)], s=50, zorder=3
            )
            left = r.name in _LABEL_ABOVE  # GoogLeNet: its neighbour ResNet-18 takes the right
            ax2.annotate(
                r.name,
                (r.macs / 1e9, r.seconds),
                xytext=(-6, -4) if left else (5, 3),
                textcoords="offset points",
                ha="right" if left else "left",
                va="top" if left else "bottom",
            )
        ax2.set_xscale("log")
        ax2.set_yscale("log")
        _plain_log_axis(ax2.xaxis, [0.2, 0.5, 1, 2, 5, 10, 20])
        _plain_log_axis(ax2.yaxis, [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100])
        ax2.set_xlabel("operations for one 224x224 image [G-MACs, log scale]")
        ax2.set_ylabel("engine forward time, one image [s, log scale]")
        ax2.set_title(f"Measured here: engine forward time (best of {result.config.repeats})")
    return viz.save(
        fig,
        path,
        title="Comparing complexity (after Canziani, Paszke & Culurciello 2017)",
    )


CHAPTER = lesson_chapter(
    __name__,
    slide="Comparing complexity... An Analysis of Deep Neural Network Models for Practical "
    "Applications, 2017.",
    order=ORDER_DEEP + 4,
    tour={"time_forward": False},
    quick={"time_forward": False},
)
