"""`SpamFilter`: features + model + threshold in one file that `classify` loads back.

File format (one NumPy `.npz`, read without pickle): `format` = "mltutorial-spam-filter",
`version` = FORMAT_VERSION, `meta` = a JSON string (model name and hyperparameters, threshold,
training data, metrics), then the arrays of the features (`features/words`, `features/word_idf`, ...)
and of the model (`model/linear.weight`, ... or naive Bayes' log probabilities). A file that is
missing, truncated, of another kind or of another version is refused with one clear line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial.errors import UserError
from mltutorial.files import atomic_path, read_npz

from .features import TextFeatures
from .models import MODELS

FORMAT = "mltutorial-spam-filter"
FORMAT_VERSION = 1


def default_model_path() -> Path:
    """Where `train` saves and `classify` looks when no file is named: the user cache."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "mltutorial" / "models" / "spam-filter.npz"


class SpamFilter:
    """A trained filter: `classify(texts)` -> [("spam", 0.998), ("ham", 0.012), ...]."""

    def __init__(
        self,
        features: TextFeatures,
        model: Any,
        *,
        threshold: float = 0.5,
        meta: dict | None = None,
    ) -> None:
        self.features = features
        self.model = model
        self.threshold = float(threshold)
        self.meta = dict(meta or {})

    @property
    def model_name(self) -> str:
        return str(self.model.name)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(n_samples,) p(spam) of each message."""
        texts = list(texts)
        if not texts:
            return np.zeros(0)
        return self.model.predict_proba(self.features.transform(texts))[:, 1]

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return (self.predict_proba(texts) >= self.threshold).astype(np.int64)

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        return [
            ("spam" if p >= self.threshold else "ham", float(p)) for p in self.predict_proba(texts)
        ]

    # ------------------------------------------------------------------ save / load
    def save(self, path: str | os.PathLike[str]) -> Path:
        meta = {
            **self.meta,
            "model": self.model_name,
            "params": self.model.get_params(),
            "threshold": self.threshold,
        }
        arrays: dict[str, np.ndarray] = {
            "format": np.array(FORMAT),
            "version": np.array(FORMAT_VERSION),
            "meta": np.array(json.dumps(meta)),
        }
        arrays.update({f"features/{k}": v for k, v in self.features.get_state().items()})
        arrays.update({f"model/{k}": v for k, v in self.model.get_state().items()})
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        return Path(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SpamFilter:
        path = Path(path)
        if not path.exists():
            raise UserError(
                f"model file not found: {path} (train one with 'mltutorial spam train -o {path}')"
            )
        not_ours = f"{path} is not a spam filter file (truncated, or another format)"
        arrays = read_npz(path, "spam filter")
        for name, a in arrays.items():
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                raise UserError(f"{path}: damaged spam filter file (array {name!r} is not finite)")
        if "format" not in arrays or str(arrays["format"]) != FORMAT:
            raise UserError(not_ours)
        try:
            version = int(arrays.get("version", np.array(-1)))
        except (TypeError, ValueError):
            raise UserError(not_ours) from None
        if version != FORMAT_VERSION:
            raise UserError(
                f"{path} is a spam filter of format version {version}; this mltutorial reads version "
                f"{FORMAT_VERSION}: train it again with 'mltutorial spam train -o {path}'"
            )
        try:
            meta = json.loads(str(arrays["meta"]))
            features = TextFeatures.from_state(_prefixed(arrays, "features/"))
            model_cls = MODELS[meta["model"]]
            model = model_cls.from_state(meta.get("params", {}), _prefixed(arrays, "model/"))
            threshold = float(meta["threshold"])
        except (KeyError, ValueError, TypeError, RuntimeError, IndexError, AttributeError) as exc:
            raise UserError(
                f"{path}: damaged spam filter file ({type(exc).__name__}: {exc})"
            ) from exc
        model.threshold_ = threshold
        return cls(features, model, threshold=threshold, meta=meta)


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
