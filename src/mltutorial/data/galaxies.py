"""Galaxy Zoo 1: SDSS colour cutouts of galaxies with the volunteers' class, as small NCHW images.

The folder (`galaxy_zoo/`, see its PROVENANCE.md) holds `smallCSV_class.csv` (OBJID,CLASS) and
`Imagenes/<OBJID>.jpeg` (423x423 RGB). Each image is decoded with Pillow at reduced scale (JPEG
draft mode), centre-cropped to the middle `crop` fraction, where the galaxy is, and downsampled to
`size` x `size` (Galaxy10 and Dieleman et al. 2015 crop the centre and downsample the same way).

Checksums: the CSV and `MANIFEST.sha256` are checked against the registry like every dataset file;
the 5,553 images are checked against the manifest's sha256 lines when they are parsed, which happens
once: the parsed array is kept in the user cache (data/cache.py) until an image or the CSV changes.

Fallback: a built-in sample of synthetic galaxies (smooth elliptical blobs, two-armed spirals of
either winding, thin edge-on discs), labelled "built-in sample standing in for Galaxy Zoo 1".
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np

from mltutorial.data import registry
from mltutorial.data.cache import cached
from mltutorial.data.types import DataInfo, Images
from mltutorial.errors import DataError

GZ1_CLASSES = [
    "elliptical",
    "clockwise spiral",
    "anti-clockwise spiral",
    "edge-on",
    "unknown",
    "merger",
]
ELLIPTICAL, CW, ACW, EDGE_ON, UNKNOWN, MERGER = range(6)
SPIRAL_CLASSES = ["elliptical", "spiral"]
CSV_NAME = "smallCSV_class.csv"
MANIFEST = "MANIFEST.sha256"
_FORMAT_VERSION = 1
_MAX_PIXELS = 50_000_000  # Pillow's own bomb limit is ~89 Mpx; a galaxy cutout needs far fewer

PathLike = str | os.PathLike[str] | None


def elliptical_vs_spiral(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(keep mask, y01): spirals (CW, ACW, edge-on) are 1, ellipticals 0; unknown and mergers dropped."""
    keep = np.isin(y, [ELLIPTICAL, CW, ACW, EDGE_ON])
    return keep, (y[keep] != ELLIPTICAL).astype(np.int64)


def stratified_split(
    y: np.ndarray, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test), each class split test_fraction / rest, seeded."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = round(len(idx) * test_fraction)
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def read_galaxy(
    source: str | os.PathLike[str] | bytes, size: int = 64, crop: float | str = 0.5
) -> np.ndarray:
    """One image file (any size, RGB or grey, any format Pillow reads) -> (3, size, size) uint8.

    The centre `crop` fraction of the shorter side is kept, then resized with a box filter;
    crop="auto" picks the fraction per image from the galaxy's own size (`auto_crop_fraction`).
    Raises DataError with one line for a missing, unreadable or absurdly large image.
    """
    from PIL import Image, UnidentifiedImageError

    name = "image" if isinstance(source, bytes) else str(source)
    auto = crop == "auto"
    try:
        img = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        if img.width * img.height > _MAX_PIXELS:
            raise DataError(
                f"{name}: {img.width}x{img.height} pixels is too large for a galaxy cutout "
                f"(at most {_MAX_PIXELS:,} pixels)"
            )
        want = max(size, AUTO_READ) if auto else max(size, int(min(img.width, img.height) * crop))
        if img.format == "JPEG":
            img.draft("RGB", (want, want))  # decode at 1/2..1/8
        img = img.convert("RGB")
        if auto:
            grey = np.asarray(img, dtype=np.float64).sum(axis=2)
            crop = auto_crop_fraction(grey)
        side = min(img.width, img.height) * crop
        left, top = (img.width - side) / 2, (img.height - side) / 2
        img = img.resize(
            (size, size), Image.Resampling.BOX, box=(left, top, left + side, top + side)
        )
    except FileNotFoundError:
        raise DataError(f"{name}: no such image file") from None
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(f"{name}: not a readable image ({type(exc).__name__}: {exc})") from None
    return np.asarray(img, dtype=np.uint8).transpose(2, 0, 1).copy()  # (3, size, size)


AUTO_READ = 128  # side (pixels, at least) at which crop="auto" measures the galaxy
AUTO_K = 1.2  # crop="auto" keeps the square reaching AUTO_K Petrosian radii from the centre, so
# the galaxy fills the same share of every image (a median one about what the fixed 0.35 keeps)
AUTO_BOUNDS = (0.15, 0.8)  # smallest and largest fraction of the cutout crop="auto" keeps
AUTO_ETA = 0.2  # SDSS's Petrosian ratio


