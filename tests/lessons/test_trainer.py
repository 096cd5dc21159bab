"""engine.trainer.fit: costs per step, mini-batches, early stop, and divergence as one clear error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mltutorial import engine
from mltutorial.engine import nn, optim
from mltutorial.engine.trainer import DivergenceError, History, fit
from mltutorial.errors import UserError


def _line_data(n: int = 64, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 1)).astype(np.float32)
    y = (3.0 * X + 1.0 + 0.01 * rng.normal(size=(n, 1))).astype(np.float32)
    return X, y


def test_fit_full_batch_learns_a_line_and_records_each_step():
    engine.manual_seed(0)
    X, y = _line_data()
    model = nn.Linear(1, 1)
    history = fit(
        model,
        nn.MSELoss(),
        optim.SGD(model.parameters(), lr=0.1),
        (X, y),
        num_steps=200,
        record_grad_norm=True,
        progress=False,
    )
    assert isinstance(history, History)
    assert history.steps == 200 and len(history.grad_norm) == 200
    assert history.cost[-1] < 1e-3 < history.cost[0]
    assert float(model.weight.data.ravel()[0]) == pytest.approx(3.0, abs=0.02)
    assert float(model.bias.data.ravel()[0]) == pytest.approx(1.0, abs=0.02)


def test_fit_matches_a_hand_written_gradient_descent():
    """fit's costs are those of plain gradient descent done by hand in NumPy."""
    X, y = _line_data(32)
    model = nn.Linear(1, 1)
    model.weight.data[...] = 0.5
    model.bias.data[...] = -0.5
    lr = 0.05
    history = fit(
        model,
        nn.MSELoss(),
        optim.SGD(model.parameters(), lr=lr),
        (X, y),
        num_steps=20,
        progress=False,
    )
    w, b = 0.5, -0.5
    x, t = X[:, 0].astype(np.float64), y[:, 0].astype(np.float64)
    for step in range(20):
        r = w * x + b - t
        assert history.cost[step] == pytest.approx(np.mean(r**2), rel=1e-5)
        w, b = w - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)


def test_fit_minibatches_epochs_and_early_stop():
    X, y = _line_data(50)
    model = nn.Linear(1, 1)
    h = fit(
        model,
        nn.MSELoss(),
        optim.SGD(model.parameters(), lr=0.05),
        (X, y),
        num_epochs=3,
        batch_size=16,
        progress=False,
    )
    assert h.steps == 3 * 4  # 50 samples in batches of 16: 4 per epoch
    assert h.epoch == [0] * 4 + [1] * 4 + [2] * 4
    assert len(h.epoch_cost()) == 3
    h2 = fit(
        model,
        nn.MSELoss(),
        optim.SGD(model.parameters(), lr=0.05),
        (X, y),
        num_steps=100,
        on_step=lambda step, cost: step == 5,
        progress=False,
    )
    assert h2.steps == 5 and h2.stopped_early


def test_fit_takes_a_batches_function():
    X, y = _line_data(40)

    def batches(epoch):
        for start in range(0, 40, 20):
            yield engine.tensor(X[start : start + 20]), engine.tensor(y[start : start + 20])

    model = nn.Linear(1, 1)
    h = fit(
        model,
        nn.MSELoss(),
        optim.SGD(model.parameters(), lr=0.1),
        batches,
        num_epochs=2,
        progress=False,
    )
    assert h.steps == 4


def test_divergence_stops_at_the_first_cost_over_max_cost():
    X, y = _line_data()
    model = nn.Linear(1, 1)
    with pytest.raises(DivergenceError) as info:
        fit(
            model,
            nn.MSELoss(),
            optim.SGD(model.parameters(), lr=5.0),
            (X, y),
            num_steps=1000,
            max_cost=1e6,
            progress=False,
        )
    exc = info.value
    assert isinstance(exc, UserError)
    costs = exc.history.cost
    assert exc.step == len(costs) and costs[-1] == exc.cost > 1e6
    assert all(c <= 1e6 for c in costs[:-1])  # the first step over the limit, not a later one
    msg = str(exc)
    assert msg.startswith(f"cost diverged at step {exc.step}: ") and "> 1e+06" in msg
    assert "lower the learning rate" in msg and "\n" not in msg
    # no update was made from the diverged cost: the model still gives that cost
    y_hat = model(engine.tensor(X))
    assert float(nn.MSELoss()(y_hat, engine.tensor(y)).item()) == pytest.approx(exc.cost, rel=1e-5)


