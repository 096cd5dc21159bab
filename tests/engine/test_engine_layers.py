"""nn.functional ops and nn layers, forward and backward, against PyTorch and finite differences:
linear, conv2d (stride/padding/groups/dilation), pooling (padding, ceil_mode), adaptive pooling,
normalisation, embedding, activations, dropout and every loss."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from oracle import check_op, make_inputs

from mltutorial import engine
from mltutorial.engine import nn
from mltutorial.engine.nn import functional as F


def T(a):
    return torch.tensor(a)


def E(a):
    return engine.tensor(a)


def test_linear():
    check_op([(5, 4), (3, 4), (3,)], F.linear, TF.linear)
    check_op([(2, 5, 4), (3, 4)], F.linear, TF.linear)


CONV_CASES = [
    dict(),
    dict(padding=1),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(0, 2)),
    dict(dilation=2, padding=2),
    dict(padding="same"),
]


@pytest.mark.parametrize("kw", CONV_CASES, ids=[str(k) for k in CONV_CASES])
def test_conv2d(kw):
    check_op(
        [(2, 3, 7, 6), (4, 3, 3, 3), (4,)],
        lambda x, w, b: F.conv2d(x, w, b, **kw),
        lambda x, w, b: TF.conv2d(x, w, b, **kw),
    )


def test_conv2d_groups_depthwise_pointwise_no_bias():
    check_op(
        [(2, 4, 5, 5), (6, 2, 3, 3)],
        lambda x, w: F.conv2d(x, w, padding=1, groups=2),
        lambda x, w: TF.conv2d(x, w, padding=1, groups=2),
    )
    check_op(
        [(2, 4, 5, 5), (4, 1, 3, 3)],
        lambda x, w: F.conv2d(x, w, stride=2, padding=1, groups=4),
        lambda x, w: TF.conv2d(x, w, stride=2, padding=1, groups=4),
    )
    check_op([(2, 4, 3, 3), (5, 4, 1, 1), (5,)], F.conv2d, TF.conv2d)
    check_op(
        [(1, 3, 6, 6), (2, 3, 5, 5)],
        lambda x, w: F.conv2d(x, w, stride=3),
        lambda x, w: TF.conv2d(x, w, stride=3),
        fd=False,
    )


DEPTHWISE_CASES = [
    dict(padding=1),
    dict(stride=2, padding=1),
    dict(stride=(1, 2), padding=(2, 0)),
    dict(dilation=2, padding=2),
    dict(dilation=(2, 1), padding=(1, 0)),
    dict(stride=3),
]


@pytest.mark.parametrize("kw", DEPTHWISE_CASES, ids=str)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_conv2d_depthwise(kw, bias):
    """groups == C == O runs its own kernel (shifted views, one scale per channel)."""
    shapes = [(2, 5, 7, 8), (5, 1, 3, 2)] + ([(5,)] if bias else [])
    check_op(
        shapes,
        lambda x, w, *b: F.conv2d(x, w, *b, groups=5, **kw),
        lambda x, w, *b: TF.conv2d(x, w, *b, groups=5, **kw),
    )


@pytest.mark.parametrize(
    ("kernel", "kw"),
    [
        (
            5,
            dict(stride=2, padding=2),
        ),  # kernel columns 0..4 read phases 0,1,0,1,0, shifts 0,0,1,1,2
        (3, dict(stride=2, padding=2, dilation=2)),  # every column in phase 0
        (3, dict(stride=(2, 3), padding=1)),
        (3, dict(stride=3)),  # the last input columns are never read
        (5, dict(padding=4, dilation=2)),
    ],
    ids=str,
)
def test_conv2d_depthwise_strides_and_dilations(kernel, kw):
    """The forward's row copies per column phase and shift, for larger kernels and strides."""
    check_op(
        [(2, 3, 13, 11), (3, 1, kernel, kernel)],
        lambda x, w: F.conv2d(x, w, groups=3, **kw),
        lambda x, w: TF.conv2d(x, w, groups=3, **kw),
        fd=False,
    )


@pytest.mark.parametrize("kw", [dict(padding=1), dict(stride=2, padding=1)], ids=str)
def test_conv2d_depthwise_in_channel_blocks(monkeypatch, kw):
    """Channels are processed in cache-sized blocks: here blocks of 2 channels, the last short."""
    from mltutorial.engine.nn import conv

    # two channels' rows: N * (KH * stride rows copied + shifts) * length of the wide grid
    rows, length = (3 + 3, 9 * 7) if kw.get("stride", 1) == 1 else (6 + 2, 5 * 4)
    monkeypatch.setattr(conv, "_DEPTHWISE_BLOCK", 2 * 3 * rows * length)
    check_op(
        [(3, 7, 9, 5), (7, 1, 3, 3), (7,)],
        lambda x, w, b: F.conv2d(x, w, b, groups=7, **kw),
        lambda x, w, b: TF.conv2d(x, w, b, groups=7, **kw),
        fd=False,
    )


DEPTHWISE_MAPS = [  # (H, W): a channels-last map, a padded-first one, rows copied straight from x
    (7, 9),
    (13, 20),
    (6, 50),
]