def petrosian_radius(light: np.ndarray, eta: float = AUTO_ETA) -> float:
    """Petrosian radius (pixels) of the object at the centre of a 2-D light map (H, W).

    The sky (median of the outer border) is subtracted; over the central square 3/4 of the image,
    the radius is the first one where the light in the annulus there falls below `eta` times the
    mean light inside it (SDSS's definition, which a neighbour further out does not move).
    Returns the window's half side when the ratio never falls that low.
    """
    h, w = light.shape
    border = np.concatenate([light[0], light[-1], light[:, 0], light[:, -1]])
    img = light - np.median(border)
    half = int(min(h, w) * 0.375)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
    ring = np.floor(r).astype(np.int64)
    inside = ring < half
    flux = np.bincount(ring[inside], weights=img[inside], minlength=half)
    count = np.bincount(ring[inside], minlength=half).astype(np.float64)
    local = flux / np.maximum(count, 1)  # mean surface brightness of the annulus [i, i+1)
    mean_in = np.cumsum(flux) / np.maximum(np.cumsum(count), 1)
    ratio = local[1:] / np.maximum(mean_in[:-1], 1e-9)  # annulus i vs everything inside it
    below = np.flatnonzero((ratio < eta) & (mean_in[:-1] > 0))
    below = below[below >= 1]
    return float(below[0] + 1) if len(below) else float(half)


def auto_crop_fraction(light: np.ndarray, k: float | None = None) -> float:
    """The crop fraction of the shorter side whose square reaches `k` Petrosian radii from the
    centre (default AUTO_K), within AUTO_BOUNDS, for a 2-D light map (H, W) of the whole cutout."""
    fraction = (AUTO_K if k is None else k) * 2 * petrosian_radius(light) / min(light.shape)
    return float(np.clip(fraction, *AUTO_BOUNDS))


