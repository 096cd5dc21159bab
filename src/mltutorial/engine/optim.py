"""Optimizers (SGD with momentum/Nesterov/weight decay, Adam, AdamW) and a few LR schedulers.

The update rules are PyTorch's single-tensor implementations, step for step, so 20 steps from the
same weights give the same parameters as `torch.optim` to float32 rounding. Updates are done in
place on `param.data` with NumPy `out=` arguments (no new arrays for the parameters themselves).

Papers: Kingma & Ba, "Adam", 2015; Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from . import backend
from .tensor import Tensor


class Optimizer:
    """Holds `param_groups` (list of dicts with "params" and hyperparameters) and per-param `state`."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        items = list(params)
        if not items:
            raise ValueError("optimizer got an empty parameter list")
        groups = items if isinstance(items[0], dict) else [{"params": items}]
        self.param_groups: list[dict[str, Any]] = []
        for g in groups:
            group = {**defaults, **g, "params": list(g["params"])}
            self.param_groups.append(group)
        self.state: dict[int, dict[str, Any]] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad.data[...] = 0

    def _params_with_grad(
        self, group: dict[str, Any]
    ) -> Iterable[tuple[Tensor, np.ndarray, dict[str, Any]]]:
        for p in group["params"]:
            if p.grad is None:
                continue
            yield p, p.grad.data, self.state.setdefault(id(p), {})

    def step(self) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "param_groups": [
                {k: v for k, v in g.items() if k != "params"} for g in self.param_groups
            ],
        }


class SGD(Optimizer):
    """p -= lr * v, v = momentum * v + (1 - dampening) * (g + weight_decay * p) (v = g at step 1)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        maximize: bool = False,
    ) -> None:
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
            ),
        )

    def step(self) -> None:
        for group in self.param_groups:
            lr, mom, damp = group["lr"], group["momentum"], group["dampening"]
            wd, nesterov = group["weight_decay"], group["nesterov"]
            for p, g, state in self._params_with_grad(group):
                if group["maximize"]:
                    g = -g
                if wd:
                    g = g + wd * p.data
                if mom:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = backend.array_module(g).array(g, copy=True)
                    else:
                        buf *= mom
                        buf += (1 - damp) * g if damp else g
                    g = g + mom * buf if nesterov else buf
                p.data -= lr * g


class Adam(Optimizer):
    """m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).

    weight_decay adds weight_decay * p to g (L2, as torch.optim.Adam); AdamW decays p instead.
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"Invalid beta parameters: {betas}")
        super().__init__(
            params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        )

    def step(self) -> None:
        for group in self.param_groups:
            lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p, g, state in self._params_with_grad(group):
                x = p.data
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(x)
                    state["exp_avg_sq"] = np.zeros_like(x)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = np.zeros_like(x)
                state["step"] += 1
                t = state["step"]
                if wd and self._decoupled:
                    x *= 1 - lr * wd
                elif wd:
                    g = g + wd * x
                m, v = state["exp_avg"], state["exp_avg_sq"]
                buf = state.get("scratch")
                if buf is None or buf.shape != x.shape:  # one scratch array, no temporaries
                    buf = state["scratch"] = np.empty_like(x)
                np.subtract(g, m, out=buf)  # m = lerp(m, g, 1 - b1), as torch
                buf *= 1 - b1
                m += buf
                np.multiply(g, g, out=buf)  # v = b2 v + (1 - b2) g^2
                buf *= 1 - b2
                v *= b2
                v += buf
                if group["amsgrad"]:
                    np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                    v = state["max_exp_avg_sq"]
                # p -= lr/(1-b1^t) * m / (sqrt(v)/c + eps) with c = sqrt(1-b2^t), written as
                # p -= (lr c/(1-b1^t)) * m / (sqrt(v) + eps c): same value, one pass fewer
                c = math.sqrt(1 - b2**t)
                np.sqrt(v, out=buf)
                buf += eps * c
                np.divide(m, buf, out=buf)
                buf *= lr * c / (1 - b1**t)
                x -= buf


class AdamW(Adam):
    """Adam with decoupled weight decay: p *= 1 - lr * weight_decay before the Adam step."""

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


# ---------------------------------------------------------------------- schedulers
class LRScheduler:
    """Sets each group's lr from its initial lr and the epoch count on every `step()`."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self.last_epoch = 0

    def factor(self, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        self.last_epoch += 1
        for g, base in zip(self.optimizer.param_groups, self.base_lrs):
            g["lr"] = base * self.factor(self.last_epoch)

    def get_last_lr(self) -> list[float]:
        return [g["lr"] for g in self.optimizer.param_groups]


class StepLR(LRScheduler):
    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def factor(self, epoch: int) -> float:
        return self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min

    def step(self) -> None:
        self.last_epoch += 1
        for g, base in zip(self.optimizer.param_groups, self.base_lrs):
            cos = (1 + math.cos(math.pi * min(self.last_epoch, self.T_max) / self.T_max)) / 2
            g["lr"] = self.eta_min + (base - self.eta_min) * cos


class lr_scheduler:
    LRScheduler = LRScheduler
    StepLR = StepLR
    CosineAnnealingLR = CosineAnnealingLR
