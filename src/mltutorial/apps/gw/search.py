"""`search`: the matched filter over one or two detectors, with one template or a small bank.

For each template, each detector's data is filtered (filtering.matched_filter) and its peak SNR and
time kept; the network SNR sqrt(sum rho_i^2) ranks the templates. Peaks in two detectors are
accepted as one signal only within 10 ms of each other (the light travel time between Hanford
and Livingston), so with two detectors the second detector's peak is looked for within that window
of the first's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mltutorial.apps.gw import filtering, waveforms
from mltutorial.data.gwosc import Strain, Template

LIGHT_TRAVEL_S = 0.010  # Hanford-Livingston, 3,002 km at c, rounded up


@dataclass
class DetectorPeak:
    detector: str
    snr: float
    time: float  # seconds after the file's start
    gps: float
    series: filtering.MatchedFilter


@dataclass
class SearchResult:
    template: str  # which template / bank entry won
    total_mass: float
    mass_ratio: float
    network_snr: float
    peaks: list[DetectorPeak]
    bank: list[dict]  # every template tried: name, total mass, q, network SNR

    @property
    def offset_ms(self) -> float | None:
        if len(self.peaks) < 2:
            return None
        return 1e3 * (self.peaks[1].gps - self.peaks[0].gps)


def _filter(strains: list[Strain], t: Template) -> list[DetectorPeak]:
    peaks = []
    for s in strains:
        mf = filtering.matched_filter(s.x, s.fs, t.plus, t.cross)
        near = np.abs(s.gps_start + mf.t - peaks[0].gps) <= LIGHT_TRAVEL_S if peaks else None
        if near is not None and near.any():  # a second detector: within the light travel time
            i = int(np.flatnonzero(near)[np.argmax(mf.snr[near])])
            mf.peak_snr, mf.peak_time = float(mf.snr[i]), float(mf.t[i])
        peaks.append(
            DetectorPeak(s.detector, mf.peak_snr, mf.peak_time, s.gps_start + mf.peak_time, mf)
        )
    return peaks


def search(strains: list[Strain], templates: list[Template]) -> SearchResult:
    """Filter every template through every detector; return the best (largest network SNR)."""
    best, rows = None, []
    for t in templates:
        peaks = _filter(strains, t)
        net = float(np.sqrt(sum(p.snr**2 for p in peaks)))
        q = min(t.m1, t.m2) / max(t.m1, t.m2)
        rows.append(
            {"template": t.name, "total_mass": t.total_mass, "mass_ratio": q, "network_snr": net}
        )
        if best is None or net > best.network_snr:
            best = SearchResult(t.name, t.total_mass, q, net, peaks, rows)
    assert best is not None
    return best


def template_bank(templates: list[Template], n_masses: int = 12) -> list[Template]:
    """The shipped templates (two mass ratios) rescaled to total masses 15-100 M_sun."""
    return waveforms.bank(templates, waveforms.default_masses(n_masses))
