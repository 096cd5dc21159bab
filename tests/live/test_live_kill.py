"""A server killed mid-session (SIGKILL) and restarted loses no acknowledged answer and goes on."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db_file, port, tmp_path) -> tuple[subprocess.Popen, str, str]:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mltutorial", "live", "--port", str(port), "--db", str(db_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    out = ""
    assert proc.stdout is not None
    while "code" not in out or "#key=" not in out:
        line = proc.stdout.readline()
        assert line, out
        out += line
    secret = re.search(r"#key=(\S+)", out).group(1)
    code = re.search(r"code (\d{4} \d{4})", out).group(1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, secret, code
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def test_sigkill_loses_no_acknowledged_answer(tmp_path):
    db_file = tmp_path / "kill.sqlite3"
    port = free_port()
    proc, secret, code = _start(db_file, port, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        tokens = []
        with httpx.Client(base_url=base, timeout=30) as http:
            for i in range(8):
                tokens.append(
                    http.post("/api/join", json={"code": code, "nickname": f"p{i}"}).json()["token"]
                )
            acked = 0
            for token in tokens[:6]:
                ack = http.post("/api/answer", json={"token": token, "q": 0, "words": ["data"]})
                acked += ack.json()["status"] == "received"
            assert acked == 6
    finally:
        proc.send_signal(signal.SIGKILL)  # no shutdown, no flush: the process just ends
        proc.wait(10)
    proc, secret2, code2 = _start(db_file, port, tmp_path)
    try:
        assert (secret2, code2) == (secret, code)  # the same session resumed
        with httpx.Client(base_url=base, timeout=30) as http:
            state = http.get("/api/presenter/state", headers={"X-Presenter-Secret": secret}).json()
            assert state["answers"] == 6 and state["results"]["words"] == [["data", 6]]
            assert state["participants"] == 8
            # The session goes on: a participant from before the crash answers now.
            ack = http.post("/api/answer", json={"token": tokens[6], "q": 0, "words": ["data"]})
            assert ack.json()["status"] == "received"
            again = http.post("/api/answer", json={"token": tokens[0], "q": 0, "words": ["x"]})
            assert again.json()["status"] == "duplicate"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
