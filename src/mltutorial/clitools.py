"""Small argparse helpers shared by every subcommand: one-line errors, common flags, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn

from mltutorial.files import jsonable


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def add_seed(parser: argparse.ArgumentParser, default: int = 0) -> None:
    parser.add_argument(
        "--seed", type=int, default=default, help=f"random seed (default {default})"
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object of the results")


def print_json(obj: Any) -> None:
    json.dump(jsonable(obj), sys.stdout, indent=2, allow_nan=True)
    sys.stdout.write("\n")
