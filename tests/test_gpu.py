"""The engine on a real GPU (CuPy): the same training steps as on NumPy, and as PyTorch on CUDA.

Runs only where `backend.gpu_available()`; elsewhere every test skips with "no GPU" (which CI
accepts, see conftest.py). Needs only numpy, scipy, pytest, cupy and, for the PyTorch oracle,
torch. On a GPU machine:

    PYTHONPATH=src python -m pytest -q -m gpu tests/test_gpu.py -p no:cacheprovider
"""

from __future__ import annotations

import numpy as np
import pytest

from device_steps import cnn_data, cnn_model, cnn_step, gpt_step, mlp_data, mlp_model, mlp_step
from mltutorial import engine
from mltutorial.engine import backend

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not backend.gpu_available(), reason="no GPU (CuPy with a CUDA device)"),
]

# float32 on two devices: BLAS and cuBLAS sum in different orders
RTOL, ATOL = 1e-4, 1e-5


def _close(ours, ref, what):
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=ATOL, err_msg=what)


def _same_step(cpu, gpu):
    assert gpu.loss == pytest.approx(cpu.loss, rel=1e-5)
    for name in cpu.grads:
        _close(gpu.grads[name], cpu.grads[name], f"grad {name}")
        _close(gpu.params[name], cpu.params[name], f"param after step {name}")
    cupy = backend.module_for("cuda")
    assert all(isinstance(a, cupy.ndarray) for a in gpu.device_arrays), "an array left the GPU"


def test_tensor_round_trip():
    t = engine.randn(3, 4)
    g = t.cuda()
    assert g.device == "cuda:0" and g.is_cuda
    assert np.array_equal(g.cpu().numpy(), t.numpy())
    assert g.sum().item() == pytest.approx(t.sum().item(), rel=1e-6)
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        g.numpy()


def test_mlp_step_matches_numpy():
    _same_step(mlp_step("cpu"), mlp_step("cuda"))


def test_cnn_step_matches_numpy():
    _same_step(cnn_step("cpu"), cnn_step("cuda"))


@pytest.mark.parametrize("flash", [True, False], ids=["fused", "spelled-out"])
def test_gpt_step_matches_numpy(flash):
    _same_step(gpt_step("cpu", flash), gpt_step("cuda", flash))


def _torch_step(model_fn, data_fn, make_opt, ours_step):
    """The engine's step on the GPU against torch's on CUDA from the same weights."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no GPU for torch (torch without CUDA)")
    # full float32 in torch, as in CuPy (cuDNN convolutions default to TF32 on Ampere and later)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    ours = model_fn()
    ref_model = _torch_twin(torch, ours).cuda()
    X, y = data_fn()
    ref_opt = make_opt(torch, ref_model)
    logits = ref_model(torch.tensor(X, device="cuda"))
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y, device="cuda"))
    ref_opt.zero_grad()
    loss.backward()
    ref_grads = {n: p.grad.cpu().numpy() for n, p in ref_model.named_parameters()}
    ref_opt.step()
    step = ours_step("cuda", ours)
    assert step.loss == pytest.approx(loss.item(), rel=1e-4)
    for name, g in ref_grads.items():
        _close(step.grads[name], g, f"grad {name}")
    for name, p in ref_model.named_parameters():
        _close(step.params[name], p.detach().cpu().numpy(), f"param after step {name}")


def _torch_twin(torch, ours):
    """The same layers in torch, with our weights copied in (names match: the engine speaks torch)."""
    layers = []
    for m in ours:
        kind = type(m).__name__
        if kind == "Linear":
            layers.append(torch.nn.Linear(m.in_features, m.out_features))
        elif kind == "Conv2d":
            layers.append(
                torch.nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, padding=m.padding)
            )
        else:
            layers.append(getattr(torch.nn, kind)(*([2] if kind == "MaxPool2d" else [])))
    twin = torch.nn.Sequential(*layers)
    state = {k: torch.tensor(backend.to_host(v.data)) for k, v in ours.state_dict().items()}
    twin.load_state_dict(state)
    return twin


def test_mlp_step_matches_torch_cuda():
    _torch_step(
        mlp_model, mlp_data, lambda torch, m: torch.optim.Adam(m.parameters(), lr=1e-2), mlp_step
    )


def test_cnn_step_matches_torch_cuda():
    _torch_step(
        cnn_model,
        cnn_data,
        lambda torch, m: torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9),
        cnn_step,
    )


def test_hardware_chapter_times_the_gpu(tmp_path):
    from mltutorial.lessons import hardware

    result = hardware.run(hardware.Config(size=256, repeats=2, gpt_repeats=1))
    assert result.gpu_name and result.matmul_gpu_s > 0 and result.gpt_gpu_s > 0
    hardware.plot(result, tmp_path / "hardware.png")
