"""`mltutorial playground`: serve the live-training page and print its address.

mltutorial playground                       # http://127.0.0.1:8100/
mltutorial playground --port 9000
mltutorial playground --host 0.0.0.0        # the room's laptops and phones too
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys

from mltutorial.clitools import Parser
from mltutorial.errors import UserError
from mltutorial.playground.settings import Settings


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, not {port}")
    return port


_port.__name__ = "port"


def _check_port_free(host: str, port: int) -> None:
    """One clear line instead of uvicorn's traceback when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(f"port {port} is already in use: try --port {port + 1}") from None
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _lan_address() -> str | None:
    """This machine's address on the local network (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
    except OSError:
        return None


def build_parser(prog: str) -> Parser:
    p = Parser(prog=prog, description="A browser page where a small network trains live.")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_port, help="port (default 8100)")
    return p


def main(argv: list[str], prog: str = "mltutorial playground") -> int:
    args = build_parser(prog).parse_args(argv)
    settings = Settings.from_env(host=args.host, port=args.port)
    _check_port_free(settings.host, settings.port)
    from mltutorial.playground.app import create_app  # FastAPI is imported only when serving

    app = create_app(settings)
    if settings.host in ("0.0.0.0", "::"):
        host = _lan_address() or "YOUR-ADDRESS"
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
    try:
        server.run()
    except KeyboardInterrupt:
        return 130
    # uvicorn catches Ctrl-C itself and shuts down gracefully: that is still an interrupt.
    return 130 if server.should_exit else 0
