"""Fixtures for the live server's tests: a store on a temporary SQLite file, an app, a real server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mltutorial.live.deck import load_deck
from mltutorial.live.settings import Settings
from mltutorial.live.store import Store


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'live.sqlite3'}"


@pytest.fixture
def store(db_url) -> Iterator[Store]:
    with Store(db_url) as s:
        yield s


@pytest.fixture
def deck():
    return load_deck()


@pytest.fixture
def make_client(tmp_path):
    """make_client(**settings) -> (TestClient entered, Live); closed at the end of the test."""
    from fastapi.testclient import TestClient

    from mltutorial.live.app import create_app

    opened = []

    def make(**overrides):
        overrides.setdefault("db", str(tmp_path / "app.sqlite3"))
        app = create_app(Settings.from_env({}, **overrides))
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        return client, app.state.live

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    base: str
    live: object
    server: object


def _serve(settings: Settings) -> tuple[RunningServer, threading.Thread]:
    import uvicorn

    from mltutorial.live.app import create_app

    app = create_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=settings.port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    return RunningServer(f"http://127.0.0.1:{settings.port}", app.state.live, server), thread


@pytest.fixture
def live_server(tmp_path) -> Iterator[RunningServer]:
    """A real uvicorn server on a free loopback port, in a thread."""
    port = free_port()
    settings = Settings.from_env({}, db=str(tmp_path / "server.sqlite3"), port=port)
    running, thread = _serve(settings)
    yield running
    running.server.should_exit = True  # type: ignore[attr-defined]
    thread.join(10)


@pytest.fixture
def make_server(tmp_path):
    """make_server(**settings) -> RunningServer: a real server with these settings (a deck, ...)."""
    started: list[tuple[RunningServer, threading.Thread]] = []

    def make(**overrides) -> RunningServer:
        overrides.setdefault("db", str(tmp_path / f"server{len(started)}.sqlite3"))
        settings = Settings.from_env({}, port=free_port(), **overrides)
        started.append(_serve(settings))
        return started[-1][0]

    yield make
    for running, thread in started:
        running.server.should_exit = True  # type: ignore[attr-defined]
        thread.join(10)
