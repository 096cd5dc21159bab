"""See a chirp as the LIGO/GWOSC event tutorial does: PSD, whitening, band-pass, spectrogram, matched filter.

Everything is scipy.signal and NumPy FFTs, following the "LOSC event tutorial" step by step:

- noise PSD by Welch: 4 s Hann segments, half overlap (`psd`);
- whitening: divide the Fourier transform by the amplitude spectral density (`whiten`);
- band-pass: a Butterworth filter run forwards and backwards (`bandpass`);
- a time-frequency picture of the whitened data (`spectrogram`), where the chirp shows as a rising track;
- the matched filter (`matched_filter`): data and template Tukey-windowed (alpha 1/8) and Fourier
  transformed, correlated with weights 1/PSD, normalised by the template's sigma
  sigma^2 = sum |h~(f)|^2 / S(f) df, so that the output is the SNR time series; its peak is the event.
The tutorial's normalisation is kept as it is, so its quoted peak SNRs (GW150914 H1 about 18.6) come out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal

PSD_SECONDS = 4.0  # Welch segment length: the tutorial's NFFT = 4 * fs
TUKEY_ALPHA = 1.0 / 8.0  # the tutorial's data window


def psd(x: np.ndarray, fs: int, seconds: float = PSD_SECONDS) -> tuple[np.ndarray, np.ndarray]:
    """One-sided PSD by Welch (Hann window, 50 % overlap): (f, S(f)) in 1/Hz."""
    nper = int(seconds * fs)
    return signal.welch(x, fs=fs, window="hann", nperseg=nper, noverlap=nper // 2)


def interp_psd(f_psd: np.ndarray, s_psd: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The PSD at frequencies `f`; outside the curve's range it is infinite (no information there)."""
    out = np.interp(np.abs(f), f_psd, s_psd, left=np.inf, right=np.inf)
    return np.where(out > 0, out, np.inf)


def whiten(x: np.ndarray, fs: int, f_psd: np.ndarray, s_psd: np.ndarray) -> np.ndarray:
    """Divide by the ASD in the frequency domain; white noise of unit variance comes out.

    The data are Tukey-windowed first so the ends do not ring (their first and last 1/16 are
    unreliable). Norm: a one-sided PSD S means a per-sample variance of S * fs / 2.
    """
    n = len(x)
    xf = np.fft.rfft(x * signal.windows.tukey(n, TUKEY_ALPHA))
    f = np.fft.rfftfreq(n, 1.0 / fs)
    white = xf / np.sqrt(interp_psd(f_psd, s_psd, f) * fs / 2.0)
    return np.fft.irfft(white, n)


