"""`check_op`: one call checks an engine op forward and backward against PyTorch (float32) and
against central finite differences (float64). Each op test is then one line.

Tolerances (float32 vs torch): forward atol 1e-5 / rtol 1e-4 unless the test says otherwise;
gradients the same. Finite differences in float64: eps 1e-6, atol 1e-6 / rtol 1e-4.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from mltutorial import engine

torch.set_num_threads(1)


def make_inputs(
    shapes: Sequence[tuple[int, ...]],
    seed: int = 0,
    positive: bool = False,
    low: float = -2.0,
    high: float = 2.0,
) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        a = rng.uniform(0.2, 2.0, shape) if positive else rng.uniform(low, high, shape)
        arrays.append(a)
    return arrays


def _to_np(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return t.data


def finite_difference_check(
    fn: Callable[..., engine.Tensor],
    arrays: Sequence[np.ndarray],
    grad_mask: Sequence[bool] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    seed: int = 1,
) -> None:
    """Analytic gradients of sum(fn(*x) * G) in float64 against central differences."""
    xs = [engine.tensor(a.astype(np.float64), requires_grad=True) for a in arrays]
    out = fn(*xs)
    assert out.dtype == np.float64, f"float64 inputs gave {out.dtype}"
    G = np.random.default_rng(seed).standard_normal(out.shape)
    (out * engine.tensor(G)).sum().backward()
    mask = grad_mask or [True] * len(arrays)
    for i, (a, x) in enumerate(zip(arrays, xs)):
        if not mask[i]:
            continue
        num = np.zeros(a.shape)
        flat = a.astype(np.float64).copy().reshape(-1)
        for j in range(flat.size):
            orig = flat[j]
            vals = []
            for step in (eps, -eps):
                flat[j] = orig + step
                args = [
                    engine.tensor(flat.reshape(a.shape))
                    if k == i
                    else engine.tensor(b.astype(np.float64))
                    for k, b in enumerate(arrays)
                ]
                with engine.no_grad():
                    vals.append(float((fn(*args).data * G).sum()))
            flat[j] = orig
            num.reshape(-1)[j] = (vals[0] - vals[1]) / (2 * eps)
        assert x.grad is not None, f"input {i} got no gradient"
        np.testing.assert_allclose(
            x.grad.data, num, atol=atol, rtol=rtol, err_msg=f"d/dx{i} vs finite differences"
        )


def check_op(
    shapes: Sequence[tuple[int, ...]],
    ours: Callable[..., Any],
    reference: Callable[..., Any] | None = None,
    *,
    positive: bool = False,
    arrays: Sequence[np.ndarray] | None = None,
    grad_mask: Sequence[bool] | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    fd: bool = True,
    fd_atol: float = 1e-6,
    fd_rtol: float = 1e-4,
    seed: int = 0,
) -> None:
    """Check `ours(*engine_tensors)` against `reference(*torch_tensors)` and finite differences.

    `reference` defaults to `ours` (works when the op is spelled the same in both libraries).
    Inputs are uniform in [-2, 2] (or [0.2, 2] when `positive`), or the given `arrays`.
    """
    reference = reference or ours
    arrays = list(arrays) if arrays is not None else make_inputs(shapes, seed, positive)
    mask = list(grad_mask) if grad_mask is not None else [a.dtype.kind == "f" for a in arrays]
    # float32 parity with torch
    ex = [
        engine.tensor(a.astype(np.float32) if a.dtype.kind == "f" else a, requires_grad=m)
        for a, m in zip(arrays, mask)
    ]
    tx = [
        torch.tensor(a.astype(np.float32) if a.dtype.kind == "f" else a, requires_grad=m)
        for a, m in zip(arrays, mask)
    ]
    e_out, t_out = ours(*ex), reference(*tx)
    assert e_out.dtype == np.float32, f"float32 inputs gave {e_out.dtype} output"
    assert e_out.shape == tuple(t_out.shape), f"shape {e_out.shape} != torch {tuple(t_out.shape)}"
    np.testing.assert_allclose(
        e_out.data, _to_np(t_out), atol=atol, rtol=rtol, err_msg="forward vs torch"
    )
    if not any(mask):
        return
    G = np.random.default_rng(seed + 1).standard_normal(e_out.shape).astype(np.float32)
    e_out.backward(G) if e_out.ndim else (e_out * float(G)).backward()
    t_out.backward(torch.tensor(G))
    for i, (e, t) in enumerate(zip(ex, tx)):
        if not mask[i]:
            continue
        assert e.grad is not None, f"input {i}: no gradient"
        assert e.grad.dtype == np.float32, f"input {i}: gradient dtype {e.grad.dtype}"
        np.testing.assert_allclose(
            e.grad.data, _to_np(t.grad), atol=atol, rtol=rtol, err_msg=f"d/dx{i} vs torch"
        )
    if fd:
        finite_difference_check(ours, arrays, mask, atol=fd_atol, rtol=fd_rtol, seed=seed + 2)
