"""A small, general training loop: forward, cost, backward, step; stop clearly when the cost diverges.

`fit(model, loss_fn, optimizer, data, num_steps=... or num_epochs=...)` runs gradient descent and
returns a `History` with the cost of every step. `data` is either a pair `(X, y)` (full batch, or
mini-batches of `batch_size` shuffled each epoch) or a function `batches(epoch)` yielding `(X, y)`
pairs (any `X` the model takes, e.g. a SciPy sparse matrix). NumPy arrays are wrapped as engine
tensors. `on_step(step, cost)` runs after every update and `on_epoch(epoch, history)` after every
pass over the data (to measure a test accuracy per epoch, say); either stops training by returning
True.

Divergence is an answer, not a crash: when the cost of a step first exceeds `max_cost` or stops
being a finite number, `fit` raises `DivergenceError` (a `UserError`, so the command line prints one
line and exits with status 2) naming the step and the cost, and carrying the history so far. The
parameters are left as they were when that cost was measured (no update is made from it).

    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), num_steps=200)
    history.cost[-1], history.steps
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mltutorial.errors import UserError

Batches = Callable[[int], Iterable[tuple[Any, Any]]]


@dataclass
class History:
    """What happened during `fit`: one entry per optimisation step (1-based step numbers)."""

    cost: list[float] = field(default_factory=list)  # cost measured at each step, before its update
    epoch: list[int] = field(default_factory=list)  # the epoch each step belongs to (0-based)
    n_samples: list[int] = field(default_factory=list)  # rows in each step's batch
    grad_norm: list[float] = field(
        default_factory=list
    )  # ||grad|| over all parameters, if recorded
    stopped_early: bool = False  # on_step asked to stop

    @property
    def steps(self) -> int:
        return len(self.cost)

    @property
    def final_cost(self) -> float:
        return self.cost[-1] if self.cost else math.nan

    def epoch_cost(self, per_sample: bool = False) -> list[float]:
        """Mean cost of the steps of each epoch; `per_sample` weighs each step by its batch's rows,
        which gives the mean cost over the epoch's samples when the last batch is smaller."""
        if not self.cost:
            return []
        costs, epochs = np.asarray(self.cost), np.asarray(self.epoch)
        weights = np.asarray(self.n_samples, dtype=np.float64) if per_sample else None
        means = []
        for e in range(int(epochs.max()) + 1):
            here = epochs == e
            w = None if weights is None else weights[here]
            means.append(float(np.average(costs[here], weights=w)))
        return means


class DivergenceError(UserError):
    """The cost exceeded `max_cost` or became NaN/inf: carries `step`, `cost` and `history`."""

    def __init__(self, step: int, cost: float, max_cost: float, history: History) -> None:
        self.step = step
        self.cost = cost
        self.max_cost = max_cost
        self.history = history
        if math.isfinite(cost):
            what = f"{cost:.3g} > {max_cost:.3g}"
        else:
            what = f"the cost is {cost} (not a finite number)"
        super().__init__(f"cost diverged at step {step}: {what}; lower the learning rate")


def _as_tensor(value: Any) -> Any:
    from mltutorial import engine

    if isinstance(value, engine.Tensor):
        return value
    return engine.tensor(np.asarray(value))


def _pair_batches(X: Any, y: Any, batch_size: int | None, shuffle: bool, seed: int) -> Batches:
    """Batches of a pair (X, y): the whole set when batch_size is None, else shuffled slices."""
    X_t, y_t = _as_tensor(X), _as_tensor(y)
    n_samples = X_t.shape[0]
    if batch_size is None or batch_size >= n_samples:
        return lambda epoch: [(X_t, y_t)]
    rng = np.random.default_rng(seed)
    X_np, y_np = X_t.data, y_t.data

    def batches(epoch: int) -> Iterable[tuple[Any, Any]]:
        order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
        for start in range(0, n_samples, batch_size):
            idx = order[start : start + batch_size]
            yield _as_tensor(X_np[idx]), _as_tensor(y_np[idx])

    return batches


def _n_rows(batch: Any) -> int:
    shape = getattr(batch, "shape", None)
    return int(shape[0]) if shape else 1


def _steps_per_epoch(X: Any, batch_size: int | None) -> int:
    n_samples = _n_rows(X) if hasattr(X, "shape") else len(X)
    if batch_size is None or batch_size >= n_samples:
        return 1
    return (n_samples + batch_size - 1) // batch_size


def _grad_norm(parameters: Iterable[Any]) -> float:
    total = 0.0
    for p in parameters:
        if p.grad is not None:
            g = p.grad.data if hasattr(p.grad, "data") else np.asarray(p.grad)
            total += float(np.sum(np.square(g, dtype=np.float64)))
    return math.sqrt(total)


def fit(
    model: Callable[[Any], Any],
    loss_fn: Callable[[Any, Any], Any],
    optimizer: Any,
    data: tuple[Any, Any] | Batches,
    *,
    num_steps: int | None = None,
    num_epochs: int | None = None,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    max_cost: float = 1e6,
    record_grad_norm: bool = False,
    on_step: Callable[[int, float], bool | None] | None = None,
    on_epoch: Callable[[int, History], bool | None] | None = None,
    progress: bool = True,
    desc: str = "training",
) -> History:
    """Minimise `loss_fn(model(X), y)` with `optimizer`; return the `History` of costs.

    Give `num_steps` (optimisation steps), `num_epochs` (passes over `data`), or both (whichever
    ends first). `on_step(step, cost)` is called after each update, `on_epoch(epoch, history)`
    after each complete pass over the data (epoch 0-based; not for the pass in which `num_steps`
    ends training); either returning True stops early.
    Raises `DivergenceError` at the first step whose cost is > `max_cost` or not finite.
    """
    if num_steps is None and num_epochs is None:
        raise ValueError("fit needs num_steps or num_epochs")
    total = num_steps
    if callable(data):
        batches: Batches = data
    else:
        X, y = data
        batches = _pair_batches(X, y, batch_size, shuffle, seed)
        if num_epochs is not None:
            by_epochs = num_epochs * _steps_per_epoch(X, batch_size)
            total = by_epochs if total is None else min(total, by_epochs)
    params = list(model.parameters()) if hasattr(model, "parameters") else []
    history = History()
    max_epochs = num_epochs if num_epochs is not None else math.inf
    from mltutorial.progress import bar

    pbar = bar(total=total, desc=desc) if progress else None  # no total: a counter
    epoch = 0
    try:
        while epoch < max_epochs:
            for X_b, y_b in batches(epoch):
                y_hat = model(X_b)
                loss = loss_fn(y_hat, y_b)
                cost = float(loss.item())
                step = history.steps + 1
                history.cost.append(cost)
                history.epoch.append(epoch)
                history.n_samples.append(_n_rows(y_b))
                if not math.isfinite(cost) or cost > max_cost:
                    raise DivergenceError(step, cost, max_cost, history)
                optimizer.zero_grad()
                loss.backward()
                if record_grad_norm:
                    history.grad_norm.append(_grad_norm(params))
                optimizer.step()
                if pbar is not None:
                    pbar.update(1)
                    if step % 50 == 0:
                        pbar.set_postfix(cost=f"{cost:.4g}")
                if on_step is not None and on_step(step, cost):
                    history.stopped_early = True
                    return history
                if num_steps is not None and step >= num_steps:
                    break
            else:  # a complete pass over the data
                if on_epoch is not None and on_epoch(epoch, history):
                    history.stopped_early = True
                    return history
                epoch += 1
                continue
            return history  # num_steps reached
    finally:
        if pbar is not None:
            pbar.close()
    return history