def bandpass(x: np.ndarray, fs: int, low: float, high: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass (second-order sections, run forwards and backwards)."""
    sos = signal.butter(order, [low, high], btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x)


def spectrogram(x: np.ndarray, fs: int, seconds: float = 1.0 / 16):
    """(t, f, power) of the whitened data: short Hann windows, heavy overlap (a Q-transform-like view)."""
    nper = int(seconds * fs)
    f, t, p = signal.spectrogram(x, fs=fs, window="hann", nperseg=nper, noverlap=nper * 15 // 16)
    return t, f, p


@dataclass
class MatchedFilter:
    """The SNR time series of one template in one detector's data.

    snr: (n,) |complex SNR| at each time (template merger aligned to that time);
    peak_snr, peak_time (seconds after the data start), phase at the peak;
    sigma: the template's sigma (its SNR at 1 Mpc, optimally oriented, in this noise).
    """

    t: np.ndarray
    snr: np.ndarray
    peak_snr: float
    peak_time: float
    phase: float
    sigma: float
    amplitude: complex  # complex SNR / sigma at the peak: how to scale the template to fit the data


def template_sigma(
    plus: np.ndarray, fs: int, f_psd: np.ndarray, s_psd: np.ndarray, f_low: float = 0.0
) -> float:
    """sigma of a template in a noise PSD, with the tutorial's normalisation (see module doc)."""
    n = len(plus)
    hf = np.fft.fft(plus * signal.windows.tukey(n, TUKEY_ALPHA)) / fs
    f = np.fft.fftfreq(n, 1.0 / fs)
    power = interp_psd(f_psd, s_psd, f)
    power = np.where(np.abs(f) < f_low, np.inf, power)
    return float(np.sqrt(np.sum(np.abs(hf) ** 2 / power) * fs / n))


def matched_filter(
    x: np.ndarray,
    fs: int,
    plus: np.ndarray,
    cross: np.ndarray,
    psd_curve: tuple[np.ndarray, np.ndarray] | None = None,
    merger_index: int | None = None,
) -> MatchedFilter:
    """Correlate data `x` with the template (plus + i cross), weighted by 1/PSD (see module doc).

    The template is zero-padded or cut to the data's length. `merger_index` is the template sample
    that the time axis refers to (default: its centre, as in the tutorial's templates, whose
    reference time sits at the middle of the file, a few ms after the merger).
    """
    n = len(x)
    h = _fit_length(plus + 1j * cross, n)
    if merger_index is None:
        merger_index = min(len(plus), n) // 2
    f_psd, s_psd = psd_curve if psd_curve is not None else psd(x, fs)
    window = signal.windows.tukey(n, TUKEY_ALPHA)
    hf = np.fft.fft(h * window) / fs
    xf = np.fft.fft(x * window) / fs
    f = np.fft.fftfreq(n, 1.0 / fs)
    power = interp_psd(f_psd, s_psd, f)
    df = fs / n
    optimal = 2 * np.fft.ifft(xf * hf.conj() / power) * fs  # (n,) complex
    sigma = float(np.sqrt(np.abs(np.sum(hf * hf.conj() / power) * df)))
    if not sigma > 0:
        from mltutorial.errors import UserError

        raise UserError("the template has no power where the detector has data (sigma = 0)")
    snr_c = np.roll(optimal / sigma, merger_index)
    snr = np.abs(snr_c)
    # the ends of the data are windowed away: do not let them hold the peak
    edge = int(n * TUKEY_ALPHA / 2)
    inner = snr.copy()
    inner[:edge] = inner[n - edge :] = 0.0
    i = int(np.argmax(inner))
    return MatchedFilter(
        np.arange(n) / fs,
        snr,
        float(snr[i]),
        i / fs,
        float(np.angle(snr_c[i])),
        sigma,
        complex(snr_c[i] / sigma),
    )


def _fit_length(h: np.ndarray, n: int) -> np.ndarray:
    """Zero-pad to n samples, or cut n samples centred on the template's reference (its centre)."""
    if len(h) >= n:
        a = len(h) // 2 - n // 2
        return h[a : a + n]
    return np.concatenate([h, np.zeros(n - len(h), dtype=h.dtype)])


def write_wav(path: str | Path, x: np.ndarray, fs: int, shift_hz: float = 0.0) -> Path:
    """A 16-bit WAV of `x` scaled to 90 % full range; `shift_hz` moves it up in pitch to hear it.

    The chirp sweeps 35-250 Hz, low for small speakers: the tutorial shifts it up by 400 Hz with an
    analytic-signal frequency shift, kept here as an option.
    """
    from scipy.io import wavfile

    from mltutorial.files import atomic_path

    y = np.asarray(x, dtype=np.float64)
    if shift_hz:
        analytic = signal.hilbert(y)
        y = np.real(analytic * np.exp(2j * np.pi * shift_hz * np.arange(len(y)) / fs))
    peak = np.max(np.abs(y)) or 1.0
    pcm = np.int16(np.round(y / peak * 0.9 * 32767))
    with atomic_path(path) as tmp:
        wavfile.write(tmp, fs, pcm)
    return Path(path)
