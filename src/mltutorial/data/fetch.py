"""Downloading datasets into the user cache (`mltutorial data fetch`), and checking what is there
(`mltutorial data verify`).

A download goes to a temporary file beside its target, is checked (the archive's sha256/md5 when
known, then every extracted file against the registry's known versions), and only then moved into
place: a failed or interrupted fetch leaves nothing half-written. Without network the first failed
connection ends the fetch with one line that names the folder to put the files in.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from mltutorial.data import registry
from mltutorial.errors import DataError, UserError
from mltutorial.progress import bar

USER_AGENT = "mltutorial-data-fetch/0.1"


class Offline(UserError):
    """No network: the message says where to put the files by hand."""


@dataclass
class FetchReport:
    name: str
    folder: Path
    files: list[str]
    unverified: list[str]  # saved files with no known digest to compare with


def _download(url: str, target: Path, timeout: float, desc: str) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp, open(target, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0)
            b = bar(total or 0, desc)
            try:
                while chunk := resp.read(1 << 16):
                    out.write(chunk)
                    b.update(len(chunk))
            finally:
                b.close()
    except urllib.error.HTTPError as exc:
        raise DataError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Offline(str(reason)) from None


def _digest(path: Path) -> tuple[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
            md5.update(chunk)
    return sha.hexdigest(), md5.hexdigest()


def _unpack(archive: Path, kind: str, strip: int, dest: Path) -> list[str]:
    """Extract regular files of `archive` into `dest` (no absolute paths or '..'); return names."""
    names = []

    def target_of(member: str) -> Path | None:
        parts = [p for p in member.split("/") if p not in ("", ".")][strip:]
        if not parts or ".." in parts or parts[0].startswith("__MACOSX"):
            return None
        return dest.joinpath(*parts)

    try:
        if kind == "zip":
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    t = target_of(info.filename)
                    if t is None or info.is_dir():
                        continue
                    t.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, open(t, "wb") as out:
                        shutil.copyfileobj(src, out)
                    names.append(t.relative_to(dest).as_posix())
        else:
            with tarfile.open(archive, "r:*") as tar:
                for m in tar.getmembers():
                    t = target_of(m.name)
                    if t is None or not m.isfile():
                        continue
                    src = tar.extractfile(m)
                    if src is None:
                        continue
                    t.parent.mkdir(parents=True, exist_ok=True)
                    with src, open(t, "wb") as out:
                        shutil.copyfileobj(src, out)
                    names.append(t.relative_to(dest).as_posix())
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise DataError(f"{archive.name}: damaged archive ({exc})") from None
    return names


def fetch(name: str, timeout: float = 15.0) -> FetchReport:
    """Download dataset `name` into the user cache; raise Offline / DataError on failure."""
    ds = registry.get(name)
    folder = registry.cache_root() / name
    if not ds.downloads:
        where = "it ships with scikit-learn" if ds.package else "no download address is known"
        raise UserError(f"{name}: nothing to fetch ({where})")
    known = {k.path: k for k in ds.known_files}
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder.parent))
    saved, unverified = [], []
    try:
        for d in ds.downloads:
            target = staging / d.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                _download(d.url, target, timeout, desc=f"{name}: {d.filename}")
            except Offline as exc:
                raise Offline(
                    f"cannot download {name} (no network? {exc}); put its files in "
                    f"{folder}/ or in $MLTUTORIAL_DATA/{name}/ (see 'mltutorial data info {name}')"
                ) from None
            sha, md5 = _digest(target)
            if (d.sha256 and sha != d.sha256) or (d.md5 and md5 != d.md5):
                want = d.sha256 or f"md5 {d.md5}"
                raise DataError(
                    f"{d.url}: checksum mismatch (got sha256 {sha[:16]}..., expected {want[:16]}...)"
                )
            if d.unpack:
                files = _unpack(target, d.unpack, d.strip, staging)
                target.unlink()
            else:
                files = [d.filename]
            for rel in files:
                if d.unpack and rel not in known and not (d.sha256 or d.md5):
                    unverified.append(rel)
                    saved.append(rel)
                    continue
                k = [x for x in ds.known_files if x.path == rel]
                if k:
                    fsha, fmd5 = _digest(staging / rel)
                    if not any(fsha == x.sha256 or fmd5 == x.md5 for x in k):
                        raise DataError(
                            f"{rel} from {d.url}: checksum differs from every known version"
                        )
                elif not (d.sha256 or d.md5):
                    unverified.append(rel)
                saved.append(rel)
        folder.mkdir(parents=True, exist_ok=True)
        for rel in saved:
            dest = folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).replace(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return FetchReport(name, folder, saved, unverified)


# ---- verify -----------------------------------------------------------------------------------


@dataclass
class VerifyRow:
    name: str
    path: Path
    status: str  # "ok" | "MISMATCH" | "missing" | "unlisted"
    detail: str = ""


def _manifest(name: str, folder: Path) -> dict[str, str]:
    """{path: sha256} from the folder's MANIFEST.sha256 (`sha256sum` lines), if the registry knows
    that manifest's own digest: how a dataset of thousands of files (galaxy_zoo) is checked."""
    path = folder / "MANIFEST.sha256"
    if not path.is_file() or registry.check_file(name, folder, path, fresh=True).status != "ok":
        return {}
    out = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            sha, rel = line.split(maxsplit=1)
            out[rel.lstrip("*")] = sha
    return out


def verify(names: list[str]) -> list[VerifyRow]:
    """Hash every file of each found dataset and compare with the registry's known versions."""
    rows: list[VerifyRow] = []
    for name in names:
        ds = registry.get(name)
        found = registry.locate(name)
        if found is None:
            continue
        files = sorted(
            p for p in found.path.rglob("*") if p.is_file() and p.name != "PROVENANCE.md"
        )
        manifest = _manifest(name, found.path)
        b = bar(len(files), f"verify {name}")
        present = set()
        for p in files:
            res = registry.check_file(name, found.path, p, fresh=True)
            rel = p.relative_to(found.path).as_posix()
            present.add(rel)
            if res.status == "ok":
                rows.append(VerifyRow(name, p, "ok", res.sha256))
            elif res.status == "mismatch":
                rows.append(
                    VerifyRow(
                        name, p, "MISMATCH", f"sha256 {res.sha256}, expected {res.expected[0]}"
                    )
                )
            elif rel in manifest:  # one of many files the dataset's own manifest lists
                sha = _digest(p)[0]
                status = "ok" if sha == manifest[rel] else "MISMATCH"
                detail = sha if status == "ok" else f"sha256 {sha}, expected {manifest[rel]}"
                rows.append(VerifyRow(name, p, status, detail + " (MANIFEST.sha256)"))
            else:
                rows.append(
                    VerifyRow(name, p, "unlisted", "not a file of this dataset's registry entry")
                )
            b.update(1)
        b.close()
        listed = {k.path for k in ds.known_files if k.sha256}
        for rel in sorted(listed - present):
            where = found.path / rel
            detail = (
                "listed in the registry; a folder is there, not the file"
                if where.is_dir()
                else "listed in the registry; something that is not a regular file is there"
                if where.exists()
                else "listed in the registry, not present"
            )
            rows.append(VerifyRow(name, where, "missing", detail))
    return rows