def test_divergence_on_nan():
    model = nn.Linear(1, 1)
    X = np.array([[1.0], [np.nan]], dtype=np.float32)
    y = np.zeros((2, 1), dtype=np.float32)
    with pytest.raises(DivergenceError, match=r"cost diverged at step 1: the cost is nan"):
        fit(
            model,
            nn.MSELoss(),
            optim.SGD(model.parameters(), lr=0.1),
            (X, y),
            num_steps=5,
            progress=False,
        )


def test_fit_needs_a_length():
    model = nn.Linear(1, 1)
    X, y = _line_data(4)
    with pytest.raises(ValueError):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y))


def test_zero_dim_gradients_accumulate():
    """Regression: a 0-d tensor used twice got the wrong gradient (t*t + t gave 1.5, not 2)."""
    t = engine.tensor(np.array(0.5), requires_grad=True)
    J = t**4 - 3 * t**2 + t
    J.backward()
    assert float(t.grad.data) == pytest.approx(4 * 0.125 - 6 * 0.5 + 1)
    assert math.isfinite(float(J.item()))


def test_on_epoch_sees_each_pass_and_per_sample_epoch_costs_weigh_the_short_batch():
    engine.manual_seed(0)
    X, y = _line_data(n=10)
    model = nn.Linear(1, 1)
    seen = []

    def after(epoch, history):
        seen.append((epoch, history.steps))

    history = fit(
        model,
        nn.MSELoss(),
        optim.SGD(model.parameters(), lr=0.01),
        (X, y),
        num_epochs=3,
        batch_size=4,  # batches of 4, 4 and 2 rows
        on_epoch=after,
        progress=False,
    )
    assert seen == [(0, 3), (1, 6), (2, 9)]
    assert history.n_samples == [4, 4, 2] * 3
    costs = np.asarray(history.cost[:3])
    assert history.epoch_cost()[0] == pytest.approx(costs.mean())
    assert history.epoch_cost(per_sample=True)[0] == pytest.approx(costs @ [4, 4, 2] / 10)
    assert history.epoch_cost(per_sample=True)[0] != pytest.approx(costs.mean())


def test_on_epoch_stops_early_and_is_not_called_for_the_pass_num_steps_ends():
    X, y = _line_data(n=8)
    model = nn.Linear(1, 1)
    opt = optim.SGD(model.parameters(), lr=0.01)
    history = fit(
        model, nn.MSELoss(), opt, (X, y), num_epochs=5, batch_size=4,
        on_epoch=lambda epoch, h: epoch == 1, progress=False,
    )  # fmt: skip
    assert history.stopped_early and history.steps == 4
    epochs = []
    history = fit(
        model, nn.MSELoss(), opt, (X, y), num_steps=4, batch_size=4,
        on_epoch=lambda epoch, h: epochs.append(epoch), progress=False,
    )  # fmt: skip
    assert history.steps == 4 and epochs == [0]  # the step limit ends training in the second pass


def test_fit_shuffles_as_a_hand_written_loop_does():
    # the apps' loops drew rng.permutation(n) once per epoch from default_rng(seed); fit keeps that
    # order, so moving a loop onto fit leaves its numbers as they were
    X, y = _line_data(n=10)
    batches = []
    fit(
        lambda xb: xb * engine.tensor(np.ones((1, 1), np.float32), requires_grad=True),
        lambda y_hat, yb: batches.append(yb.data.copy()) or ((y_hat - yb) ** 2).mean(),
        optim.SGD([engine.tensor(np.zeros(1, np.float32), requires_grad=True)], lr=0.0),
        (X, y),
        num_epochs=2,
        batch_size=4,
        seed=7,
        progress=False,
    )
    rng = np.random.default_rng(7)
    expected = []
    for _ in range(2):
        order = rng.permutation(10)
        expected += [y[order[i : i + 4]] for i in range(0, 10, 4)]
    assert len(batches) == len(expected)
    for got, want in zip(batches, expected):
        np.testing.assert_array_equal(got, want)
