"""One-second windows of whitened detector noise, with and without injected chirps of known SNR.

The recipe (Gabbard et al. 2018, PRL 120, 141103, on real noise instead of simulated): each
detector file is whitened with its own Welch PSD, band-passed 20-500 Hz and decimated to 1024 Hz,
then divided by its noise standard deviation, so a window is unit-variance (nearly) white noise.
Waveforms go through the same whitening with the same PSD, so an injection is simply

    x = noise + rho * h / ||h||,

where h is the part of the whitened chirp that falls inside the window and rho its optimal SNR
there (in white unit-variance noise, the optimal SNR of a signal is its Euclidean norm). Chirps
come from the shipped templates rescaled in total mass (see waveforms.py), with a random phase
and a random merger time late in the window.

Noise stretches: each file gives training noise from its first 12.5 s and test noise from its last
11.5 s; the 6 s around the event in the middle are never used, so the network is never shown
GW150914 or GW151226. Windows are drawn at random offsets, so they overlap: the test set holds
about 46 s of distinct noise, whatever its number of windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft
from scipy import signal

from mltutorial.apps.gw import filtering, waveforms
from mltutorial.data.gwosc import GWData, Strain

FS_NET = 1024  # Hz after decimation: the chirps of 20-100 M_sun end below 500 Hz
DECIMATE = 4
BAND = (20.0, 500.0)
TRAIN_SPAN = (1.0, 13.5)  # seconds of each 32 s file; the first 1 s is lost to the Tukey window
TEST_SPAN = (19.5, 31.0)
MERGER = int(1.5 * FS_NET)  # the merger's sample in a whitened waveform (whitened_waveforms)


@dataclass
class Prepared:
    """One detector file, whitened and decimated: x (n,) at FS_NET, unit-variance noise."""

    x: np.ndarray
    event: str
    detector: str
    gps_start: float
    psd: tuple[np.ndarray, np.ndarray]
    scale: float  # std of the band-passed whitened noise before normalising


def _condition(x: np.ndarray, fs: int, psd: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    white = filtering.whiten(x, fs, *psd)
    band = filtering.bandpass(white, fs, *BAND)
    return signal.resample_poly(band, 1, DECIMATE)


def prepare(
    strain: Strain, event: str, span: tuple[float, float] | None = None, psd_seconds: float = 4.0
) -> Prepared:
    """Whiten, band-pass and decimate one file; normalise it to unit-variance noise.

    span None: the PSD is the whole file's (Welch, `psd_seconds` segments) and the scale the std of
    both noise stretches. span (a, b) seconds: the PSD is estimated from that stretch of the file
    only and the scale is its std, so only x[a:b] is meant to be used (the rest is filtered with
    the same PSD); training and test stretches prepared each with their own PSD are equally white,
    and nothing of the test noise enters the training noise's whitening.
    """
    fs = strain.fs
    if span is None:
        psd = filtering.psd(strain.x, fs, psd_seconds)
        pieces = (TRAIN_SPAN, TEST_SPAN)
    else:
        psd = filtering.psd(strain.x[int(span[0] * fs) : int(span[1] * fs)], fs, psd_seconds)
        pieces = (span,)
    y = _condition(strain.x, fs, psd)
    noise = np.concatenate([y[int(a * FS_NET) : int(b * FS_NET)] for a, b in pieces])
    scale = float(np.std(noise))
    return Prepared(y / scale, event, strain.detector, strain.gps_start, psd, scale)


def whitened_waveforms(prep: Prepared, templates, fs: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each template (plus, cross) through the same whitening as `prep`, at FS_NET, merger-aligned.

    Returns arrays cut to [merger - 1.5 s, merger + 0.5 s] (merger = loudest sample).
    """
    out = []
    for t in templates:
        pair = [_condition(h, fs, prep.psd) / prep.scale for h in (t.plus, t.cross)]
        m = int(np.argmax(np.hypot(*pair)))
        a, b = m - MERGER, m + int(0.5 * FS_NET)
        out.append((pair[0][a:b], pair[1][a:b]))
    return out


