"""Training sanity: an MLP learns XOR exactly; a small MLP reaches >= 97% on two moons."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from mltutorial import engine
from mltutorial.engine import nn, optim
from mltutorial.engine.nn import functional as F


def test_mlp_learns_xor_exactly():
    engine.manual_seed(0)
    X = engine.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = engine.tensor([0, 1, 1, 0])
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        loss = F.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert model(X).argmax(1).tolist() == [0, 1, 1, 0]
    assert loss.item() < 0.01


def test_small_mlp_two_moons_at_least_97_percent():
    X, y = make_moons(n_samples=1000, noise=0.1, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    engine.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2)
    )
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    Xt, yt = engine.tensor(X_train, dtype=engine.float32), engine.tensor(y_train)
    rng = np.random.default_rng(0)
    for _ in range(60):
        order = rng.permutation(len(X_train))
        for start in range(0, len(order), 32):
            idx = order[start : start + 32]
            loss = F.cross_entropy(model(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with engine.no_grad():
        pred = model(engine.tensor(X_test, dtype=engine.float32)).argmax(1).numpy()
    accuracy = (pred == y_test).mean()
    assert accuracy >= 0.97, accuracy
