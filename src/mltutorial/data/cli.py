"""`mltutorial data list | info NAME | path NAME | fetch NAME|all | verify [NAME ...]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from mltutorial.clitools import Parser, add_json, print_json
from mltutorial.data import registry
from mltutorial.errors import UserError


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    files = (p for p in path.rglob("*") if p.is_file() and p.name != "PROVENANCE.md")
    return sum(p.stat().st_size for p in files)


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def _where(name: str) -> tuple[str, Path | None]:
    found = registry.locate(name)
    if found is not None:
        return found.origin, found.path
    if registry.get(name).package:
        return "package", None
    return "not found", None


def _list(args: argparse.Namespace) -> int:
    rows = []
    for name, ds in registry.DATASETS.items():
        origin, path = _where(name)
        size = _size(path) if path else 0
        where = {
            "env": "$MLTUTORIAL_DATA",
            "cache": "user cache",
            "package": f"package ({ds.package})",
            "not found": "not found: built-in sample",
        }[origin]
        rows.append(
            {
                "name": name,
                "found": where,
                "path": str(path) if path else "",
                "size": size,
                "licence": ds.licence,
            }
        )
    if args.json:
        print_json(rows)
        return 0
    w = max(len(r["name"]) for r in rows)
    fw = max(len(r["found"]) for r in rows)
    print(f"{'name':<{w}}  {'found':<{fw}}  {'size':>9}  licence")
    for r in rows:
        size = _human(r["size"]) if r["size"] else "-"
        print(f"{r['name']:<{w}}  {r['found']:<{fw}}  {size:>9}  {r['licence']}")
    root = registry.env_root()
    print(
        f"\nsearched: $MLTUTORIAL_DATA={root or '(unset)'}, then {registry.cache_root()}; "
        "'mltutorial data info NAME' for files and citation"
    )
    return 0


def _info(args: argparse.Namespace) -> int:
    ds = registry.get(args.name)
    origin, path = _where(ds.name)
    files = []
    for k in ds.known_files:
        present = path is not None and (path / k.path).is_file()
        files.append(
            {
                "path": k.path,
                "bytes": k.size,
                "sha256": k.sha256,
                "md5": k.md5,
                "present": present,
            }
        )
    out = {
        "name": ds.name,
        "title": ds.title,
        "description": ds.description,
        "counts": ds.counts,
        "licence": ds.licence,
        "citation": ds.citation,
        "homepage": ds.homepage,
        "found": origin,
        "path": str(path) if path else None,
        "put_files_in": [str(c.path) for c in registry.candidates(ds.name)],
        "downloads": [d.url for d in ds.downloads],
        "files": files,
    }
    if args.json:
        print_json(out)
        return 0
    print(f"{ds.title}  ({ds.name})")
    print(f"  {ds.description}")
    print(f"  counts:   {ds.counts}")
    print(f"  licence:  {ds.licence}")
    print(f"  citation: {ds.citation}")
    if ds.homepage:
        print(f"  homepage: {ds.homepage}")
    print(f"  found:    {origin}{f' at {path}' if path else ''}")
    if origin == "not found":
        print(f"  put the files in: {' or '.join(out['put_files_in'])}")
    if ds.downloads:
        print("  downloads (mltutorial data fetch):")
        for d in ds.downloads:
            print(f"    {d.url}")
    if files:
        print("  files (known versions):")
        for f in files:
            mark = "present" if f["present"] else "absent"
            digest = f["sha256"] or f"md5 {f['md5']} (official download)"
            size = f"{f['bytes']:,} B" if f["bytes"] else "?"
            print(f"    {f['path']:<48} {size:>14}  {digest}  [{mark}]")
    return 0


def _path(args: argparse.Namespace) -> int:
    ds = registry.get(args.name)
    found = registry.locate(ds.name)
    if found is None:
        where = " or ".join(str(c.path) for c in registry.candidates(ds.name))
        msg = "ships inside scikit-learn" if ds.package else "uses its built-in sample"
        raise UserError(f"{ds.name}: not found ({msg}); put its files in {where}")
    print(found.path)
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from mltutorial.data.fetch import fetch

    if not args.timeout > 0:
        raise UserError(f"--timeout {args.timeout}: must be a positive number of seconds")
    names = (
        [n for n, d in registry.DATASETS.items() if d.downloads]
        if args.name == "all"
        else [registry.get(args.name).name]
    )
    for name in names:
        present = registry.locate(name)
        if present is not None and not args.force:
            print(f"{name}: already present at {present.path} (--force to fetch again)")
            continue
        rep = fetch(name, timeout=args.timeout)
        note = (
            f"; not checked (no known digest): {', '.join(rep.unverified)}"
            if rep.unverified
            else ""
        )
        print(f"{name}: {len(rep.files)} file(s) saved in {rep.folder}{note}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from mltutorial.data.fetch import verify

    names = [registry.get(n).name for n in args.names] if args.names else list(registry.DATASETS)
    rows = verify(names)
    if args.json:
        print_json(
            [
                {"name": r.name, "path": str(r.path), "status": r.status, "detail": r.detail}
                for r in rows
            ]
        )
    else:
        for r in rows:
            if r.status != "ok" or args.verbose:
                print(f"{r.status:<8}  {r.name:<22}  {r.path}  {r.detail}")
        n_ok = sum(r.status == "ok" for r in rows)
        bad = [r for r in rows if r.status in ("MISMATCH", "missing")]
        datasets = len({r.name for r in rows})
        print(
            f"{n_ok} file(s) match a known version in {datasets} dataset(s) found; {len(bad)} problem(s)"
        )
    if any(r.status == "MISMATCH" for r in rows):
        raise UserError("some files do not match any known version (listed above)")
    if any(r.status == "missing" for r in rows):
        raise UserError("some files of a dataset are missing or not regular files (listed above)")
    return 0


def main(argv: list[str], prog: str = "mltutorial data") -> int:
    parser = Parser(
        prog=prog, description="Datasets: where they are, what they are, how to get them."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    p = sub.add_parser("list", help="every dataset: where it was found, size, licence")
    add_json(p)
    p = sub.add_parser("info", help="citation, licence, counts, files and hashes of one dataset")
    p.add_argument("name")
    add_json(p)
    p = sub.add_parser("path", help="print the folder a dataset is read from")
    p.add_argument("name")
    p = sub.add_parser(
        "fetch", help="download into the user cache and check sha256 (needs network)"
    )
    p.add_argument("name", help="a dataset name, or 'all'")
    p.add_argument(
        "--timeout", type=float, default=15.0, help="seconds per connection (default 15)"
    )
    p.add_argument("--force", action="store_true", help="download even if already present")
    p = sub.add_parser("verify", help="check the sha256 of every file found against known versions")
    p.add_argument("names", nargs="*", help="datasets to check (default: all found)")
    p.add_argument("-v", "--verbose", action="store_true", help="list matching files too")
    add_json(p)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return {"list": _list, "info": _info, "path": _path, "fetch": _fetch, "verify": _verify}[
        args.command
    ](args)