@dataclass
class WindowSet:
    """X (n, 1024) float32 windows; y (n,) 1 = chirp injected; snr (n,) optimal SNR (0 for noise);
    wave (n,) index of the injected waveform (-1 for noise); mf (n,) the matched filter statistic
    with the injected waveform (for noise: with a waveform drawn the same way); file (n,) the index
    of the detector file the noise came from."""

    X: np.ndarray
    y: np.ndarray
    snr: np.ndarray
    wave: np.ndarray
    mf: np.ndarray
    file: np.ndarray


def _mf_statistic(x: np.ndarray, hp: np.ndarray, hc: np.ndarray) -> float:
    """max over lags of the two-quadrature correlation, in units of the noise std (white noise)."""
    norm = np.sqrt((np.dot(hp, hp) + np.dot(hc, hc)) / 2.0)
    cp = signal.fftconvolve(x, hp[::-1], mode="full")
    cc = signal.fftconvolve(x, hc[::-1], mode="full")
    return float(np.sqrt(np.max(cp**2 + cc**2)) / norm)


def make_windows(
    preps: list[Prepared],
    waves: list[list[tuple[np.ndarray, np.ndarray]]],
    span: tuple[float, float],
    n: int,
    snrs: np.ndarray | tuple[float, float],
    rng: np.random.Generator,
    signal_fraction: float = 0.5,
    with_mf: bool = False,
) -> WindowSet:
    """`n` windows from `span` of random files; a fraction get a chirp.

    snrs: an array gives each injection's SNR in turn (cycled); a pair (lo, hi) draws uniformly.
    """
    L = FS_NET
    X = np.empty((n, L), dtype=np.float32)
    y = (rng.random(n) < signal_fraction).astype(np.int64)
    snr = np.zeros(n)
    wave = np.full(n, -1)
    mf = np.zeros(n)
    files = np.zeros(n, dtype=np.int64)
    k_sig = 0
    for i in range(n):
        f = files[i] = int(rng.integers(len(preps)))
        start = rng.integers(int(span[0] * L), int(span[1] * L) - L)
        x = preps[f].x[start : start + L].astype(np.float64) * rng.choice((-1.0, 1.0))
        w = int(rng.integers(len(waves[f])))
        hp_full, hc_full = waves[f][w]
        phase = rng.uniform(0, 2 * np.pi)
        merger = int(rng.uniform(0.55, 0.95) * L)  # merger sample inside the window
        a = MERGER - merger
        hp, hc = hp_full[a : a + L], hc_full[a : a + L]  # (L,)
        if y[i]:
            h = np.cos(phase) * hp + np.sin(phase) * hc
            rho = snrs[k_sig % len(snrs)] if isinstance(snrs, np.ndarray) else rng.uniform(*snrs)
            k_sig += 1
            x = x + rho * h / np.linalg.norm(h)
            snr[i], wave[i] = rho, w
        X[i] = x
        if with_mf:
            mf[i] = _mf_statistic(x, hp, hc)
    return WindowSet(X, y, snr, wave, mf, files)


