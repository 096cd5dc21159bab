"""Fixtures for the playground: an app in a TestClient, and a real server for the browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mltutorial.playground.settings import Settings


@pytest.fixture
def make_client():
    """make_client(**settings) -> a TestClient entered for the test."""
    from fastapi.testclient import TestClient

    from mltutorial.playground.app import create_app

    opened = []

    def make(**overrides):
        client = TestClient(create_app(Settings.from_env({}, **overrides)))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for c in opened:
        c.__exit__(None, None, None)


@dataclass
class Server:
    base: str


@pytest.fixture
def playground_server() -> Iterator[Server]:
    import uvicorn

    from mltutorial.playground.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(Settings.from_env({})), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)