def synthetic_galaxies(n: int, size: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n synthetic galaxies (N, 3, size, size) uint8 in GZ1's first four classes, 70 % elliptical.

    Elliptical: a smooth, reddish de Vaucouleurs-like blob. Spiral: a bluish disc with two
    logarithmic arms; on screen (x right, y down) the arms of a "clockwise" one turn clockwise going
    outwards, and its mirror image is "anti-clockwise". Edge-on: a thin bright disc. Plus sky noise.
    """
    rng = np.random.default_rng(seed)
    y = rng.choice([ELLIPTICAL, CW, ACW, EDGE_ON], size=n, p=[0.7, 0.1, 0.1, 0.1])
    grid = (np.arange(size) - (size - 1) / 2) / (size / 2)  # -1..1
    yy, xx = np.meshgrid(grid, grid, indexing="ij")  # (size, size), y down
    X = np.zeros((n, 3, size, size), np.float64)
    for i, c in enumerate(y):
        angle = rng.uniform(0, np.pi)
        u = xx * np.cos(angle) + yy * np.sin(angle)
        v = -xx * np.sin(angle) + yy * np.cos(angle)
        scale = rng.uniform(0.25, 0.45)
        if c == ELLIPTICAL:
            q = rng.uniform(0.6, 1.0)
            r = np.sqrt(u**2 + (v / q) ** 2) / scale
            light, colour = np.exp(-3.0 * r**0.5), (1.0, 0.8, 0.6)
        elif c == EDGE_ON:
            r = np.sqrt(u**2 + (v / 0.12) ** 2) / scale
            light, colour = np.exp(-2.0 * r), (0.9, 0.85, 0.8)
        else:
            r = np.sqrt(xx**2 + yy**2) / scale
            phi = np.arctan2(yy, xx)
            sense = 1.0 if c == CW else -1.0  # theta grows (clockwise on screen) going outwards
            arms = np.cos(2 * (phi - sense * 2.5 * np.log(r + 1e-3) - angle)) ** 2
            light = np.exp(-1.5 * r) * (0.35 + 0.9 * arms) + 0.8 * np.exp(-(r**2) / 0.05)
            colour = (0.6, 0.75, 1.0)
        brightness = rng.uniform(0.6, 1.0)
        for ch in range(3):
            X[i, ch] = brightness * colour[ch] * light
    X += rng.normal(0, 0.03, X.shape)
    return (np.clip(X, 0, 1) * 255).round().astype(np.uint8), y.astype(np.int64)


def _read_csv(path: Path) -> tuple[list[str], np.ndarray]:
    from mltutorial.data.formats import decode_utf8, read_bytes

    lines = decode_utf8(read_bytes(path), path).splitlines()
    if not lines or lines[0].strip().upper() != "OBJID,CLASS":
        raise DataError(f"{path}: line 1: expected the header OBJID,CLASS")
    ids, labels = [], []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.strip().split(",")
        if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in "012345" or not parts[1]:
            raise DataError(f"{path}: line {n}: expected OBJID,CLASS with CLASS 0..5, got {line!r}")
        ids.append(parts[0])
        labels.append(int(parts[1]))
    if not ids:
        raise DataError(f"{path}: no galaxies listed")
    return ids, np.array(labels, np.int64)


def _manifest(folder: Path, found: registry.Found) -> dict[str, str]:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    registry.verified("galaxy_zoo", found, path)
    out = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            sha, rel = line.split(maxsplit=1)
            out[rel.lstrip("*")] = sha
    return out


def _parse(
    folder: Path, found: registry.Found, ids: list[str], size: int, crop: float | str
) -> dict:
    from mltutorial.progress import bar

    manifest = _manifest(folder, found) if found.origin in ("env", "cache") else {}
    X = np.zeros((len(ids), 3, size, size), np.uint8)
    progress = bar(len(ids), "reading galaxy images")
    for i, objid in enumerate(ids):
        rel = f"Imagenes/{objid}.jpeg"
        data = (folder / rel).read_bytes()
        want = manifest.get(rel)
        if want and hashlib.sha256(data).hexdigest() != want:
            raise DataError(
                f"{folder / rel}: checksum mismatch with {MANIFEST}: the file is damaged or a "
                "different version"
            )
        X[i] = read_galaxy(data, size, crop)
        progress.update(1)
    progress.close()
    return {"X": X}


def _info(found: registry.Found | None, notes: str) -> DataInfo:
    ds = registry.get("galaxy_zoo")
    return DataInfo(
        "galaxy_zoo",
        ds.title,
        found.origin if found else "builtin",
        found.path if found else None,
        ds.citation,
        ds.licence,
        notes,
    )


def load_galaxy_zoo(
    path: PathLike = None, size: int = 64, crop: float | str = 0.5, seed: int = 0
) -> Images:
    """Galaxy Zoo 1 galaxies: Images with X (N, 3, size, size) uint8 and the six GZ1 classes.

    Real data: 5,553 galaxies (70 % elliptical), a stratified 80/20 split (seeded) we make;
    `extra["ids_train"]`, `extra["ids_test"]` hold the SDSS OBJIDs (int64). `path` may name the
    folder or its CSV. crop="auto" sizes each image's crop to its galaxy (`auto_crop_fraction`).
    Fallback: 600 synthetic galaxies from `synthetic_galaxies`.
    """
    fixed = isinstance(crop, float | int) and 0.05 <= crop <= 1.0
    if size < 8 or not (crop == "auto" or fixed):
        raise DataError(
            f"galaxy images: size must be at least 8 and crop in [0.05, 1] or auto, got {size}, {crop}"
        )
    found = registry.locate("galaxy_zoo", path)
    if found is None:
        X, y = synthetic_galaxies(600, size, seed=seed)
        tr, te = stratified_split(y, seed=seed)
        notes = "600 synthetic galaxies: smooth ellipticals, two-armed spirals, edge-on discs"
        return Images(X[tr], y[tr], X[te], y[te], list(GZ1_CLASSES), _info(None, notes))
    folder = found.path if found.path.is_dir() else found.path.parent
    csv = folder / CSV_NAME
    if not csv.is_file():
        raise DataError(f"{folder}: no {CSV_NAME} (expected OBJID,CLASS rows and Imagenes/)")
    ids, y = _read_csv(registry.verified("galaxy_zoo", found, csv))
    images = [folder / "Imagenes" / f"{i}.jpeg" for i in ids]
    missing = [p for p in images if not p.is_file()]
    if missing:
        raise DataError(f"{missing[0]}: listed in {CSV_NAME} but missing ({len(missing)} missing)")
    parsed = cached(
        f"galaxy_zoo-{size}-"
        + (
            f"auto{AUTO_K:g}-{AUTO_BOUNDS[0]:g}-{AUTO_BOUNDS[1]:g}"
            if crop == "auto"
            else f"{crop:g}"
        ),
        _FORMAT_VERSION,
        [csv, *images],
        lambda: _parse(folder, found, ids, size, crop),
    )
    X = parsed["X"]
    tr, te = stratified_split(y, seed=seed)
    objid = np.array([int(i) for i in ids], np.int64)
    kept = (
        f"a square 2 x {AUTO_K:g} Petrosian radii wide" if crop == "auto" else f"centre {crop:.0%}"
    )
    notes = f"{kept} of each cutout at {size}x{size}; stratified 80/20 split we made (seed {seed})"
    return Images(
        X[tr],
        y[tr],
        X[te],
        y[te],
        list(GZ1_CLASSES),
        _info(found, notes),
        extra={"ids_train": objid[tr], "ids_test": objid[te]},
    )