def recolour(X: np.ndarray, rng: np.random.Generator, amount: float, gauss: float = 0.0):
    """Noise windows (n, L) for training: a fraction `gauss` replaced by white Gaussian noise, then
    each through a random smooth spectral gain (a few cosines in log amplitude, of typical size
    `amount`) and back to unit variance.

    The whitened real noise's spectrum drifts between the training and the test stretches (measured
    in bench/results/gw_explore.md); a network shown the training stretches' exact noise learns that noise (scoring
    unseen noise as chirp-like) instead of the chirp. Noise it cannot memorise fixes that.
    """
    n, L = X.shape
    X = X.astype(np.float64)
    g = rng.random(n) < gauss
    X[g] = rng.standard_normal((int(g.sum()), L))
    f = np.linspace(0.0, 1.0, L // 2 + 1)
    k = np.arange(1, 6)
    c = rng.normal(0.0, amount / np.sqrt(len(k)), (n, len(k)))
    gain = np.exp(c @ np.cos(np.pi * np.outer(k, f)))  # (n, L/2+1)
    Y = np.fft.irfft(np.fft.rfft(X, axis=1) * gain, L, axis=1)
    return (Y / Y.std(axis=1, keepdims=True)).astype(np.float32)


def chirps(
    waves: list[list[tuple[np.ndarray, np.ndarray]]],
    files: np.ndarray,
    snrs: tuple[float, float],
    rng: np.random.Generator,
) -> np.ndarray:
    """Whitened chirps alone (n, FS_NET), each from the bank of its window's file, drawn as
    make_windows draws them: waveform, phase, merger at 0.55-0.95 of the window, SNR uniform."""
    L = FS_NET
    out = np.zeros((len(files), L))
    for i, f in enumerate(files):
        hp, hc = waves[f][int(rng.integers(len(waves[f])))]
        phase = rng.uniform(0, 2 * np.pi)
        a = MERGER - int(rng.uniform(0.55, 0.95) * L)
        h = np.cos(phase) * hp[a : a + L] + np.sin(phase) * hc[a : a + L]
        out[i] = rng.uniform(*snrs) * h / np.linalg.norm(h)
    return out


def fresh_batches(
    preps: list[Prepared],
    waves: list[list[tuple[np.ndarray, np.ndarray]]],
    snrs: tuple[float, float],
    rng: np.random.Generator,
    batch: int = 64,
    colour: float = 0.0,
    gauss: float = 0.0,
):
    """`sample(step) -> (X, y, files)`: a new batch of training windows every call (George &
    Huerta 2018): noise window, waveform, phase, merger time and SNR all drawn anew from the
    training stretches, the noise recoloured (see `recolour`), half the windows given a chirp
    (whitened with the noise window's file, whose index is in `files`) after, at its SNR."""

    def sample(step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        noise = make_windows(preps, waves, TRAIN_SPAN, batch, snrs, rng, 0.0)
        X = recolour(noise.X, rng, colour, gauss) if colour or gauss else noise.X
        y = (rng.random(batch) < 0.5).astype(np.int64)
        X = X + y[:, None] * chirps(waves, noise.file, snrs, rng)
        return X.astype(np.float32), y, noise.file

    return sample


def bank_statistic(
    ws: WindowSet, waves: list[list[tuple[np.ndarray, np.ndarray]]], chunk: int = 256
) -> np.ndarray:
    """The matched filter as a search runs it: the largest two-quadrature SNR over every waveform
    of the bank (whitened with the window's own file) and every lag, not told which was injected.

    Each whole 2 s waveform slides across the window, so a merger anywhere in it is caught. One
    complex FFT per window and waveform: the plus and cross correlations are its real and
    imaginary parts.
    """
    L = ws.X.shape[1]
    out = np.zeros(len(ws.X))
    for f in np.unique(ws.file):
        W = len(waves[f][0][0])
        nfft = 1 << int(np.ceil(np.log2(L + W - 1)))
        # single precision: twice as fast, and far below the noise in the statistic
        H = np.stack([sfft.fft(hp[::-1] + 1j * hc[::-1], nfft) for hp, hc in waves[f]])
        H = H.astype(np.complex64)
        norm = np.array([np.sqrt((hp @ hp + hc @ hc) / 2.0) for hp, hc in waves[f]])
        idx = np.flatnonzero(ws.file == f)
        for i in range(0, len(idx), chunk):
            rows = idx[i : i + chunk]
            Xf = sfft.fft(ws.X[rows].astype(np.complex64), nfft, axis=1)  # (c, nfft)
            best = np.zeros(len(rows))
            for h, nrm in zip(H, norm):
                c = sfft.ifft(Xf * h, axis=1)[:, : L + W - 1]
                best = np.maximum(best, np.max(np.abs(c), axis=1) / nrm)
            out[rows] = best
    return out


def default_bank(data: GWData, n_masses: int = 7):
    """The injection family: both shipped templates at total masses 20-80 M_sun (log-spaced)."""
    temps = [ev.template for ev in data.events.values()]
    return waveforms.bank(temps, np.geomspace(20.0, 80.0, n_masses))


def prepare_all(
    data: GWData, span: tuple[float, float] | None = None, psd_seconds: float = 4.0
) -> list[Prepared]:
    """Every detector file of every event, in order; span as `prepare`."""
    return [
        prepare(s, name, span, psd_seconds)
        for name, ev in data.events.items()
        for s in ev.strains.values()
    ]
