"""One browser tab's training run: data, network, epoch counter and losses; no HTTP in here.

`Session(state)` generates the data the state asks for and builds the network; `step()` trains one
epoch and returns the frame the page draws (losses, the output heat map, every neuron's small map, the
weights); `set_state(state)` keeps training when only the learning rate, the regularisation rate or
the batch size changed (as TensorFlow Playground does) and starts over otherwise; `reset()` starts
over with fresh weights. A diverging cost stops the run cleanly: the frame says at which step and
what cost, and further steps are refused until a reset.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

from mltutorial.engine.trainer import DivergenceError
from mltutorial.playground import datasets, network
from mltutorial.playground.state import FEATURES, State, check_work

GRID = 50  # the output heat map is GRID x GRID cells over [-6, 6]^2
SMALL = 25  # each neuron's map is SMALL x SMALL (every other cell)
# Controls that change how training goes on, or only the drawing: no fresh start.
LIVE_CONTROLS = frozenset(
    {"lr", "regRate", "batch", "preset", "neurons", "filter", "image", "showTest", "discretize"}
)


@dataclass
class Upload:
    """A checked CSV: points scaled into the heat map's square, and its problem kind."""

    X: np.ndarray  # (n_samples, 2)
    y: np.ndarray  # (n_samples,)
    problem: str
    name: str


def _bytes(values: np.ndarray) -> str:
    """Values in [-1, 1] as base64 bytes 0..255 (the page decodes and colours them)."""
    q = np.round((np.clip(np.nan_to_num(values), -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def _grid() -> np.ndarray:
    """(GRID * GRID, 2) cell centres, row by row from the top (x2 = +6) down."""
    edges = np.linspace(-datasets.DOMAIN, datasets.DOMAIN, GRID + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


class Session:
    """The training run of one tab. Not thread-safe: one caller at a time (the socket's loop)."""

    def __init__(self, state: State, upload: Upload | None = None):
        self.upload = upload
        self.grid = _grid()
        self.state = state
        self.reset()

    # -- building -------------------------------------------------------------------------------

    @property
    def problem(self) -> str:
        if self.state["dataset"] == "upload" and self.upload is not None:
            return self.upload.problem
        return self.state.problem

    def _data(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.state
        if s["dataset"] == "upload":
            if self.upload is None:
                raise ValueError("dataset=upload needs a CSV: upload one first")
            return self.upload.X, self.upload.y
        return datasets.generate(s["dataset"], s["points"], s["noise"], s["seed"])

    def reset(self) -> None:
        """Fresh data split and weights from the state's seed; epoch 0."""
        s = self.state
        X, y = self._data()
        rng = np.random.default_rng(s["seed"])
        self.X_train, self.y_train, self.X_test, self.y_test = datasets.split(
            X, y, s["trainPct"], rng
        )
        check_work(len(self.y_train), s["batch"])  # an upload's size is not in the state
        self.names = s.features()
        self.F_train = network.features(self.X_train, self.names)
        self.F_test = network.features(self.X_test, self.names)
        self.F_grid = network.features(self.grid, self.names)
        self.model = network.PlaygroundNet(
            len(self.names), s["shape"], s["activation"], self.problem, rng
        )
        self.epoch = 0
        self.steps = 0
        self.diverged: dict | None = None
        self.train_losses = [network.loss(self.model, self.F_train, self.y_train)]
        self.test_losses = [network.loss(self.model, self.F_test, self.y_test)]

    def set_state(self, state: State) -> bool:
        """Apply new controls; True when the run started over (data or network changed)."""
        changed = {k for k in state.values if state[k] != self.state[k]}
        if "batch" in changed:
            check_work(len(self.y_train), state["batch"])
        self.state = state
        if changed <= LIVE_CONTROLS:
            return False
        self.reset()
        return True

    # -- training -------------------------------------------------------------------------------

    def step(self) -> bool:
        """Train one epoch; False (and nothing done) once the cost has diverged."""
        if self.diverged is not None:
            return False
        s = self.state
        try:
            costs = network.train_epoch(
                self.model,
                self.F_train,
                self.y_train,
                lr=s["lr"],
                batch_size=s["batch"],
                reg=s["reg"],
                reg_rate=s["regRate"],
                seed=s["seed"] * 100_003 + self.epoch,
            )
        except DivergenceError as exc:
            self.steps += exc.step
            self.diverged = {
                "epoch": self.epoch + 1,
                "step": self.steps,
                "cost": exc.cost if math.isfinite(exc.cost) else str(exc.cost),
                "max_cost": exc.max_cost,
                "message": f"{exc}; the engine stopped before using it (press reset)",
            }
            return False
        self.steps += len(costs)
        self.epoch += 1
        self.train_losses.append(network.loss(self.model, self.F_train, self.y_train))
        self.test_losses.append(network.loss(self.model, self.F_test, self.y_test))
        return True

    # -- what the page draws --------------------------------------------------------------------

    def frame(self) -> dict:
        """The numbers and maps of the current network (one WebSocket message)."""
        outs = network.neuron_maps(self.model, self.F_grid)  # per layer (GRID*GRID, n)
        small = np.arange(GRID * GRID).reshape(GRID, GRID)[::2, ::2].ravel()
        neurons = [[_bytes(layer[small, j]) for j in range(layer.shape[1])] for layer in outs[:-1]]
        weights = [
            [[round(float(w), 4) for w in row] for row in lin.weight.data]
            for lin in self.model.linears
        ]
        biases = [[round(float(b), 4) for b in lin.bias.data] for lin in self.model.linears]
        train_loss, test_loss = self.train_losses[-1], self.test_losses[-1]
        if self.diverged is not None:  # the weights moved within the epoch: show where they are
            train_loss = _finite(network.loss(self.model, self.F_train, self.y_train))
            test_loss = _finite(network.loss(self.model, self.F_test, self.y_test))
        return {
            "type": "frame",
            "epoch": self.epoch,
            "steps": self.steps,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "output": _bytes(outs[-1][:, 0]),
            "neurons": neurons,
            "weights": weights,
            "biases": biases,
            "diverged": self.diverged,
        }

    def setup(self) -> dict:
        """What the page needs once per start: points, input feature maps, the loss history."""
        small = self.grid.reshape(GRID, GRID, 2)[::2, ::2].reshape(-1, 2)
        inputs = network.features(small, self.names)
        scale = {n: (1.0 / 36 if n.endswith("sq") or n == "x1x2" else 1.0 / 6) for n in FEATURES}
        scale |= {"sinx1": 1.0, "sinx2": 1.0}
        return {
            "type": "setup",
            "state": self.state.public(),
            "hash": self.state.to_hash(),
            "problem": self.problem,
            "grid": GRID,
            "small": SMALL,
            "features": self.names,
            "inputs": [_bytes(inputs[:, i] * scale[n]) for i, n in enumerate(self.names)],
            "train": _points(self.X_train, self.y_train),
            "test": _points(self.X_test, self.y_test),
            "train_losses": self.train_losses,
            "test_losses": self.test_losses,
            "upload": self.upload.name if self.upload is not None else None,
        }


def _finite(value: float) -> float | str:
    """JSON has no NaN or infinity: name them."""
    return value if math.isfinite(value) else str(value)


def _points(X: np.ndarray, y: np.ndarray) -> list[list[float]]:
    return [[round(float(a), 3), round(float(b), 3), round(float(c), 3)] for (a, b), c in zip(X, y)]
