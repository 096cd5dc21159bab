"""What was tried to bring the gravitational-wave CNN within 10 % of the matched filter at SNR 8.

    python bench/gw_explore.py [--quick] [--seed 0] [--only NAME ...]

Each variant trains a CNN on the engine (apps/gw/cnn.py's ChirpCNN, one BLAS thread) on windows of
the training stretches, sets the 1 % false-alarm threshold on held-out noise windows and measures
the efficiency at SNR 6, 8 and 10 for the CNN and for the matched filter told the injected waveform,
on the same windows (the definitions of detection.py). Variants:

- `tour`: the chapter's network and training (detection.TOUR).
- `more_data`: the same network, about three times the steps (20,000 windows, 4 epochs).
- `low_snr`: as `more_data`, trained on SNR 4-10 instead of 5-14.
- `wide`: twice the channels in every layer.
- `deep`: five convolutions with smaller pools (closer to Gabbard et al. 2018's depth).
- `long_kernels`: 64-sample first kernels (62 ms), so the first layer can integrate coherently.
- `surrogate`: `more_data` on phase-randomised copies of the training noise (its exact amplitude
  spectrum, fresh phases): independent noise windows, nothing to memorise. `low_snr`, `wide`,
  `deep` and `long_kernels` train on such noise too (the bigger networks memorise real noise).
- `fresh`, `fresh_long`: new windows every step (injections.fresh_batches), real noise as is.
- `curriculum`: fresh, the training SNR lowered step by step (George & Huerta 2018).
- `colour`, `colour_gauss`, `gauss`, `colour_gauss_long` (detection.FULL until the matched-filter front, bench/gw_mfcnn.py), `colour_gauss_curr`,
  `wide_colour_gauss`, `colour_gauss_tour`: fresh with recoloured noise (injections.recolour),
  none / half / all of it white Gaussian, longer, with a curriculum, wider, at the tour's steps;
  `colour_gauss_10k_flip`: 10,000 steps, the score averaged over the window and its sign flip;
  `bn_colour_gauss`: batch norm after every convolution.
- `span*`: the training and the test stretches each whitened with their own Welch PSD
  (injections.prepare with a span; `span_2s`: 2 s Welch segments), `span` itself as
  detection.FULL otherwise; `_real`: no recolouring; `_mad`: each window divided by its median
  absolute deviation; `_low`: trained on SNR 4-12; `_dilated`: dilated convolutions, pools only
  every other layer; `_longk`: 32-sample first kernels; `_avg`: average pools inside the stack;
  `_mix`: each noise window cos(a) n1 + sin(a) n2 of two random ones; `_cg`: recoloured, half
  Gaussian; `_ens2`, `_ens3`: that many networks (seeds seed, seed + 1000, ...), scores averaged; `_wide`: twice the channels;
  `_flip`: the score averaged over the window and its sign flip (reported with and without).

Each row also gives the CNN's 1 % threshold on test noise, on training-stretch noise and on white
Gaussian noise, and its efficiency at SNR 8 with chirps in white Gaussian noise (`gauss8`).

Writes bench/results/gw_explore.md (or --out). About 5 minutes per variant on an idle core (--quick: seconds).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from mltutorial.apps.gw import cnn as cnn_module
from mltutorial.apps.gw import detection
from mltutorial.apps.gw import injections as inj
from mltutorial.data.gwosc import load_gravitational_waves

HERE = Path(__file__).resolve().parent
BASE = [(8, 16, 4), (16, 8, 4), (32, 8, 4), (32, 8, 0)]  # (channels, kernel, pool) as cnn.py
VARIANTS = {
    "tour": dict(n=6000, epochs=6, snr=(6.0, 16.0)),
    "more_data": dict(n=20000, epochs=4, snr=(5.0, 14.0)),
    "low_snr": dict(n=20000, epochs=4, snr=(4.0, 10.0), surrogate=True),
    "wide": dict(n=12000, epochs=4, snr=(5.0, 14.0), spec=[(16, 16, 4), (32, 8, 4), (64, 8, 4), (64, 8, 0)], surrogate=True),
    "deep": dict(n=8000, epochs=4, snr=(5.0, 14.0), spec=[(16, 32, 2), (16, 16, 2), (32, 16, 2), (32, 8, 2), (64, 8, 0)], surrogate=True),
    "long_kernels": dict(n=20000, epochs=4, snr=(5.0, 14.0), spec=[(16, 64, 4), (32, 32, 2), (32, 16, 2), (64, 8, 0)], surrogate=True),
    "surrogate": dict(n=20000, epochs=4, snr=(5.0, 14.0), surrogate=True),
    "fresh": dict(steps=564, snr=(6.0, 16.0), fresh=True),
    "fresh_long": dict(steps=2500, snr=(6.0, 16.0), fresh=True),
    "curriculum": dict(steps=2500, snr=(6.0, 16.0), end_snr=(4.0, 10.0), fresh=True),
    "colour": dict(steps=2500, snr=(6.0, 16.0), fresh=True, colour=0.3),
    "colour_gauss": dict(steps=2500, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5),
    "colour_gauss_10k_flip": dict(steps=10000, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5, flip=True),
    "bn_colour_gauss": dict(steps=4000, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5, bn=True),
    "colour_gauss_tour": dict(steps=564, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5),
    "gauss": dict(steps=2500, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=1.0),
    "colour_gauss_long": dict(steps=6000, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5),
    "wide_colour_gauss": dict(steps=3000, snr=(6.0, 16.0), spec=[(16, 16, 4), (32, 8, 4), (64, 8, 4), (64, 8, 0)], fresh=True, colour=0.3, gauss=0.5),
    "colour_gauss_curr": dict(steps=6000, snr=(8.0, 16.0), end_snr=(5.0, 12.0), fresh=True, colour=0.5, gauss=0.8),
    # each stretch whitened with its own Welch PSD (span: the segment length in seconds)
    "span": dict(steps=6000, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5, span=4.0),
    "span_2s": dict(steps=6000, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5, span=2.0),
    "span_real": dict(steps=6000, snr=(6.0, 16.0), fresh=True, span=4.0),
    "span_mad": dict(steps=6000, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5, span=4.0, mad=True),
    "span_dilated": dict(steps=6000, snr=(6.0, 16.0), spec=[(8, 16, 4, 1), (16, 8, 1, 2), (16, 8, 4, 4), (32, 8, 1, 2), (32, 8, 0, 4)], fresh=True, colour=0.3, gauss=0.5, span=4.0),
    "span_mad_low": dict(steps=6000, snr=(4.0, 12.0), fresh=True, colour=0.3, gauss=0.5, span=4.0, mad=True),
    # noise mixing: each training noise window cos(a) n1 + sin(a) n2 of two random windows
    "span_mix": dict(steps=6000, snr=(6.0, 16.0), fresh=True, mix=True, span=4.0, mad=True),
    "span_mix_colour": dict(steps=6000, snr=(6.0, 16.0), fresh=True, mix=True, colour=0.3, span=4.0, mad=True),
    "span_mix_cg": dict(steps=6000, snr=(6.0, 16.0), fresh=True, mix=True, colour=0.3, gauss=0.5, span=4.0, mad=True),
    "span_avg": dict(steps=6000, snr=(6.0, 16.0), fresh=True, colour=0.3, gauss=0.5, span=4.0, mad=True, avg=True),
    "span_mix_cg_ens2": dict(steps=6000, snr=(6.0, 16.0), fresh=True, mix=True, colour=0.3, gauss=0.5, span=4.0, mad=True, ensemble=2),
    "span_mix_cg_wide": dict(steps=6000, snr=(6.0, 16.0), spec=[(16, 16, 4), (32, 8, 4), (64, 8, 4), (64, 8, 0)], fresh=True, mix=True, colour=0.3, gauss=0.5, span=4.0, mad=True),
    "span_mix_cg_ens3_flip": dict(steps=4000, snr=(6.0, 16.0), fresh=True, mix=True, colour=0.3, gauss=0.5, span=4.0, mad=True, ensemble=3, flip=True),
    "span_mix_cg_wide_flip": dict(steps=6000, snr=(6.0, 16.0), spec=[(16, 16, 4), (32, 8, 4), (64, 8, 4), (64, 8, 0)], fresh=True, mix=True, colour=0.3, gauss=0.5, span=4.0, mad=True, flip=True),
    "span_mix_cg_wide_ens2_flip": dict(steps=6000, snr=(6.0, 16.0), spec=[(16, 16, 4), (32, 8, 4), (64, 8, 4), (64, 8, 0)], fresh=True, mix=True, colour=0.3, gauss=0.5, span=4.0, mad=True, ensemble=2, flip=True),
    "span_longk": dict(steps=6000, snr=(6.0, 16.0), spec=[(16, 32, 4), (32, 8, 4), (32, 8, 4), (32, 8, 0)], fresh=True, colour=0.3, gauss=0.5, span=4.0),
}  # fmt: skip


def network(spec, bn=False, avg=False):
    """avg: the pools inside the stack average (sum the evidence) instead of taking the max; the
    last one, over all positions left, stays a max (like the matched filter's over lags)."""

    def build(nn, length: int = inj.FS_NET, width: int = 8):
        layers, c, t = [], 1, length
        for out, k, pool, *dil in spec:
            d = dil[0] if dil else 1
            conv = nn.Conv2d(c, out, (1, k), dilation=(1, d))
            layers += [conv, *([nn.BatchNorm2d(out)] if bn else []), nn.ReLU()]
            t = t - d * (k - 1)
            if pool:
                layers.append((nn.AvgPool2d if avg else nn.MaxPool2d)((1, pool)))
                t //= pool
            c = out
        layers += [nn.MaxPool2d((1, t)), nn.Flatten(), nn.Linear(c, 64), nn.ReLU()]
        return nn.Sequential(*layers, nn.Linear(64, 2))

    return build


def surrogates(preps, copies: int, rng) -> list[inj.Prepared]:
    """Phase-randomised training stretches: the same amplitude spectrum, independent noise."""
    a, b = (int(v * inj.FS_NET) for v in inj.TRAIN_SPAN)
    out = []
    for _ in range(copies):
        for p in preps:
            spec = np.fft.rfft(p.x[a:b])
            phase = np.exp(2j * np.pi * rng.random(len(spec)))
            phase[0] = phase[-1] = 1.0
            x = np.zeros_like(p.x)
            x[a:b] = np.fft.irfft(np.abs(spec) * phase, n=b - a)
            out.append(inj.Prepared(x, p.event, p.detector, p.gps_start, p.psd, p.scale))
    return out


recolour = inj.recolour  # random smooth spectral gains, a Gaussian fraction (injections.py)


def fresh_batches(
    preps, waves, snr, end_snr, steps, rng, batch=64, ramp=0.6, colour=0.0, gauss=0.0, mix=False
):
    """New windows every step; with end_snr, the SNR range slides from snr to end_snr over the
    first `ramp` of training, then stays (a curriculum, George & Huerta 2018)."""

    silent = [
        inj.Prepared(np.zeros_like(p.x), p.event, p.detector, p.gps_start, p.psd, p.scale)
        for p in preps
    ]

    def sample(step):
        u = min(1.0, step / (ramp * steps)) if end_snr else 0.0
        lo = snr[0] + u * ((end_snr or snr)[0] - snr[0])
        hi = snr[1] + u * ((end_snr or snr)[1] - snr[1])
        if not (colour or gauss or mix):
            ws = inj.make_windows(preps, waves, inj.TRAIN_SPAN, batch, (lo, hi), rng)
            return ws.X, ws.y
        noise = inj.make_windows(preps, waves, inj.TRAIN_SPAN, batch, (lo, hi), rng, 0.0)
        if mix:  # cos(a) n1 + sin(a) n2 of two independent windows: new noise, same statistics
            other = inj.make_windows(preps, waves, inj.TRAIN_SPAN, batch, (lo, hi), rng, 0.0)
            a = rng.uniform(0.0, 2 * np.pi, (batch, 1))
            noise.X = (np.cos(a) * noise.X + np.sin(a) * other.X).astype(np.float32)
        sig = inj.make_windows(silent, waves, inj.TRAIN_SPAN, batch, (lo, hi), rng)
        # injections into the recoloured noise: the signal keeps its SNR in unit-variance noise
        X = recolour(noise.X, rng, colour, gauss) if colour or gauss else noise.X
        return X + sig.X, sig.y

    return sample


def mad_normalise(X):
    """Each window divided by its median absolute deviation (x 1.4826: the std for Gaussian noise),
    robust to a loud chirp in it."""
    X = np.asarray(X, dtype=np.float64)
    med = np.median(X, axis=1, keepdims=True)
    mad = 1.4826 * np.median(np.abs(X - med), axis=1, keepdims=True)
    return (X / mad).astype(np.float32)


def _score(models, v, X):
    """The mean logit difference of the models; with flip also over the window's sign flip."""
    X = mad_normalise(X) if v.get("mad") else X
    d = np.mean([m.decision_function(X) for m in models], axis=0)
    if v.get("flip"):
        d = (d + np.mean([m.decision_function(-X) for m in models], axis=0)) / 2
    return d


def run_variant(name, v, sets, seed, quick) -> dict:
    """sets(key) -> ((train preps, waves), (test preps, waves)); key None: whole-file PSDs."""
    (preps, waves), (test_preps, test_waves) = sets(v.get("span"))
    rng = np.random.default_rng(seed)
    n, epochs = (v.get("n", 0) // 20, 1) if quick else (v.get("n", 0), v.get("epochs", 0))
    cnn_module.build_network = network(v.get("spec", BASE), v.get("bn", False), v.get("avg", False))
    t0 = time.perf_counter()
    if v.get("fresh"):
        steps = 20 if quick else v["steps"]
        sample = fresh_batches(
            preps,
            waves,
            v["snr"],
            v.get("end_snr"),
            steps,
            rng,
            colour=v.get("colour", 0.0),
            gauss=v.get("gauss", 0.0),
            mix=v.get("mix", False),
        )
        if v.get("mad"):
            sample = (lambda f: lambda step: (lambda X, y: (mad_normalise(X), y))(*f(step)))(sample)
        # ensemble: that many networks (seeds seed, seed + 1000, ...), their scores averaged
        models = [
            cnn_module.ChirpCNN(seed=seed + 1000 * k, lr=v.get("lr", 2e-3)).fit_stream(
                sample, steps, inj.FS_NET
            )
            for k in range(v.get("ensemble", 1))
        ]
        model = models[0]
    elif v.get("surrogate"):
        sp = surrogates(preps, n // 50 + 1, rng)
        train = inj.make_windows(
            sp, waves * (len(sp) // len(preps)), inj.TRAIN_SPAN, n, v["snr"], rng
        )
    else:
        train = inj.make_windows(preps, waves, inj.TRAIN_SPAN, n, v["snr"], rng)
    if not v.get("fresh"):
        model = cnn_module.ChirpCNN(num_epochs=epochs, seed=seed).fit(train.X, train.y)
        models = [model]
    seconds = time.perf_counter() - t0
    n_sig, n_noise = (30, 300) if quick else (300, 3000)
    snrs = np.repeat([6.0, 8.0, 10.0], n_sig)
    noise = inj.make_windows(test_preps, test_waves, inj.TEST_SPAN, n_noise, snrs, rng, 0.0, True)
    sig = inj.make_windows(test_preps, test_waves, inj.TEST_SPAN, len(snrs), snrs, rng, 1.0, True)

    def cnn_score(X):
        return _score(models, v, X)

    scores = {
        "CNN": (cnn_score(noise.X), cnn_score(sig.X)),
        "matched filter": (noise.mf, sig.mf),
    }
    if v.get("flip"):  # the same networks without the sign-flip average, for comparison
        plain = {**v, "flip": False}
        scores["CNN no flip"] = (
            _score(models, plain, noise.X),
            _score(models, plain, sig.X),
        )
    eff = {}
    for k, (sn, ss) in scores.items():
        thr = np.quantile(sn, 0.99)
        eff[k] = [float(np.mean(ss[sig.snr == s] > thr)) for s in (6.0, 8.0, 10.0)]
    # where the CNN's 1 % threshold sits on other noise: the training stretches (real, as is) and
    # white Gaussian noise; and its efficiency at SNR 8 with chirps in Gaussian noise
    train_noise = inj.make_windows(preps, waves, inj.TRAIN_SPAN, n_noise, snrs, rng, 0.0)
    gauss = rng.standard_normal((n_noise, inj.FS_NET)).astype(np.float32)
    silent = [inj.Prepared(np.zeros_like(p.x), p.event, p.detector, p.gps_start, p.psd, p.scale) for p in test_preps]  # fmt: skip
    chirps = inj.make_windows(silent, test_waves, inj.TEST_SPAN, n_sig, np.array([8.0]), rng, 1.0)
    g_sig = rng.standard_normal(chirps.X.shape).astype(np.float32) + chirps.X
    thr = {k: float(np.quantile(cnn_score(X), 0.99)) for k, X in (("test", noise.X), ("train", train_noise.X), ("gauss", gauss))}  # fmt: skip
    g8 = float(np.mean(cnn_score(g_sig) > thr["gauss"]))
    row = {
        "name": name,
        "steps": sum(len(m.losses_) for m in models),
        "train_s": seconds,
        **eff,
        "thr": thr,
        "gauss8": g8,
    }
    print(name, row, flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", nargs="*", choices=sorted(VARIANTS))
    ap.add_argument("--out", default="gw_explore.md", help="file name under bench/results")
    args = ap.parse_args()
    data = load_gravitational_waves()
    with threadpool_limits(limits=1, user_api="blas"):
        bank = inj.default_bank(data, detection.TOUR.n_masses)
        cache = {}

        def prepared(span, seconds):
            if (span, seconds) not in cache:
                preps = inj.prepare_all(data, span, seconds)
                cache[span, seconds] = preps, [inj.whitened_waveforms(p, bank, 4096) for p in preps]
            return cache[span, seconds]

        def sets(psd_seconds):  # None: the whole file's PSD; else each stretch its own
            if psd_seconds is None:
                return prepared(None, 4.0), prepared(None, 4.0)
            return prepared(inj.TRAIN_SPAN, psd_seconds), prepared(inj.TEST_SPAN, psd_seconds)

        rows = [
            run_variant(k, v, sets, args.seed, args.quick)
            for k, v in VARIANTS.items()
            if not args.only or k in args.only
        ]
    lines = [
        "## Gravitational-wave CNN: what was tried against the 10 % goal",
        "",
        f"`python bench/gw_explore.py{' --quick' if args.quick else ''} --seed {args.seed}`; "
        "efficiency at 1 % false alarms on held-out real noise, CNN / matched filter (told the "
        "injected waveform), same windows. One seed: differences of 0.05 are within the spread.",
        "",
        "| variant | steps | train (s) | SNR 6 | SNR 8 | SNR 10 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        cells = [f"{c:.2f} / {m:.2f}" for c, m in zip(r["CNN"], r["matched filter"])]
        lines.append(
            f"| {r['name']} | {r['steps']} | {r['train_s']:.0f} | " + " | ".join(cells) + " |"
        )
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
