"""Checks for the software notebook: a training step written once for both backends; counting weights."""

from __future__ import annotations

import copy

import numpy as np

from mltutorial.exercises._check import Wrong, call, close, verdict


def _problem():
    from mltutorial import engine
    from mltutorial.engine import nn

    engine.manual_seed(0)
    rng = np.random.default_rng(13)
    X = engine.tensor(rng.normal(size=(16, 4)).astype(np.float32))
    y = engine.tensor(rng.integers(0, 3, size=16))
    return nn.Linear(4, 3), X, y


def check_train_step(fn) -> bool:
    """`fn(model, optimizer, loss_fn, X, y)` -> the loss (a float) of one full training step."""

    def check() -> None:
        from mltutorial.engine import nn, optim

        model, X, y = _problem()
        reference = copy.deepcopy(model)
        opt = optim.SGD(model.parameters(), lr=0.5)
        ref_opt = optim.SGD(reference.parameters(), lr=0.5)
        loss_fn = nn.CrossEntropyLoss()
        hint = (
            "optimizer.zero_grad(); loss = loss_fn(model(X), y); loss.backward(); "
            "optimizer.step(); return loss.item()"
        )
        for step in range(2):  # the second step shows gradients left over from the first
            got = call(fn, model, opt, loss_fn, X, y)
            ref_loss = loss_fn(reference(X), y)
            ref_opt.zero_grad()
            ref_loss.backward()
            ref_opt.step()
            if not isinstance(got, (int, float)) and not np.ndim(got) == 0:
                raise Wrong(f"return the loss as a number (loss.item()). {hint}")
            close(float(got), ref_loss.item(), f"the loss at step {step + 1} differs. {hint}")
            for (name, p), r in zip(model.named_parameters(), reference.parameters()):
                more = "did you forget zero_grad()? Gradients add up. " if step else ""
                close(p.data, r.data, f"{name} after step {step + 1} differs: {more}{hint}")

    return verdict(check)


def check_count_parameters(fn) -> bool:
    """`fn(model)` -> its number of learnable numbers, for an engine model and a PyTorch one."""

    def check() -> None:
        from mltutorial.engine import nn

        hint = "add up p.numel() over model.parameters(): the same code runs on both backends"
        model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2))
        if call(fn, model) != 67:
            raise Wrong(
                f"Linear(10, 5) + Linear(5, 2) has 67 parameters, you said {call(fn, model)}. {hint}"
            )
        try:
            import torch
        except ImportError:
            print("(PyTorch is not installed: checked on the engine only)")
            return
        tmodel = torch.nn.Sequential(
            torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(), torch.nn.Linear(4, 2)
        )
        if call(fn, tmodel) != 3 * 4 * 9 + 4 + 4 * 2 + 2:
            raise Wrong(f"on a PyTorch model you said {call(fn, tmodel)}, it has 122. {hint}")

    return verdict(check)
