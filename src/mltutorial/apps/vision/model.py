"""`ImageClassifier`: a CNN (LeNet-style) or an MLP on the engine, with scikit-learn manners.

CNN: conv3x3(16) -> ReLU -> maxpool2 -> conv3x3(32) -> ReLU -> maxpool2 -> linear(128) -> ReLU ->
linear(n_classes), trained with Adam on cross-entropy (LeCun et al. 1998 for the pattern).
Images are NCHW uint8; they are scaled to [0, 1] and standardised with the training mean and std.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial.errors import UserError

FORMAT_VERSION = 1


def build(arch: str, shape: tuple[int, int, int], n_classes: int):
    from mltutorial.engine import nn

    c, h, w = shape
    if arch == "mlp":
        return nn.Sequential(
            nn.Flatten(), nn.Linear(c * h * w, 256), nn.ReLU(), nn.Linear(256, n_classes)
        )
    if arch == "cnn":
        flat = 32 * (h // 4) * (w // 4)
        return nn.Sequential(
            nn.Conv2d(c, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(flat, 128),
            nn.ReLU(),
            nn.Linear(128, n_classes),
        )
    raise UserError(f"unknown architecture {arch!r}: choose cnn or mlp")


def _state_spec(arch: str, shape: tuple[int, int, int], n_classes: int) -> dict[str, Any]:
    """What `build(arch, shape, n_classes).state_dict()` holds, computed without building it."""
    from mltutorial.files import Array

    c, h, w = shape
    if arch == "mlp":
        sizes = {"1": (256, c * h * w), "3": (n_classes, 256)}
    elif arch == "cnn":
        flat = 32 * (h // 4) * (w // 4)
        sizes = {"0": (16, c, 3, 3), "3": (32, 16, 3, 3), "7": (128, flat), "9": (n_classes, 128)}
    else:
        raise UserError(f"unknown architecture {arch!r}: choose cnn or mlp")
    spec = {f"{k}.weight": Array(v) for k, v in sizes.items()}
    spec.update({f"{k}.bias": Array(v[:1]) for k, v in sizes.items()})
    return spec


def _header_spec(meta: dict[str, Any], where: str) -> dict[str, Any]:
    """The arrays a model file with this header holds, once the header's sizes are checked sane
    (an edited header must not make `build` allocate a huge layer)."""
    shape = meta["shape"]
    if len(shape) != 3 or not all(1 <= v <= 4096 for v in shape) or shape[0] > 4:
        raise UserError(f"{where}: image shape {shape} in the header is not (C, H, W) of an image")
    if not meta["classes"] or not meta["std"] > 0 or not meta["max_value"] > 0:
        raise UserError(f"{where}: header with no classes, or std / max_value not > 0")
    return _state_spec(meta["arch"], tuple(shape), len(meta["classes"]))


class ImageClassifier:
    def __init__(
        self,
        *,
        arch: str = "cnn",
        num_epochs: int = 2,
        batch_size: int = 64,
        lr: float = 2e-3,
        seed: int = 0,
    ) -> None:
        self.arch = arch
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.seed = seed

    def _prepare(self, X: np.ndarray) -> np.ndarray:
        Xp = X.astype(np.float32)  # the one copy; the scaling is done in place
        Xp /= np.float32(self.max_value_)
        Xp -= np.float32(self.mean_)
        Xp /= np.float32(self.std_)
        return Xp

    def fit(
        self, X: np.ndarray, y: np.ndarray, classes: list[str], max_value: int = 255, on_step=None
    ):
        from mltutorial import engine
        from mltutorial.engine import optim
        from mltutorial.engine.nn import functional as F
        from mltutorial.engine.trainer import fit

        if X.ndim != 4:
            raise UserError(f"images must be (N, C, H, W), got shape {X.shape}")
        engine.manual_seed(self.seed)
        self.classes_ = list(classes)
        self.shape_ = tuple(int(s) for s in X.shape[1:])
        self.max_value_ = float(max_value)
        scaled = X.astype(np.float32)
        scaled /= np.float32(self.max_value_)
        self.mean_, self.std_ = float(scaled.mean()), float(scaled.std() + 1e-6)
        del scaled
        Xp = self._prepare(X)
        self.net_ = build(self.arch, self.shape_, len(classes))
        start = time.perf_counter()
        self.net_.train()
        history = fit(
            self.net_,
            F.cross_entropy,
            optim.Adam(self.net_.parameters(), lr=self.lr),
            (Xp, y),
            num_epochs=self.num_epochs,
            batch_size=self.batch_size,
            seed=self.seed,
            max_cost=float("inf"),  # cross-entropy has no ceiling to check: only NaN/inf stop it
            on_step=None if on_step is None else lambda step, cost: on_step(cost),
            desc=f"vision: {self.arch}",
        )
        self.losses_: list[float] = history.cost
        self.fit_seconds_ = time.perf_counter() - start
        self.n_params_ = int(sum(p.data.size for p in self.net_.parameters()))
        return self

    def predict_proba(self, X: np.ndarray, batch_size: int = 512) -> np.ndarray:
        from mltutorial import engine

        if tuple(X.shape[1:]) != self.shape_:
            raise UserError(f"images of shape {tuple(X.shape[1:])}; this model takes {self.shape_}")
        self.net_.eval()
        out = []
        with engine.no_grad():
            for s in range(0, len(X), batch_size):
                logits = self.net_(engine.tensor(self._prepare(X[s : s + batch_size])))
                out.append(logits.softmax(dim=-1).data)
        return np.concatenate(out) if out else np.zeros((0, len(self.classes_)), np.float32)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        return float((self.predict(X) == y).mean())

    def save(self, path: str | Path) -> Path:
        from mltutorial.files import save_npz

        meta = {
            "format": "mltutorial.vision",
            "version": FORMAT_VERSION,
            "arch": self.arch,
            "classes": self.classes_,
            "shape": self.shape_,
            "max_value": self.max_value_,
            "mean": self.mean_,
            "std": self.std_,
        }
        state = {k: getattr(v, "data", v) for k, v in self.net_.state_dict().items()}
        return save_npz(path, meta, state)

    @classmethod
    def load(cls, path: str | Path) -> ImageClassifier:
        from mltutorial.files import load_npz

        meta, state = load_npz(
            path,
            fmt="mltutorial.vision",
            version=FORMAT_VERSION,
            what="image classifier",
            how="mltutorial vision train -o FILE",
            header={
                "arch": str,
                "classes": list[str],
                "shape": list[int],
                "max_value": float,
                "mean": float,
                "std": float,
            },
            arrays=lambda meta: _header_spec(meta, str(path)),
        )
        model = cls(arch=meta["arch"])
        model.classes_, model.shape_ = meta["classes"], tuple(meta["shape"])
        model.max_value_, model.mean_, model.std_ = meta["max_value"], meta["mean"], meta["std"]
        model.net_ = build(model.arch, model.shape_, len(model.classes_))
        model.net_.load_state_dict(state)
        return model
