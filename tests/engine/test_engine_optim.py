"""Optimizers: 20 steps from identical weights give the same parameters as torch.optim (1e-5)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from mltutorial import engine
from mltutorial.engine import nn, optim
from mltutorial.engine.nn import functional as F

CASES = {
    "sgd": (lambda p: optim.SGD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    "sgd_momentum_wd": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-2),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-2),
    ),
    "sgd_nesterov_dampening": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3),
    ),
    "adam": (lambda p: optim.Adam(p, lr=1e-2), lambda p: torch.optim.Adam(p, lr=1e-2)),
    "adam_wd": (
        lambda p: optim.Adam(p, lr=1e-2, betas=(0.8, 0.99), weight_decay=1e-2),
        lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.8, 0.99), weight_decay=1e-2),
    ),
    "adam_amsgrad": (
        lambda p: optim.Adam(p, lr=1e-2, amsgrad=True),
        lambda p: torch.optim.Adam(p, lr=1e-2, amsgrad=True),
    ),
    "adamw": (lambda p: optim.AdamW(p, lr=1e-2), lambda p: torch.optim.AdamW(p, lr=1e-2)),
    "adamw_wd": (
        lambda p: optim.AdamW(p, lr=1e-2, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_twenty_steps_match_torch(name):
    make_ours, make_ref = CASES[name]
    ref = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    ours = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3))
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    opt, topt = make_ours(ours.parameters()), make_ref(ref.parameters())
    rng = np.random.default_rng(0)
    for _ in range(20):
        X = rng.standard_normal((32, 5)).astype(np.float32)
        y = rng.integers(0, 3, 32)
        opt.zero_grad()
        F.cross_entropy(ours(engine.tensor(X)), engine.tensor(y)).backward()
        opt.step()
        topt.zero_grad()
        TF.cross_entropy(ref(torch.tensor(X)), torch.tensor(y)).backward()
        topt.step()
    for k, v in ref.state_dict().items():
        got = ours.state_dict()[k].data
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, v.numpy(), atol=1e-5, rtol=0)


def test_param_groups_and_scheduler():
    a, b = nn.Parameter(engine.ones(2)), nn.Parameter(engine.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    (a.sum() + b.sum()).backward()
    opt.step()
    np.testing.assert_allclose(a.data, 0.9)
    np.testing.assert_allclose(b.data, 0.5)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    sched.step()
    sched.step()
    assert sched.get_last_lr() == pytest.approx([0.01, 0.05])


def test_zero_grad_and_no_grad_param_skipped():
    p, q = nn.Parameter(engine.ones(3)), nn.Parameter(engine.ones(3))
    opt = optim.Adam([p, q], lr=0.1)
    (p * 2).sum().backward()
    opt.step()
    assert q.grad is None and np.all(q.data == 1) and np.all(p.data < 1)
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("norm_type", [2.0, float("inf"), 1.0, 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    """The joint norm returned and the gradients after clipping (or not, when under max_norm)."""
    from mltutorial.engine.nn.utils import clip_grad_norm_

    rng = np.random.default_rng(0)
    shapes = [(7, 5), (5,), (3, 4, 2)]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ours = [engine.tensor(np.zeros(s, np.float32), requires_grad=True) for s in shapes]
    theirs = [torch.zeros(s, requires_grad=True) for s in shapes]
    for p, q, g in zip(ours, theirs, grads):
        p.grad = engine.tensor(g.copy())
        q.grad = torch.from_numpy(g.copy())
    no_grad = engine.tensor(np.zeros(2, np.float32))  # a parameter without a gradient is skipped
    total = clip_grad_norm_([*ours, no_grad], max_norm, norm_type)
    expect = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert float(total.item()) == pytest.approx(float(expect), rel=1e-6)
    for p, q, g in zip(ours, theirs, grads):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-6, atol=1e-7)
        assert (max_norm > 10) == np.array_equal(p.grad.data, g)
