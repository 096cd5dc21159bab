"""`mltutorial playground`: serve the live-training page and print its address.

mltutorial playground                       # http://127.0.0.1:8100/
mltutorial playground --port 9000
mltutorial playground --host 0.0.0.0        # the room's laptops and phones too
"""

from __future__ import annotations

import sys

from mltutorial.clitools import Parser, check_port_free, freeze_startup_objects, lan_address, port
from mltutorial.playground.settings import Settings


def build_parser(prog: str) -> Parser:
    p = Parser(prog=prog, description="A browser page where a small network trains live.")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=port, help="port (default 8100)")
    return p


def main(argv: list[str], prog: str = "mltutorial playground") -> int:
    args = build_parser(prog).parse_args(argv)
    settings = Settings.from_env(host=args.host, port=args.port)
    check_port_free(settings.host, settings.port)
    from mltutorial.playground.app import create_app  # FastAPI is imported only when serving

    app = create_app(settings)
    if settings.host in ("0.0.0.0", "::"):
        host = lan_address() or "YOUR-ADDRESS"
    else:
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
    url = f"http://{host}:{settings.port}/"
    print(f"mltutorial playground: {url}")
    print(f"  presets  {url}#preset=gradient_descent   {url}#preset=worst_case&lr=0.15")
    print(f"           {url}#preset=universal_approximation   {url}#preset=convolution")
    sys.stdout.flush()
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            ws_per_message_deflate=False,
            timeout_graceful_shutdown=2,
        )
    )
    freeze_startup_objects()  # no long garbage-collection pauses in the training stream
    try:
        server.run()
    except KeyboardInterrupt:
        return 130
    # uvicorn catches Ctrl-C itself and shuts down gracefully: that is still an interrupt.
    return 130 if server.should_exit else 0
