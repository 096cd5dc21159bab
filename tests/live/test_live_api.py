"""The HTTP and WebSocket API through FastAPI's TestClient: join, answer, presenter, security."""

from __future__ import annotations

import csv
import io

import pytest
from starlette.websockets import WebSocketDisconnect


def _join(client, live, nickname="", token=None):
    r = client.post(
        "/api/join", json={"code": live.session.code, "nickname": nickname, "token": token}
    )
    assert r.status_code == 200, r.text
    return r.json()


def _presenter(client, live):
    return {"X-Presenter-Secret": live.session.secret}


def test_pages_qr_and_security_headers(make_client):
    client, live = make_client()
    page = client.get("/")
    assert page.status_code == 200 and "join-form" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "presenter.js" in client.get("/presenter").text
    qr = client.get(f"/qr/{live.session.code}.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml") and "<svg" in qr.text
    assert client.get("/qr/123.svg").status_code == 404
    for asset in ("live.css", "common.js", "presenter.js", "participant.js"):
        assert client.get(f"/static/{asset}").status_code == 200
    # No page builds HTML from data: user text only ever goes through textContent.
    for asset in ("common.js", "presenter.js", "participant.js"):
        assert "innerHTML" not in client.get(f"/static/{asset}").text


def test_join_answer_and_presenter_sees_it_live(make_client):
    client, live = make_client()
    me = _join(client, live, "Ada")
    assert me["nickname"] == "Ada" and me["title"] == "Machine learning tutorial"
    with client.websocket_connect("/ws/presenter") as presenter:
        presenter.send_json({"type": "hello", "secret": live.session.secret})
        first = presenter.receive_json()
        assert first["type"] == "presenter" and first["answers"] == 0
        assert first["code"] == f"{live.session.code[:4]} {live.session.code[4:]}"
        with client.websocket_connect(f"/ws/participant?token={me['token']}") as phone:
            state = phone.receive_json()
            assert state["question"]["prompt"] == "What is Machine Learning?"
            assert state["accepting"] and state["my_answer"] is None
            phone.send_json({"type": "answer", "q": 0, "words": ["Data", "patterns"], "id": "m1"})
            ack = phone.receive_json()
            assert ack == {
                "type": "ack",
                "id": "m1",
                "ok": True,
                "status": "received",
                "message": "",
                "answer_id": ack["answer_id"],
                "dropped": [],
            }
            update = presenter.receive_json()
            while update["type"] != "results" or update["results"]["count"] < 1:
                update = presenter.receive_json()
            assert update["results"]["words"] == [["Data", 1], ["patterns", 1]]  # as written
            assert update["results"]["last_answer_id"] >= ack["answer_id"]
            # Answering twice: the database says no.
            phone.send_json({"type": "answer", "q": 0, "words": ["again"]})
            assert phone.receive_json()["status"] == "duplicate"
            # Invalid messages are answered, not crashed on.
            phone.send_json({"type": "answer", "q": 0, "words": ["a", "b", "c", "d"]})
            assert phone.receive_json()["type"] == "error"
            phone.send_text("not json")
            assert phone.receive_json()["type"] == "error"
            phone.send_json({"type": "ping"})
            assert phone.receive_json() == {"type": "pong"}
    # A reload: the same token is the same participant, and it sees its answer.
    again = _join(client, live, token=me["token"])
    assert again["participant_id"] == me["participant_id"]
    state = client.get("/api/state", params={"token": me["token"]}).json()
    assert state["my_answer"] is not None


def test_presenter_actions_push_to_phones(make_client):
    client, live = make_client()
    me = _join(client, live, "Ada")
    with client.websocket_connect(f"/ws/participant?token={me['token']}") as phone:
        assert phone.receive_json()["index"] == 0
        r = client.post(
            "/api/presenter/action",
            json={"action": "goto", "index": 2},
            headers=_presenter(client, live),
        )
        assert r.status_code == 200 and r.json()["index"] == 2
        pushed = phone.receive_json()
        assert pushed["index"] == 2 and pushed["question"]["type"] == "quiz"
        assert "correct" not in pushed["question"]  # phones never get the answer early
        phone.send_json({"type": "answer", "q": 2, "choice": 0})
        assert phone.receive_json()["status"] == "received"
        r = client.post(
            "/api/presenter/action", json={"action": "reveal"}, headers=_presenter(client, live)
        )
        body = r.json()
        assert body["revealed"] and body["show_leaderboard"]
        assert (
            body["leaderboard"][0]["nickname"] == "Ada" and body["leaderboard"][0]["points"] >= 500
        )
        pushed = phone.receive_json()
        assert pushed["my_answer"]["correct"] is True
        assert pushed["my_score"]["rank"] == 1
    r = client.post(
        "/api/presenter/action", json={"action": "fly"}, headers=_presenter(client, live)
    )
    assert r.status_code == 422
    r = client.post(
        "/api/presenter/action",
        json={"action": "goto", "index": 99},
        headers=_presenter(client, live),
    )
    assert r.status_code in (409, 422)


