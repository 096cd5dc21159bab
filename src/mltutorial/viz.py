"""Plotting in one house style: Agg backend, readable sizes, saved atomically to PNG, never shown.

Use: `fig, ax = viz.figure()` ... `viz.save(fig, path)`. Colours come from `viz.COLORS` so that the
same idea (train vs validation, ours vs peer) has the same colour everywhere in the report.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from mltutorial.files import atomic_path

COLORS = {
    "train": "#1f77b4",
    "val": "#ff7f0e",
    "test": "#2ca02c",
    "ours": "#d62728",
    "peer": "#7f7f7f",
    "spam": "#d62728",
    "ham": "#1f77b4",
}
CYCLE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

plt.rcParams.update(
    {
        "figure.dpi": 100,
        "savefig.dpi": 110,
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
        "legend.frameon": False,
    }
)


def figure(ncols: int = 1, nrows: int = 1, width: float = 6.0, height: float = 4.0, **kw: Any):
    """A figure with `nrows x ncols` axes, each `width x height` inches."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), **kw)
    return fig, axes


def save(fig: Any, path: str | os.PathLike[str], title: str | None = None) -> Path:
    """Save `fig` as PNG at `path` (atomically), with an optional overall title, and close it.

    tight_layout() fits everything inside the figure, so the save draws it once; a tight bounding
    box at save time would draw it twice more. A title wider than the figure is wrapped."""
    if title:
        text = fig.suptitle(title, fontweight="bold")
        width = text.get_window_extent(fig.canvas.get_renderer()).width
        if width > 0.96 * fig.bbox.width:
            text.set_text(textwrap.fill(title, int(len(title) * 0.96 * fig.bbox.width / width)))
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(path)
