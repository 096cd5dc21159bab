"""The device seam (engine/backend.py) on a machine without a GPU, and the GPU path on a fake GPU.

The fake (tests/fake_cupy.py) is NumPy arrays that refuse to be mixed with plain NumPy arrays, as
CuPy's do, so a host-only call (`np.zeros(shape)` meeting device data, `np.asarray(gpu_array)`) on
the path of an MLP, CNN or GPT step fails here, on the CPU, before it can fail on a GPU.
"""

from __future__ import annotations

import numpy as np
import pytest

import fake_cupy
from device_steps import cnn_step, gpt_step, mlp_step
from mltutorial import engine
from mltutorial.engine import backend, nn
from mltutorial.errors import UserError


@pytest.fixture
def no_gpu(monkeypatch):
    """As on a machine without CuPy."""
    monkeypatch.setattr(backend, "_cupy", lambda: None)


@pytest.fixture
def fake_gpu(monkeypatch):
    return fake_cupy.install(monkeypatch)


def test_array_module_of_numpy_is_numpy():
    assert backend.array_module(np.zeros(3)) is np
    assert backend.array_module(np.float32(1.0)) is np
    assert backend.array_module(3.0) is np
    assert not backend.is_gpu_array(np.zeros(3))


@pytest.mark.parametrize(
    "device, name",
    [
        ("cpu", "cpu"),
        ("CPU", "cpu"),
        ("cuda", "cuda:0"),
        ("cuda:0", "cuda:0"),
        ("cuda:1", "cuda:1"),
    ],
)
def test_parse_device_accepts(device, name):
    assert backend.parse_device(device) == name


@pytest.mark.parametrize("device", ["tpu", "cuda:x", "gpu", "", "cuda0"])
def test_parse_device_refuses(device):
    with pytest.raises(UserError, match="unknown device") as info:
        backend.parse_device(device)
    assert "\n" not in str(info.value)


def test_parse_device_takes_torch_devices():
    torch = pytest.importorskip("torch")
    assert backend.parse_device(torch.device("cpu")) == "cpu"
    assert backend.parse_device(torch.device("cuda", 0)) == "cuda:0"


def test_engine_import_does_not_import_cupy():
    import subprocess
    import sys

    code = "import sys, mltutorial.engine; print('cupy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_to_cpu_is_a_no_op():
    t = engine.randn(3, 4)
    assert t.device == "cpu" and not t.is_cuda
    assert t.to("cpu") is t and t.cpu() is t
    assert t.to("cpu", dtype=np.float64).dtype == np.float64
    m = nn.Linear(3, 2)
    w = m.weight.data
    assert m.to("cpu") is m and m.weight.data is w


def test_to_cuda_without_a_gpu_says_so(no_gpu):
    assert not backend.gpu_available()
    t = engine.ones(2)
    for make in (
        lambda: t.to("cuda"),
        lambda: t.cuda(),
        lambda: engine.zeros(2, device="cuda"),
        lambda: engine.randn(2, device="cuda:0"),
        lambda: nn.Linear(2, 2).to("cuda"),
    ):
        with pytest.raises(UserError) as info:
            make()
        message = str(info.value)
        assert "needs CuPy and an NVIDIA GPU" in message and "pip install cupy" in message
        assert "\n" not in message


def test_cupy_without_a_device_is_no_gpu(monkeypatch):
    class Broken:
        class cuda:
            class runtime:
                @staticmethod
                def getDeviceCount():
                    raise RuntimeError("cudaErrorNoDevice")

    monkeypatch.setattr(backend, "_cupy", lambda: Broken)
    assert not backend.gpu_available()
    with pytest.raises(UserError, match="CuPy but no NVIDIA GPU"):
        engine.ones(2).to("cuda")


def test_cuda_tensor_api_on_fake_gpu(fake_gpu):
    t = engine.arange(6, dtype=np.float32).reshape(2, 3)
    g = t.to("cuda")
    assert g.device == "cuda:0" and g.is_cuda and fake_cupy.on_gpu(g.data)
    assert g.to("cuda") is g
    assert g.sum().item() == 15.0
    assert g.tolist() == t.tolist()
    assert "device='cuda:0'" in repr(g)
    with pytest.raises(TypeError, match=r"use \.cpu\(\)"):
        g.numpy()
    with pytest.raises(TypeError, match=r"use \.cpu\(\)"):
        np.asarray(g)
    back = g.cpu()
    assert back.device == "cpu" and np.array_equal(back.numpy(), t.numpy())
    for made in (
        engine.zeros(2, 3, device="cuda"),
        engine.full((2,), 7, device="cuda"),
        engine.randint(0, 5, (3,), device="cuda"),
        engine.linspace(0, 1, 5, device="cuda"),
        engine.eye(3, device="cuda"),
        engine.tensor([1.0, 2.0], device="cuda"),
        engine.zeros_like(g),
        engine.randn_like(g),
    ):
        assert made.device == "cuda:0", made


def test_gradient_flows_across_devices(fake_gpu):
    x = engine.randn(4, requires_grad=True)
    (x.cuda() * 3).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), np.full(4, 3, np.float32))


