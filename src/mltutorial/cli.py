"""The `mltutorial` (alias `mlt`) command: a table of subcommands, each imported only when used.

Each subcommand module has `main(argv: list[str], prog: str) -> int`. A `UserError` anywhere becomes
one line on stderr and exit status 2, and so does a file the command cannot read or write (`OSError`,
a file that is not UTF-8) that no lower layer turned into a clearer `UserError`, and an array too big
for the machine (`MemoryError`); Ctrl-C exits 130 without a traceback, even when CPython swallowed its
exception on the way (`mltutorial.interrupt`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from mltutorial import __version__, interrupt
from mltutorial.errors import UserError

# name -> (module with main(argv, prog), one-line help). Modules are imported lazily.
COMMANDS: dict[str, tuple[str, str]] = {
    "tour": ("mltutorial.tour_cli", "run the whole talk end to end and write an HTML report"),
    "lessons": ("mltutorial.lessons_cli", "list the lessons (one per slide idea)"),
    "run": ("mltutorial.lessons_cli", "run one lesson: mltutorial run NAME [--key=value ...]"),
    "spam": ("mltutorial.apps.spam.cli", "Gmail's anti-spam: train, classify, evaluate"),
    "recommend": ("mltutorial.apps.recommend.cli", "Netflix's recommender on MovieLens"),
    "words": ("mltutorial.apps.words.cli", "Google Translate's word maps: English to Spanish"),
    "generate": ("mltutorial.apps.textgen.cli", "ChatGPT's text generation: train and sample"),
    "vision": (
        "mltutorial.apps.vision.cli",
        "image classification: train a CNN, classify your images",
    ),
    "anomaly": ("mltutorial.apps.anomaly.cli", "anomaly detection: fraud and novel particles"),
    "rl": ("mltutorial.apps.rl.cli", "reinforcement learning: a policy learns CartPole"),
    "gw": ("mltutorial.apps.gw.cli", "gravitational waves: find a chirp in LIGO strain"),
    "hardware": ("mltutorial.hardware_cli", "time a matrix product and a GPT step: CPU vs GPU"),
    "data": ("mltutorial.data.cli", "datasets: list, info, path, fetch, verify"),
    "live": ("mltutorial.live.cli", "the self-hosted live audience server (Mentimeter moments)"),
    "playground": ("mltutorial.playground.cli", "a browser page where a network trains live"),
    "notebooks": (
        "mltutorial.notebooks_cli",
        "write the tutorial as Jupyter notebooks into a folder",
    ),
    "present": (
        "mltutorial.present.cli",
        "give the talk: slides, computed figures, the audience live inside them",
    ),
}


def _usage() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = [
        "usage: mltutorial COMMAND [options]   (alias: mlt)",
        "",
        'The "Machine learning tutorial" talk as software you run.',
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run 'mltutorial COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if args[0] in ("-V", "--version"):
        print(f"mltutorial {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        import difflib

        close = difflib.get_close_matches(name, list(COMMANDS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        print(f"mltutorial: error: unknown command {name!r}{hint} (see --help)", file=sys.stderr)
        return 2
    module_name = COMMANDS[name][0]
    import numpy as np

    try:
        # a diverging run overflows: it ends in one clear error line, not NumPy's warnings first
        # (PyTorch gives none either)
        with interrupt.handling_ctrl_c(), np.errstate(all="ignore"):
            module = importlib.import_module(module_name)
            if module_name == "mltutorial.lessons_cli":
                return int(module.main(rest, prog=f"mltutorial {name}", command=name) or 0)
            return int(module.main(rest, prog=f"mltutorial {name}") or 0)
    except UserError as exc:
        message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        print(f"mltutorial {name}: error: {message}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, already printed)
        return exc.code if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file or folder the command could not read or write
        where = f": {exc.filename}" if exc.filename else ""
        print(f"mltutorial {name}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except MemoryError as exc:  # NumPy refuses a huge array at once: the sizes asked were too big
        said = str(exc) or "an allocation failed"
        print(
            f"mltutorial {name}: error: not enough memory: {said}; choose smaller sizes",
            file=sys.stderr,
        )
        return 2
    except UnicodeDecodeError as exc:
        print(
            f"mltutorial {name}: error: a file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
