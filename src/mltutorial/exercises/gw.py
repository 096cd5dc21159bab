"""Checks for the gravitational-wave notebook: whitening; the matched filter in white noise; the
chirp mass, the one mass combination the inspiral's frequency track measures."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, close, verdict


def _whiten(x: np.ndarray, fs: int, psd: np.ndarray) -> np.ndarray:
    return np.fft.irfft(np.fft.rfft(x) / np.sqrt(psd * fs / 2.0), len(x))


def check_whiten(fn) -> bool:
    """`fn(x, fs, psd)` -> x whitened: its Fourier transform divided by the amplitude spectral
    density, with `psd` the one-sided PSD at the frequencies np.fft.rfftfreq(len(x), 1 / fs)."""

    def check() -> None:
        rng = np.random.default_rng(11)
        fs, n = 256, 4096
        f = np.fft.rfftfreq(n, 1.0 / fs)
        psd = 1e-4 * (1.0 + (20.0 / np.maximum(f, 1.0)) ** 4)  # red noise, as a detector's
        x = np.fft.irfft(
            (rng.standard_normal(len(f)) + 1j * rng.standard_normal(len(f)))
            * np.sqrt(psd * fs * n / 4.0),
            n,
        )
        with np.errstate(all="ignore"):
            got = as_array(call(fn, x.copy(), fs, psd.copy()))
        want = _whiten(x, fs, psd)
        hint = (
            "white = irfft(rfft(x) / √(PSD · fs / 2), n): divide by the AMPLITUDE spectral density "
            "(√PSD), scaled so that white noise of unit variance comes out"
        )
        if got.shape == want.shape and np.all(np.isfinite(got)):
            if np.allclose(got, np.fft.irfft(np.fft.rfft(x) / (psd * fs / 2.0), n), rtol=1e-3):
                raise Wrong("you divided by the PSD, not by its square root. " + hint)
            ratio = np.std(got) / np.std(want)
            if not np.isclose(ratio, 1.0, rtol=0.05) and np.allclose(got / ratio, want, rtol=1e-3):
                raise Wrong(
                    f"the shape is right, the scale is off by {ratio:.3g}: the output should have "
                    f"unit variance (yours: {np.var(got):.3g}). " + hint
                )
        close(got, want, hint, atol=1e-6, rtol=1e-3)

    return verdict(check)


def _snr(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    return np.correlate(x, h, mode="valid") / np.linalg.norm(h)


def check_matched_filter(fn) -> bool:
    """`fn(x, h)` -> the SNR at every lag of template h in white unit-variance data x:
    rho[t] = Σ_k x[t + k] h[k] / ‖h‖, for t = 0 … len(x) − len(h)."""

    def check() -> None:
        rng = np.random.default_rng(12)
        t = np.linspace(0, 1, 200)
        h = np.sin(2 * np.pi * (10 * t + 30 * t**2)) * np.hanning(200)  # a little chirp
        x = rng.standard_normal(1000)
        x[500:700] += 8.0 * h / np.linalg.norm(h)  # SNR 8 at lag 500
        got = as_array(call(fn, x.copy(), h.copy()))
        want = _snr(x, h)
        hint = (
            "slide h along x: rho[t] = Σ x[t:t+len(h)] · h / ‖h‖ (np.correlate(x, h, 'valid') / "
            "np.linalg.norm(h)); in unit-variance white noise that is the SNR"
        )
        if got.shape == want.shape and np.allclose(got, want * np.linalg.norm(h), rtol=1e-4):
            raise Wrong("divide by ‖h‖: then pure noise gives rho of standard deviation 1. " + hint)
        if got.shape == want.shape and np.allclose(got, np.abs(want), rtol=1e-4):
            raise Wrong("keep the sign (take |rho| later, when you look for the peak). " + hint)
        close(got, want, hint, atol=1e-6, rtol=1e-4)

    return verdict(check)


def check_chirp_mass(fn) -> bool:
    """`fn(m1, m2)` -> the chirp mass (m1·m2)^(3/5) / (m1 + m2)^(1/5), in the masses' unit."""

    def check() -> None:
        hint = (
            "Mc = (m1·m2)^(3/5) / (m1 + m2)^(1/5): the combination that sets how fast the "
            "frequency sweeps up, df/dt ∝ Mc^(5/3) f^(11/3)"
        )
        for m1, m2 in ((36.0, 29.0), (14.2, 7.5), (1.4, 1.4), (30.0, 30.0)):
            got = call(fn, m1, m2)
            want = (m1 * m2) ** 0.6 / (m1 + m2) ** 0.2
            close(got, want, f"m1={m1}, m2={m2}: {hint}", atol=1e-6, rtol=1e-6)

    return verdict(check)