def test_module_to_moves_parameters_and_grads(fake_gpu):
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    m(engine.randn(5, 3)).sum().backward()
    m.to("cuda")
    tensors = [*m.parameters(), *m.buffers(), *(p.grad for p in m.parameters())]
    assert all(t.device == "cuda:0" for t in tensors)
    m.cpu()
    assert all(t.device == "cpu" for t in [*m.parameters(), *m.buffers()])


@pytest.mark.parametrize("step", [mlp_step, cnn_step, gpt_step], ids=["mlp", "cnn", "gpt"])
def test_training_step_on_fake_gpu_matches_cpu(fake_gpu, step):
    cpu, gpu = step("cpu"), step("cuda")
    assert all(fake_cupy.on_gpu(a) for a in gpu.device_arrays), "an array fell back to the host"
    assert gpu.loss == pytest.approx(cpu.loss, rel=1e-6)
    for name in cpu.grads:
        np.testing.assert_allclose(gpu.grads[name], cpu.grads[name], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(gpu.params[name], cpu.params[name], rtol=1e-5, atol=1e-7)


def test_gpt_spelled_out_attention_on_fake_gpu(fake_gpu):
    cpu, gpu = gpt_step("cpu", flash=False), gpt_step("cuda", flash=False)
    assert all(fake_cupy.on_gpu(a) for a in gpu.device_arrays)
    assert gpu.loss == pytest.approx(cpu.loss, rel=1e-6)


def test_fake_gpu_catches_a_host_array(fake_gpu):
    """The fake is strict: a plain NumPy array meeting device data raises, as with CuPy."""
    g = engine.ones(3, device="cuda")
    with pytest.raises(fake_cupy.HostMixError):
        g + engine.ones(3)


# ---------------------------------------------------------------------- the hardware chapter
TINY = dict(size=64, repeats=1, gpt_repeats=1, batch_size=2)


def test_hardware_chapter_without_a_gpu_says_so(no_gpu, tmp_path):
    from mltutorial.lessons import hardware

    result = hardware.run(hardware.Config(**TINY))
    assert result.gpu_name is None and result.speedups() is None
    assert result.summary().startswith("no GPU on this machine")
    assert result.numbers()["gpu"] == "none" and result.numbers()["matmul_cpu_gflops"] > 0
    assert "no GPU" in hardware.table_text(result)
    path = hardware.plot(result, tmp_path / "hardware.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hardware_chapter_on_fake_gpu_times_both(fake_gpu, tmp_path):
    from mltutorial.lessons import hardware

    result = hardware.run(hardware.Config(**TINY))
    assert result.gpu_name == "Fake GPU"
    assert result.matmul_gpu_s > 0 and result.gpt_gpu_s > 0
    assert result.numbers()["matmul_speedup"] > 0
    assert "Fake GPU" in hardware.table_text(result)
    hardware.plot(result, tmp_path / "hardware.png")


def test_hardware_cli(no_gpu, capsys):
    import json

    from mltutorial.cli import main

    assert main(["hardware", "--size", "64", "--repeats", "1", "--json"]) == 0
    numbers = json.loads(capsys.readouterr().out)
    assert numbers["gpu"] == "none" and numbers["matmul_size"] == 64
    assert main(["hardware", "--size", "64", "--repeats", "1"]) == 0
    assert "no GPU on this machine" in capsys.readouterr().out
    for bad in (["--size", "0"], ["--size", "99999"], ["--repeats", "x"]):
        assert main(["hardware", *bad]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "error" in err


@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_conv_max_pool_and_eval_batch_norm_stay_on_fake_gpu(fake_gpu, stride):
    """The depthwise kernel, max pooling's recorded offsets and eval batch norm create their
    buffers on the input's device, and give the CPU's numbers."""
    from mltutorial.engine.nn import functional as F

    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((4, 1, 3, 3))
    stats = [rng.standard_normal(4), rng.uniform(0.5, 2, 4), rng.standard_normal(4)]

    def run(device):
        xs = engine.tensor(x.astype(np.float32), device=device, requires_grad=True)
        ws = engine.tensor(w.astype(np.float32), device=device, requires_grad=True)
        m, v, b = (engine.tensor(a.astype(np.float32), device=device) for a in stats)
        y = F.conv2d(xs, ws, padding=1, stride=stride, groups=4)
        y = F.max_pool2d(F.batch_norm(y, m, v, None, b), 2, 1)
        y.sum().backward()
        return y, xs.grad, ws.grad

    cpu, gpu = run("cpu"), run("cuda")
    for a, b in zip(cpu, gpu):
        assert fake_cupy.on_gpu(b.data)
        np.testing.assert_allclose(
            b.detach().cpu().numpy(), a.detach().numpy(), rtol=1e-5, atol=1e-6
        )


def test_unfold_stays_on_the_gpu_forward_and_backward(fake_gpu):
    x = engine.arange(10, dtype=np.float32).reshape(2, 5).to("cuda").requires_grad_()
    windows = x.unfold(1, 3, 2)  # (2, 2, 3)
    assert fake_cupy.on_gpu(windows.data) and windows.shape == (2, 2, 3)
    windows.sum().backward()
    assert fake_cupy.on_gpu(x.grad.data)
    assert x.grad.cpu().tolist() == [[1, 1, 2, 1, 1], [1, 1, 2, 1, 1]]  # the middle one is shared
