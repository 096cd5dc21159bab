"""Waveforms of other masses from the shipped templates, by general relativity's mass scaling.

In vacuum general relativity has no length scale of its own: a binary of total mass lambda*M (same
mass ratio, same dimensionless spins) is the binary of mass M with every time stretched by lambda,
and at a fixed distance its strain is lambda times larger (h ~ G M / (c^2 D) times a function of
t c^3 / (G M)). So

    h_{lambda M}(t) = lambda * h_M(t_ref + (t - t_ref) / lambda),

exact at fixed mass ratio and spins. `rescale` does this about the template's reference time (its
centre) with a cubic spline; `bank` lays out a small template bank over total mass for each shipped
template (the two templates give two mass ratios, q = 0.70 and 0.34, with their own spins).
lalsimulation would give any waveform family directly; this needs nothing beyond the two files.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.interpolate import CubicSpline

from mltutorial.data.gwosc import G_SUN_OVER_C3, Template


def rescale(template: Template, total_mass: float) -> Template:
    """The same binary at total mass `total_mass` (M_sun), same distance: see the module doc."""
    lam = total_mass / template.total_mass
    n = len(template.plus)
    t = np.arange(n) / template.fs
    t_ref = (n // 2) / template.fs
    src = t_ref + (t - t_ref) / lam  # where each output sample comes from in the original
    inside = (src >= t[0]) & (src <= t[-1])
    out = []
    for h in (template.plus, template.cross):
        spline = CubicSpline(t, h)
        y = np.zeros(n)
        y[inside] = lam * spline(src[inside])
        out.append(y)
    return replace(template, plus=out[0], cross=out[1], m1=template.m1 * lam, m2=template.m2 * lam)


def bank(templates: list[Template], masses: np.ndarray) -> list[Template]:
    """Every template rescaled to every total mass: len(templates) * len(masses) waveforms."""
    return [rescale(t, float(m)) for t in templates for m in masses]


def default_masses(n: int = 9) -> np.ndarray:
    """Total masses 15-100 M_sun, log-spaced: the O1 binary black holes lie in this range."""
    return np.geomspace(15.0, 100.0, n)


def instantaneous_frequency(template: Template) -> tuple[np.ndarray, np.ndarray]:
    """(t, f) of the plus/cross phase: f = (1 / 2 pi) d(phase)/dt, where the template is non-zero."""
    phase = np.unwrap(np.angle(template.plus + 1j * template.cross))
    f = np.gradient(phase) * template.fs / (2 * np.pi)
    t = np.arange(len(phase)) / template.fs
    return t, np.abs(f)


def chirp_mass_from_track(template: Template, f_lo: float, f_hi: float) -> float:
    """The chirp mass (M_sun) that the template's frequency track implies in the early inspiral.

    Leading order: tau(f) = (5 / 256) (G Mc / c^3)^(-5/3) (pi f)^(-8/3), tau the time to merger,
    so tau against f^(-8/3) is a line whose slope gives Mc. Fitted between f_lo and f_hi.
    """
    t, f = instantaneous_frequency(template)
    amp = np.abs(template.plus + 1j * template.cross)
    t_merge = t[np.argmax(amp)]
    sel = (f >= f_lo) & (f <= f_hi) & (t < t_merge) & (amp > amp.max() * 1e-3)
    x = (np.pi * f[sel]) ** (-8.0 / 3.0)
    tau = t_merge - t[sel]
    slope = np.polyfit(x, tau, 1)[0]  # = (5/256) Mc_sec^(-5/3)
    mc_sec = (slope * 256.0 / 5.0) ** (-3.0 / 5.0)
    return float(mc_sec / G_SUN_OVER_C3)
