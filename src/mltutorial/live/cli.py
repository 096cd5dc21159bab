"""`mltutorial live`: start the audience server and print the presenter link and the join address.

mltutorial live                                  # the talk's deck, SQLite in your data folder
mltutorial live --deck my.yaml --port 9000
mltutorial live --host 0.0.0.0 --public-url http://192.168.1.20:8000   # phones in the room
mltutorial live --db postgresql://user@host/live                       # pip install mltutorial[postgres]
mltutorial live --trusted-proxy 127.0.0.1       # behind nginx/caddy on this machine
mltutorial live --check                          # validate deck and database, print, write nothing
"""

from __future__ import annotations

import sys

from mltutorial.clitools import (
    Parser,
    check_port_free,
    freeze_startup_objects,
    lan_address,
    port,
)
from mltutorial.live.deck import Deck, load_deck
from mltutorial.live.schemas import MAX_MESSAGE_BYTES
from mltutorial.live.settings import Settings
from mltutorial.live.text import format_code


def build_parser(prog: str) -> Parser:
    p = Parser(
        prog=prog,
        description="The self-hosted live audience server (the talk's Mentimeter moments).",
    )
    p.add_argument(
        "--deck", metavar="FILE.yaml", help="questions to ask (default: the talk's own deck)"
    )
    p.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=port, help="port (default 8000)")
    p.add_argument(
        "--db",
        metavar="URL",
        help="database: a file path, sqlite:///FILE or postgresql://... "
        "(default $XDG_DATA_HOME/mltutorial/live.sqlite3)",
    )
    p.add_argument("--public-url", metavar="URL", help="the address phones use, for the QR code")
    p.add_argument(
        "--trusted-proxy",
        metavar="ADDR",
        action="append",
        help="a reverse proxy in front of the server (IP or network, repeatable): only its "
        "X-Forwarded-For is believed when counting wrong join codes per address",
    )
    p.add_argument(
        "--new-session",
        action="store_true",
        help="start a new session (new code) instead of resuming the deck's unfinished one",
    )
    p.add_argument(
        "--check", action="store_true", help="validate the deck and database, print the links, exit"
    )
    return p


def main(argv: list[str], prog: str = "mltutorial live") -> int:
    args = build_parser(prog).parse_args(argv)
    settings = Settings.from_env(
        host=args.host,
        port=args.port,
        db=args.db,
        deck=args.deck,
        public_url=args.public_url,
        new_session=args.new_session or None,
        trusted_proxies=",".join(args.trusted_proxy) if args.trusted_proxy else None,
    )
    if args.check:
        return _check(settings)
    from mltutorial.live.app import create_app  # FastAPI is imported only when serving

    check_port_free(settings.host, settings.port)
    app = create_app(settings)
    live = app.state.live
    info = live.session
    _print_links(
        settings,
        info.deck,
        "resumed the unfinished session" if live.resumed else "new session",
        info.secret,
        format_code(info.code),
    )
    import uvicorn

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ws="websockets-sansio",
        loop=settings.loop,
        ws_max_size=MAX_MESSAGE_BYTES * 4,
        ws_per_message_deflate=False,  # messages are small: compressing them only costs CPU
        backlog=2048,
        timeout_graceful_shutdown=3,
        proxy_headers=False,  # X-Forwarded-For is trusted only from --trusted-proxy (the app's)
    )
    serve(config)
    return 0


def serve(config) -> None:  # type: ignore[no-untyped-def]
    """Run the server, its startup objects frozen out of the garbage collector (a full collection
    had stalled every push for a few hundred milliseconds, every 20 slide changes of a talk).
    uvicorn.Server, not uvicorn.run: run() swallows the Ctrl-C that Server re-raises after its
    graceful shutdown, and the command must end like every other one (130, "interrupted")."""
    import uvicorn

    freeze_startup_objects()
    uvicorn.Server(config).run()


def base_url(settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if settings.host in ("0.0.0.0", "::"):
        return f"http://{lan_address() or 'YOUR-ADDRESS'}:{settings.port}"
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}"


def _print_links(
    settings: Settings, deck: Deck, what: str, secret: str | None, code: str | None
) -> None:
    from mltutorial.live.db import display_url

    base = base_url(settings)
    print(f'mltutorial live: "{deck.title}", {len(deck.questions)} questions, {what}')
    print(f"  database   {display_url(settings.db)}")
    if secret is None or code is None:
        print("  presenter  (a new link and join code are made when the server starts)")
        print(f"  join       {base}/")
    else:
        print(f"  presenter  {base}/presenter#key={secret}   (keep this link to yourself)")
        print(f"  join       {base}/   code {code}")
    if settings.host == "127.0.0.1" and not settings.public_url:
        print("  (listening on this machine only: --host 0.0.0.0 lets phones in the room join)")
    sys.stdout.flush()


def _check(settings: Settings) -> int:
    """Validate the deck and the database and print the links, writing nothing anywhere.

    An SQLite file that does not exist yet is not created (its folder must exist); an existing
    one is opened read-only; the session that serving would resume is shown, else none is made."""
    from mltutorial.live import db
    from mltutorial.live.store import Store

    deck = load_deck(settings.deck)
    path = db.sqlite_file(settings.db)
    found = None
    if path is not None and settings.db:  # the default folder may be missing: it is made at start
        db.check_sqlite_path(path)
    if path is None or path.exists():
        with Store(settings.db, read_only=True) as store:
            found = None if settings.new_session else store.unfinished(deck)
    if found is not None:
        what = "check only: the unfinished session would be resumed"
        _print_links(settings, deck, what, found.secret, format_code(found.code))
    else:
        what = "check only: a new session would start"
        _print_links(settings, deck, what, None, None)
    return 0
