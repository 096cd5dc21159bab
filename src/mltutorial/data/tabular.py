"""Tables for anomaly detection: ODDS `.mat` (MATLAB v5 via SciPy; v7.3/HDF5 via h5py when
installed), ADBench `.npz`, KDD Cup 99 (CSV + kddcup.names), and the HIGGS sample (CSV).

All return `Tabular` with X float64 and y int64 where 1 = the rare class (outlier, attack, signal).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from mltutorial.data import builtin, registry
from mltutorial.data.cache import cached
from mltutorial.data.formats import csv_floats, decode_utf8, read_bytes
from mltutorial.data.text import info_for
from mltutorial.data.types import Tabular
from mltutorial.errors import DataError

PathLike = str | os.PathLike[str] | None

ODDS_NAMES = [
    "arrhythmia", "cardio", "glass", "ionosphere", "letter", "lympho", "mnist", "musk",
    "optdigits", "pendigits", "pima", "satellite", "satimage-2", "shuttle", "vertebral",
    "vowels", "wbc",
]  # fmt: skip


def _xy(X: np.ndarray, y: np.ndarray, path: Path) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or len(X) != len(y):
        raise DataError(f"{path}: X must be (n, d) with n labels; got X {X.shape}, y {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise DataError(f"{path}: y must hold 0/1 labels, found {np.unique(y)[:5]}")
    return X, y.astype(np.int64)


def read_mat(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """X (n, d) float64 and y (n,) int64 from an ODDS .mat (v5 via SciPy; v7.3 needs h5py)."""
    import scipy.io

    try:
        m = scipy.io.loadmat(path)
    except NotImplementedError:  # MATLAB v7.3 is HDF5
        try:
            import h5py
        except ImportError:
            raise DataError(
                f"{path}: a MATLAB v7.3 (HDF5) file; install h5py to read it (pip install h5py)"
            ) from None
        with h5py.File(path, "r") as f:
            if "X" not in f or "y" not in f:
                raise DataError(f"{path}: no 'X' and 'y' variables inside") from None
            return _xy(
                np.asarray(f["X"]).T, np.asarray(f["y"]).T, path
            )  # HDF5 stores MATLAB transposed
    except (ValueError, TypeError, OSError, scipy.io.matlab.MatReadError) as exc:
        raise DataError(f"{path}: not a readable .mat file ({exc})") from None
    if "X" not in m or "y" not in m:
        raise DataError(
            f"{path}: no 'X' and 'y' variables inside (found {sorted(k for k in m if not k.startswith('__'))})"
        )
    return _xy(m["X"], m["y"], path)


def load_odds(name: str = "cardio", path: PathLike = None) -> Tabular:
    """One ODDS table: X (n, d) float64, y (n,) int64 with 1 = outlier; feature names "x0".."x{d-1}".

    name: one of ODDS_NAMES (e.g. "cardio" 1,831 x 21 with 176 outliers, "shuttle" 49,097 x 9).
    `path` may be a .mat file or a folder of them. Fallback: scikit-learn's breast cancer data as
    ODDS built `wbc` (357 benign + 21 malignant outliers, seed 0).
    """
    ds = "anomaly_odds"
    if (
        not name or Path(name).name != name or name.startswith(".")
    ):  # odds:../../etc/x reads no file
        raise DataError(
            f"{name!r} is not an ODDS table name; tables: {', '.join(registry._ODDS_NAMES)}"
        )
    found = registry.locate(ds, path)
    if found is None:
        if name not in registry._ODDS_NAMES:  # the stand-in must not hide a mistyped table name
            raise DataError(
                f"unknown ODDS table {name!r}; tables: {', '.join(registry._ODDS_NAMES)}"
            )
        X, y, names = builtin.breast_cancer_outliers(21)
        notes = "scikit-learn's breast cancer data: 357 benign + 21 malignant (outliers), ODDS wbc recipe"
        return Tabular(X, y, names, info_for(ds, None, notes))
    if found.path.is_file():
        p = found.path
    else:
        p = found.path / f"{name}.mat"
        if not p.is_file():
            have = sorted(q.stem for q in found.path.glob("*.mat"))
            raise DataError(f"{found.path}: no {name}.mat (found: {', '.join(have) or 'none'})")
    X, y = read_mat(registry.verified(ds, found, p))
    info = info_for(ds, found, f"table {p.stem}", title=f"ODDS {p.stem}")
    return Tabular(X, y, [f"x{i}" for i in range(X.shape[1])], info)


def load_adbench(path: PathLike = None) -> Tabular:
    """ADBench thyroid (38_thyroid.npz, or any ADBench .npz): X (3772, 6) float64, y 1 = anomaly (93).

    Fallback: scikit-learn's breast cancer data, 357 benign + 10 malignant (seed 1) as anomalies.
    """
    ds = "anomaly_adbench"
    found = registry.locate(ds, path)
    if found is None:
        X, y, names = builtin.breast_cancer_outliers(10, seed=1)
        notes = "scikit-learn's breast cancer data: 357 benign + 10 malignant (anomalies)"
        return Tabular(X, y, names, info_for(ds, None, notes))
    if found.path.is_file():
        p = found.path
    else:
        files = sorted(found.path.glob("*.npz"))
        if not files:
            raise DataError(f"{found.path}: no .npz file")
        p = found.path / "38_thyroid.npz" if (found.path / "38_thyroid.npz").is_file() else files[0]
    registry.verified(ds, found, p)
    try:
        with np.load(p, allow_pickle=False) as z:
            if "X" not in z.files or "y" not in z.files:
                raise DataError(f"{p}: no 'X' and 'y' arrays inside (found {z.files})")
            X, y = _xy(z["X"], z["y"], p)
    except (OSError, ValueError) as exc:
        raise DataError(f"{p}: not a readable .npz file ({exc})") from None
    title = "ADBench thyroid" if p.name == "38_thyroid.npz" else f"ADBench {p.stem}"
    return Tabular(X, y, [f"x{i}" for i in range(X.shape[1])], info_for(ds, found, title=title))


# ---- KDD Cup 99 -------------------------------------------------------------------------------

KDD_SYMBOLIC = (1, 2, 3)  # protocol_type, service, flag: stored as integer codes in X


def _kdd_names(path: Path) -> list[str]:
    names = []
    lines = decode_utf8(read_bytes(path), path).splitlines()
    for i, line in enumerate(lines[1:], 2):
        if ":" in line:
            name, _, kind = line.partition(":")
            if kind.strip().rstrip(".") not in ("continuous", "symbolic"):
                raise DataError(f"{path}:{i}: expected 'name: continuous.' or 'name: symbolic.'")
            names.append(name.strip())
    if len(names) != 41:
        raise DataError(f"{path}: expected 41 feature names, found {len(names)}")
    return names


def _kdd_diagnose(
    path: Path, distinct: list[bytes], inverse: np.ndarray, numeric: list[int]
) -> None:
    """Raise a DataError naming the first malformed line (first in file order)."""
    first_line = np.full(len(distinct), len(inverse), np.int64)
    np.minimum.at(first_line, inverse, np.arange(len(inverse)))
    for r in np.argsort(first_line):
        row = distinct[r].split(b",")
        line_no = int(first_line[r]) + 1
        if len(row) != 42:
            raise DataError(
                f"{path}:{line_no}: expected 42 comma-separated fields, found {len(row)}"
            )
        for c in numeric:
            try:
                float(row[c])
            except ValueError:
                raise DataError(
                    f"{path}:{line_no}: field {c + 1} is not a number: {row[c][:30]!r}"
                ) from None
    raise DataError(f"{path}: malformed table")


def _parse_kdd(path: Path) -> dict:
    data = read_bytes(path)
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise DataError(f"{path}: empty file")
    index: dict[bytes, int] = {}
    inverse = np.fromiter((index.setdefault(ln, len(index)) for ln in lines), np.int64, len(lines))
    numeric = [c for c in range(41) if c not in KDD_SYMBOLIC]
    distinct = list(index)  # the 10% file has 145,586 distinct lines
    try:  # NumPy's C parser; on any problem, the scan below names the line
        Xn = np.loadtxt(io.BytesIO(b"\n".join(distinct)), delimiter=",", usecols=numeric, ndmin=2)
        ok = all(ln.count(b",") == 41 for ln in distinct)
    except ValueError:
        ok = False
    if not ok:
        _kdd_diagnose(path, distinct, inverse, numeric)
    heads = np.array([ln.split(b",", 4)[1:4] for ln in distinct], dtype="S")  # (n_distinct, 3)
    X = np.zeros((len(distinct), 41))
    X[:, numeric] = Xn
    out: dict = {}
    for j, c in enumerate(KDD_SYMBOLIC):
        cats, codes = np.unique(heads[:, j], return_inverse=True)
        X[:, c] = codes
        out[f"cat{c}"] = [x.decode() for x in cats]
    tails = np.array([ln.rsplit(b",", 1)[1] for ln in distinct], dtype="S")
    labels, lab_codes = np.unique(np.char.rstrip(tails, b".\r"), return_inverse=True)
    out["X_distinct"] = X  # (n_distinct, 41); rows of the file = X_distinct[inverse]
    out["inverse"] = inverse.astype(np.int32)
    out["label_names"] = [x.decode() for x in labels]
    out["label_codes"] = lab_codes.astype(np.int16)  # per distinct row
    return out


def load_kddcup99(path: PathLike = None) -> Tabular:
    """KDD Cup 99, 10% training set: X (494021, 41) float64, y 1 = attack (396,743), 0 = "normal".

    labels: (n,) str, the original class without its dot ("normal", "smurf", "neptune", ...).
    protocol_type, service and flag are integer codes in X; `categorical` maps them to names.
    The first load parses the CSV (several seconds) and stores the arrays in the user cache;
    later loads read them back. Fallback: 3,000 synthetic connections (gaussian clusters) with the
    KDD feature names, 20% "attacks".
    """
    ds = "kddcup99"
    found = registry.locate(ds, path)
    if found is None:
        return _kdd_builtin()
    folder = found.path if found.path.is_dir() else found.path.parent
    data = found.path if found.path.is_file() else None
    if data is None:
        for n in (
            "kddcup.data_10_percent.gz",
            "kddcup.data_10_percent",
            "kddcup.data.gz",
            "kddcup.data",
        ):
            if (folder / n).is_file():
                data = folder / n
                break
    if data is None:
        raise DataError(f"{folder}: no kddcup.data_10_percent[.gz] found")
    registry.verified(ds, found, data)
    names_file = folder / "kddcup.names"
    names = (
        _kdd_names(registry.verified(ds, found, names_file)) if names_file.is_file() else _KDD_NAMES
    )
    parsed = cached("kddcup99", 3, [data], lambda: _parse_kdd(data))
    inverse = parsed["inverse"]
    labels = np.array(parsed["label_names"])[parsed["label_codes"][inverse]]
    y = (labels != "normal").astype(np.int64)
    categorical = {names[c]: parsed[f"cat{c}"] for c in KDD_SYMBOLIC}
    title = registry.get(ds).title if "10_percent" in data.name else "KDD Cup 1999"
    X = parsed["X_distinct"][inverse]  # (494021, 41)
    return Tabular(X, y, names, info_for(ds, found, title=title), labels, categorical)


_KDD_NAMES = [
    "duration",
    "protocol_type",
    "service",
    "flag",
    "src_bytes",
    "dst_bytes",
    "land",
    "wrong_fragment",
    "urgent",
    "hot",
    "num_failed_logins",
    "logged_in",
    "num_compromised",
    "root_shell",
    "su_attempted",
    "num_root",
    "num_file_creations",
    "num_shells",
    "num_access_files",
    "num_outbound_cmds",
    "is_host_login",
    "is_guest_login",
    "count",
    "srv_count",
    "serror_rate",
    "srv_serror_rate",
    "rerror_rate",
    "srv_rerror_rate",
    "same_srv_rate",
    "diff_srv_rate",
    "srv_diff_host_rate",
    "dst_host_count",
    "dst_host_srv_count",
    "dst_host_same_srv_rate",
    "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate",
    "dst_host_srv_diff_host_rate",
    "dst_host_serror_rate",
    "dst_host_srv_serror_rate",
    "dst_host_rerror_rate",
    "dst_host_srv_rerror_rate",
]


def _kdd_builtin() -> Tabular:
    rng = np.random.default_rng(0)
    n = 3000
    kinds = rng.choice(4, size=n, p=[0.8, 0.12, 0.06, 0.02])  # normal, smurf, neptune, satan
    names = np.array(["normal", "smurf", "neptune", "satan"])
    X = np.abs(rng.normal(0, 1, (n, 41)))
    X[:, 1] = np.where(kinds == 1, 0, np.where(kinds == 2, 1, rng.integers(0, 3, n)))  # protocol
    X[:, 2] = np.where(kinds == 0, rng.integers(0, 8, n), kinds + 7)  # service
    X[:, 3] = np.where(kinds == 2, 1, 0)  # flag
    X[:, 4] = np.where(kinds == 1, 1032, rng.lognormal(6, 1.5, n)).round()  # src_bytes
    X[:, 22] = np.where(kinds > 0, rng.integers(200, 512, n), rng.integers(1, 30, n))  # count
    X[:, 24] = np.where(kinds == 2, 1.0, rng.uniform(0, 0.05, n)).round(2)  # serror_rate
    labels = names[kinds]
    categorical = {
        "protocol_type": ["icmp", "tcp", "udp"],
        "service": ["http", "smtp", "ftp", "ftp_data", "domain_u", "telnet", "finger", "other",
                    "ecr_i", "private", "eco_i"],
        "flag": ["SF", "S0"],
    }  # fmt: skip
    notes = (
        "3,000 synthetic connections from gaussian clusters with KDD's feature names; 20% attacks"
    )
    info = info_for("kddcup99", None, notes)
    return Tabular(X, (kinds > 0).astype(np.int64), list(_KDD_NAMES), info, labels, categorical)


# ---- HIGGS --------------------------------------------------------------------------------------

HIGGS_NAMES = (
    "lepton_pT lepton_eta lepton_phi missing_energy_magnitude missing_energy_phi "
    + " ".join(f"jet_{j}_pt jet_{j}_eta jet_{j}_phi jet_{j}_btag" for j in range(1, 5))
    + " m_jj m_jjj m_lv m_jlv m_bb m_wbb m_wwbb"
).split()


def load_hep(path: PathLike = None) -> Tabular:
    """The HIGGS 0.1% sample: X (10984, 28) float64, y (10984,) int64, 1 = signal (5,821).

    Reads the shared higgs.csv (header, label last) or the original HIGGS.csv layout (no header,
    label first). Fallback: 2,000 gaussian events, signal shifted in the 7 high-level features.
    """
    ds = "hep"
    found = registry.locate(ds, path)
    if found is None:
        X, y = builtin.gaussian_signal(2000, 28, 0.5, 0.6, seed=0)
        notes = "2,000 gaussian events; signal shifted in the last 9 features"
        return Tabular(X, y, list(HIGGS_NAMES), info_for(ds, None, notes))
    p = found.path if found.path.is_file() else found.path / "higgs.csv"
    if not p.is_file():
        cands = sorted(found.path.glob("*.csv*"))
        if not cands:
            raise DataError(f"{found.path}: no higgs.csv")
        p = cands[0]
    text = decode_utf8(read_bytes(registry.verified(ds, found, p)), p)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise DataError(f"{p}: empty file")
    first = lines[0].split(",")
    if any(c.strip().isidentifier() for c in first):  # a header line
        header = [c.strip() for c in first]
        if "label" not in header:
            raise DataError(f"{p}:1: missing column 'label' (header has {len(header)} columns)")
        table = csv_floats(lines[1:], p, len(header), first_line=2)
        li = header.index("label")
        names = [h for i, h in enumerate(header) if i != li]
    else:
        table = csv_floats(lines, p, 29)
        li, names = 0, list(HIGGS_NAMES)
    X = np.delete(table, li, axis=1)
    y = table[:, li]
    if not np.isin(y, (0, 1)).all():
        raise DataError(f"{p}: label column must be 0/1")
    return Tabular(X, y.astype(np.int64), names, info_for(ds, found))
