"""Image classification sets: MNIST and Fashion-MNIST (IDX), CIFAR-10 (python batches), digits.

All return `Images` in NCHW uint8. Fallback when the real files are absent: scikit-learn's bundled
digits (real handwriting, 1,797 images), upscaled to the stood-in set's size.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np

from mltutorial.data import registry
from mltutorial.data.formats import read_bytes, read_idx
from mltutorial.data.types import DataInfo, Images
from mltutorial.errors import DataError

FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
CIFAR_CLASSES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]
DIGIT_CLASSES = [str(d) for d in range(10)]

PathLike = str | os.PathLike[str] | None


def _info(name: str, found: registry.Found | None, notes: str = "") -> DataInfo:
    ds = registry.get(name)
    origin = found.origin if found else "builtin"
    return DataInfo(
        name, ds.title, origin, found.path if found else None, ds.citation, ds.licence, notes
    )


def _split(n: int, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    n_test = round(n * test_fraction)
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def _sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits as sk_load_digits

    d = sk_load_digits()
    return d.images.astype(np.uint8)[:, None], d.target.astype(np.int64)  # (1797, 1, 8, 8) 0..16


def _digits_standing_in(name: str, size: int, channels: int, notes: str) -> Images:
    """Digits upscaled (nearest neighbour) and zero-padded to size x size, 0..255, 80/20 split."""
    X8, y = _sklearn_digits()
    factor = size // 8 if size % 8 == 0 else (size - 4) // 8
    X = np.kron(X8, np.ones((1, 1, factor, factor), np.uint8))  # (N, 1, 8f, 8f)
    pad = (size - 8 * factor) // 2
    X = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    X = np.round(X.astype(np.float64) * (255 / 16)).astype(np.uint8)
    X = np.repeat(X, channels, axis=1)  # (N, C, size, size)
    tr, te = _split(len(y))
    info = DataInfo(
        name,
        registry.get(name).title,
        "builtin",
        None,
        registry.get("digits").citation,
        registry.get("digits").licence,
        notes,
    )
    return Images(X[tr], y[tr], X[te], y[te], DIGIT_CLASSES, info)


def _find(folder: Path, stem: str) -> Path | None:
    for name in (
        stem,
        stem + ".gz",
        stem.replace("-idx", ".idx"),
        stem.replace("-idx", ".idx") + ".gz",
    ):
        if (folder / name).is_file():
            return folder / name
    return None


def _load_idx_pair(
    name: str, found: registry.Found, prefix: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """(images (N,1,28,28) uint8, labels (N,) int64) for prefix "train" or "t10k", or None if absent."""
    folder = found.path if found.path.is_dir() else found.path.parent
    img = _find(folder, f"{prefix}-images-idx3-ubyte")
    lab = _find(folder, f"{prefix}-labels-idx1-ubyte")
    if img is None or lab is None:
        return None
    X = read_idx(registry.verified(name, found, img))
    y = read_idx(registry.verified(name, found, lab)).astype(np.int64)
    if X.ndim != 3 or y.ndim != 1:
        raise DataError(
            f"{img}: expected images (N, H, W) and labels (N,), got {X.shape}, {y.shape}"
        )
    if len(X) != len(y):
        raise DataError(f"{img}: {len(X):,} images but {lab.name} has {len(y):,} labels")
    return X[:, None], y


def _load_idx_set(name: str, path: PathLike, classes: list[str], stand_in: str) -> Images:
    found = registry.locate(name, path)
    if found is None:
        return _digits_standing_in(name, 28, 1, stand_in)
    train = _load_idx_pair(name, found, "train")
    test = _load_idx_pair(name, found, "t10k")
    folder = found.path if found.path.is_dir() else found.path.parent
    if test is None and train is None:
        raise DataError(
            f"{folder}: no IDX files found (expected t10k-images-idx3-ubyte[.gz] and "
            "t10k-labels-idx1-ubyte[.gz], and the train-* pair)"
        )
    notes, extra = "", {}
    if train is None:
        empty = np.zeros((0, 1, 28, 28), np.uint8)
        train = (empty, np.zeros(0, np.int64))
        notes = "training images missing: X_train is empty; use the test set (or split it)"
        labels = _find(folder, "train-labels-idx1-ubyte")
        if labels is not None:
            extra["train_labels"] = read_idx(registry.verified(name, found, labels)).astype(
                np.int64
            )
            notes += (
                f"; extra['train_labels'] holds the {len(extra['train_labels']):,} training labels"
            )
    if test is None:
        test = (np.zeros((0, 1, 28, 28), np.uint8), np.zeros(0, np.int64))
        notes = "test images missing: X_test is empty"
    return Images(
        train[0], train[1], test[0], test[1], classes, _info(name, found, notes), 255, extra
    )


def load_mnist(path: PathLike = None) -> Images:
    """MNIST handwritten digits, IDX files (.gz or not), classes "0".."9".

    X_train (60000, 1, 28, 28) uint8, y_train (60000,) int64; X_test (10000, 1, 28, 28), y_test.
    The shared copy lacks the training images: then X_train has 0 rows, `extra["train_labels"]`
    holds the 60,000 training labels and `info.notes` says so. Fallback: sklearn digits at 28x28.
    """
    return _load_idx_set(
        "mnist", path, DIGIT_CLASSES, "scikit-learn's 8x8 digits upscaled to 28x28 (1,797 images)"
    )


def load_fashion_mnist(path: PathLike = None) -> Images:
    """Fashion-MNIST, IDX files (.gz or not): X_train (60000, 1, 28, 28) uint8, y_train (60000,)
    int64, X_test (10000, 1, 28, 28), y_test; classes "T-shirt/top" ... "Ankle boot".

    Fallback: scikit-learn's digits upscaled to 28x28 (classes are then the digits "0".."9").
    """
    return _load_idx_set(
        "fashion_mnist",
        path,
        FASHION_CLASSES,
        "scikit-learn's 8x8 digits upscaled to 28x28 (1,797 images; classes are digits, not clothes)",
    )


def _unpickle(path: Path) -> dict:
    data = read_bytes(path)
    try:
        obj = pickle.loads(data, encoding="bytes")
    except Exception as exc:  # pickle raises many types on damaged input
        raise DataError(f"{path}: not a CIFAR python batch ({type(exc).__name__}: {exc})") from None
    if not isinstance(obj, dict):
        raise DataError(f"{path}: not a CIFAR python batch (no dict inside)")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in obj.items()}


def _cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    d = _unpickle(path)
    for key in ("data", "labels"):
        if key not in d:
            raise DataError(f"{path}: CIFAR batch without {key!r}")
    X = np.asarray(d["data"], dtype=np.uint8)
    y = np.asarray(d["labels"], dtype=np.int64)
    if X.ndim != 2 or X.shape[1] != 3072 or len(X) != len(y):
        raise DataError(f"{path}: expected data (N, 3072) and N labels, got {X.shape}, {y.shape}")
    return X.reshape(-1, 3, 32, 32), y  # rows are R plane, G plane, B plane: already CHW


def load_cifar10(path: PathLike = None) -> Images:
    """CIFAR-10 python batches: every `data_batch_*` present is concatenated into the training set.

    X_train (n_train, 3, 32, 32) uint8 (shared copy: 10,000, one re-packed batch; official: 50,000),
    y_train (n_train,) int64; X_test (10000, 3, 32, 32), y_test; classes from batches.meta
    ("airplane" ... "truck"). Fallback: sklearn digits upscaled to 32x32, grey in 3 channels.
    """
    name = "cifar10"
    found = registry.locate(name, path)
    if found is None:
        return _digits_standing_in(
            name, 32, 3, "scikit-learn's 8x8 digits upscaled to 32x32x3 (classes are digits)"
        )
    folder = found.path if found.path.is_dir() else found.path.parent
    if (folder / "cifar-10-batches-py").is_dir():
        folder = folder / "cifar-10-batches-py"
    batches = sorted(folder.glob("data_batch_*"), key=lambda p: p.name)
    test = folder / "test_batch"
    if not batches and not test.is_file():
        raise DataError(f"{folder}: no CIFAR-10 batches (expected data_batch_1..5 and test_batch)")
    parts = [_cifar_batch(registry.verified(name, found, b)) for b in batches]
    X_tr = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, 3, 32, 32), np.uint8)
    y_tr = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    if test.is_file():
        X_te, y_te = _cifar_batch(registry.verified(name, found, test))
    else:
        X_te, y_te = np.zeros((0, 3, 32, 32), np.uint8), np.zeros(0, np.int64)
    classes = CIFAR_CLASSES
    meta = folder / "batches.meta"
    if meta.is_file():
        names = _unpickle(registry.verified(name, found, meta)).get("label_names")
        if names:
            classes = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
    notes = f"{len(batches)} training batch(es): {', '.join(b.name for b in batches)}"
    if len(batches) < 5:
        notes += " (the official set has 5)"
    return Images(X_tr, y_tr, X_te, y_te, classes, _info(name, found, notes))


def load_digits(path: PathLike = None) -> Images:
    """scikit-learn's bundled digits (UCI optdigits test part): 1,797 images of 8x8, values 0..16.

    X_train (1438, 1, 8, 8) uint8 and X_test (359, 1, 8, 8): a seeded (seed 0) 80/20 split we
    make; max_value is 16. Always available (scikit-learn is a dependency); `path` may name a copy of
    scikit-learn's digits.csv.gz (64 pixel columns + label).
    """
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise DataError(f"{p}: no such file")
        from mltutorial.data.formats import csv_floats, decode_utf8

        lines = [ln for ln in decode_utf8(read_bytes(p), p).splitlines() if ln.strip()]
        if not lines:
            raise DataError(f"{p}: empty file (expected 65 comma-separated columns)")
        table = csv_floats(lines, p, 65)
        X = table[:, :64].reshape(-1, 1, 8, 8).astype(np.uint8)
        y = table[:, 64].astype(np.int64)
        origin: registry.Found | None = registry.Found("explicit", p)
    else:
        X, y = _sklearn_digits()
        origin = None
    tr, te = _split(len(y))
    ds = registry.get("digits")
    info = DataInfo(
        "digits",
        ds.title,
        origin.origin if origin else "package",
        origin.path if origin else None,
        ds.citation,
        ds.licence,
        "80/20 split made with seed 0",
    )
    return Images(X[tr], y[tr], X[te], y[te], DIGIT_CLASSES, info, max_value=16)
