"""What the image lessons share: a prepared image set, the dense network, and training it.

Not a lesson (the underscore keeps it out of the tour): `networks` trains the dense network here on
flattened images, and `convolution` trains it again beside a CNN, on the same prepared images, so the
two lessons' numbers compare like with like.

- `load_images(n_train, n_test, seed, dataset)`: the data layer's first real image set (CIFAR-10,
  else Fashion-MNIST, else scikit-learn's digits), subsampled and standardised per channel.
- `MLP(n_features, hidden, n_classes)`: Flatten, then Linear + ReLU layers: the slide's "3072 x 1".
- `train(model, images, ...)`: Adam on cross-entropy through `engine.trainer.fit`, with the test
  accuracy measured after every epoch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from mltutorial import engine
from mltutorial.data.image_sets import first_image_set
from mltutorial.engine import nn, optim
from mltutorial.engine.trainer import History, fit

# The lessons' preference: colour photos first (the slide's cat), then clothes, then digits.
PREFER = ("cifar10", "fashion_mnist", "digits")


@dataclass
class ImageSet:
    """Images scaled for training, the raw test images for display, and where they came from."""

    X_train: np.ndarray  # (n_train, C, H, W) float32, standardised per channel
    y_train: np.ndarray  # (n_train,) int64
    X_test: np.ndarray  # (n_test, C, H, W) float32
    y_test: np.ndarray  # (n_test,)
    raw_test: np.ndarray  # (n_test, C, H, W) uint8, for figures
    max_value: int  # 255, or 16 for scikit-learn's digits
    classes: list[str]
    name: str  # "cifar10" | "fashion_mnist" | "digits"
    label: str  # the dataset's title for reports
    citation: str = ""
    licence: str = ""


def load_images(n_train: int, n_test: int, seed: int = 0, dataset: str = "auto") -> ImageSet:
    """The first real image set of PREFER (or the one `dataset` names), subsampled and standardised.

    Pixels are scaled to [0, 1], then each channel is standardised with the training subset's mean
    and standard deviation (the test images get the same transform).
    """
    name, images = first_image_set(PREFER, dataset)
    rng = np.random.default_rng(seed)
    tr = rng.permutation(len(images.y_train))[:n_train]
    te = rng.permutation(len(images.y_test))[:n_test]
    scale = float(getattr(images, "max_value", 255))
    X_train = np.asarray(images.X_train[tr], dtype=np.float32) / scale  # (N, C, H, W)
    X_test = np.asarray(images.X_test[te], dtype=np.float32) / scale
    mean = X_train.mean(axis=(0, 2, 3), keepdims=True)  # (1, C, 1, 1)
    std = X_train.std(axis=(0, 2, 3), keepdims=True) + 1e-6
    info = images.info
    return ImageSet(
        X_train=((X_train - mean) / std).astype(np.float32),
        y_train=np.asarray(images.y_train[tr], dtype=np.int64),
        X_test=((X_test - mean) / std).astype(np.float32),
        y_test=np.asarray(images.y_test[te], dtype=np.int64),
        raw_test=np.asarray(images.X_test[te]),
        max_value=int(scale),
        classes=list(images.classes),
        name=name,
        label=info.label,
        citation=getattr(info, "citation", "") or "",
        licence=getattr(info, "licence", "") or "",
    )


class MLP(nn.Module):
    """Flatten (C, H, W) -> C*H*W, then dense layers with ReLU: the slide's "3072 x 1" network."""

    def __init__(self, n_features: int, hidden: list[int], n_classes: int) -> None:
        super().__init__()
        layers: list[Any] = [nn.Flatten()]
        width = n_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)  # (N, n_classes) logits


def n_params(model: Any) -> int:
    return int(sum(int(np.prod(p.shape)) for p in model.parameters()))


def predict_proba(model: Any, X: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """Softmax probabilities (N, n_classes), in evaluation mode, without building a graph."""
    model.eval()
    out = []
    with engine.no_grad():
        for i in range(0, len(X), batch_size):
            logits = model(engine.tensor(X[i : i + batch_size]))
            out.append(logits.softmax(dim=1).numpy())
    model.train()
    return np.concatenate(out)


def accuracy(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    return float((predict_proba(model, X).argmax(axis=1) == y).mean())


def train(
    model: Any,
    images: ImageSet,
    *,
    num_epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    desc: str,
) -> list[dict[str, float]]:
    """Adam on cross-entropy, mini-batches shuffled each epoch; one history row per epoch.

    A row: the epoch (1-based), the mean training loss over its samples, the test accuracy after
    it, and the seconds since training began (the test evaluation included).
    """
    rows: list[dict[str, float]] = []
    start = time.perf_counter()

    def after_epoch(epoch: int, history: History) -> None:
        rows.append(
            {
                "epoch": epoch + 1,
                "train_loss": history.epoch_cost(per_sample=True)[epoch],
                "test_accuracy": accuracy(model, images.X_test, images.y_test),
                "seconds": time.perf_counter() - start,
            }
        )

    model.train()
    fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=lr),
        (images.X_train, images.y_train),
        num_epochs=num_epochs,
        batch_size=batch_size,
        seed=seed,
        max_cost=float("inf"),  # cross-entropy has no ceiling to check: only NaN/inf stop it
        on_epoch=after_epoch,
        desc=desc,
    )
    return rows
