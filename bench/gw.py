"""Benchmark: the gravitational-wave app beside its peers, in one run.

    python bench/gw.py [--quick] [--threads 1]

1. CNN training step: apps/gw/cnn.py's network (build_network) on the engine vs the same network in
   PyTorch (torch.nn, same layers), same initial weights (copied), same batches of whitened 1 s
   windows, Adam 2e-3; engine and torch steps interleaved; median step time, ratio engine/torch,
   and the losses after the same steps (they should agree closely).
2. Matched filter: apps/gw/filtering.matched_filter (the LOSC tutorial's recipe) vs gwpy's
   TimeSeries.correlate (FIR whitening, then correlation, plus and cross combined) on GW150914 and
   GW151226, H1 and L1: time per call and peak SNR and time. PyCBC is not run: pip would replace
   this environment's NumPy and SciPy to install it, so it is left out (say so in the section).

Writes bench/results/gw.md (collected into bench/RESULTS.md by bench/collect.py).
"""

from __future__ import annotations

import argparse
import os

_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--threads", type=int, default=1)
_THREADS = _pre.parse_known_args()[0].threads
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(_THREADS)

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from mltutorial import engine  # noqa: E402
from mltutorial.apps.gw import filtering  # noqa: E402
from mltutorial.apps.gw import injections as inj  # noqa: E402
from mltutorial.apps.gw.cnn import build_network  # noqa: E402
from mltutorial.data.gwosc import load_gravitational_waves  # noqa: E402
from mltutorial.engine import optim  # noqa: E402
from mltutorial.engine.nn import functional as F  # noqa: E402

HERE = Path(__file__).resolve().parent


def bench_cnn(data, steps: int, batch: int) -> dict:
    torch.set_num_threads(_THREADS)
    rng = np.random.default_rng(0)
    preps = inj.prepare_all(data)
    waves = [inj.whitened_waveforms(p, inj.default_bank(data, 3), 4096) for p in preps]
    ws = inj.make_windows(preps, waves, inj.TRAIN_SPAN, steps * batch, (6.0, 16.0), rng)
    engine.manual_seed(0)
    ours = build_network(engine.nn)
    peer = build_network(torch.nn)
    peer.load_state_dict(
        {k: torch.tensor(v.detach().numpy()) for k, v in ours.state_dict().items()}
    )
    opt_o = optim.Adam(ours.parameters(), lr=2e-3)
    opt_p = torch.optim.Adam(peer.parameters(), lr=2e-3)
    t_o, t_p, l_o, l_p = [], [], [], []
    for s in range(steps):
        xb = ws.X[s * batch : (s + 1) * batch, None, None, :]
        yb = ws.y[s * batch : (s + 1) * batch]
        t0 = time.perf_counter()
        loss = F.cross_entropy(ours(engine.tensor(xb)), engine.tensor(yb))
        opt_o.zero_grad()
        loss.backward()
        opt_o.step()
        t_o.append(time.perf_counter() - t0)
        l_o.append(float(loss.item()))
        t0 = time.perf_counter()
        lp = torch.nn.functional.cross_entropy(peer(torch.from_numpy(xb)), torch.from_numpy(yb))
        opt_p.zero_grad()
        lp.backward()
        opt_p.step()
        t_p.append(time.perf_counter() - t0)
        l_p.append(float(lp.item()))
    skip = min(3, steps - 1)  # the first steps warm caches and allocators
    mo, mp = statistics.median(t_o[skip:]), statistics.median(t_p[skip:])
    return {
        "steps": steps,
        "batch": batch,
        "engine_ms": 1e3 * mo,
        "torch_ms": 1e3 * mp,
        "ratio": mo / mp,
        "loss_engine": float(np.mean(l_o[-5:])),
        "loss_torch": float(np.mean(l_p[-5:])),
        "max_loss_diff": float(np.max(np.abs(np.array(l_o) - np.array(l_p)))),
        "max_loss_diff_10": float(np.max(np.abs(np.array(l_o[:10]) - np.array(l_p[:10])))),
    }


def _gwpy_snr(strain, template):
    from gwpy.timeseries import TimeSeries

    x = TimeSeries(strain.x, sample_rate=strain.fs, t0=strain.gps_start)
    n = len(template.plus)
    a, b = n // 2 - int(7.5 * strain.fs), n // 2 + int(0.5 * strain.fs)  # 8 s around the merger
    kw = {"whiten": True, "fftlength": 4, "overlap": 2, "highpass": 15}
    cp = x.correlate(TimeSeries(template.plus[a:b], sample_rate=strain.fs), **kw)
    cc = x.correlate(TimeSeries(template.cross[a:b], sample_rate=strain.fs), **kw)
    snr = np.hypot(cp.value, cc.value)
    i = int(np.argmax(snr))
    # gwpy's output time refers to the template's middle (4 s); the reference sits at 7.5 s
    return float(snr[i]), float(cp.times.value[i] - strain.gps_start + 3.5)