def test_presenter_needs_the_secret(make_client):
    client, live = make_client()
    assert client.post("/api/presenter/action", json={"action": "next"}).status_code == 401
    bad = {"X-Presenter-Secret": "wrong"}
    assert (
        client.post("/api/presenter/action", json={"action": "next"}, headers=bad).status_code
        == 401
    )
    assert client.get("/api/presenter/export.csv", headers=bad).status_code == 401
    with client.websocket_connect("/ws/presenter") as ws:
        ws.send_json({"type": "hello", "secret": "wrong"})
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()
    assert client.get("/api/presenter/state", headers=_presenter(client, live)).status_code == 200


def test_script_answer_comes_back_as_text(make_client):
    client, live = make_client()
    me = _join(client, live, "<b>bold</b>")
    attack = "<script>alert(1)</script>"
    r = client.post("/api/answer", json={"token": me["token"], "q": 0, "words": [attack]})
    assert r.json()["status"] == "received"
    state = client.get("/api/presenter/state", headers=_presenter(client, live)).json()
    assert state["results"]["words"] == [[attack, 1]]  # the characters, unchanged, as JSON text
    exported = client.get("/api/presenter/export.csv", headers=_presenter(client, live))
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["answer"] == attack and rows[0]["nickname"] == "<b>bold</b>"


def test_csv_cells_cannot_become_formulas(make_client):
    client, live = make_client()
    me = _join(client, live, "=cmd|' /C calc'!A0")
    client.post("/api/answer", json={"token": me["token"], "q": 0, "words": ["=1+1"]})
    text = client.get("/api/presenter/export.csv", headers=_presenter(client, live)).text
    row = next(iter(csv.DictReader(io.StringIO(text))))
    assert row["answer"] == "'=1+1" and row["nickname"].startswith("'=")


