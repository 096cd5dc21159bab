"""Playground: how live the page is, the engine beside the same network in PyTorch.

The issue's bar: at least 30 heat-map updates a second for a 2x8 tanh network on 500 points (250
training points, batch 10), one training step per update, one core busy. Measured here, per side:

- one SGD step (forward, cost, backward, update on one mini-batch of 10);
- one update as the playground's WebSocket loop makes it: one training step, then the output and
  every neuron on the 50x50 heat-map grid, the train and test losses (the page's frame);
- one epoch (25 steps) plus the frame: what one "step" press costs.

Both sides run the same architecture, the same initial weights and the same batches; one BLAS/torch
thread each; interleaved repeats, medians. Also the epochs the spiral (2x8 tanh with sin x1, sin x2)
takes to reach test loss < 0.1, per seed (the engine's `Session`, as the page trains).

Run: `python bench/playground.py [--repeats 5] [--updates 200] [--seeds 5]`.
Writes bench/results/playground.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from mltutorial.playground import network
from mltutorial.playground.session import Session
from mltutorial.playground.state import State

HERE = Path(__file__).resolve().parent
HASH = "dataset=spiral&points=500&shape=8,8&activation=tanh&batch=10&sinx1=true&sinx2=true"


class TorchNet(torch.nn.Module):
    """The playground's network in PyTorch, with the engine model's weights."""

    def __init__(self, model: network.PlaygroundNet):
        super().__init__()
        self.linears = torch.nn.ModuleList()
        for lin in model.linears:
            t = torch.nn.Linear(lin.in_features, lin.out_features)
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(np.array(lin.weight.data)))
                t.bias.copy_(torch.from_numpy(np.array(lin.bias.data)))
            self.linears.append(t)

    def layers(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = []
        for lin in self.linears:
            x = torch.tanh(lin(x))  # hidden tanh, and tanh output for classification
            outs.append(x)
        return outs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)[-1]


def _engine_side(session: Session):
    model, F, y = session.model, session.F_train, session.y_train
    from mltutorial import engine
    from mltutorial.engine import optim

    opt = optim.SGD(model.parameters(), lr=0.03)
    X_b, y_b = engine.tensor(F[:10]), engine.tensor(y[:10, None].astype(np.float32))

    def step() -> None:
        loss = network.half_mse(model(X_b), y_b)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def update() -> None:
        step()
        session.frame()
        network.loss(model, session.F_train, session.y_train)
        network.loss(model, session.F_test, session.y_test)

    def epoch() -> None:
        session.step()
        session.frame()

    return step, update, epoch


def _torch_side(session: Session):
    net = TorchNet(session.model)
    opt = torch.optim.SGD(net.parameters(), lr=0.03)
    F = torch.from_numpy(session.F_train)
    y = torch.from_numpy(session.y_train.astype(np.float32))[:, None]
    F_test = torch.from_numpy(session.F_test)
    y_test = torch.from_numpy(session.y_test.astype(np.float32))[:, None]
    grid = torch.from_numpy(session.F_grid)
    small = np.arange(50 * 50).reshape(50, 50)[::2, ::2].ravel()

    def step(X_b=F[:10], y_b=y[:10]) -> None:
        loss = 0.5 * ((net(X_b) - y_b) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    def frame() -> None:
        with torch.no_grad():
            outs = [o.numpy() for o in net.layers(grid)]
            [[o[small, j].tobytes() for j in range(o.shape[1])] for o in outs[:-1]]
            float((0.5 * (net(F) - y) ** 2).mean())
            float((0.5 * (net(F_test) - y_test) ** 2).mean())

    def update() -> None:
        step()
        frame()

    def epoch() -> None:
        order = torch.randperm(len(y))
        for start in range(0, len(y), 10):
            idx = order[start : start + 10]
            step(F[idx], y[idx])
        frame()

    return step, update, epoch


def _median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def _spiral_epochs(seed: int, limit: int = 1000) -> int | None:
    s = Session(State.from_hash(HASH + f"&seed={seed}"))
    while s.epoch < limit:
        s.step()
        if s.test_losses[-1] < 0.1:
            return s.epoch
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", default=str(HERE / "results" / "playground.md"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows: dict[str, dict[str, list[float]]] = {"engine": {}, "torch": {}}
    with threadpool_limits(limits=1):
        for _ in range(args.repeats):
            for side, make in (("engine", _engine_side), ("torch", _torch_side)):
                session = Session(State.from_hash(HASH))
                step, update, epoch = make(session)
                for name, fn, n in (
                    ("step", step, args.updates),
                    ("update", update, args.updates),
                    ("epoch", epoch, max(5, args.updates // 10)),
                ):
                    rows[side].setdefault(name, []).append(_median_ms(fn, n))
        epochs = [_spiral_epochs(seed) for seed in range(1, args.seeds + 1)]
    med = {s: {k: statistics.median(v) for k, v in d.items()} for s, d in rows.items()}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## playground: live training, engine vs PyTorch",
        "",
        f"`python bench/playground.py --repeats {args.repeats} --updates {args.updates}` on "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{load:.1f} at the end; one thread each side; medians of {args.repeats} interleaved repeats.",
        "Network: 2x8 tanh, features x1, x2, sin x1, sin x2, spiral of 500 points (250 to train), "
        "batch 10. An update = one training step + the 50x50 output map, every neuron's map, both "
        "losses (what the page receives per frame).",
        "",
        "| per | engine (ms) | PyTorch (ms) | ratio | engine updates/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in ("step", "update", "epoch"):
        e, t = med["engine"][name], med["torch"][name]
        rate = f"{1000 / e:.0f}" if name != "step" else ""
        lines.append(f"| {name} | {e:.3f} | {t:.3f} | {e / t:.2f} | {rate} |")
    reached = [e for e in epochs if e is not None]
    lines += [
        "",
        f"Spiral, 2x8 tanh + sin features, lr 0.03, batch 10, noise 0: epochs to test loss < 0.1 for "
        f"seeds 1..{args.seeds}: {', '.join(str(e) for e in epochs)}"
        + (f" (median {statistics.median(reached):.0f})." if reached else "."),
        "",
    ]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
