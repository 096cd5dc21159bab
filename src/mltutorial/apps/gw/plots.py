"""The chapter's figures: the event as the tutorial shows it, and the CNN against the matched filter."""

from __future__ import annotations

import numpy as np

from mltutorial.apps.gw import filtering
from mltutorial.apps.gw.detection import Detection


def plot_event(event, peaks, other_peaks, path, label=""):
    """2 x 2: whitened strain with the fitted template; spectrogram; SNR series of both events."""
    from mltutorial import viz

    fig, axes = viz.figure(ncols=2, nrows=2, width=5.6, height=3.4)
    (a, b), (c, d) = axes
    h1 = event.strains["H1"]
    fs = h1.fs
    t_ev = peaks[0].time
    lo, hi = event.fband
    for p, color in zip(peaks, ("#1f77b4", "#d62728")):
        s = event.strains[p.detector]
        f_psd, s_psd = filtering.psd(s.x, fs)
        white = filtering.bandpass(filtering.whiten(s.x, fs, f_psd, s_psd), fs, lo, hi)
        t = np.arange(len(white)) / fs - t_ev
        sel = np.abs(t + 0.05) < 0.15
        a.plot(t[sel], white[sel], color=color, lw=0.8, label=f"{p.detector} whitened")
    a.set(xlabel=f"time (s) from {t_ev:.3f} s after the file's start", ylabel="whitened strain (σ)",
          title=f"{event.name}: {lo:g}-{hi:g} Hz")  # fmt: skip
    a.legend(fontsize=8, loc="upper left")
    f_psd, s_psd = filtering.psd(h1.x, fs)
    white = filtering.whiten(h1.x, fs, f_psd, s_psd)
    seg = white[int((t_ev - 2) * fs) : int((t_ev + 1) * fs)]
    ts, fq, pw = filtering.spectrogram(seg, fs)
    keep = (fq >= 20) & (fq <= 500)
    b.pcolormesh(ts - 2, fq[keep], pw[keep], shading="auto", cmap="viridis",
                 vmax=np.percentile(pw[keep], 99.9))  # fmt: skip
    b.set(xlabel="time (s) from the peak", ylabel="frequency (Hz)", title="H1 whitened: the chirp")
    b.grid(False)
    for ax, pk, name in ((c, peaks, event.name), (d, other_peaks[1], other_peaks[0])):
        for p in pk:
            m = p.series
            sel = np.abs(m.t - p.time) < 1.0
            ax.plot(m.t[sel] - p.time, m.snr[sel], lw=0.8, label=f"{p.detector}: {p.snr:.1f}")
        ax.set(xlabel=f"time (s) from {pk[0].time:.3f} s", ylabel="matched-filter SNR",
               title=f"{name}: SNR")  # fmt: skip
        ax.legend(fontsize=8, loc="upper left")
    return viz.save(fig, path, title=f"Hearing the chirp the LIGO tutorial's way{label}")


def plot_detection(det: Detection, path, label=""):
    """Left: efficiency vs injected SNR at 1 % false alarms. Right: the CNN sliding over GW150914."""
    from mltutorial import viz

    bank = det.config.get("front") == "bank"  # the MFCNN: a fixed bank search, then the CNN
    net = "MFCNN" if bank else "CNN"
    fig, (a, b) = viz.figure(ncols=2, width=5.6, height=3.8)
    styles = ((viz.COLORS["ours"], "o-"), (viz.COLORS["peer"], "o-"), (viz.COLORS["peer"], "s--"))
    for (name, eff), (color, style) in zip(det.efficiency.items(), styles):
        shown = net if name == "CNN" else name
        a.plot(
            det.snrs, eff, style, color=color, label=f"{shown}: {det.at_snr8[name]:.0%} at SNR 8"
        )
    a.axvline(8, color="grey", ls=":", lw=1)
    a.set(xlabel="injected optimal SNR", ylabel="fraction found (efficiency)", ylim=(-0.02, 1.02),
          title=f"1 % false alarms; {net}'s area / matched filter's {det.area_ratio:.2f}")  # fmt: skip
    a.legend(loc="lower right", fontsize=8)
    for detector, s in det.scan.items():
        b.plot(
            s["t"], s["score"], lw=0.9, label=f"{detector}: best window at {s['best_time']:.2f} s"
        )
    thr = det.thresholds["CNN"]
    b.axhline(thr, color="grey", ls="--", lw=1, label="1 % false-alarm threshold")
    first = next(iter(det.scan.values()))
    b.axvline(first["event_offset"], color="black", ls=":", lw=1, label="GW150914 (event table)")
    b.set(xlabel="window centre (s after the file's start)", ylabel=f"{net} score (logit)",
          title=f"The {net} scans GW150914 (never trained on it)")  # fmt: skip
    b.legend(fontsize=7, loc="upper left")
    heading = "The MFCNN (a template-bank search, then a CNN)" if bank else "A CNN"
    return viz.save(fig, path, title=f"{heading} against the matched filter{label}")
