"""Bad frames on a real server (uvicorn, as `mltutorial live` runs it): closed with a code, one log line."""

from __future__ import annotations

import contextlib
import json
import logging
import time

import httpx
import pytest


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def uvicorn_log():
    handler = _Records()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@contextlib.contextmanager
def _phone_socket(live_server):
    from websockets.sync.client import connect

    live = live_server.live
    me = httpx.post(f"{live_server.base}/api/join", json={"code": live.session.code}).json()
    with connect(
        f"ws://{live_server.base.split('://')[1]}/ws/participant?token={me['token']}"
    ) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "state"
        yield ws


def test_invalid_utf8_closes_with_1007_and_one_log_line(live_server, uvicorn_log):
    from websockets.exceptions import ConnectionClosed

    with _phone_socket(live_server) as ws:
        ws.send(b"\xff\xfe{not utf-8", text=True)
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=10)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1007
    deadline = time.monotonic() + 5
    while not uvicorn_log and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(uvicorn_log) == 1, [r.getMessage() for r in uvicorn_log]
    record = uvicorn_log[0]
    assert record.exc_info is None and "not UTF-8" in record.getMessage()
    assert "\n" not in record.getMessage()
    # The server is fine: the next phone joins and answers.
    with _phone_socket(live_server) as ws2:
        ws2.send(json.dumps({"type": "ping"}))
        assert json.loads(ws2.recv(timeout=10)) == {"type": "pong"}


def test_binary_frame_on_a_real_server(live_server, uvicorn_log):
    from websockets.exceptions import ConnectionClosed

    with _phone_socket(live_server) as ws:
        ws.send(b"\x00\x01")
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=10)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1003
    time.sleep(0.2)
    assert not [r for r in uvicorn_log if r.exc_info]  # no traceback anywhere
