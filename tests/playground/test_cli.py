"""`mltutorial playground`: help, bad options, the printed address, Ctrl-C exits 130 quietly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from mltutorial.cli import COMMANDS, main


def test_registered_and_helpful(capsys):
    assert "playground" in COMMANDS
    assert main(["playground", "--help"]) == 0
    assert "--port" in capsys.readouterr().out
    assert main(["playground", "--port", "70000"]) == 2
    assert "port" in capsys.readouterr().err


def test_serves_prints_the_url_and_ctrl_c_exits_130():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, MLTUTORIAL_QUIET="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mltutorial", "playground", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == f"mltutorial playground: http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err


def test_a_taken_port_is_one_line_and_status_2(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["playground", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "already in use" in err and len(err.strip().splitlines()) == 1
