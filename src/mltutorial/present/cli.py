"""`mltutorial present`: give the talk: slides in the browser, figures computed, the audience inside.

mltutorial present                                   # the talk itself, report in mltutorial-report/
mltutorial present --slides my.md --deck my.yaml     # your talk and its questions
mltutorial present --host 0.0.0.0 --public-url http://192.168.1.20:8000
mltutorial present --db talk.sqlite3 --export handout.html   # write the handout and exit

Prints the presenter link, the speaker-view link and the join address with its code and a QR code.
The slides file is checked completely (every directive, chapter, question, image) before anything
starts; chapters missing from the report are computed in the background while the server serves.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mltutorial.clitools import Parser, check_port_free, port
from mltutorial.errors import UserError
from mltutorial.live.cli import base_url, serve
from mltutorial.live.deck import load_deck
from mltutorial.live.schemas import MAX_MESSAGE_BYTES
from mltutorial.live.settings import Settings
from mltutorial.live.text import format_code


def build_parser(prog: str) -> Parser:
    p = Parser(prog=prog, description="Give the talk: slides, computed figures, the audience live.")
    p.add_argument("--slides", metavar="FILE.md", help="slides file (default: the talk itself)")
    p.add_argument(
        "--report",
        metavar="DIR",
        default="mltutorial-report",
        help="tour report folder; missing chapters are computed into it (default: %(default)s)",
    )
    p.add_argument("--deck", metavar="FILE.yaml", help="questions (default: the talk's deck)")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=port, help="port (default 8000)")
    p.add_argument("--db", metavar="URL", help="database (as for mltutorial live)")
    p.add_argument("--public-url", metavar="URL", help="the address phones use, for the QR code")
    p.add_argument(
        "--quick", action="store_true", help="compute missing chapters with tiny configurations"
    )
    p.add_argument(
        "--export",
        metavar="FILE.html",
        help="write the handout (this session's answers in place) and exit",
    )
    return p


def chapter_names() -> set[str]:
    from mltutorial.tour import discover

    return {c.name for c in discover()[0]}


def main(argv: list[str], prog: str = "mltutorial present") -> int:
    args = build_parser(prog).parse_args(argv)
    from mltutorial.present.report import Report
    from mltutorial.present.slides import load_talk

    settings = Settings.from_env(
        host=args.host, port=args.port, db=args.db, deck=args.deck, public_url=args.public_url
    )
    deck = load_deck(settings.deck)
    talk = load_talk(args.slides, deck, chapter_names())  # every error here: before serving
    report_dir = Path(args.report)
    if report_dir.exists() and not report_dir.is_dir():
        raise UserError(f"--report {report_dir}: not a folder")
    report = Report(report_dir, quick=args.quick)
    report.forget_stale([(n.chapter, n.path) for s in talk.slides for n in s.numbers])
    if args.export:
        return _export(args.export, settings, talk, report)
    check_port_free(settings.host, settings.port)
    from mltutorial.present.app import create_present_app

    app = create_present_app(settings, talk, report)
    live = app.state.live
    info = live.session
    missing = report.missing(talk.chapters)
    report.compute_missing(talk.chapters)
    base = base_url(settings)
    code = format_code(info.code)
    print(f'mltutorial present: "{talk.title}", {len(talk.slides)} slides, '
          f"{len(deck.questions)} questions, "
          f"{'resumed on slide ' + str(live.store.slide_position(info.session_id).index + 1) if live.resumed else 'new session'}")  # fmt: skip
    print(f"  presenter  {base}/talk#key={info.secret}   (keep this link to yourself)")
    print(f"  speaker    {base}/speaker#key={info.secret}")
    print(f"  join       {base}/   code {code}")
    if missing:
        print(f"  computing  {', '.join(missing)} (in the background; slides say 'computing…')")
    _print_qr(f"{base}/?code={info.code}")
    if settings.host == "127.0.0.1" and not settings.public_url:
        print("  (listening on this machine only: --host 0.0.0.0 lets phones in the room join)")
    sys.stdout.flush()
    import uvicorn

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ws="websockets-sansio",
        loop=settings.loop,
        ws_max_size=MAX_MESSAGE_BYTES * 4,
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=3,
        proxy_headers=False,
    )
    serve(config)
    return 0


def _print_qr(url: str) -> None:
    """The join QR code in the terminal (two rows of modules per character line)."""
    import qrcode

    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make(fit=True)
    m = qr.get_matrix()
    if len(m) % 2:
        m.append([False] * len(m[0]))
    chars = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    for top, bottom in zip(m[0::2], m[1::2]):
        print("  " + "".join(chars[(a, b)] for a, b in zip(top, bottom)))


def _export(path: str, settings: Settings, talk, report) -> int:  # type: ignore[no-untyped-def]
    """The handout of the deck's unfinished session in --db (or of no answers yet)."""
    from mltutorial.files import write_text
    from mltutorial.live.store import Store
    from mltutorial.present.handout import handout_html

    out = Path(path)
    if out.is_dir():
        raise UserError(f"--export {out}: is a folder; give a file name (handout.html)")
    if not out.parent.is_dir():
        raise UserError(f"--export {out}: folder {out.parent} does not exist")
    missing = report.missing(talk.chapters)
    if missing:  # the handout shows every figure: compute what is missing first
        print(f"computing {', '.join(missing)} first ...", file=sys.stderr)
        report.compute_missing(talk.chapters)
        report.wait()
    deck = load_deck(settings.deck)
    with Store(settings.db, sqlite_synchronous=settings.sqlite_synchronous) as store:
        info, _ = store.resume_or_create(deck)
        write_text(out, handout_html(talk, report, store, info.session_id))
    print(f"handout: {out} ({len(talk.slides)} slides, session code {format_code(info.code)})")
    return 0
