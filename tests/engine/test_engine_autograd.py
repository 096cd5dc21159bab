"""Autograd mechanics and PyTorch-like errors: accumulation, shared leaves, no_grad, graph freeing,
dtypes (float32 kept, float64 on request), deep graphs, in-place updates, save/load."""

from __future__ import annotations

import numpy as np
import pytest

from mltutorial import engine
from mltutorial.engine import nn
from mltutorial.engine.nn import functional as F


def test_gradients_accumulate_in_place_across_backward_calls():
    x = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    buf = x.grad.data
    (x * 3).sum().backward()
    assert x.grad.data is buf  # accumulated into the same buffer
    np.testing.assert_allclose(x.grad.data, 2 * x.data + 3)


def test_shared_leaves_do_not_alias_their_grad_buffers():
    a = engine.tensor([1.0, 2.0], requires_grad=True)
    b = engine.tensor([5.0, 6.0], requires_grad=True)
    (a + b).sum().backward()
    (a * 2).sum().backward()
    np.testing.assert_allclose(a.grad.data, [3.0, 3.0])
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])
    c = engine.tensor([2.0], requires_grad=True)
    (c * c + c).sum().backward()  # the same leaf reached by three paths
    np.testing.assert_allclose(c.grad.data, [5.0])


def test_backward_frees_the_graph_and_keeps_it_when_asked():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y = h.sum()
    y.backward()
    assert h._backward is None and h._prev == ()
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(x.grad.data, np.exp([1.0, 2.0]) + 4 * x.data)


def test_no_grad_detach_and_requires_grad_flags():
    w = engine.randn(3, requires_grad=True)
    with engine.no_grad():
        y = w * 2
    assert not y.requires_grad
    assert not w.detach().requires_grad
    assert (w * 2).requires_grad and engine.is_grad_enabled()

    @engine.no_grad()
    def f(t):
        return t * 3

    assert not f(w).requires_grad


def test_manual_sgd_update_under_no_grad_and_inplace_error():
    w = engine.tensor([1.0, -1.0], requires_grad=True)
    (w * w).sum().backward()
    with pytest.raises(RuntimeError, match="in-place"):
        w -= 0.1 * w.grad
    with engine.no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.data, [0.8, -0.8])
    w.grad.zero_()
    assert np.all(w.grad.data == 0)


def test_float32_is_kept_and_float64_works():
    x = engine.randn(4, 3)
    assert x.dtype == np.float32
    for y in (
        x * 2.5,
        x / 3,
        x**2,
        x.exp(),
        x.mean(),
        x.var(),
        F.gelu(x),
        x.softmax(-1),
        1 - x,
        engine.tensor(np.float64(2.0)) * 1 + x,
    ):
        assert y.dtype == np.float32, y
    assert engine.tensor([1.5, 2.0]).dtype == np.float32
    assert engine.tensor([1, 2]).dtype == np.int64
    d = engine.randn(4, 3, dtype=engine.float64, requires_grad=True)
    lin = nn.Linear(3, 2).double()
    out = F.cross_entropy(lin(d), engine.tensor([0, 1, 1, 0]))
    out.backward()
    assert (
        out.dtype == np.float64
        and d.grad.dtype == np.float64
        and lin.weight.grad.dtype == np.float64
    )
    assert x.double().dtype == np.float64 and x.to(engine.float64).float().dtype == np.float32


def test_deep_graph_does_not_recurse():
    x = engine.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0001**5000], rtol=1e-3)


def test_retain_grad_on_intermediate():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.data, 2 * h.data)


# ---------------------------------------------------------------------- errors read like PyTorch's
def test_shape_mismatch_errors_name_both_shapes():
    a, b = engine.randn(2, 3), engine.randn(2, 4)
    with pytest.raises(RuntimeError) as e:
        a + b
    assert "(2, 3)" in str(e.value) and "(2, 4)" in str(e.value)
    assert "must match the size of tensor b" in str(e.value)
    with pytest.raises(
        RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"
    ):
        engine.randn(2, 3) @ engine.randn(4, 5)
    with pytest.raises(RuntimeError, match=r"\(8x3 and 4x2\)"):
        nn.Linear(4, 2)(engine.randn(8, 3))
    with pytest.raises(RuntimeError, match="expected input"):
        nn.Conv2d(3, 4, 3)(engine.randn(1, 2, 8, 8))
    with pytest.raises(RuntimeError, match="invalid for input of size 6"):
        engine.randn(2, 3).reshape(4, 2)
    with pytest.raises(ValueError, match="target size"):
        F.mse_loss(engine.randn(3), engine.randn(4))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(engine.randn(2, 3), engine.tensor([0, 3]))


def test_backward_on_non_scalar_needs_gradient():
    y = engine.randn(3, requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        y.backward()
    y.backward(engine.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        engine.randn(3).sum().backward()


def test_dtype_mismatch_raises_instead_of_upcasting():
    with pytest.raises(RuntimeError, match="same dtype"):
        nn.Linear(3, 2)(engine.randn(4, 3, dtype=engine.float64))


def test_load_state_dict_errors_and_save_load_roundtrip(tmp_path):
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    path = engine.save(m, tmp_path / "m.npz")
    m2 = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    m2.load_state_dict(engine.load(path))
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(m2.state_dict()[k].data, v.data)
    assert m2.state_dict()["1.num_batches_tracked"].dtype == np.int64
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight.*\(4, 3\).*\(5, 3\)"):
        nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5)).load_state_dict(engine.load(path))
    with pytest.raises(RuntimeError, match=r'Missing key.*"1\.bias"'):
        nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 4)).load_state_dict(
            {"0.weight": np.zeros((4, 3))}
        )
    bad = tmp_path / "bad.npz"
    bad.write_text("not a zip")
    with pytest.raises(engine.LoadError, match="not a state dict"):
        engine.load(bad)
    with pytest.raises(engine.LoadError, match="no such model file"):
        engine.load(tmp_path / "missing.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npz", "m.npz"]  # no temp files left


def test_scatter_add_rows_equals_add_at():
    from mltutorial.engine.nn.functional import _scatter_add_rows

    rng = np.random.default_rng(0)
    index, rows = rng.integers(0, 7, 50), rng.standard_normal((50, 3)).astype(np.float32)
    expected = np.zeros((7, 3), np.float32)
    np.add.at(expected, index, rows)
    np.testing.assert_allclose(_scatter_add_rows(index, rows, 7), expected, rtol=1e-6, atol=1e-6)


def test_cnn_training_step_stays_float32_everywhere():
    engine.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4 * 4 * 4, 3), nn.GELU(), nn.LayerNorm(3),
    )  # fmt: skip
    opt = engine.optim.AdamW(model.parameters())
    out = model(engine.randn(5, 1, 8, 8))
    loss = F.cross_entropy(out, engine.tensor([0, 1, 2, 0, 1]))
    loss.backward()
    opt.step()
    assert out.dtype == loss.dtype == np.float32
    for p in model.parameters():
        assert p.dtype == p.grad.dtype == np.float32
        assert all(
            v.dtype == np.float32 for v in opt.state[id(p)].values() if isinstance(v, np.ndarray)
        )
    assert all(b.dtype in (np.float32, np.int64) for b in model.buffers())


def test_numpy_interop():
    t = engine.tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(np.asarray(t), [1.0, 2.0])
    out = np.array([1.0, 1.0], dtype=np.float32) + t  # ndarray on the left defers to the Tensor
    assert isinstance(out, engine.Tensor) and out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(t.grad.data, [1.0, 1.0])
