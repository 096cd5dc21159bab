"""Small argparse helpers shared by every subcommand: one-line errors, common flags, JSON output."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from mltutorial.errors import UserError
from mltutorial.files import jsonable, output_target, system_root

SEED_MAX = 2**32 - 1  # NumPy's and scikit-learn's seeds are unsigned 32-bit integers


def seed_value(text: str) -> int:
    """argparse type for a seed: an integer from 0 to 2**32 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"{value}: a seed is an integer from 0 to 2**32 - 1")
    return value


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2 (no usage dump).

    An option given an empty value (`-o ''`, `--dataset ''`) is an error, never a silent default.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        if action.option_strings and any(s.strip() == "" for s in arg_strings):
            flag = "/".join(action.option_strings)
            raise argparse.ArgumentError(None, f"{flag} '': an empty value")
        return super()._get_values(action, arg_strings)


def add_seed(
    parser: argparse.ArgumentParser, default: int | None = 0, help: str | None = None
) -> None:
    parser.add_argument(
        "--seed",
        type=seed_value,
        default=default,
        help=help or f"random seed (default {default})",
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object of the results")


def print_json(obj: Any) -> None:
    json.dump(jsonable(obj), sys.stdout, indent=2, allow_nan=True)
    sys.stdout.write("\n")


def output_dir(path: str | os.PathLike[str], flag: str = "--out") -> Path:
    """Create the output folder `path` if needed and check that files can be written in it.

    Call it before long work, so a bad folder fails in a second with one line, not after the work.
    """
    if str(path) == "":
        raise UserError(f"{flag} '': an empty folder name")
    folder = Path(path)
    root = system_root(folder)
    if root is not None:
        raise UserError(f"{flag} {folder}: a system folder (under {root}); give another folder")
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{flag} {folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UserError(f"{flag} {folder}: cannot write there ({exc.strerror or exc})") from None
    return folder


def output_file(path: str | os.PathLike[str] | None, flag: str = "-o") -> Path | None:
    """Check, before long work, that a file can be saved at `path` (None passes through)."""
    if path is None:
        return None
    target = output_target(path, flag)  # not '', a folder, a device, a pipe
    output_dir(target.parent, flag=f"{flag} {target}: folder")
    return target


@contextlib.contextmanager
def figures_after(saved: str | os.PathLike[str] | None) -> Iterator[None]:
    """Around figures drawn after a model file was saved: a failure says the model is safe."""
    try:
        yield
    except UserError as exc:
        if saved is None:
            raise
        raise UserError(
            f"the model was saved to {saved}, but the figures were not: {exc}"
        ) from None


def dispatch(
    argv: list[str],
    prog: str,
    description: str,
    actions: dict[str, Callable[[list[str], str], int]],
) -> int:
    """`prog ACTION [options]`: read the action, hand the rest of argv to its handler."""
    parser = Parser(prog=prog, description=description)
    parser.add_argument("action", choices=list(actions))
    args = parser.parse_args(argv[:1])
    return actions[args.action](argv[1:], f"{prog} {args.action}")


# ------------------------------------------------------------------ the servers (live, playground, present)


def port(text: str) -> int:
    """argparse type for a TCP port: 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, not {value}")
    return value


def check_port_free(host: str, port: int) -> None:
    """One clear line before the server starts, instead of uvicorn's traceback when the port is taken."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(
                    f"port {port} is already in use on {host}: try --port {port + 1}"
                ) from None
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def lan_address() -> str | None:
    """This machine's address on the local network, for links phones can open (no packet is sent)."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
    except OSError:
        return None


def freeze_startup_objects() -> None:
    """For a long-running server, just before it serves: a full garbage collection scans every
    object the process holds, and what the server made at startup (modules, routes, tables) lives
    as long as it does. Frozen out of the collector, those objects are no longer scanned, so the
    collections that still come stall requests for milliseconds, not hundreds of them."""
    import gc

    gc.collect()
    gc.freeze()
