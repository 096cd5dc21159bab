"""The CNN against the matched filter on the same injections into real noise, then on GW150914.

`run(data, cfg)`: trains the CNN on training-stretch windows, sets each detector's threshold at a
false-alarm probability of 1 % on test-stretch noise windows, and measures the efficiency (the
fraction of injections found) against injected SNR for both. The matched filter is given the very
waveform injected (only its time and phase are unknown): for a known signal in Gaussian noise that
is the optimal detector (Neyman-Pearson), so its curve is the physical limit the CNN is measured
against. Beside it, the matched filter as a search runs it (Gabbard et al.'s comparison): the
best SNR over the whole template bank and every lag, not told which waveform was injected, which
pays for its many trials with a higher threshold. Then the CNN slides over the whitened GW150914 files, which it never saw.

FULL gives the network a matched filter against the bank as its first layer (cnn.BankFilter,
front="bank"): like the bank search it is told the bank, never the injected waveform.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from mltutorial.apps.gw import injections as inj
from mltutorial.apps.gw.cnn import ChirpCNN
from mltutorial.data.gwosc import GWData


@dataclass
class Config:
    n_train: int = 6000  # windows, half with a chirp
    num_epochs: int = 6
    train_snr: tuple[float, float] = (6.0, 16.0)  # uniform: loud enough to learn the shape
    # > 0: that many steps on fresh batches (injections.fresh_batches) instead of epochs over
    # n_train fixed windows; colour and gauss as injections.recolour
    fresh_steps: int = 0
    colour: float = 0.0
    gauss: float = 0.0
    # "bank": the network's first layer is a fixed matched filter against the bank (cnn.py)
    front: str = "none"
    # noise windows that set the 1 % false-alarm thresholds: they overlap, so more of them add
    # little (the test stretches hold about 46 s of distinct noise, see injections.py)
    n_noise_test: int = 2000
    n_per_snr: int = 100  # injections per test SNR
    test_snrs: tuple[float, ...] = (2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 14.0)
    fap: float = 0.01
    n_masses: int = 7  # per template, 20-80 M_sun
    scan_step: float = 1.0 / 8  # seconds between scanning windows on the event files
    seed: int = 0


TOUR = Config()  # the tour's run
QUICK = Config(n_train=2500, num_epochs=4, n_noise_test=600, n_per_snr=60,
               test_snrs=(4.0, 6.0, 8.0, 10.0, 12.0))  # fmt: skip
# the longest run, about two minutes of one core: the matched-filter front layer and a small CNN,
# on fresh batches of recoloured Gaussian noise (all of it: with the bank in front, real training
# noise only taught it that noise; bench/results/gw_explore.md)
FULL = Config(fresh_steps=2000, colour=0.3, gauss=1.0, front="bank")


BANK = "matched filter, bank search"


@dataclass
class Detection:
    snrs: np.ndarray
    efficiency: dict[str, np.ndarray]  # "CNN" / "matched filter" / "... bank" -> (len(snrs),)
    thresholds: dict[str, float]
    area_ratio: float  # area under the CNN's curve / the matched filter's, over the test SNRs
    area_ratio_bank: float  # the same against the template-bank search
    at_snr8: dict[str, float]
    train_accuracy: float
    scan: dict[str, dict]  # detector -> t (window centres), score, best time, threshold
    losses: list[float]
    seconds: dict[str, float] = field(default_factory=dict)
    config: dict = field(default_factory=dict)


def score_test_windows(
    model, preps, waves, snrs: np.ndarray, n_noise: int, rng: np.random.Generator
):
    """Fresh test windows from the test stretch of the noise, pure noise and with chirps at `snrs`:
    (the signal windows, {method: (noise scores, signal scores)}) for the network, the matched
    filter with the injected waveform, and the template-bank search."""
    noise = inj.make_windows(preps, waves, inj.TEST_SPAN, n_noise, snrs, rng, 0.0, True)
    sig = inj.make_windows(preps, waves, inj.TEST_SPAN, len(snrs), snrs, rng, 1.0, True)
    scores = {
        "CNN": (
            model.decision_function(noise.X, noise.file),
            model.decision_function(sig.X, sig.file),
        ),
        "matched filter": (noise.mf, sig.mf),
        BANK: (inj.bank_statistic(noise, waves), inj.bank_statistic(sig, waves)),
    }
    return sig, scores


def replace_seed(cfg: Config, seed: int) -> Config:
    return dataclasses.replace(cfg, seed=seed)


def _efficiency(score: np.ndarray, snr: np.ndarray, thr: float, snrs) -> np.ndarray:
    return np.array([np.mean(score[np.isclose(snr, s)] > thr) for s in snrs])


def scan_event(
    model: ChirpCNN, prep: inj.Prepared, step: float, file: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """CNN score of every 1 s window (every `step` s) over a whole file: (window centres, scores).
    file: the file's index among the banks the model was given (front "bank")."""
    L = inj.FS_NET
    hop = int(step * L)
    starts = np.arange(L, len(prep.x) - 2 * L, hop)  # skip the Tukey-windowed first and last 1 s
    X = np.stack([prep.x[s : s + L] for s in starts]).astype(np.float32)
    return (starts + L / 2) / L, model.decision_function(X, np.full(len(X), file))


