"""Training without a browser: each control's effect on the session, divergence, the spiral's epochs."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from mltutorial.playground.session import GRID, SMALL, Session, Upload
from mltutorial.playground.state import State


def _session(text: str = "", **values) -> Session:
    return Session(State.from_hash(text).update(values))


def _weights(s: Session) -> list[np.ndarray]:
    return [np.array(lin.weight.data) for lin in s.model.linears]


def test_a_frame_has_every_map_and_weight():
    s = _session("dataset=xor&shape=3,2")
    f = s.frame()
    assert len(base64.b64decode(f["output"])) == GRID * GRID
    assert [len(layer) for layer in f["neurons"]] == [3, 2]
    assert all(len(base64.b64decode(m)) == SMALL * SMALL for m in f["neurons"][0])
    assert [np.shape(w) for w in f["weights"]] == [(3, 2), (2, 3), (1, 2)]
    setup = s.setup()
    assert len(setup["train"]) == 250 and len(setup["test"]) == 250
    assert setup["features"] == ["x1", "x2"] and len(setup["inputs"]) == 2


def test_training_lowers_the_loss_and_counts_epochs():
    s = _session("dataset=gauss")
    before = s.test_losses[-1]
    for _ in range(5):
        assert s.step()
    assert s.epoch == 5 and s.steps == 5 * 25  # 250 training points in batches of 10
    assert s.test_losses[-1] < before / 2


@pytest.mark.parametrize(
    ("control", "value", "check"),
    [
        ("points", 200, lambda s: len(s.y_train) + len(s.y_test) == 200),
        ("trainPct", 80, lambda s: len(s.y_train) == 400),
        ("shape", (5, 5, 5), lambda s: len(s.model.linears) == 4),
        ("shape", (), lambda s: len(s.model.linears) == 1),
        ("x1sq", True, lambda s: s.F_train.shape[1] == 3),
        ("sinx1", True, lambda s: np.allclose(s.F_train[:, 2], np.sin(s.X_train[:, 0]), atol=1e-6)),
        ("dataset", "reg-plane", lambda s: s.problem == "regression"),
    ],
)
def test_controls_that_rebuild(control, value, check):
    s = _session()
    s.step()
    assert s.set_state(s.state.update({control: value})) is True
    assert s.epoch == 0 and check(s)


def test_live_controls_keep_training():
    s = _session()
    s.step()
    for change in ({"lr": 0.3}, {"batch": 25}, {"regRate": 0.01}):
        assert s.set_state(s.state.update(change)) is False
    assert s.epoch == 1
    s.step()
    assert s.steps == 25 + 10  # the new batch size: 250 points in batches of 25


def test_learning_rate_scales_the_first_update():
    moves = []
    for lr in (0.01, 0.02):
        s = _session("batch=100&points=200", lr=lr)  # one full batch: the same gradient
        w0 = _weights(s)
        s.step()
        moves.append(sum(np.abs(a - b).sum() for a, b in zip(_weights(s), w0)))
    assert moves[1] == pytest.approx(2 * moves[0], rel=1e-3)


def test_regularisation_shrinks_the_weights():
    norms, zeros = {}, {}
    for reg in ("none", "L1", "L2"):
        s = _session("dataset=gauss", reg=reg, regRate=0.1)
        for _ in range(20):
            s.step()
        weights = np.concatenate([w.ravel() for w in _weights(s)])
        norms[reg], zeros[reg] = np.abs(weights).sum(), np.sum(np.abs(weights) < 0.01)
    assert norms["L1"] < 0.5 * norms["none"] and norms["L2"] < 0.8 * norms["none"]
    assert zeros["L1"] > zeros["none"]  # L1 drives weights to zero


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_activation_shapes_the_hidden_maps(activation):
    s = _session(activation=activation)
    hidden = s.model.layers(__import__("mltutorial.engine", fromlist=["tensor"]).tensor(s.F_grid))
    h = hidden[0].detach().numpy()
    if activation == "relu":
        assert h.min() >= 0
    elif activation == "sigmoid":
        assert h.min() > 0 and h.max() < 1
    elif activation == "tanh":
        assert h.min() > -1 and h.max() < 1
    else:
        assert np.abs(h).max() > 1  # unbounded on the [-6, 6] square


def test_noise_and_seed_change_the_data():
    a, b = _session(), _session(noise=0.3)
    assert not np.array_equal(a.y_train, b.y_train) or not np.array_equal(a.X_train, b.X_train)
    c, d = _session(seed=7), _session(seed=7)
    c.step()
    d.step()
    assert c.test_losses == d.test_losses  # a link reproduces the run


def test_divergence_stops_cleanly():
    s = _session("dataset=reg-plane&activation=linear&shape=8,8&lr=10")
    assert s.step() is False
    assert s.diverged is not None and s.diverged["step"] >= 1
    assert "diverged at step" in s.diverged["message"]
    frame = s.frame()
    assert frame["diverged"] == s.diverged
    assert frame["test_loss"] == "inf" or frame["test_loss"] > 1e3  # where the weights are now
    assert len(s.test_losses) == 1  # the curve keeps only finished epochs
    assert s.step() is False  # refused until a reset
    s.reset()
    assert s.diverged is None and s.epoch == 0


def test_uploaded_points_train():
    rng = np.random.default_rng(0)
    X = rng.uniform(-5, 5, (60, 2))
    up = Upload(X, np.where(X[:, 0] > 0, 1.0, -1.0), "classification", "mine.csv")
    s = Session(State.make(dataset="upload"), up)
    assert len(s.y_train) + len(s.y_test) == 60
    for _ in range(30):
        s.step()
    assert s.test_losses[-1] < 0.2
    with pytest.raises(ValueError, match="upload"):
        Session(State.make(dataset="upload"))


SPIRAL = "dataset=spiral&shape=8,8&activation=tanh&sinx1=true&sinx2=true&seed=1"
SPIRAL_EPOCHS = 67  # measured: seeds 1-5 take 67, 71, 88, 60, 54 (bench/playground.py)


def test_spiral_reaches_test_loss_below_0_1():
    s = Session(State.from_hash(SPIRAL))
    while s.test_losses[-1] >= 0.1 and s.epoch < 200:
        s.step()
    assert s.test_losses[-1] < 0.1
    assert s.epoch == pytest.approx(SPIRAL_EPOCHS, rel=0.3)


@pytest.mark.slow
def test_thirty_heat_map_updates_a_second():
    """The issue's bar: 2x8 tanh on 500 points, one epoch and one frame per update, >= 30/s."""
    import time

    s = Session(State.from_hash("dataset=spiral&shape=8,8&activation=tanh&points=500"))
    times = []
    for _ in range(60):
        t = time.perf_counter()
        s.step()
        s.frame()
        times.append(time.perf_counter() - t)
    assert 1 / float(np.median(times)) >= 30
