"""What the Einstein Telescope would hear: GW150914's template in three noise curves.

The template files hold the waveform at 1 Mpc, so its sigma (filtering.template_sigma) in a noise PSD
is the SNR it would have at 1 Mpc, and SNR falls as 1 / distance. H1 measured SNR rho_H1 with
sigma_H1 in its own measured noise, so the merger's effective distance is d = sigma_H1 / rho_H1
(effective: it folds in the sky position and orientation H1 saw). In another detector with the same
orientation the same merger gives

    rho_X = rho_H1 * sigma_X / sigma_H1,        horizon_X = d * rho_X / 8 = sigma_X / 8,

the distance out to which it stays above SNR 8. Caveats, said where the numbers are shown: the
template starts at 6.3 Hz, so ET's reach below that is not counted (a lower bound); ET-D is the PSD
of one of ET's three interferometers (60 degree arms, no antenna-pattern correction here); and at
ET's distances the cosmological redshift (which lowers the observed frequencies and changes the
amplitude) is neglected, so its horizon is a luminosity-distance sketch, not a survey figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mltutorial.apps.gw import filtering
from mltutorial.data.gwosc import GWData

SNR_THRESHOLD = 8.0


@dataclass
class Telescope:
    measured_snr: float  # H1's peak SNR (the matched filter on the real data)
    sigma: dict[str, float]  # detector -> template sigma (SNR at 1 Mpc)
    snr: dict[str, float]  # detector -> SNR of this merger
    ratio: dict[str, float]  # detector -> snr / measured_snr
    horizon_mpc: dict[str, float]  # detector -> distance at SNR 8
    curves: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (f, ASD)
    effective_distance_mpc: float


def run(data: GWData, event: str = "GW150914", det: str = "H1") -> Telescope:
    ev = data.events[event]
    strain = ev.strains[det]
    f_h1, s_h1 = filtering.psd(strain.x, strain.fs)
    mf = filtering.matched_filter(strain.x, strain.fs, ev.template.plus, ev.template.cross)
    psds = {f"{det} measured (O1)": (f_h1, s_h1), **data.curves}
    sigma = {
        k: filtering.template_sigma(ev.template.plus, ev.template.fs, f, s)
        for k, (f, s) in psds.items()
    }
    ref = f"{det} measured (O1)"
    ratio = {k: v / sigma[ref] for k, v in sigma.items()}
    snr = {k: mf.peak_snr * r for k, r in ratio.items()}
    d_eff = sigma[ref] / mf.peak_snr
    return Telescope(
        mf.peak_snr,
        sigma,
        snr,
        ratio,
        {k: v / SNR_THRESHOLD for k, v in sigma.items()},
        {k: (f, np.sqrt(s)) for k, (f, s) in psds.items()},
        d_eff,
    )


def plot(result: Telescope, path, label: str = ""):
    from mltutorial import viz

    fig, ax = viz.figure(width=7.5, height=4.6)
    for name, (f, asd) in result.curves.items():
        keep = (f >= 5) & (f <= 2048) & np.isfinite(asd)
        text = (
            f"{name}: SNR {result.snr[name]:.0f}, SNR 8 out to {result.horizon_mpc[name]:,.0f} Mpc"
        )
        ax.loglog(f[keep], asd[keep], label=text)
    ax.set(
        xlabel="frequency (Hz)",
        ylabel="strain noise ASD (1/√Hz)",
        xlim=(5, 2048),
        title=f"GW150914's template in three detectors{label}",
    )
    ax.legend(loc="upper right", fontsize=8)
    return viz.save(fig, path)
