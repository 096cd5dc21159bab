"""Gravitational-wave data: GWOSC (LOSC) HDF5 strain, SEOBNRv2 templates, design noise curves.

`read_strain(path)` reads one GWOSC "4 kHz" HDF5 file (`strain/Strain`, `meta/GPSstart`, ...) and
checks it: a file that is not GWOSC HDF5, too short, or holds NaN raises a one-line DataError.
`load_gravitational_waves(path=None)` gives the whole folder `gravitational_waves/` (H1 and L1 around
GW150914 and GW151226, their templates, the event table, aLIGO and ET-D noise curves). Without it,
a built-in sample: a leading-order (Newtonian) chirp in coloured Gaussian noise shaped by an
analytic aLIGO-like curve, labelled "built-in sample standing in for ..." everywhere it shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mltutorial.data import registry
from mltutorial.data.text import info_for
from mltutorial.data.types import DataInfo
from mltutorial.errors import DataError

NAME = "gravitational_waves"
FS = 4096  # Hz, the GWOSC "4 kHz" files
MIN_SECONDS = 8.0  # a 4 s Welch PSD needs a few segments; less cannot be whitened honestly
G_SUN_OVER_C3 = 4.925490947e-6  # G M_sun / c^3 in seconds: the time unit of one solar mass
EVENT_FILES = {
    "GW150914": ("H-H1_LOSC_4_V2-1126259446-32.hdf5", "L-L1_LOSC_4_V2-1126259446-32.hdf5"),
    "GW151226": ("H-H1_LOSC_4_V2-1135136334-32.hdf5", "L-L1_LOSC_4_V2-1135136334-32.hdf5"),
}
CURVES = {"aLIGO design": "aLIGO_ZERO_DET_high_P_psd.txt", "ET-D": "ET_D_psd.txt"}


@dataclass
class Strain:
    """One detector's strain: `x` (n,) float64 at `fs` Hz, starting at GPS time `gps_start`."""

    x: np.ndarray
    fs: int
    gps_start: float
    detector: str  # "H1", "L1", or what the file says
    path: Path | None = None

    @property
    def duration(self) -> float:
        return len(self.x) / self.fs


@dataclass
class Template:
    """A waveform at 1 Mpc: `plus`, `cross` (n,) float64 at `fs` Hz, with its masses in M_sun."""

    plus: np.ndarray
    cross: np.ndarray
    fs: int
    m1: float
    m2: float
    approximant: str
    name: str = ""

    @property
    def total_mass(self) -> float:
        return self.m1 + self.m2

    @property
    def chirp_mass(self) -> float:
        return (self.m1 * self.m2) ** 0.6 / self.total_mass**0.2


@dataclass
class Event:
    name: str
    gps: float  # GPS time of the event (the table's `tevent`)
    strains: dict[str, Strain]  # detector -> strain
    template: Template
    fband: tuple[float, float]  # the band-pass the tutorial uses for its figures

    def offset(self, det: str = "H1") -> float:
        """Event time in seconds after the file's start."""
        return self.gps - self.strains[det].gps_start


@dataclass
class GWData:
    events: dict[str, Event]
    curves: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (f Hz, one-sided PSD 1/Hz)
    info: DataInfo
    notes: list[str] = field(default_factory=list)


def _h5(path: Path):
    import h5py

    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"{path}: not an HDF5 file ({exc.__class__.__name__})") from None


