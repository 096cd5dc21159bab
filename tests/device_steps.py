"""One training step of each model the GPU path must carry (MLP, small CNN, baby GPT), on a device.

Each `*_step(device)` builds its model from a fixed seed on the CPU, moves it to `device`, runs
forward, loss, backward and an optimizer step, and returns a `Step` of host arrays: the loss, every
gradient and every parameter after the step, plus the raw device arrays (to check where they live).
Used by tests/test_backend.py (a fake GPU on the CPU) and tests/test_gpu.py (CuPy on a real GPU).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mltutorial import engine
from mltutorial.engine import backend, nn, optim
from mltutorial.engine.nn import functional as F


@dataclass
class Step:
    loss: float
    grads: dict[str, np.ndarray]
    params: dict[str, np.ndarray]
    device_arrays: list[Any] = field(default_factory=list)  # data, grads, optimizer state, loss


def _finish(model: nn.Module, opt: optim.Optimizer, loss: engine.Tensor) -> Step:
    opt.zero_grad()
    loss.backward()
    grads = {n: backend.to_host(p.grad.data).copy() for n, p in model.named_parameters()}
    opt.step()
    arrays: list[Any] = [loss.data]
    for p in model.parameters():
        arrays += [p.data, p.grad.data]
    for state in opt.state.values():
        arrays += [v for v in state.values() if hasattr(v, "shape")]
    params = {n: backend.to_host(p.data).copy() for n, p in model.named_parameters()}
    return Step(loss.item(), grads, params, arrays)


def mlp_data(n: int = 32, n_features: int = 64, n_classes: int = 10) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, n_features)).astype(np.float32)
    y = rng.integers(0, n_classes, n)
    return X, y


def mlp_model() -> nn.Module:
    engine.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 10))


def mlp_step(device: str, model: nn.Module | None = None) -> Step:
    """Linear, ReLU, Linear, cross-entropy, Adam."""
    X, y = mlp_data()
    model = (model or mlp_model()).to(device)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    logits = model(engine.tensor(X, device=device))
    return _finish(model, opt, F.cross_entropy(logits, engine.tensor(y, device=device)))


def cnn_data(n: int = 8) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, 1, 12, 12)).astype(np.float32)
    y = rng.integers(0, 10, n)
    return X, y


def cnn_model() -> nn.Module:
    engine.manual_seed(1)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 3 * 3, 10),
    )


def cnn_step(device: str, model: nn.Module | None = None) -> Step:
    """Conv2d, ReLU, MaxPool2d (twice), Linear, cross-entropy, SGD with momentum."""
    X, y = cnn_data()
    model = (model or cnn_model()).to(device)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    logits = model(engine.tensor(X, device=device))
    return _finish(model, opt, F.cross_entropy(logits, engine.tensor(y, device=device)))


def gpt_step(device: str, flash: bool = True) -> Step:
    """The baby GPT of `mltutorial generate` (Embedding, LayerNorm, causal attention, GELU,
    dropout, AdamW), one step on a batch of random characters."""
    from mltutorial.apps.textgen.gpt import GPT, GPTConfig

    cfg = GPTConfig(block_size=16, vocab_size=20, n_layer=2, n_head=2, n_embd=32, dropout=0.1)
    model = GPT(cfg, seed=0).to(device)
    for block in model.h:
        block.attn.flash = flash
    opt = optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(2)
    idx = rng.integers(0, cfg.vocab_size, (4, cfg.block_size + 1))
    engine.manual_seed(3)  # the same dropout masks on every device
    _, loss = model(engine.tensor(idx[:, :-1], device=device), idx[:, 1:])
    return _finish(model, opt, loss)