@pytest.mark.parametrize("hw", DEPTHWISE_MAPS, ids=str)
@pytest.mark.parametrize(
    "kw",
    [dict(padding=1), dict(stride=2, padding=1), dict(padding=2, dilation=2), dict(stride=(2, 1))],
    ids=str,
)
def test_conv2d_depthwise_inference_on_every_map_width(hw, kw):
    """Without gradients the depthwise forward picks its layout by output width: small maps run
    channels-last (returned NCHW-shaped with channels-last strides), wider ones copy rows into the
    wide grid, padded first or straight from x, the bias a row of the GEMM. All equal torch's, and
    a following 1x1 convolution reads the channels-last result as it is."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, *hw)).astype(np.float32)
    w = rng.standard_normal((6, 1, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    p1 = rng.standard_normal((4, 6, 1, 1)).astype(np.float32)
    for bias in (b, None):
        tb = None if bias is None else T(bias)
        ref = TF.conv2d(T(x), T(w), tb, groups=6, **kw)
        with engine.no_grad():
            ours = F.conv2d(E(x), E(w), None if bias is None else E(bias), groups=6, **kw)
            after = F.conv2d(ours, E(p1)).data
        assert ours.shape == tuple(ref.shape)
        channels_last = ours.shape[3] <= 16  # the output's width decides
        assert (ours.data.strides[1] == 4) == channels_last, ours.data.strides
        np.testing.assert_allclose(ours.data, ref.numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(after, TF.conv2d(ref, T(p1)).numpy(), rtol=1e-5, atol=1e-5)


def test_conv2d_keeps_a_channels_last_input_channels_last_in_inference():
    """An input with channels-last memory (NCHW shape) stays so through depthwise and 1x1 layers
    without gradients, whatever the width; with gradients the same layers take it as any array."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 8, 6, 40)).astype(np.float32)  # wider than the small-map rule
    x_cl = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    dw = rng.standard_normal((8, 1, 3, 3)).astype(np.float32)
    pw = rng.standard_normal((8, 8, 1, 1)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    ref = TF.conv2d(TF.conv2d(T(x), T(dw), groups=8, padding=1), T(pw), T(b)).numpy()
    with engine.no_grad():
        mid = F.conv2d(E(x_cl), E(dw), groups=8, padding=1)
        out = F.conv2d(mid, E(pw), E(b))
    for y in (mid.data, out.data):
        assert y.transpose(0, 2, 3, 1).flags.c_contiguous  # channels last all the way
    np.testing.assert_allclose(out.data, ref, rtol=1e-5, atol=1e-5)
    xt = E(x_cl).requires_grad_()
    trained = F.conv2d(F.conv2d(xt, E(dw), groups=8, padding=1), E(pw), E(b))
    trained.sum().backward()
    tx = T(x).requires_grad_()
    TF.conv2d(TF.conv2d(tx, T(dw), groups=8, padding=1), T(pw), T(b)).sum().backward()
    np.testing.assert_allclose(trained.data, ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kw", [dict(padding=1), dict(stride=2, padding=1)], ids=str)
def test_conv2d_depthwise_wide_map_gradients(kw):
    """Training on a map wide enough that the forward copies rows straight from the unpadded x."""
    check_op(
        [(2, 3, 5, 50), (3, 1, 3, 3), (3,)],
        lambda x, w, b: F.conv2d(x, w, b, groups=3, **kw),
        lambda x, w, b: TF.conv2d(x, w, b, groups=3, **kw),
        fd=False,
    )


WINOGRAD_CASES = [  # (N, C, O, H, W, padding, kernel): odd sizes leave part of the last tile unused
    (1, 64, 64, 28, 28, 1, 3),
    (2, 64, 72, 21, 19, 1, 3),
    (1, 64, 64, 30, 31, 0, 3),
    (3, 64, 64, 17, 12, 2, 3),
    (1, 96, 64, 58, 40, (1, 0), 3),
    (1, 64, 96, 27, 27, 2, 5),  # AlexNet's second layer, F(2x2, 5x5)
    (2, 64, 64, 16, 13, (0, 2), 5),
]


@pytest.mark.parametrize("case", WINOGRAD_CASES, ids=str)
def test_conv2d_winograd_inference(case, monkeypatch):
    """3x3 and 5x5 stride-1 inference with many channels runs Winograd's F(4x4, 3x3) or
    F(2x2, 5x5): same outputs as torch and as im2col (float32 rounding apart), in bands of tile
    rows (here several)."""
    from mltutorial.engine.nn import conv

    n, c, o, h, w, padding, k = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = (rng.standard_normal((o, c, k, k)) * math.sqrt(2 / (k * k * c))).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    assert conv._winograd_pays(x, wt, (1, 1), (1, 1), 1, (h + 2 * ph - k + 1, w + 2 * pw - k + 1))
    monkeypatch.setattr(conv, "_WINO_BAND_TILES", 40)
    monkeypatch.setattr(conv, "_WINO_BAND_BYTES", 0)
    used, original = [], conv._conv_winograd
    monkeypatch.setattr(conv, "_conv_winograd", lambda *a: used.append(1) or original(*a))
    with engine.no_grad():
        ours = F.conv2d(E(x), E(wt), E(b), padding=padding).data
    assert used, "the Winograd path was not taken"
    ref = TF.conv2d(T(x), T(wt), T(b), padding=padding).numpy()
    assert ours.shape == ref.shape and ours.flags.c_contiguous
    np.testing.assert_allclose(ours, ref, atol=2e-5 * np.abs(ref).max(), rtol=0)
    monkeypatch.setattr(conv, "_WINO_MIN_TILES", 10**9)  # im2col on the same input
    with engine.no_grad():
        im2col = F.conv2d(E(x), E(wt), E(b), padding=padding).data
    np.testing.assert_allclose(ours, im2col, atol=2e-5 * np.abs(ref).max(), rtol=0)


def test_conv2d_winograd_not_for_training_or_other_shapes():
    """A forward that needs gradients, stride 2, 1x1 or 7x7 kernels, groups, dilation, few
    channels or a small map all keep im2col: Winograd here computes outputs only."""
    from mltutorial.engine.nn import conv

    x = np.zeros((1, 64, 28, 28), np.float32)
    w3 = np.zeros((64, 64, 3, 3), np.float32)
    assert conv._winograd_pays(x, w3, (1, 1), (1, 1), 1, (28, 28))
    assert not conv._winograd_pays(x, w3, (2, 2), (1, 1), 1, (14, 14))
    assert not conv._winograd_pays(x, w3, (1, 1), (2, 2), 1, (24, 24))
    assert not conv._winograd_pays(
        x, np.zeros((64, 64, 1, 1), np.float32), (1, 1), (1, 1), 1, (28, 28)
    )
    assert conv._winograd_pays(x, np.zeros((64, 64, 5, 5), np.float32), (1, 1), (1, 1), 1, (24, 24))
    assert not conv._winograd_pays(
        x, np.zeros((64, 64, 7, 7), np.float32), (1, 1), (1, 1), 1, (22, 22)
    )
    assert not conv._winograd_pays(
        x, np.zeros((64, 64, 3, 5), np.float32), (1, 1), (1, 1), 1, (26, 24)
    )
    assert not conv._winograd_pays(
        x, np.zeros((64, 32, 3, 3), np.float32), (1, 1), (1, 1), 2, (28, 28)
    )
    assert not conv._winograd_pays(x[:, :16], w3[:, :16], (1, 1), (1, 1), 1, (28, 28))
    assert not conv._winograd_pays(x[:, :, :14, :14], w3, (1, 1), (1, 1), 1, (14, 14))
    rng = np.random.default_rng(1)
    xs = E(rng.standard_normal((1, 64, 28, 28)).astype(np.float32))
    ws = E(rng.standard_normal((64, 64, 3, 3)).astype(np.float32) * 0.05).requires_grad_()
    y = F.conv2d(xs, ws, padding=1)  # training: gradients must flow
    y.sum().backward()
    tw = T(ws.data).requires_grad_()
    TF.conv2d(T(xs.data), tw, padding=1).sum().backward()
    np.testing.assert_allclose(ws.grad.data, tw.grad.numpy(), rtol=1e-4, atol=1e-3)


def test_conv2d_depthwise_multiplier_falls_back_to_grouped_gemm():
    check_op(
        [(2, 3, 6, 5), (6, 1, 3, 3), (6,)],
        lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=3),
        lambda x, w, b: TF.conv2d(x, w, b, padding=1, groups=3),
    )


def _distinct(shape, seed=0):
    """Inputs without ties (so max pooling's gradient is well defined for finite differences)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.01 - 0.3


POOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2)),
]


@pytest.mark.parametrize("kw", POOL_CASES, ids=[str(k) for k in POOL_CASES])
def test_max_pool2d(kw):
    check_op(
        [(2, 2, 7, 7)],
        lambda x: F.max_pool2d(x, **kw),
        lambda x: TF.max_pool2d(x, **kw),
        arrays=[_distinct((2, 2, 7, 7))],
    )


@pytest.mark.parametrize(
    "kw",
    [
        *POOL_CASES,
        dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    ],
    ids=str,
)
def test_avg_pool2d(kw):
    check_op([(2, 2, 7, 7)], lambda x: F.avg_pool2d(x, **kw), lambda x: TF.avg_pool2d(x, **kw))


def test_max_pool_ties_route_gradient_like_torch():
    x = np.zeros((1, 1, 4, 4))  # all ties, as after a ReLU
    check_op(
        [(1, 1, 4, 4)],
        lambda x: F.max_pool2d(x, 2),
        lambda x: TF.max_pool2d(x, 2),
        arrays=[x],
        fd=False,
    )


@pytest.mark.parametrize(
    "kw",
    [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=3, stride=1), dict(kernel_size=2)],
    ids=str,
)
def test_max_pool_ties_in_overlapping_windows(kw):
    x = np.maximum(np.round(make_inputs([(2, 3, 7, 8)])[0]), 0)  # many equal values, zeros
    check_op([x.shape], lambda a: F.max_pool2d(a, **kw), lambda a: TF.max_pool2d(a, **kw),
             arrays=[x], fd=False)  # fmt: skip


def test_max_pool_more_than_255_offsets():
    """Past 255 kernel offsets the first-maximum index no longer fits a byte."""
    check_op(
        [(1, 2, 17, 19)],
        lambda x: F.max_pool2d(x, (16, 17), stride=1),
        lambda x: TF.max_pool2d(x, (16, 17), stride=1),
        arrays=[_distinct((1, 2, 17, 19))],
        fd=False,
    )


def test_max_pool_without_grad_matches_with_grad():
    x = _distinct((2, 3, 9, 9)).astype(np.float32)
    with engine.no_grad():
        plain = F.max_pool2d(E(x).requires_grad_(), 3, 2, 1)
    np.testing.assert_array_equal(plain.data, F.max_pool2d(E(x), 3, 2, 1).data)


@pytest.mark.parametrize("size", [1, (1, 1), 2, (6, 6), (3, 2), (None, 2)], ids=str)
def test_adaptive_avg_pool2d(size):
    check_op(
        [(2, 3, 7, 6)],
        lambda x: F.adaptive_avg_pool2d(x, size),
        lambda x: TF.adaptive_avg_pool2d(x, size),
    )


@pytest.mark.parametrize(
    ("name", "ours", "ref"),
    [
        ("relu6", lambda x: F.relu6(x * 4), lambda x: TF.relu6(x * 4)),
        ("leaky", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
        ("gelu", F.gelu, TF.gelu),
        (
            "gelu_tanh",
            lambda x: F.gelu(x, approximate="tanh"),
            lambda x: TF.gelu(x, approximate="tanh"),
        ),
        ("silu", F.silu, TF.silu),
        ("sigmoid", F.sigmoid, torch.sigmoid),
        ("tanh", F.tanh, torch.tanh),
        ("softmax", lambda x: F.softmax(x, dim=0), lambda x: TF.softmax(x, dim=0)),
        ("log_softmax", lambda x: F.log_softmax(x, dim=1), lambda x: TF.log_softmax(x, dim=1)),
    ],
)
def test_activations(name, ours, ref):
    check_op([(4, 5)], ours, ref, arrays=[_distinct((4, 5)) * 7 + 0.013])


def test_layer_norm():
    check_op(
        [(3, 4, 6), (6,), (6,)],
        lambda x, w, b: F.layer_norm(x, (6,), w, b),
        lambda x, w, b: TF.layer_norm(x, (6,), w, b),
    )
    check_op([(3, 4, 6)], lambda x: F.layer_norm(x, (4, 6)), lambda x: TF.layer_norm(x, (4, 6)))


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (4, 3, 3, 2)])
def test_batch_norm_training(shape):
    c = shape[1]

    def ours(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    def ref(x, w, b):
        return TF.batch_norm(x, None, None, w, b, training=True)

    check_op([shape, (c,), (c,)], ours, ref, fd_atol=1e-5)


def test_batch_norm_eval_uses_running_stats():
    rm, rv = np.array([0.1, -0.2, 0.3]), np.array([1.5, 0.5, 2.0])
    check_op(
        [(4, 3, 2, 2), (3,), (3,)],
        lambda x, w, b: F.batch_norm(
            x, engine.tensor(rm.astype(x.dtype)), engine.tensor(rv.astype(x.dtype)), w, b
        ),
        lambda x, w, b: TF.batch_norm(x, T(rm).float(), T(rv).float(), w, b),
    )


def test_batch_norm_eval_without_affine_and_on_2d_input():
    rm, rv = np.array([0.1, -0.2, 0.3]), np.array([1.5, 0.5, 2.0])
    for shape in [(4, 3, 2, 3), (5, 3)]:
        check_op(
            [shape],
            lambda x: F.batch_norm(
                x, engine.tensor(rm.astype(x.dtype)), engine.tensor(rv.astype(x.dtype))
            ),
            lambda x: TF.batch_norm(x, T(rm).float(), T(rv).float()),
        )


def test_batch_norm_eval_keeps_float32_with_float64_stats():
    x = E(np.ones((2, 3, 2, 2), np.float32)).requires_grad_()
    w, b = E(np.ones(3, np.float32)).requires_grad_(), E(np.zeros(3, np.float32)).requires_grad_()
    y = F.batch_norm(x, E(np.zeros(3)), E(np.ones(3)), w, b)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == np.float32


@pytest.mark.parametrize("conv_bias", [False, True], ids=["no_bias", "bias"])
@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
def test_sequential_folds_conv_and_eval_batch_norm(conv_bias, affine):
    """Inference through Sequential(Conv2d, BatchNorm2d, ...) folds the norm into the
    convolution, and clamps in place for a ReLU6 after it: the same output as the layers one by
    one and as torch; training, autograd and hooks keep the layers separate."""
    from mltutorial.engine.nn import module

    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    ref = torch.nn.Sequential(
        torch.nn.Conv2d(4, 6, 3, padding=1, bias=conv_bias),
        torch.nn.BatchNorm2d(6, affine=affine),
        torch.nn.ReLU6(),
        torch.nn.Conv2d(6, 6, 3, stride=2, groups=6, bias=False),
        torch.nn.BatchNorm2d(6),
    )
    ours = nn.Sequential(
        nn.Conv2d(4, 6, 3, padding=1, bias=conv_bias),
        nn.BatchNorm2d(6, affine=affine),
        nn.ReLU6(),
        nn.Conv2d(6, 6, 3, stride=2, groups=6, bias=False),
        nn.BatchNorm2d(6),
    )
    with torch.no_grad():
        for m in ref:
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.from_numpy(rng.standard_normal(6).astype(np.float32)))
                m.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2, 6).astype(np.float32)))
                if m.affine:
                    m.weight.copy_(torch.from_numpy(rng.uniform(0.5, 2, 6).astype(np.float32)))
                    m.bias.copy_(torch.from_numpy(rng.standard_normal(6).astype(np.float32)))
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    ref.eval(), ours.eval()
    x = (20 * rng.standard_normal((2, 4, 9, 9))).astype(np.float32)  # reaching past 6
    expected = ref(T(x)).detach().numpy()
    folded = []
    original = module._conv_then_batch_norm
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, "_conv_then_batch_norm", lambda *a: folded.append(1) or original(*a))
        with engine.no_grad():
            fast = ours(E(x)).data
        assert len(folded) == 2
        slow = ours(E(x)).data  # autograd on: no folding
        assert len(folded) == 2
        with engine.no_grad():
            one_by_one = E(x)
            for m in ours:
                one_by_one = m(one_by_one)
        handle = ours[1].register_forward_hook(lambda *a: None)
        with engine.no_grad():
            hooked = ours(E(x)).data
        handle.remove()
        assert len(folded) == 3  # the second pair only
        handle = ours[2].register_forward_hook(lambda *a: None)
        with engine.no_grad():
            act_hooked = ours(E(x)).data  # both pairs fold; the hooked ReLU6 runs on its own
        handle.remove()
        assert len(folded) == 5
    for y in (fast, slow, one_by_one.data, hooked, act_hooked):
        np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_sequential_folds_batch_norm_into_the_output_of_a_late_1x1_conv():
    """A 1x1 convolution with more weights than outputs (many channels, a small map) scales its
    output by the norm instead of its weights: the same numbers as torch, with and without a
    convolution bias, with a ReLU6 after it."""
    rng = np.random.default_rng(0)
    for conv_bias in (False, True):
        ref = torch.nn.Sequential(
            torch.nn.Conv2d(40, 30, 1, bias=conv_bias), torch.nn.BatchNorm2d(30), torch.nn.ReLU6()
        )
        ours = nn.Sequential(nn.Conv2d(40, 30, 1, bias=conv_bias), nn.BatchNorm2d(30), nn.ReLU6())
        with torch.no_grad():
            ref[1].running_mean.copy_(torch.from_numpy(rng.standard_normal(30).astype(np.float32)))
            ref[1].running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2, 30).astype(np.float32)))
            ref[1].weight.copy_(torch.from_numpy(rng.uniform(0.5, 2, 30).astype(np.float32)))
            ref[1].bias.copy_(torch.from_numpy(rng.standard_normal(30).astype(np.float32)))
        ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
        ref.eval(), ours.eval()
        x = (5 * rng.standard_normal((2, 40, 3, 2))).astype(np.float32)  # 40*30 weights > 30*6
        weight_before = ours[0].weight.data.copy()
        with engine.no_grad():
            y = ours(E(x)).data
        np.testing.assert_allclose(y, ref(T(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(ours[0].weight.data, weight_before)  # weights untouched


@pytest.mark.parametrize("pool", [(2, 2, 0), (3, 2, 1)], ids=["2x2", "3x3_stride2_pad1"])
def test_sequential_pools_before_relu(pool):
    """Sequential(..., ReLU, MaxPool2d, ...) runs the pool first (relu and max commute): the
    same output and the same gradients as torch's ReLU-then-pool, in training, including
    windows of negative values and exact zeros, where the ReLU would create ties; a hook on
    either layer keeps the order."""
    from mltutorial.engine.nn import module

    k, s, p = pool
    rng = np.random.default_rng(1)
    torch.manual_seed(1)
    ref = torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(k, s, p)
    )
    ours = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(k, s, p))
    ours.load_state_dict({k_: v.detach().numpy() for k_, v in ref.state_dict().items()})
    x = rng.standard_normal((2, 2, 8, 8)).astype(np.float32)
    with torch.no_grad():
        ref[0].bias[0] = -50.0  # channel 0 all negative: ReLU makes whole windows tie at 0
        ref[0].weight[1] = 0.0
        ref[0].bias[1] = 0.0  # channel 1 exactly zero everywhere
    ours.load_state_dict({k_: v.detach().numpy() for k_, v in ref.state_dict().items()})
    g = rng.standard_normal(ref(T(x)).shape).astype(np.float32)

    def grads(model, inp, tensor, grad):
        xt = tensor(inp).requires_grad_()
        y = model(xt)
        (y * tensor(grad)).sum().backward()
        params = [q.grad for q in model.parameters()]
        as_np = (lambda a: a.detach().numpy()) if tensor is T else (lambda a: a.data)
        return [as_np(y), as_np(xt.grad), *map(as_np, params)]

    expected = grads(ref, x, T, g)
    swapped = []
    original = module._relu_then_max_pool
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            module, "_relu_then_max_pool", lambda *a: swapped.append(original(*a)) or swapped[-1]
        )
        got = grads(ours, x, E, g)
        assert swapped.count(True) == 1
        ours.zero_grad()
        handle = ours[2].register_forward_pre_hook(lambda *a: None)
        hooked = grads(ours, x, E, g)
        handle.remove()
        assert swapped.count(True) == 1  # the hook kept ReLU then pool
    for ours_ in (got, hooked):
        for a, b in zip(ours_, expected):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_batchnorm2d_module_running_stats_and_modes():
    engine.manual_seed(0)
    ours, ref = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = (rng.standard_normal((4, 3, 5, 5)) * 2 + 1).astype(np.float32)
        np.testing.assert_allclose(ours(E(x)).data, ref(T(x)).detach().numpy(), atol=1e-5)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(ours, name).data, getattr(ref, name).numpy(), atol=1e-6)
    assert int(ours.num_batches_tracked.item()) == 3
    ours.eval()
    ref.eval()
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(ours(E(x)).data, ref(T(x)).detach().numpy(), atol=1e-5)
    assert set(ours.state_dict()) == set(ref.state_dict())


def test_embedding_scatter_add_repeated_indices():
    idx = np.array([[0, 2, 2], [4, 0, 2]])
    check_op([(5, 3)], lambda w: F.embedding(E(idx), w), lambda w: TF.embedding(T(idx), w))
    check_op(
        [(5, 3)],
        lambda w: F.embedding(E(idx), w, padding_idx=2),
        lambda w: TF.embedding(T(idx), w, padding_idx=2),
        fd=False,
    )


def test_dropout_statistics_and_eval_identity():
    engine.manual_seed(0)
    x = engine.ones(200, 100, requires_grad=True)
    y = F.dropout(x, 0.3, training=True)
    kept = y.data != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)
    layer = nn.Dropout(0.5).eval()
    z = engine.randn(3, 4)
    assert layer(z) is z
    assert F.dropout(z, 0.5, training=False) is z


TARGET = np.array([0, 2, 1, 4, 3, 2])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_reductions(reduction):
    check_op(
        [(6, 5)],
        lambda x: F.cross_entropy(x, E(TARGET), reduction=reduction),
        lambda x: TF.cross_entropy(x, T(TARGET), reduction=reduction),
    )


def test_cross_entropy_options():
    t = TARGET.copy()
    t[[1, 4]] = -100
    check_op([(6, 5)], lambda x: F.cross_entropy(x, E(t)), lambda x: TF.cross_entropy(x, T(t)))
    t2 = TARGET.copy()
    t2[0] = 3
    check_op(
        [(6, 5)],
        lambda x: F.cross_entropy(x, E(t2), ignore_index=3),
        lambda x: TF.cross_entropy(x, T(t2), ignore_index=3),
    )
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    check_op(
        [(6, 5)],
        lambda x: F.cross_entropy(x, E(TARGET), weight=E(w.astype(x.dtype))),
        lambda x: TF.cross_entropy(x, T(TARGET), weight=T(w).float()),
    )
    check_op(
        [(6, 5)],
        lambda x: F.cross_entropy(x, E(TARGET), label_smoothing=0.1),
        lambda x: TF.cross_entropy(x, T(TARGET), label_smoothing=0.1),
    )
    t3 = np.array([[0, 1, 2], [2, 2, 0]])  # (N, C, d) logits with (N, d) targets
    check_op([(2, 3, 3)], lambda x: F.cross_entropy(x, E(t3)), lambda x: TF.cross_entropy(x, T(t3)))
    check_op(
        [(6, 5)],
        lambda x: nn.CrossEntropyLoss()(x, E(TARGET)),
        lambda x: torch.nn.CrossEntropyLoss()(x, T(TARGET)),
    )


def test_nll_mse_l1():
    check_op(
        [(6, 5)],
        lambda x: F.nll_loss(x.log_softmax(1), E(TARGET)),
        lambda x: TF.nll_loss(x.log_softmax(1), T(TARGET)),
    )
    check_op([(4, 3), (4, 3)], F.mse_loss, TF.mse_loss)
    check_op(
        [(4, 3), (4, 3)],
        lambda a, b: F.mse_loss(a, b, reduction="sum"),
        lambda a, b: TF.mse_loss(a, b, reduction="sum"),
    )
    check_op(
        [(4, 3), (4, 3)], lambda a, b: nn.MSELoss()(a, b), lambda a, b: torch.nn.MSELoss()(a, b)
    )
    check_op(
        [(4, 3), (4, 3)],
        lambda a, b: nn.L1Loss()(a, b),
        lambda a, b: torch.nn.L1Loss()(a, b),
        arrays=[_distinct((4, 3)), _distinct((4, 3), 1) + 0.005],
    )


def test_binary_cross_entropy_with_logits_scalar_pos_weight_at_and_far_from_zero():
    # the spam models' loss: a scalar pos_weight, logits exactly at 0 (where a loss built from
    # relu/abs would take a subgradient) and far out (where a naive log(sigmoid) overflows)
    z = np.array([-30.0, -2.0, -0.1, 0.0, 0.3, 4.0, 40.0])
    y = np.array([0, 1, 0, 1, 1, 0, 1], dtype=np.float64)
    ours_z = engine.tensor(z, dtype=engine.float64, requires_grad=True)
    pos_weight = engine.tensor(2.0, dtype=engine.float64)
    loss = F.binary_cross_entropy_with_logits(ours_z, E(y), pos_weight=pos_weight)
    loss.backward()
    tz = torch.tensor(z, requires_grad=True)
    ref = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.0, dtype=torch.float64))(tz, T(y))
    ref.backward()
    assert abs(loss.item() - ref.item()) < 1e-10
    np.testing.assert_allclose(ours_z.grad.data, tz.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_binary_cross_entropy():
    rng = np.random.default_rng(0)
    p, y = rng.uniform(0.05, 0.95, (4, 3)), (rng.random((4, 3)) > 0.5).astype(float)
    check_op(
        [(4, 3)],
        lambda x: F.binary_cross_entropy(x, E(y.astype(x.dtype))),
        lambda x: TF.binary_cross_entropy(x, T(y).to(x.dtype)),
        arrays=[p],
    )
    check_op(
        [(4, 3)],
        lambda x: F.binary_cross_entropy_with_logits(x * 5, E(y.astype(x.dtype))),
        lambda x: TF.binary_cross_entropy_with_logits(x * 5, T(y).to(x.dtype)),
    )
    pw = np.array([1.0, 3.0, 0.5])
    check_op(
        [(4, 3)],
        lambda x: nn.BCEWithLogitsLoss(pos_weight=E(pw.astype(x.dtype)), reduction="sum")(
            x, E(y.astype(x.dtype))
        ),
        lambda x: torch.nn.BCEWithLogitsLoss(pos_weight=T(pw).to(x.dtype), reduction="sum")(
            x, T(y).to(x.dtype)
        ),
    )
    check_op(
        [(4, 3)],
        lambda x: nn.BCELoss()(x, E(y.astype(x.dtype))),
        lambda x: torch.nn.BCELoss()(x, T(y).to(x.dtype)),
        arrays=[p],
    )


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU()
        )
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 2)])
        self.emb = nn.Embedding(5, 4)
        self.norm = nn.LayerNorm(4)
        self.scale = nn.Parameter(engine.ones(1))

    def forward(self, x):
        h = self.features(x).mean((2, 3))
        return self.blocks[1](self.norm(self.blocks[0](h))) * self.scale


class TinyTorch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 4, 3, padding=1, bias=False),
            torch.nn.BatchNorm2d(4),
            torch.nn.ReLU(),
        )
        self.blocks = torch.nn.ModuleList([torch.nn.Linear(4, 4), torch.nn.Linear(4, 2)])
        self.emb = torch.nn.Embedding(5, 4)
        self.norm = torch.nn.LayerNorm(4)
        self.scale = torch.nn.Parameter(torch.ones(1))

    def forward(self, x):
        h = self.features(x).mean((2, 3))
        return self.blocks[1](self.norm(self.blocks[0](h))) * self.scale


def test_module_registration_state_dict_and_torch_weights_load():
    ours, ref = TinyNet(), TinyTorch()
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        getattr(ref, mode)()
        np.testing.assert_allclose(ours(E(x)).data, ref(T(x)).detach().numpy(), atol=1e-5)
    assert not ours.training and not ours.features[1].training
    # float64 round trip
    ours.double()
    assert ours(E(x.astype(np.float64))).dtype == np.float64
    assert all(p.dtype == np.float64 for p in ours.parameters())


@pytest.mark.parametrize(
    ("make", "fan_in"),
    [
        (lambda: nn.Linear(300, 200), 300),
        (lambda: nn.Conv2d(16, 32, 3), 16 * 9),
        (lambda: nn.Conv2d(16, 16, 3, groups=16), 9),
    ],
)
def test_default_init_matches_torch_bounds(make, fan_in):
    engine.manual_seed(0)
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    w = layer.weight.data
    assert w.dtype == np.float32
    assert np.abs(w).max() <= bound + 1e-7
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # U(-b, b) has std b/sqrt(3)
    assert np.abs(layer.bias.data).max() <= bound + 1e-7


def test_embedding_init_is_standard_normal():
    engine.manual_seed(0)
    w = nn.Embedding(1000, 50).weight.data
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


@pytest.mark.parametrize(
    "kw",
    [dict(), dict(is_causal=True), dict(scale=0.3), dict(mask="bool"), dict(mask="float")],
    ids=["plain", "causal", "scale", "bool-mask", "float-mask"],
)
def test_scaled_dot_product_attention(kw):
    kw = dict(kw)
    mask = kw.pop("mask", None)
    if mask == "bool":
        m = np.tril(np.ones((4, 5), dtype=bool), 1)
        kw_e, kw_t = dict(attn_mask=m), dict(attn_mask=torch.tensor(m))
    elif mask == "float":
        m = np.random.default_rng(3).uniform(-1, 1, (4, 5))
        kw_e = dict(attn_mask=m.astype(np.float32))
        kw_t = dict(attn_mask=torch.tensor(m, dtype=torch.float32))
    else:
        kw_e = kw_t = kw
    S = 4 if kw.get("is_causal") else 5
    check_op(
        [(2, 3, 4, 6), (2, 3, S, 6), (2, 3, S, 7)],
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw_e),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, **kw_t),
    )


@pytest.mark.parametrize(
    "L, S, scale", [(3, 5, None), (5, 3, None), (4, 4, 60.0)], ids=["L<S", "L>S", "overflow"]
)
def test_causal_attention_shapes_and_its_softmax_shift(L, S, scale):
    """Causal attention shifts each query's scores by its own (diagonal) score, not the max:
    checked where queries outnumber keys (no diagonal for the last ones) and where a large
    scale overflows exp(score - own score), so that the max must be used after all."""
    check_op(
        [(2, 3, L, 6), (2, 3, S, 6), (2, 3, S, 7)],
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale),
    )


def test_attention_with_a_one_dimensional_mask():
    m = np.array([True, False, True, True, False])
    check_op(
        [(2, 4, 6), (2, 5, 6), (2, 5, 3)],
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor(m)),
    )


@pytest.mark.parametrize("causal", [False, True], ids=["plain", "causal"])
def test_attention_dropout_drops_the_weights_it_drew(causal):
    """Dropout zeroes weight (l, s) where the generator's (..., L, S) draw falls under p, and
    scales the rest by 1 / (1 - p); the gradient flows through the same weights."""
    rng = np.random.default_rng(1)
    n_keys = 5 if causal else 6
    q, k, v = (rng.standard_normal((2, 3, n, 4)).astype(np.float32) for n in (5, n_keys, n_keys))
    engine.manual_seed(7)
    qt, kt, vt = (engine.tensor(a, requires_grad=True) for a in (q, k, v))
    out = F.scaled_dot_product_attention(qt, kt, vt, dropout_p=0.4, is_causal=causal)
    out.sum().backward()
    engine.manual_seed(7)
    keep = engine.get_rng().random((2, 3, 5, n_keys), dtype=np.float32) >= 0.4
    s = q @ k.swapaxes(-1, -2) / 2.0
    if causal:
        s[..., np.triu(np.ones((5, 5), bool), 1)] = -np.inf
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    used = p * keep / 0.6
    np.testing.assert_allclose(out.data, used @ v, rtol=1e-5, atol=1e-6)
    dv = np.broadcast_to(used.sum(-2)[..., None], v.shape)  # d sum(used @ v) / dv
    np.testing.assert_allclose(vt.grad.data, dv, rtol=1e-5, atol=1e-6)


def test_causal_attention_broadcasts_batch_dimensions():
    check_op(
        [(2, 3, 5, 6), (1, 3, 5, 6), (2, 1, 5, 4)],
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True),
    )


def test_scaled_dot_product_attention_dropout_and_errors():
    rng = np.random.default_rng(0)
    q, k, v = (E(rng.standard_normal((2, 3, 4)).astype(np.float32)) for _ in range(3))
    engine.manual_seed(0)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert out.shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="not both"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=np.ones((3, 3), bool), is_causal=True)
    with pytest.raises(RuntimeError, match="do not fit"):
        F.scaled_dot_product_attention(q, E(np.zeros((2, 3, 5), np.float32)), v)


def test_gelu_float32_matches_torch_over_a_wide_range():
    """float32 GELU uses PyTorch's erf polynomial: forward and gradient agree to float32 rounding."""
    x = np.linspace(-12, 12, 20001, dtype=np.float32)
    e = E(x.copy())
    e.requires_grad = True
    t = torch.tensor(x, requires_grad=True)
    F.gelu(e).sum().backward()
    yt = TF.gelu(t)
    yt.sum().backward()
    np.testing.assert_allclose(F.gelu(E(x)).data, yt.detach().numpy(), atol=2e-6, rtol=1e-6)
    np.testing.assert_allclose(e.grad.data, t.grad.numpy(), atol=2e-6, rtol=1e-6)


def test_gelu_float32_blocks_match_torch(monkeypatch):
    """float32 GELU runs in cache-sized blocks: several blocks, a short last one, a
    non-contiguous input, with and without a gradient."""
    from mltutorial.engine.nn import functional

    monkeypatch.setattr(functional, "_GELU_BLOCK", 1000)
    x = np.random.default_rng(0).standard_normal((7, 5, 130)).astype(np.float32) * 3
    x = x.transpose(2, 0, 1)  # non-contiguous
    g = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    e, t = E(x).requires_grad_(), T(x).requires_grad_()
    F.gelu(e).backward(E(g))
    TF.gelu(t).backward(T(g))
    with engine.no_grad():
        y = F.gelu(e)
    np.testing.assert_allclose(y.data, TF.gelu(T(x)).numpy(), atol=2e-6, rtol=1e-6)
    np.testing.assert_allclose(e.grad.data, t.grad.numpy(), atol=2e-6, rtol=1e-6)


@pytest.mark.parametrize("c_in", [2, 16], ids=["per_sample", "channel_major"])
def test_conv2d_scratch_columns_with_frozen_weights_and_no_grad(c_in):
    """im2col columns that backward will not need live in a shared scratch buffer: two layers in
    a row, frozen weights (input gradient only) and no-grad forwards must still match torch."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, c_in, 9, 8)).astype(np.float32)
    w1 = rng.standard_normal((6, c_in, 3, 3)).astype(np.float32)
    w2 = rng.standard_normal((4, 6, 3, 3)).astype(np.float32)

    def net(lib, x, w1, w2):
        return lib.conv2d(lib.conv2d(x, w1, padding=1), w2, stride=2)

    e, t = E(x).requires_grad_(), T(x).requires_grad_()
    net(F, e, E(w1), E(w2)).sum().backward()
    net(TF, t, T(w1), T(w2)).sum().backward()
    np.testing.assert_allclose(e.grad.data, t.grad.numpy(), atol=1e-4, rtol=1e-4)
    with engine.no_grad():
        ours = net(F, E(x), E(w1), E(w2))
    np.testing.assert_allclose(ours.data, net(TF, T(x), T(w1), T(w2)).numpy(), atol=1e-4, rtol=1e-4)
