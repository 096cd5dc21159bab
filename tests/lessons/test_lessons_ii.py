"""Lessons II: networks, convolution, complexity (and the model zoo they count).

The published numbers are the oracle: torchvision's parameter counts (exact) and GMACs (within 2%),
the slide's convolution output (exact). Training tests use small configs on the real CIFAR-10 when
MLTUTORIAL_DATA has it, and check the fallback chain on a fresh machine.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from helpers import need_data
from mltutorial.lessons import complexity, convolution, networks
from mltutorial.lessons._zoo import MODELS

# torchvision's published figures (model documentation pages: num_params, "GFLOPS" = GMACs).
TORCHVISION = {
    "AlexNet": (61_100_840, 0.71),
    "VGG-16": (138_357_544, 15.47),
    "GoogLeNet": (6_624_904, 1.50),
    "ResNet-18": (11_689_512, 1.82),
    "ResNet-50": (25_557_032, 4.09),
    "MobileNetV2": (3_504_872, 0.30),
}


# ------------------------------------------------------------------------------------- convolution


def test_slide_convolution_example_is_exact():
    out = convolution.convolve(convolution.SLIDE_INPUT, convolution.SLIDE_FILTER)
    np.testing.assert_array_equal(out, [[12, 12, 17], [10, 17, 19], [9, 6, 14]])


def test_convolution_example_by_hand_sums():
    """The same numbers from the definition: sum of window * filter at every position."""
    x, f = np.array(convolution.SLIDE_INPUT), np.array(convolution.SLIDE_FILTER)
    by_hand = [[(x[i : i + 3, j : j + 3] * f).sum() for j in range(3)] for i in range(3)]
    np.testing.assert_array_equal(convolution.convolve(x.tolist(), f.tolist()), by_hand)


def test_cnn_beats_dense_with_fewer_parameters(tmp_path):
    need_data("cifar10")
    cfg = convolution.Config(n_train=2000, n_test=500, num_epochs=3, dataset="cifar10")
    result = convolution.run(cfg)
    assert result.example_matches
    assert result.dataset == "cifar10"
    assert result.cnn.n_params * 20 < result.mlp.n_params
    assert result.cnn.test_accuracy > result.mlp.test_accuracy + 0.02
    assert result.cnn.test_accuracy > 0.35  # chance is 0.10
    assert result.filters.shape == (8, 3, 3, 3)
    paths = convolution.plot(result, tmp_path / "convolution.png")
    assert all(p.stat().st_size > 10_000 for p in paths)


# ---------------------------------------------------------------------------------------- networks


def test_dense_first_layer_counts_are_computed():
    assert networks.dense_first_layer_params(32, 32, 3, 1000) == 3072 * 1000 + 1000
    assert networks.dense_first_layer_params(224, 224, 3, 1000) == 150_528 * 1000 + 1000
    # one neuron per input value: the slide's "billions", counted without allocating 90 GB
    assert networks.dense_first_layer_params(224, 224, 3, 150_528) == 150_528**2 + 150_528


def test_networks_on_cifar10_predicts_the_slide_way(tmp_path):
    need_data("cifar10")
    cfg = networks.Config(n_train=2000, n_test=500, num_epochs=2, hidden=128, n_show=4)
    result = networks.run(cfg)
    assert result.dataset == "cifar10" and "cat" in result.classes
    assert result.input_shape == (3, 32, 32)
    assert result.n_params == 3072 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10
    assert result.test_accuracy > 0.25  # chance is 0.10
    assert len(result.predictions) == 5  # 4 shown + the surest cat
    assert result.predictions[-1].true == "cat"
    for p in result.predictions:
        probs = [q for _, q in p.top]
        assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
    assert " (0." in result.samples()[0] or " (1.00)" in result.samples()[0]
    assert result.dense_counts[-1]["params"] > 1e10
    paths = networks.plot(result, tmp_path / "networks.png")
    assert len(paths) == 2 and all(p.stat().st_size > 10_000 for p in paths)


def test_networks_falls_back_to_digits_on_a_fresh_machine(no_real_data):
    cfg = networks.Config(n_train=600, n_test=200, num_epochs=5, hidden=64, batch_size=32, n_show=2)
    result = networks.run(cfg)
    assert result.dataset == "digits"
    assert result.input_shape == (1, 8, 8)
    assert "digits" in result.data.lower()
    assert result.test_accuracy > 0.5


def test_unknown_dataset_is_one_line_and_exit_2():
    proc = subprocess.run(
        [sys.executable, "-m", "mltutorial", "run", "networks", "--dataset=imagenet"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "imagenet" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# -------------------------------------------------------------------------------------- complexity


@pytest.mark.parametrize("name", list(TORCHVISION))
def test_zoo_counts_equal_torchvision(name):
    params, macs = complexity.count(name)
    published_params, published_gmacs = TORCHVISION[name]
    assert params == published_params
    assert macs / 1e9 == pytest.approx(published_gmacs, rel=0.02)


def test_fast_build_times_a_forward_pass():
    model = complexity.build_fast("ResNet-18")
    assert sum(p.numel() for p in model.parameters()) == 11_689_512
    assert complexity.time_forward("MobileNetV2", input_size=64) > 0


def test_zoo_builds_real_weights_and_runs():
    """Outside meta mode the same definitions allocate weights and run a forward pass."""
    from mltutorial import engine

    model = MODELS["MobileNetV2"](num_classes=10)
    model.eval()
    with engine.no_grad():
        out = model(engine.randn(2, 3, 64, 64))
    assert out.shape == (2, 10)
    assert np.isfinite(out.numpy()).all()


def test_complexity_lesson_and_chart(tmp_path):
    result = complexity.run(complexity.Config(time_forward=False))
    assert [r.name for r in result.rows] == list(TORCHVISION)
    assert all(r.matches_params for r in result.rows)
    assert result.row("ResNet-50").macs == pytest.approx(4.09e9, rel=0.01)
    assert all(r.seconds is None for r in result.rows)
    assert "6/6" in result.summary()
    path = complexity.plot(result, tmp_path / "complexity.png")
    assert path.stat().st_size > 20_000


def test_complexity_joins_the_tour(tmp_path):
    from mltutorial.chapter import ChapterContext

    chapter = complexity.CHAPTER
    assert (chapter.name, chapter.order) == ("complexity", 54)
    assert (networks.CHAPTER.order, convolution.CHAPTER.order) == (50, 51)
    out = chapter.run(ChapterContext(out_dir=tmp_path, quick=True))
    assert out.numbers["ResNet-18"]["params"] == 11_689_512
    assert out.citation.startswith("A. Canziani") and out.tables and out.figures
