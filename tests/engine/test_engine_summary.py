"""summary(): parameter counts equal torch's, MACs equal hand counts, and meta mode counts large
ImageNet models (VGG-16, ResNet-50, MobileNetV2) without allocating their weights."""

from __future__ import annotations

import time

import numpy as np
import torch

from mltutorial import engine
from mltutorial.engine import nn


def small_cnn(N):
    return N.Sequential(
        N.Conv2d(1, 8, 3, padding=1),
        N.BatchNorm2d(8),
        N.ReLU(),
        N.MaxPool2d(2),
        N.Conv2d(8, 16, 3, stride=2, bias=False),
        N.ReLU(),
        N.AdaptiveAvgPool2d(1),
        N.Flatten(),
        N.Linear(16, 10),
    )


def test_small_cnn_params_equal_torch_and_macs_equal_hand_count():
    s = engine.summary(small_cnn(nn), (2, 1, 28, 28))
    ref = sum(p.numel() for p in small_cnn(torch.nn).parameters())
    assert s.total_params == ref == 80 + 16 + 1152 + 170
    assert s.trainable_params == ref
    # conv1: out 2x8x28x28, each 1*3*3 MACs; conv2: 28->14 pool, (14-3)//2+1 = 6 -> 2x16x6x6 x 8*3*3;
    # linear: 2 x 16 x 10. BN, ReLU, pooling count 0.
    conv1, conv2, fc = 2 * 8 * 28 * 28 * 9, 2 * 16 * 6 * 6 * 72, 2 * 16 * 10
    assert s.total_macs == conv1 + conv2 + fc
    by_type = {}
    for r in s.rows:
        by_type.setdefault(r.type, []).append(r)
    assert [r.macs for r in by_type["Conv2d"]] == [conv1, conv2]
    assert by_type["Conv2d"][1].output_shape == (2, 16, 6, 6)
    assert by_type["Linear"][0].params == 170 and by_type["Linear"][0].macs == fc
    assert all(r.macs == 0 for r in by_type["BatchNorm2d"] + by_type["ReLU"] + by_type["MaxPool2d"])
    text = str(s)
    assert "Total params: 1,418" in text and "Conv2d" in text and "MACs" in text


def test_summary_counts_attention_matmuls_and_restores_mode():
    class Attn(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(8, 24)

        def forward(self, x):
            q, k, v = self.qkv(x).split(8, dim=-1)
            return (q @ k.transpose(-2, -1)).softmax(-1) @ v

    m = Attn().train()
    s = engine.summary(m, (2, 5, 8))
    assert s.total_macs == 2 * 5 * 8 * 24 + 2 * (2 * 5 * 5 * 8)
    assert m.training


def vgg16(N):
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(N.MaxPool2d(2, 2))
        else:
            layers += [N.Conv2d(c, v, 3, padding=1), N.ReLU()]
            c = v
    return N.Sequential(
        *layers,
        N.AdaptiveAvgPool2d((7, 7)),
        N.Flatten(),
        N.Linear(512 * 49, 4096),
        N.ReLU(),
        N.Dropout(),
        N.Linear(4096, 4096),
        N.ReLU(),
        N.Dropout(),
        N.Linear(4096, 1000),
    )


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, width * 4, 1, bias=False), nn.BatchNorm2d(width * 4)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or cin != width * 4:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, width * 4, 1, stride, bias=False), nn.BatchNorm2d(width * 4)
            )

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


def resnet50():
    layers, cin = (
        [
            nn.Conv2d(3, 64, 7, 2, 3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        ],
        64,
    )
    for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for i in range(blocks):
            layers.append(Bottleneck(cin, width, stride if i == 0 else 1))
            cin = width * 4
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(2048, 1000))


def mobilenet_v2():
    def cbr(cin, cout, k, s, groups=1):
        return [
            nn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU6(),
        ]

    class Inverted(nn.Module):
        def __init__(self, cin, cout, s, t):
            super().__init__()
            hidden = cin * t
            layers = cbr(cin, hidden, 1, 1) if t != 1 else []
            layers += cbr(hidden, hidden, 3, s, groups=hidden)
            layers += [nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
            self.conv = nn.Sequential(*layers)
            self.use_res = s == 1 and cin == cout

        def forward(self, x):
            return x + self.conv(x) if self.use_res else self.conv(x)

    layers, cin = cbr(3, 32, 3, 2), 32
    for t, c, n, s in [
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    ]:
        for i in range(n):
            layers.append(Inverted(cin, c, s if i == 0 else 1, t))
            cin = c
    layers += cbr(cin, 1280, 1, 1)
    return nn.Sequential(
        *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1280, 1000)
    )


def test_meta_mode_counts_imagenet_models_fast_without_memory():
    t0 = time.perf_counter()
    with engine.meta():
        vgg, resnet, mobile = vgg16(nn), resnet50(), mobilenet_v2()
    s_vgg = engine.summary(vgg, (1, 3, 224, 224))
    s_res = engine.summary(resnet, (1, 3, 224, 224))
    s_mob = engine.summary(mobile, (1, 3, 224, 224))
    elapsed = time.perf_counter() - t0
    assert s_vgg.total_params == 138_357_544  # torchvision vgg16
    assert s_res.total_params == 25_557_032  # torchvision resnet50
    assert s_mob.total_params == 3_504_872  # torchvision mobilenet_v2
    # conv + linear MACs, as ptflops/torchvision count them (no BN/ReLU/pool/add)
    assert abs(s_vgg.total_macs / 1e9 - 15.47) < 0.01
    assert abs(s_res.total_macs / 1e9 - 4.09) < 0.02
    assert abs(s_mob.total_macs / 1e9 - 0.30) < 0.01
    w = vgg[-1].weight.data
    assert w.shape == (1000, 4096) and w.strides == (0, 0)  # no memory behind the weights
    assert s_res.rows[-1].output_shape == (1, 1000)
    assert elapsed < 5.0, f"meta build + 3 summaries took {elapsed:.2f}s"


def test_summary_on_real_weights_does_not_compute_or_change_them():
    engine.manual_seed(0)
    m = small_cnn(nn)
    before = {k: v.data.copy() for k, v in m.state_dict().items()}
    engine.summary(m, (64, 1, 28, 28))
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])