def read_strain(path: str | Path) -> Strain:
    """Read and check a GWOSC strain file (see module doc); errors are one line naming the file."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file")
    with _h5(p) as f:
        if "strain/Strain" not in f:
            raise DataError(f"{p}: not a GWOSC strain file (no strain/Strain dataset)")
        ds = f["strain/Strain"]
        spacing = ds.attrs.get("Xspacing")
        if spacing is None or not np.isfinite(spacing) or spacing <= 0:
            raise DataError(f"{p}: strain/Strain has no valid Xspacing attribute")
        fs = round(1.0 / float(spacing))
        x = np.asarray(ds[()], dtype=np.float64).ravel()
        start = f["meta/GPSstart"][()] if "meta/GPSstart" in f else ds.attrs.get("Xstart", 0)
        det = f["meta/Detector"][()] if "meta/Detector" in f else b"?"
    det = det.decode() if isinstance(det, bytes) else str(det)
    if fs != FS:
        raise DataError(f"{p}: sampled at {fs} Hz; this needs GWOSC 4 kHz files ({FS} Hz)")
    if len(x) < MIN_SECONDS * fs:
        raise DataError(f"{p}: only {len(x) / fs:.1f} s of strain; need at least {MIN_SECONDS:g} s")
    bad = int(np.count_nonzero(~np.isfinite(x)))
    if bad:
        raise DataError(f"{p}: {bad} of {len(x)} strain samples are NaN or infinite")
    return Strain(x, fs, float(start), det, p)


def read_template(path: str | Path) -> Template:
    """Read a tutorial template file (`template` (2, n): plus, cross; masses in `meta` attrs)."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file")
    with _h5(p) as f:
        if "template" not in f or f["template"].ndim != 2 or f["template"].shape[0] != 2:
            raise DataError(
                f"{p}: not a template file (needs a 'template' dataset of shape (2, n))"
            )
        t = np.asarray(f["template"][()], dtype=np.float64)
        meta = dict(f["meta"].attrs) if "meta" in f else {}
    if not np.isfinite(t).all():
        raise DataError(f"{p}: template holds NaN or infinite values")
    if int(meta.get("fs", FS)) != FS:
        raise DataError(f"{p}: template sampled at {meta['fs']} Hz; the strain files are {FS} Hz")
    return Template(
        t[0],
        t[1],
        int(meta.get("fs", FS)),
        float(meta.get("m1", np.nan)),
        float(meta.get("m2", np.nan)),
        str(meta.get("approx", "unknown")),
        str(meta.get("eventname", p.stem)),
    )


