"""The playground's network on the engine: features in, hidden layers of 1-8 neurons, one output.

As in TensorFlow Playground's `nn.ts`: inputs are chosen features of (x1, x2); each hidden layer is a
`Linear` followed by the chosen activation; the output neuron is tanh for classification (labels -1
and +1) and linear for regression; weights start uniform in [-0.5, 0.5] and biases at 0.1; the cost
is J = mean 1/2 (h - y)^2 over a mini-batch, plus the regularisation rate times sum |w| (L1) or
sum w^2 / 2 (L2) over the weights (not the biases); plain gradient descent with the learning rate.

One epoch is one pass over the training points in shuffled mini-batches, done by the engine's
`trainer.fit`, so a diverging cost stops with `DivergenceError` (the step and the cost) instead of
filling the page with NaN.
"""

from __future__ import annotations

import itertools

import numpy as np

from mltutorial import engine
from mltutorial.engine import nn, optim
from mltutorial.engine.trainer import fit

FEATURE_FUNCTIONS = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1sq": lambda X: X[:, 0] ** 2,
    "x2sq": lambda X: X[:, 1] ** 2,
    "x1x2": lambda X: X[:, 0] * X[:, 1],
    "sinx1": lambda X: np.sin(X[:, 0]),
    "sinx2": lambda X: np.sin(X[:, 1]),
}
MAX_COST = 1e6  # the worst_case lesson's threshold: past it the engine stops cleanly


def features(X: np.ndarray, names: list[str]) -> np.ndarray:
    """(n_samples, len(names)) float32 columns of the chosen features of X (n_samples, 2)."""
    return np.column_stack([FEATURE_FUNCTIONS[n](X) for n in names]).astype(np.float32)


def _activate(z: engine.Tensor, name: str) -> engine.Tensor:
    if name == "relu":
        return z.relu()
    if name == "tanh":
        return z.tanh()
    if name == "sigmoid":
        return z.sigmoid()
    return z


class PlaygroundNet(nn.Module):
    """h(x) = out(W_L act(... act(W_1 features(x) + b_1) ...) + b_L); `layers()` keeps every neuron."""

    def __init__(
        self,
        n_inputs: int,
        shape: tuple[int, ...],
        activation: str,
        problem: str,
        rng: np.random.Generator,
    ):
        super().__init__()
        sizes = [n_inputs, *shape, 1]
        self.linears = nn.ModuleList([nn.Linear(a, b) for a, b in itertools.pairwise(sizes)])
        for lin in self.linears:  # TensorFlow Playground's start: U(-0.5, 0.5), bias 0.1
            lin.weight.data[...] = rng.uniform(-0.5, 0.5, lin.weight.shape)
            lin.bias.data[...] = 0.1
        self.activation = activation
        self.problem = problem

    def layers(self, x: engine.Tensor) -> list[engine.Tensor]:
        """The output of every layer, hidden ones first, the network's output last (n, 1)."""
        outs = []
        for i, lin in enumerate(self.linears):
            z = lin(x)
            last = i == len(self.linears) - 1
            if last:
                x = z.tanh() if self.problem == "classification" else z
            else:
                x = _activate(z, self.activation)
            outs.append(x)
        return outs

    def forward(self, x: engine.Tensor) -> engine.Tensor:
        return self.layers(x)[-1]

    def penalty(self, kind: str) -> engine.Tensor | float:
        """sum |w| (L1) or sum w^2 / 2 (L2) over the weight matrices; 0 for none."""
        if kind == "none":
            return 0.0
        total: engine.Tensor | float = 0.0
        for lin in self.linears:
            w = lin.weight
            total = total + (w.abs().sum() if kind == "L1" else 0.5 * (w * w).sum())
        return total


def half_mse(y_hat: engine.Tensor, y: engine.Tensor) -> engine.Tensor:
    """The slide's J = 1/2 (h - y)^2, averaged over the batch."""
    return 0.5 * ((y_hat - y) ** 2).mean()


def train_epoch(
    model: PlaygroundNet,
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    batch_size: int,
    reg: str,
    reg_rate: float,
    seed: int,
) -> list[float]:
    """One pass over (X (n, d) float32, y (n,)) in shuffled batches; the cost of each step.

    Raises the engine's DivergenceError when a step's cost passes MAX_COST or is not finite.
    """
    opt = optim.SGD(model.parameters(), lr=lr)

    def cost(y_hat: engine.Tensor, y_b: engine.Tensor) -> engine.Tensor:
        J = half_mse(y_hat, y_b)
        return J + reg_rate * model.penalty(reg) if reg != "none" and reg_rate > 0 else J

    history = fit(
        model,
        cost,
        opt,
        (X, y.astype(np.float32)[:, None]),
        num_epochs=1,
        batch_size=batch_size,
        seed=seed,
        max_cost=MAX_COST,
        progress=False,
    )
    return history.cost


def loss(model: PlaygroundNet, X: np.ndarray, y: np.ndarray) -> float:
    """mean 1/2 (h - y)^2 without regularisation: the number TensorFlow Playground shows."""
    with engine.no_grad():
        y_hat = model(engine.tensor(X)).numpy()[:, 0].astype(np.float64)
    return float(np.mean(0.5 * (y_hat - y) ** 2))


def neuron_maps(model: PlaygroundNet, grid_features: np.ndarray) -> list[np.ndarray]:
    """Every layer's outputs on the heat-map grid: one (n_grid, n_neurons) array per layer."""
    with engine.no_grad():
        return [o.numpy() for o in model.layers(engine.tensor(grid_features))]
