"""The HTTP and WebSocket routes through FastAPI's TestClient: pages, 4xx for bad input, sessions."""

from __future__ import annotations

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect


def test_page_and_static_files_with_a_strict_policy(make_client):
    client = make_client()
    page = client.get("/")
    assert page.status_code == 200 and "static/app.js" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in page.text and "style=" not in page.text  # nothing inline
    for name in ("app.js", "draw.js", "presets.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/secret.txt").status_code == 404


def test_state_check_returns_4xx_with_the_reason(make_client):
    client = make_client()
    ok = client.get("/api/state", params={"hash": "dataset=spiral&shape=8,8"})
    assert ok.status_code == 200 and ok.json()["state"]["shape"] == [8, 8]
    for bad, words in [
        ("lr=NaN", "finite"),
        ("shape=" + ",".join(["2"] * 40), "at most 6"),
        ("lr=" + "9" * 3000, "longer than"),
    ]:
        r = client.get("/api/state", params={"hash": bad})
        assert r.status_code == 422 and words in r.json()["detail"]
    assert len(client.get("/api/props").json()["props"]) > 20


def _csv(n: int = 40) -> bytes:
    rng = np.random.default_rng(0)
    rows = [f"{a:.3f},{b:.3f},{int(a > b)}" for a, b in rng.uniform(-1, 1, (n, 2))]
    return ("x1,x2,label\n" + "\n".join(rows)).encode()


def test_upload_checks_size_and_content(make_client):
    client = make_client()
    good = client.post("/api/upload", content=_csv(), headers={"X-Filename": "mine<>.csv"})
    assert good.status_code == 200
    assert good.json()["n"] == 40 and good.json()["problem"] == "classification"
    assert good.json()["name"] == "mine.csv"
    big = client.post("/api/upload", content=b"1,2,3\n" * (50 * 1024 * 1024 // 6))  # 50 MB
    assert big.status_code == 413 and "limit" in big.json()["detail"]
    bad = client.post("/api/upload", content=b"a,b\n1,2\n")
    assert bad.status_code == 422 and bad.json()["detail"].startswith("bad CSV:")


def test_presets_over_http(make_client):
    client = make_client()
    r = client.get("/api/preset", params={"hash": "preset=worst_case&lr=0.15"})
    assert r.status_code == 200 and r.json()["diverged_step"] is not None
    r = client.get("/api/preset", params={"hash": "preset=convolution"})
    assert r.json()["output"] == [[12, 12, 17], [10, 17, 19], [9, 6, 14]]
    assert client.get("/api/preset", params={"hash": "preset=none"}).status_code == 422
    assert client.get("/api/preset", params={"hash": "preset=worst_case&lr=nan"}).status_code == 422


def _until(ws, kind: str, limit: int = 50) -> dict:
    for _ in range(limit):
        m = ws.receive_json()
        if m["type"] == kind:
            return m
    raise AssertionError(f"no {kind} message")


def test_a_tab_trains_over_the_socket(make_client):
    client = make_client(max_updates_per_s=200)
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "state", "hash": "dataset=xor&shape=4"})
        setup = _until(ws, "setup")
        assert setup["state"]["shape"] == [4] and len(setup["train"]) == 250
        first = _until(ws, "frame")
        assert first["epoch"] == 0
        ws.send_json({"type": "step"})
        assert _until(ws, "frame")["epoch"] == 1
        ws.send_json({"type": "play"})
        assert _until(ws, "playing")
        epochs = [_until(ws, "frame")["epoch"] for _ in range(5)]
        assert epochs == sorted(epochs) and epochs[-1] >= 6
        ws.send_json({"type": "pause"})
        # Frames already sent before the pause lands: their number grows with the machine's load
        # (the server plays at up to 200 updates/s while this thread reads), so drain to the ack.
        _until(ws, "paused", limit=100_000)
        ws.send_json({"type": "state", "hash": "dataset=xor&shape=4&lr=0.1"})  # live: no restart
        assert _until(ws, "state")["hash"].count("lr=0.1") == 1
        ws.send_json({"type": "state", "hash": "lr=nan"})
        assert "finite" in _until(ws, "error")["message"]
        ws.send_json({"type": "reset"})
        assert _until(ws, "frame")["epoch"] == 0
        ws.send_json({"type": "launch-missiles"})
        assert "unknown message" in _until(ws, "error")["message"]


def test_a_tab_that_trains_behind_schedule_still_pauses(make_client):
    """Every update late (a million a second asked for): the pause is read between two updates,
    not starved until the idle timeout closes the tab."""
    client = make_client(max_updates_per_s=1_000_000, idle_s=5)
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "state", "hash": "dataset=xor&shape=4"})
        _until(ws, "frame")
        ws.send_json({"type": "play"})
        _until(ws, "playing")
        for _ in range(3):
            _until(ws, "frame")
        ws.send_json({"type": "pause"})
        _until(ws, "paused", limit=500)
        ws.send_json({"type": "step"})
        assert _until(ws, "frame", limit=5)["type"] == "frame"


def test_upload_then_train_it(make_client):
    client = make_client()
    key = client.post("/api/upload", content=_csv(80)).json()["id"]
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "upload", "id": key})
        _until(ws, "uploaded")
        ws.send_json({"type": "state", "hash": "dataset=upload"})
        setup = _until(ws, "setup")
        assert len(setup["train"]) + len(setup["test"]) == 80
        ws.send_json({"type": "upload", "id": "nope"})
        assert "upload it again" in _until(ws, "error")["message"]


def test_sessions_are_bounded_and_idle_ones_end(make_client):
    client = make_client(max_sessions=1, idle_s=0.5)
    with client.websocket_connect("/ws") as first:
        with client.websocket_connect("/ws") as second:
            assert "full" in second.receive_json()["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                second.receive_json()
            assert closed.value.code == 1013
        first.send_json({"type": "state", "hash": ""})
        _until(first, "frame")
        assert _until(first, "ended")["message"].startswith("session ended")
        with pytest.raises(WebSocketDisconnect) as closed:
            first.receive_json()
        assert closed.value.code == 4408


def test_the_router_mounts_under_a_prefix():
    """As `mltutorial present` mounts it: every URL of the page is relative."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from mltutorial.playground import create_router

    app = FastAPI()
    app.include_router(create_router(), prefix="/playground")
    with TestClient(app) as client:
        assert client.get("/playground").url.path == "/playground/"
        page = client.get("/playground/")
        assert 'src="static/app.js"' in page.text
        assert client.get("/playground/static/app.js").status_code == 200
        assert client.get("/playground/api/state", params={"hash": "lr=11"}).status_code == 422
        with client.websocket_connect("/playground/ws") as ws:
            ws.send_json({"type": "state", "hash": ""})
            assert ws.receive_json()["type"] == "setup"
