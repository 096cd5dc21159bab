"""A matched-filter front end for the gravitational-wave CNN (MFCNN), and a long first convolution.

    python bench/gw_mfcnn.py --variant mfcnn|longconv [--features max|all|all+max] [--seed 0]
        [--steps 2000] [--colour 0.3] [--gauss 0.5] [--snr 6 16] [--quick]

The plain CNN (apps/gw/cnn.py) reaches 0.82-0.83 of SNR-8 chirps at 1 % false alarms against the
known-waveform matched filter's 0.99 (bench/results/gw_explore.md): its 16- then 8-sample kernels
lose the phase coherence a chirp's SNR is built from. Two ways to give it coherence:

- `mfcnn`: after Wang, Wu, Cao, Liu & Zhu, "Gravitational-wave signal recognition of LIGO data by
  deep learning", PRD 101, 104003 (2020). The first layer is a fixed matched filter against the
  template bank (cnn.BankFilter: injections.default_bank whitened with the window's file's PSD,
  as the bank search uses it): per template, the two-quadrature SNR at every merger position in
  the window, max-pooled by 4. `--features all`: every template's series as a channel; `all+max`:
  plus their max over the bank; `max`: that max alone (detection.FULL). A small CNN (two 1 x 8
  convolutions, a max over time, a two-layer head) decides. Never told which waveform was
  injected, only the bank.
- `longconv`: the plain network with a trainable first convolution of 32 kernels of 256 samples,
  initialised from the last 256 samples before merger of the whitened bank templates (plus and
  cross, normalised), then trained as usual.

Training: injections.fresh_batches (new noise, chirps from the noise window's file's bank,
recoloured; `--gauss 1`: all the noise white Gaussian before recolouring).
Evaluation as detection.run: thresholds at 1 % false alarms on test-stretch noise windows, the
same injections for the network, the matched filter told the injected waveform and the bank
search; then the GW150914 scan of both detectors' files (found: best window within 0.5 s of the
event). Prints one row for bench/results/gw_explore.md.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from mltutorial.apps.gw import detection
from mltutorial.apps.gw import injections as inj
from mltutorial.apps.gw.cnn import BankFilter, build_bank_network, build_network
from mltutorial.data.gwosc import load_gravitational_waves

L = inj.FS_NET
MERGER = inj.MERGER


def bank_features(front: BankFilter, X: np.ndarray, mode: str) -> np.ndarray:
    """(n, C, 1, L // 4): "max" the bank's largest SNR (the library's front, C = 1); "all" every
    template's SNR series (C = T); "all+max" both (C = T + 1). Max-pooled by 4 over time."""
    if mode == "max":
        return front(X)
    rho = front.snr(X)  # (n, T, L)
    n, T, _ = rho.shape
    out = rho.reshape(n, T, L // 4, 4).max(axis=3)
    if mode == "all+max":
        out = np.concatenate([out, out.max(axis=1, keepdims=True)], axis=1)
    return out[:, :, None, :].astype(np.float32)


def mf_network(nn, channels: int, t: int, width: int = 16):
    """On (N, T, 1, t) SNR series: cnn.py's bank network, with `channels` input series."""
    return build_bank_network(nn, t, width, channels)


def long_network(nn, bank, k: int = 256, n_kernels: int = 32, width: int = 8):
    """cnn.py's network with a long first convolution initialised from the bank near merger."""
    pieces = []
    for hp, hc in bank:
        for h in (hp, hc):
            p = h[MERGER + 32 - k : MERGER + 32]  # the last k samples up to just after merger
            pieces.append(p / np.linalg.norm(p))
    idx = np.linspace(0, len(pieces) - 1, n_kernels).round().astype(int)
    w = np.stack([pieces[i] for i in idx])[:, None, None, :]  # Conv2d correlates: no flip
    net = build_network(nn, L, width, kernel=k, channels=n_kernels)
    net[0].weight.data[...] = w.astype(np.float32)
    net[0].bias.data[...] = 0.0
    return net


class Model:
    """A network on the engine with its input transform: the bank front (`mfcnn`) or none."""

    def __init__(self, variant, waves, seed, lr=2e-3, features="max", width=16):
        from mltutorial import engine
        from mltutorial.engine import nn

        engine.manual_seed(seed)
        self.variant = variant
        if variant == "mfcnn":
            self.fronts = [BankFilter(w) for w in waves]
            self.features = features
            channels = {"max": 1, "all": len(waves[0]), "all+max": len(waves[0]) + 1}[features]
            self.net = mf_network(nn, channels, L // 4, width)
        else:  # the bank of the first H1 file only seeds the kernels
            self.fronts = None
            self.net = long_network(nn, waves[0])
        self.lr = lr

    def _input(self, X, files):
        from mltutorial import engine

        if self.fronts is None:
            return engine.tensor(X[:, None, None, :].astype(np.float32))
        feats = [None] * len(X)
        for f in np.unique(files):
            rows = np.flatnonzero(files == f)
            for r, v in zip(rows, bank_features(self.fronts[f], X[rows], self.features)):
                feats[r] = v
        return engine.tensor(np.stack(feats))

    def fit(self, sample, steps):
        from mltutorial import engine
        from mltutorial.engine import optim
        from mltutorial.engine.nn import functional as F

        opt = optim.Adam(self.net.parameters(), lr=self.lr)
        schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
        self.losses_ = []
        self.net.train()
        for step in range(steps):
            X, y, files = sample(step)
            loss = F.cross_entropy(self.net(self._input(X, files)), engine.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            self.losses_.append(float(loss.item()))
            if step % 500 == 0:
                print(f"step {step} loss {np.mean(self.losses_[-100:]):.3f}", flush=True)
        self.net.eval()
        return self

    def decision_function(self, X, files, batch=512):
        from mltutorial import engine

        out = []
        with engine.no_grad():
            for i in range(0, len(X), batch):
                z = self.net(self._input(X[i : i + batch], files[i : i + batch])).numpy()
                out.append(z[:, 1] - z[:, 0])
        return np.concatenate(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", choices=("mfcnn", "longconv"), default="mfcnn")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--colour", type=float, default=0.3)
    ap.add_argument("--gauss", type=float, default=0.5)
    ap.add_argument("--features", choices=("max", "all", "all+max"), default="max")
    ap.add_argument("--snr", type=float, nargs=2, default=detection.FULL.train_snr)
    ap.add_argument("--width", type=int, default=16, help="mfcnn: first convolution's channels")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    data = load_gravitational_waves()
    cfg = detection.FULL
    with threadpool_limits(limits=1, user_api="blas"):
        rng = np.random.default_rng(args.seed)
        preps = inj.prepare_all(data)
        bank = inj.default_bank(data, cfg.n_masses)
        waves = [inj.whitened_waveforms(p, bank, 4096) for p in preps]
        steps = 20 if args.quick else args.steps
        t0 = time.perf_counter()
        model = Model(args.variant, waves, args.seed, features=args.features, width=args.width)
        sample = inj.fresh_batches(preps, waves, tuple(args.snr), rng, 64, args.colour, args.gauss)
        model.fit(sample, steps)
        train_s = time.perf_counter() - t0

        test_snrs = (6.0, 8.0, 10.0)
        n_sig, n_noise = (30, 300) if args.quick else (300, 3000)
        snrs = np.repeat(test_snrs, n_sig)
        sig, by_name = detection.score_test_windows(model, preps, waves, snrs, n_noise, rng)
        scores = dict(zip(("net", "mf", "bank"), by_name.values()))
        thr = {k: float(np.quantile(n, 0.99)) for k, (n, _) in scores.items()}
        eff = {
            k: [float(np.mean(s[sig.snr == v] > thr[k])) for v in test_snrs]
            for k, (_, s) in scores.items()
        }
        # where the 1 % threshold sits on training-stretch noise and on white Gaussian noise (file
        # 0's bank), and the efficiency at SNR 8 for chirps in Gaussian noise
        tr = inj.make_windows(preps, waves, inj.TRAIN_SPAN, n_noise, snrs, rng, 0.0)
        zeros = np.zeros(n_noise, dtype=np.int64)
        g = rng.standard_normal((n_noise, L)).astype(np.float32)
        g_sig = rng.standard_normal((n_sig, L)) + inj.chirps(waves, zeros[:n_sig], (8.0, 8.0), rng)
        thr_other = {
            "train": float(np.quantile(model.decision_function(tr.X, tr.file), 0.99)),
            "gauss": float(np.quantile(model.decision_function(g, zeros), 0.99)),
        }
        g8 = float(
            np.mean(
                model.decision_function(g_sig.astype(np.float32), zeros[:n_sig])
                > thr_other["gauss"]
            )
        )
        print(
            f"thresholds test {thr['net']:.2f} train {thr_other['train']:.2f} gauss {thr_other['gauss']:.2f}; gauss8 {g8:.2f}"
        )
        scan = {}
        for f, p in enumerate(preps):
            if p.event != "GW150914":
                continue
            starts = np.arange(L, len(p.x) - 2 * L, int(cfg.scan_step * L))
            X = np.stack([p.x[s : s + L] for s in starts]).astype(np.float32)
            s = model.decision_function(X, np.full(len(X), f))
            t = (starts + L / 2) / L
            best = int(np.argmax(s))
            off = float(data.events["GW150914"].offset(p.detector))
            scan[p.detector] = (t[best], off, s[best], abs(t[best] - off) < 0.5)
    print(f"train {train_s:.0f} s, {steps} steps; thresholds {thr}")
    print(f"scan {scan}")
    cells = " | ".join(
        f"{a:.2f} / {b:.2f} / {c:.2f}" for a, b, c in zip(eff["net"], eff["mf"], eff["bank"])
    )
    found = ", ".join(
        f"{d} {'found' if ok else 'missed'} ({tb:.2f} s, score {sc:.1f})"
        for d, (tb, _, sc, ok) in sorted(scan.items())
    )
    print(f"| {args.variant} | {args.seed} | {steps} | {train_s:.0f} | {cells} | {found} |")


if __name__ == "__main__":
    main()
