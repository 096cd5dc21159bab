"""Checkpoints: one `.npz` file holding the weights, the optimizer state and a JSON header.

Layout (all plain arrays, readable with `np.load(path)` and no pickle):

- `meta`: a 0-d string array with JSON: `format`, `version`, `model` (bigram|mlp|gpt), `vocab`
  (the characters, in id order), `model_config`, `train_config`, `step`, `rng_state` (the batch
  sampler's generator, so a resumed run draws the same batches), `history` (losses so far), data label;
- `model/<name>`: each parameter (or the bigram's counts);
- `optim/<key>`: the optimizer's state (AdamW moments and step counts) for `train --resume`.

Written atomically: an interrupted save never leaves a half-written checkpoint behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial.errors import DataError
from mltutorial.files import Array, atomic_path, check_arrays, check_header, jsonable, read_npz

FORMAT = "mltutorial-textgen-checkpoint"
VERSION = 1


def save(
    path: str | os.PathLike[str],
    meta: dict[str, Any],
    model_state: dict[str, np.ndarray],
    optim_state: dict[str, np.ndarray] | None = None,
) -> Path:
    header = {"format": FORMAT, "version": VERSION, **meta}
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(jsonable(header)))}
    arrays.update({f"model/{k}": np.asarray(v) for k, v in model_state.items()})
    arrays.update({f"optim/{k}": np.asarray(v) for k, v in (optim_state or {}).items()})
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    return Path(path)


def load(
    path: str | os.PathLike[str],
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(meta, model_state, optim_state); any problem is one `UserError` line naming the file."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such checkpoint (make one: mltutorial generate train -o {p})")
    arrays = read_npz(p, "textgen checkpoint")
    if "meta" not in arrays:
        raise DataError(f"{p}: not a textgen checkpoint (no 'meta' header)")
    try:
        meta = json.loads(str(arrays.pop("meta")))
    except ValueError:
        raise DataError(f"{p}: not a textgen checkpoint (unreadable header)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise DataError(f"{p}: not a textgen checkpoint (format {found!r})")
    if meta.get("version") != VERSION:
        raise DataError(
            f"{p}: checkpoint version {meta.get('version')!r}; this mltutorial reads version "
            f"{VERSION} (retrain with 'mltutorial generate train')"
        )
    check_header(
        meta,
        {"model": str, "vocab": str, "model_config": dict, "train_config": dict, "step": int},
        str(p),
    )
    if not meta["vocab"] or meta["step"] < 0:
        raise DataError(f"{p}: checkpoint header with an empty vocabulary or a negative step")
    model = {k[len("model/") :]: v for k, v in arrays.items() if k.startswith("model/")}
    optim = {k[len("optim/") :]: v for k, v in arrays.items() if k.startswith("optim/")}
    return meta, model, optim


# ------------------------------------------------------------ models <-> checkpoint files


def model_state(model: Any) -> dict[str, np.ndarray]:
    """Weights by name, each parameter once (a tied weight is stored under its first name)."""
    if getattr(model, "kind", None) == "bigram":
        return model.state()
    from mltutorial.apps.textgen.train import unique_parameters

    return {name: p.data.copy() for name, p in unique_parameters(model)}


def load_model_state(model: Any, state: dict[str, np.ndarray], where: str) -> None:
    """Copy `state` into `model`'s parameters in place (so tied weights stay tied)."""
    from mltutorial.apps.textgen.train import unique_parameters

    params = unique_parameters(model)
    check_arrays(state, {name: Array(p.data.shape) for name, p in params}, where)
    for name, p in params:
        p.data[...] = state[name]


def vocab_mismatch(saved: str, chars: list[str]) -> str | None:
    """A one-line description of how two vocabularies differ, or None if they are equal."""
    now = "".join(chars)
    if saved == now:
        return None
    only_saved = sorted(set(saved) - set(now))
    only_now = sorted(set(now) - set(saved))
    parts = [f"checkpoint has {len(saved)} characters, the data {len(now)}"]
    if only_now:
        parts.append(f"new in the data: {''.join(only_now[:10])!r}")
    if only_saved:
        parts.append(f"missing from the data: {''.join(only_saved[:10])!r}")
    return "; ".join(parts)
