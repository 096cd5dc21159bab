"""`mltutorial lessons` and `mltutorial run NAME [--key=value ...] [--json] [--out DIR]`."""

from __future__ import annotations

import contextlib
import dataclasses
import sys

from mltutorial import lessons
from mltutorial.clitools import Parser, output_dir, print_json
from mltutorial.config import parse_overrides


def _list(argv: list[str], prog: str) -> int:
    parser = Parser(prog=prog, description="List the lessons, one per slide idea of the talk.")
    parser.parse_args(argv)
    for module in lessons.in_slide_order():
        name = module.__name__.rsplit(".", 1)[-1]
        print(f"{name:<24} {lessons.title(module)}")
    return 0


def _run(argv: list[str], prog: str) -> int:
    parser = Parser(
        prog=prog,
        description="Run one lesson: compute its numbers, print them and save its figure.",
        epilog="Any other --key=value sets a field of the lesson's Config (see --config).",
    )
    parser.add_argument("name", help="the lesson (see 'mltutorial lessons')")
    parser.add_argument("--json", action="store_true", help="print one JSON object of the numbers")
    parser.add_argument("--out", default=".", help="folder for the figure (default: .)")
    parser.add_argument(
        "--config",
        action="store_true",
        help="show the Config fields (with --json: as JSON) and exit",
    )
    args, rest = parser.parse_known_args(argv)
    module = lessons.get(args.name)
    if args.config:
        defaults = module.Config()
        if args.json:
            print_json({f.name: getattr(defaults, f.name) for f in dataclasses.fields(defaults)})
            return 0
        for f in dataclasses.fields(module.Config):
            print(f"--{f.name}={getattr(defaults, f.name)!r}")
        return 0
    cfg = parse_overrides(module.Config, rest)
    out_dir = output_dir(args.out)  # a bad folder fails now, not after the work
    # With --json, stdout carries the one JSON object only: stray prints go to stderr.
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        result, figures = lessons.run_lesson(module, cfg, out_dir)
    if args.json:
        print_json(result.numbers())
    else:
        print(f"{args.name}: {result.summary()}")
        for path in figures:
            print(f"figure: {path}")
    return 0


def main(argv: list[str], prog: str, command: str = "run") -> int:
    if command == "lessons":
        return _list(argv, prog)
    return _run(argv, prog)