def run(data: GWData, cfg: Config = TOUR) -> Detection:
    from threadpoolctl import threadpool_limits

    # Small matrices: one BLAS thread is far faster than several competing for two busy cores.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(data, cfg)


def _run(data: GWData, cfg: Config) -> Detection:
    rng = np.random.default_rng(cfg.seed)
    secs = {}
    t0 = time.perf_counter()
    preps = inj.prepare_all(data)
    bank = inj.default_bank(data, cfg.n_masses)
    waves = [inj.whitened_waveforms(p, bank, 4096) for p in preps]
    secs["prepare"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if cfg.fresh_steps:
        sample = inj.fresh_batches(preps, waves, cfg.train_snr, rng, 64, cfg.colour, cfg.gauss)
        model = ChirpCNN(front=cfg.front, seed=cfg.seed)
        model.fit_stream(sample, cfg.fresh_steps, inj.FS_NET, waves)
        # the training accuracy on n_train windows drawn the same way
        batches = [sample(0) for _ in range(max(1, cfg.n_train // 64))]
        X_tr, y_tr, f_tr = (np.concatenate(b) for b in zip(*batches))
    else:
        train = inj.make_windows(preps, waves, inj.TRAIN_SPAN, cfg.n_train, cfg.train_snr, rng)
        X_tr, y_tr, f_tr = train.X, train.y, train.file
        model = ChirpCNN(num_epochs=cfg.num_epochs, front=cfg.front, seed=cfg.seed)
        model.fit(X_tr, y_tr, f_tr, waves)
    secs["train"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    snrs = np.repeat(np.asarray(cfg.test_snrs, dtype=float), cfg.n_per_snr)
    sig, scores = score_test_windows(model, preps, waves, snrs, cfg.n_noise_test, rng)
    thresholds = {k: float(np.quantile(n, 1 - cfg.fap)) for k, (n, _) in scores.items()}
    eff = {k: _efficiency(s, sig.snr, thresholds[k], cfg.test_snrs) for k, (_, s) in scores.items()}
    x = np.asarray(cfg.test_snrs, dtype=float)
    area = {k: float(np.trapezoid(v, x)) for k, v in eff.items()}
    at8 = {k: float(np.interp(8.0, x, v)) for k, v in eff.items()}
    secs["evaluate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    scan = {}
    for f, p in enumerate(preps):
        if p.event != "GW150914":
            continue
        t, s = scan_event(model, p, cfg.scan_step, f)
        best = int(np.argmax(s))
        scan[p.detector] = {
            "t": t,
            "score": s,
            "best_time": float(t[best]),
            "best_score": float(s[best]),
            "threshold": thresholds["CNN"],
            "event_offset": float(data.events["GW150914"].offset(p.detector)),
        }
    secs["scan"] = time.perf_counter() - t0
    return Detection(
        x,
        eff,
        thresholds,
        area["CNN"] / area["matched filter"],
        area["CNN"] / area[BANK],
        at8,
        model.score(X_tr, y_tr, f_tr),
        scan,
        model.losses_,
        secs,
        dataclasses.asdict(cfg),
    )