def test_wrong_codes_are_slowed_with_429(make_client):
    client, live = make_client(join_failures=3)
    codes = [client.post("/api/join", json={"code": "0000 0000"}).status_code for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    r = client.post("/api/join", json={"code": live.session.code})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_length_limits_and_validation(make_client):
    client, live = make_client()
    long_code = client.post("/api/join", json={"code": "1" * 50})
    assert long_code.status_code == 422
    assert client.post("/api/join", json={"code": live.session.code, "extra": 1}).status_code == 422
    me = _join(client, live, "N" * 40)
    assert len(me["nickname"]) == 24
    r = client.post("/api/answer", json={"token": me["token"], "q": 0, "words": ["w" * 500]})
    assert r.status_code == 422
    r = client.post("/api/answer", json={"token": me["token"], "q": 0, "words": ["w" * 70]})
    assert r.json()["status"] == "received"
    state = client.get("/api/presenter/state", headers=_presenter(client, live)).json()
    assert len(state["results"]["words"][0][0]) == 40
    with client.websocket_connect(f"/ws/participant?token={me['token']}") as phone:
        phone.receive_json()
        phone.send_text("x" * 10_000)
        with pytest.raises(WebSocketDisconnect):
            phone.receive_json()
    with (
        client.websocket_connect("/ws/participant?token=nobody") as ws,
        pytest.raises(WebSocketDisconnect),
    ):
        ws.receive_json()


def test_server_restart_resumes_the_session(make_client, tmp_path):
    db_file = str(tmp_path / "restart.sqlite3")
    client, live = make_client(db=db_file)
    me = _join(client, live, "Ada")
    client.post("/api/answer", json={"token": me["token"], "q": 0, "words": ["data"]})
    client.__exit__(None, None, None)  # the server stops
    client2, live2 = make_client(db=db_file)
    assert live2.resumed and live2.session.code == live.session.code
    state = client2.get("/api/state", params={"token": me["token"]}).json()
    assert state["my_answer"] is not None and state["answers"] == 1
    _fresh_client, fresh = make_client(db=db_file, new_session=True)
    assert not fresh.resumed and fresh.session.code != live.session.code


def test_a_flooding_socket_is_closed(make_client):
    client, live = make_client()
    me = _join(client, live)
    with client.websocket_connect(f"/ws/participant?token={me['token']}") as phone:
        phone.receive_json()
        with pytest.raises(WebSocketDisconnect) as info:
            for _ in range(40):
                phone.send_json({"type": "ping"})
                phone.receive_json()
        assert info.value.code == 1008


def test_wrong_codes_never_lock_out_the_right_one(make_client):
    """A room behind one NAT: once anyone there joined, typos by others do not block the code."""
    client, live = make_client(join_failures=3)
    _join(client, live, "first")
    codes = [client.post("/api/join", json={"code": "0000 0000"}).status_code for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    for name in ("late", "later"):
        assert _join(client, live, name)["nickname"] == name  # the right code still gets in
    assert client.post("/api/join", json={"code": "0000 0001"}).status_code == 429


def test_only_the_real_peer_address_counts(tmp_path):
    """X-Forwarded-For from anyone is ignored; from a proxy the presenter named, it is believed."""
    from fastapi.testclient import TestClient

    from mltutorial.live.app import create_app
    from mltutorial.live.settings import Settings

    def app_with(**overrides):
        return create_app(
            Settings.from_env({}, db=str(tmp_path / "p.sqlite3"), join_failures=2, **overrides)
        )

    def wrong(client, forwarded):
        headers = {"X-Forwarded-For": forwarded}
        return client.post("/api/join", json={"code": "0000 0000"}, headers=headers).status_code

    # No proxy named: a client cannot escape the limit by inventing a new address each time.
    with TestClient(app_with(), client=("203.0.113.7", 5000)) as client:
        assert [wrong(client, f"198.51.100.{i}") for i in range(4)] == [404, 404, 429, 429]
    # Behind a named proxy: each phone is its own address (the hop the proxy saw), and the
    # proxy itself is not locked out by one phone's typos.
    with TestClient(app_with(trusted_proxies="10.0.0.1"), client=("10.0.0.1", 5000)) as proxy:
        assert [wrong(proxy, "198.51.100.1") for _ in range(3)] == [404, 404, 429]
        assert wrong(proxy, "198.51.100.2") == 404
        # A client-supplied first hop is not trusted: the proxy appended the real peer last.
        assert wrong(proxy, "198.51.100.2, 198.51.100.1") == 429
        assert wrong(proxy, "198.51.100.9, 10.0.0.1") == 404  # proxies are skipped, not counted


def test_binary_frame_closes_the_socket_with_one_log_line(make_client, caplog):
    client, live = make_client()
    me = _join(client, live)
    with client.websocket_connect(f"/ws/participant?token={me['token']}") as phone:
        phone.receive_json()
        with caplog.at_level("WARNING", logger="mltutorial.live"):
            phone.send_bytes(b"\x00\x01binary")
            with pytest.raises(WebSocketDisconnect) as info:
                phone.receive_json()
    assert info.value.code == 1003
    lines = [r for r in caplog.records if r.name == "mltutorial.live"]
    assert len(lines) == 1 and "binary frame" in lines[0].getMessage()
    assert lines[0].exc_info is None
    with client.websocket_connect("/ws/presenter") as presenter:
        presenter.send_bytes(b"hello")
        with pytest.raises(WebSocketDisconnect) as info:
            presenter.receive_json()
    assert info.value.code == 1003


def test_a_second_tab_sees_the_stored_answer(make_client):
    """Two tabs of one phone: the second one's tap is refused, and it shows what was stored."""
    client, live = make_client()
    me = _join(client, live, "Ada")
    client.post(
        "/api/presenter/action",
        json={"action": "goto", "index": 2},
        headers=_presenter(client, live),
    )
    url = f"/ws/participant?token={me['token']}"
    with client.websocket_connect(url) as tab1, client.websocket_connect(url) as tab2:
        assert tab1.receive_json()["my_answer"] is None
        assert tab2.receive_json()["my_answer"] is None
        tab1.send_json({"type": "answer", "q": 2, "choice": 2})
        assert tab1.receive_json()["status"] == "received"
        tab2.send_json({"type": "answer", "q": 2, "choice": 0})
        ack = tab2.receive_json()
        assert ack["status"] == "duplicate" and ack["mine"]["choice"] == 2
    # Word clouds: the stored entries, as typed.
    client.post(
        "/api/presenter/action",
        json={"action": "goto", "index": 0},
        headers=_presenter(client, live),
    )
    client.post("/api/answer", json={"token": me["token"], "q": 0, "words": ["Neural Nets"]})
    state = client.get("/api/state", params={"token": me["token"]}).json()
    assert state["my_answer"]["words"] == ["Neural Nets"]
    again = client.post("/api/answer", json={"token": me["token"], "q": 0, "words": ["other"]})
    assert again.json()["status"] == "duplicate"
    assert again.json()["mine"]["words"] == ["Neural Nets"]
