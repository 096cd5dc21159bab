"""`mltutorial hardware`: the hardware lesson's table: a matrix product and a GPT step, CPU vs GPU.

    mltutorial hardware [--size 2048] [--repeats 3] [--json]

Prints what the `hardware` chapter measures (see lessons/hardware.py); on a machine without an
NVIDIA GPU and CuPy it says so and prints the CPU figures.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mltutorial.clitools import Parser, add_json, print_json


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def main(argv: Sequence[str] | None = None, prog: str = "mltutorial hardware") -> int:
    from mltutorial.lessons import hardware

    defaults = hardware.Config()
    parser = Parser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=_positive, default=defaults.size, help="n of the n x n float32 product"
    )
    parser.add_argument(
        "--repeats", type=_positive, default=defaults.repeats, help="timed runs per device"
    )
    add_json(parser)
    args = parser.parse_args(argv)
    if not 16 <= args.size <= 16384:
        parser.error(f"argument --size: {args.size} is outside 16..16384")
    cfg = hardware.Config(size=args.size, repeats=args.repeats, gpt_repeats=defaults.gpt_repeats)
    result = hardware.run(cfg)
    if args.json:
        print_json(result.numbers())
    else:
        print(hardware.table_text(result))
    return 0