def read_curve(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        table = np.loadtxt(path)
    except ValueError as exc:
        raise DataError(f"{path}: not a two-column noise curve ({exc})") from None
    if table.ndim != 2 or table.shape[1] != 2 or not np.isfinite(table).all():
        raise DataError(f"{path}: not a two-column noise curve")
    return table[:, 0], table[:, 1]


# ---- the built-in sample ------------------------------------------------------------------------


def analytic_aligo_psd(f: np.ndarray) -> np.ndarray:
    """An analytic fit to the aLIGO zero-detuning high-power PSD (Ajith 2011, PRD 84, 084037).

    S(f) = 1e-49 [x^-4.14 - 5 x^-2 + 111 (1 - x^2 + x^4/2) / (1 + x^2/2)], x = f / 215 Hz,
    with a wall below 10 Hz. Used only by the built-in sample.
    """
    x = np.maximum(np.asarray(f, dtype=np.float64), 1e-3) / 215.0
    s = 1e-49 * (x**-4.14 - 5 * x**-2 + 111 * (1 - x**2 + x**4 / 2) / (1 + x**2 / 2))
    return np.where(np.asarray(f) < 10.0, np.inf, s)


def newtonian_chirp(m1: float, m2: float, fs: int, n: int, t_merge: float, f_low: float = 15.0):
    """Leading-order (Newtonian) inspiral of masses m1, m2 (M_sun) at 1 Mpc, plus and cross.

    f(tau) = (1/pi) (5 / (256 tau))^(3/8) (G Mc / c^3)^(-5/8), tau = time to merger; h ~ Mc^(5/3)
    f^(2/3) / D. Cut at the innermost stable orbit (f = c^3 / (6^1.5 pi G M)) with a short
    ringdown-like decay. A stand-in for SEOBNRv2 in the built-in sample only.
    """
    mc = (m1 * m2) ** 0.6 / (m1 + m2) ** 0.2 * G_SUN_OVER_C3  # seconds
    f_isco = 1.0 / (6**1.5 * np.pi * (m1 + m2) * G_SUN_OVER_C3)
    t = np.arange(n) / fs
    tau = np.maximum(t_merge - t, 1e-6)
    f = (5.0 / (256.0 * tau)) ** 0.375 * mc**-0.625 / np.pi
    phase = -2.0 * (5.0 * mc) ** -0.625 * tau**0.625
    d_sec = 3.0857e22 / 2.998e8  # 1 Mpc in light-seconds
    amp = 4.0 * mc ** (5 / 3) * (np.pi * np.minimum(f, f_isco)) ** (2 / 3) / d_sec
    keep = (f >= f_low) & (f <= f_isco)
    t_end = t[keep][-1] if keep.any() else t_merge
    after = t > t_end
    decay = np.exp(-np.maximum(t - t_end, 0.0) / (10 * (m1 + m2) * G_SUN_OVER_C3))
    amp = np.where(after, amp * decay, np.where(keep, amp, 0.0))
    phase = np.where(after, phase[keep][-1] + 2 * np.pi * f_isco * (t - t_end), phase)
    taper = np.clip((f - f_low) / 5.0, 0.0, 1.0)  # switch on smoothly at f_low
    amp = amp * np.where(after, 1.0, taper)
    return amp * np.cos(phase), amp * np.sin(phase)


def _coloured_noise(rng, n: int, fs: int, scale: float) -> np.ndarray:
    """Gaussian noise with one-sided PSD scale^2 x the analytic aLIGO curve (flat floor < 10 Hz)."""
    f = np.fft.rfftfreq(n, 1 / fs)
    psd = analytic_aligo_psd(np.maximum(f, 10.0)) * scale**2
    white = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    spec = white * np.sqrt(psd * fs * n / 4.0)
    return np.fft.irfft(spec, n)


def builtin_sample(seed: int = 0) -> GWData:
    """Two fake events in fake H1/L1 noise (O1-like level: 3x the aLIGO design ASD)."""
    rng = np.random.default_rng(seed)
    n, events = 32 * FS, {}
    f = np.linspace(10, 4096, 3000)
    for name, (m1, m2, t0, gps, dist, fband) in {
        "GW150914": (36.0, 29.0, 16.44, 1126259446.0, 460.0, (43.0, 300.0)),
        "GW151226": (14.0, 8.0, 16.65, 1135136334.0, 600.0, (43.0, 800.0)),
    }.items():
        hp, hc = newtonian_chirp(m1, m2, FS, n, 16.0)
        template = Template(hp, hc, FS, m1, m2, "Newtonian chirp (built-in)", name)
        strains = {}
        for det, dt, sign in (("H1", 0.0, 1.0), ("L1", -0.007, -0.75)):
            shift = t0 - 16.0 + dt
            sp, sc = newtonian_chirp(m1, m2, FS, n, 16.0 + shift)
            cos, sin = np.cos(0.7 + 2 * sign), np.sin(0.7 + 2 * sign)
            signal = sign * (cos * sp + sin * sc) / dist
            x = _coloured_noise(rng, n, FS, 3.0) + signal
            strains[det] = Strain(x, FS, gps, det)
        events[name] = Event(name, gps + t0, strains, template, fband)
    curves = {
        "aLIGO design": (f, analytic_aligo_psd(f)),
        "ET-D": (f, analytic_aligo_psd(f * 2.0) / 100.0),
    }
    notes = (
        "2 Newtonian chirps (not SEOBNRv2) in Gaussian noise coloured by an analytic aLIGO fit; "
        "the 'ET-D' curve is that fit shifted down in frequency by 2 and in ASD by 10 (a cartoon)"
    )
    return GWData(events, curves, info_for(NAME, None, notes), [notes])


# ---- the real folder ----------------------------------------------------------------------------


def load_gravitational_waves(path: str | Path | None = None, seed: int = 0) -> GWData:
    """The shared folder (see module doc), or the built-in sample when it is not found."""
    found = registry.locate(NAME, path)
    if found is None:
        return builtin_sample(seed)
    if not found.path.is_dir():
        raise DataError(f"{found.path}: expected the gravitational_waves folder, not a file")
    root = found.path

    def file(rel: str) -> Path:
        p = root / rel
        if not p.is_file():
            raise DataError(f"{p}: missing from the gravitational_waves folder")
        return registry.verified(NAME, found, p)

    table = json.loads(file("BBH_events_v3.json").read_text("utf-8"))
    events = {}
    for name, (fh, fl) in EVENT_FILES.items():
        row = table[name]
        strains = {s.detector: s for s in (read_strain(file(fh)), read_strain(file(fl)))}
        template = read_template(file(row["fn_template"]))
        fband = (float(row["fband"][0]), float(row["fband"][1]))
        events[name] = Event(name, float(row["tevent"]), strains, template, fband)
    curves = {k: read_curve(file(f"noise_curves/{v}")) for k, v in CURVES.items()}
    return GWData(events, curves, info_for(NAME, found))
