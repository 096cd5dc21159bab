"""First, fast parity checks across the whole engine surface (ops, layers, losses, optimizers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from oracle import check_op

from mltutorial import engine
from mltutorial.engine import nn
from mltutorial.engine.nn import functional as F


@pytest.mark.parametrize(
    ("shapes", "fn"),
    [
        ([(3, 4), (3, 4)], lambda a, b: a + b),
        ([(3, 4), (4,)], lambda a, b: a * b),
        ([(3, 1), (1, 4)], lambda a, b: a - b),
        ([(2, 3), (2, 3)], lambda a, b: a / (b * b + 1)),
        ([(3, 4), (4, 5)], lambda a, b: a @ b),
        ([(2, 2, 3, 4), (2, 2, 4, 3)], lambda a, b: a @ b),
        ([(3, 4)], lambda a: a.exp().sum(1)),
        ([(3, 4)], lambda a: a.tanh().mean(0, keepdim=True)),
        ([(3, 4)], lambda a: a.sigmoid() * a.relu()),
        ([(3, 4)], lambda a: a.softmax(-1)),
        ([(3, 4)], lambda a: a.log_softmax(1)),
        ([(2, 3, 4)], lambda a: a.permute(2, 0, 1).reshape(4, 6)),
        ([(2, 3, 4)], lambda a: a[:, 1:, ::2]),
        ([(3, 4)], lambda a: a.max(1).values),
        ([(3, 4)], lambda a: a**3),
    ],
)
def test_core_ops_match_torch(shapes, fn):
    check_op(shapes, fn)


def test_conv_pool_match_torch():
    check_op(
        [(2, 3, 6, 6), (4, 3, 3, 3), (4,)],
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda x, w, b: TF.conv2d(x, w, b, padding=1),
    )
    check_op([(2, 3, 6, 6)], lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2))


def test_cross_entropy_matches_torch():
    target = np.array([0, 2, 1, 3])
    check_op(
        [(4, 5)],
        lambda x: F.cross_entropy(x, engine.tensor(target)),
        lambda x: TF.cross_entropy(x, torch.tensor(target)),
    )


def test_mlp_adam_steps_match_torch():
    engine.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    ref = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    model.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    opt = engine.optim.Adam(model.parameters(), lr=1e-2)
    topt = torch.optim.Adam(ref.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((16, 6)).astype(np.float32), rng.integers(0, 3, 16)
    for _ in range(5):
        loss = F.cross_entropy(model(engine.tensor(X)), engine.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tloss = TF.cross_entropy(ref(torch.tensor(X)), torch.tensor(y))
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert abs(loss.item() - tloss.item()) < 1e-5
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[k].data, v.numpy(), atol=1e-5)
