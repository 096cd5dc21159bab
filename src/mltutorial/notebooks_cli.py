"""`mltutorial notebooks [DIR]`: write the tutorial's notebooks into DIR and say how to open them."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from mltutorial import notebook_build
from mltutorial.errors import UserError


def main(argv: Sequence[str] | None = None, prog: str = "mltutorial notebooks") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Write every chapter of the tour as a Jupyter notebook (built from the "
        "installed package's percent-format sources), with exercises that check themselves and "
        "their worked solutions in DIR/solutions.",
    )
    parser.add_argument(
        "dir",
        nargs="?",
        default=notebook_build.DEFAULT_DIR,
        help=f"where to write them (default: {notebook_build.DEFAULT_DIR})",
    )
    parser.add_argument("--force", action="store_true", help="overwrite notebooks already there")
    args = parser.parse_args(list(argv) if argv is not None else None)

    try:
        import jupytext  # noqa: F401
    except ImportError:
        raise UserError(
            "building notebooks needs jupytext: pip install 'mltutorial[notebooks]' "
            "(it brings JupyterLab too)"
        ) from None
    dest = Path(args.dir)
    if dest.exists() and not dest.is_dir():
        raise UserError(f"{dest} exists and is not a folder")
    names = [p.with_suffix(".ipynb").name for p in notebook_build.sources()]
    there = [n for n in names if (dest / n).exists()]
    if there and not args.force:
        raise UserError(
            f"{dest / there[0]} already exists (and {len(there) - 1} more): your edits would be "
            "lost; use another DIR or --force"
        )
    paths = notebook_build.write_all(dest)
    n_solutions = sum(1 for p in paths if p.parent.name == notebook_build.SOLUTIONS)
    print(f"wrote {len(paths) - n_solutions} notebooks and {n_solutions} solutions to {dest}/")
    for name in names:
        print(f"  {name}")
    print("open them with:")
    print(f"  jupyter lab {dest}")
    print("(pip install 'mltutorial[notebooks]' installs JupyterLab; set MLTUTORIAL_DATA to the")
    print(" real datasets' folder first, or the notebooks use the labelled built-in samples)")
    return 0