def bench_filter(data, repeats: int) -> list[dict]:
    try:
        import gwpy  # noqa: F401
    except ImportError:
        return []
    rows = []
    for name, ev in data.events.items():
        for det, s in ev.strains.items():
            t_o, t_g = [], []
            for _ in range(repeats):
                t0 = time.perf_counter()
                mf = filtering.matched_filter(s.x, s.fs, ev.template.plus, ev.template.cross)
                t_o.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                g_snr, g_t = _gwpy_snr(s, ev.template)
                t_g.append(time.perf_counter() - t0)
            rows.append(
                {
                    "event": name,
                    "det": det,
                    "ours_snr": mf.peak_snr,
                    "ours_t": mf.peak_time,
                    "gwpy_snr": g_snr,
                    "gwpy_t": g_t,
                    "ours_ms": 1e3 * statistics.median(t_o),
                    "gwpy_ms": 1e3 * statistics.median(t_g),
                }
            )
    return rows


def main() -> None:
    p = argparse.ArgumentParser(parents=[_pre])
    p.add_argument("--quick", action="store_true", help="few steps: proves the script works")
    args = p.parse_args()
    data = load_gravitational_waves()
    load_before = os.getloadavg()[0]
    steps, repeats = (6, 1) if args.quick else (60, 5)
    cnn = bench_cnn(data, steps, 64)
    mf = bench_filter(data, repeats)
    try:
        import gwpy

        gwpy_version = gwpy.__version__
    except ImportError:
        gwpy_version = "not installed"
    lines = [
        "## Gravitational waves (bench/gw.py)",
        "",
        f"Run: `python bench/gw.py{' --quick' if args.quick else ''}` on {platform.machine()}, "
        f"{_THREADS} BLAS thread(s), torch {torch.__version__}, gwpy {gwpy_version}; "
        f"data: {data.info.label}. 1-minute load average before / after: {load_before:.1f} / "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (above about 1 the times are inflated).",
        "",
        f"**CNN training step** (apps/gw/cnn.py, batch {cnn['batch']} of 1 s windows at 1024 Hz, "
        f"{cnn['steps']} interleaved steps, medians): engine {cnn['engine_ms']:.1f} ms, PyTorch "
        f"{cnn['torch_ms']:.1f} ms, **ratio {cnn['ratio']:.2f}**. Same initial weights and batches: "
        f"mean loss of the last 5 steps {cnn['loss_engine']:.4f} (engine) vs {cnn['loss_torch']:.4f} "
        f"(torch); largest per-step loss difference {cnn['max_loss_diff_10']:.1e} over the first "
        f"10 steps and {cnn['max_loss_diff']:.1e} over all (float32 rounding, amplified as two "
        "trainings drift apart step by step).",
        "",
    ]
    if mf:
        lines += [
            "**Matched filter**: ours (the LOSC tutorial's recipe: Welch PSD, Tukey window, "
            "frequency-domain correlation) vs gwpy's `TimeSeries.correlate` (2 s FIR whitening, "
            "Hann window; an 8 s cut of the template; plus and cross combined). The two whiten "
            "and normalise differently: gwpy's SNRs are higher by up to "
            f"{max(abs(r['gwpy_snr'] / r['ours_snr'] - 1) for r in mf):.0%}; the peaks are at most "
            f"{max(abs(r['gwpy_t'] - r['ours_t']) for r in mf) * 1e3:.1f} ms apart. Times include "
            "gwpy's FIR design and ASD on every call (its first call also imports and warms up).",
            "",
            "| event | det | SNR ours | SNR gwpy | peak (s) ours | peak (s) gwpy | ms ours | ms gwpy "
            "| ratio |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {r['event']} | {r['det']} | {r['ours_snr']:.2f} | {r['gwpy_snr']:.2f} | "
            f"{r['ours_t']:.4f} | {r['gwpy_t']:.4f} | {r['ours_ms']:.0f} | {r['gwpy_ms']:.0f} | "
            f"{r['ours_ms'] / r['gwpy_ms']:.2f} |"
            for r in mf
        ]
    else:
        lines.append("**Matched filter**: gwpy is not installed here, so no peer was run.")
    lines += [
        "",
        "PyCBC is not compared: installing it with pip here would replace NumPy and SciPy "
        "(PyCBC 2.11 pins numpy 2.3 and scipy 1.16), so it was left out.",
        "",
    ]
    out = HERE / "results" / "gw.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
