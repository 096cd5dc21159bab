"""Decks (errors name the line) and the `mltutorial live` command's one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mltutorial.errors import UserError
from mltutorial.live.cli import main
from mltutorial.live.deck import load_deck, parse_deck


def test_default_deck_is_the_talks_questions():
    deck = load_deck()
    prompts = [q.prompt for q in deck.questions]
    assert prompts[0] == "What is Machine Learning?"
    assert "What do Gmail, Netflix, Google translate and ChatGPT have in common?" in prompts
    assert [q.type for q in deck.questions] == [
        "wordcloud",
        "wordcloud",
        "quiz",
        "quiz",
        "quiz",
        "guess",
    ]
    neurons = deck.questions[3]
    assert neurons.options[neurons.correct] == "Gradient descent"
    assert all(q.time_limit for q in deck.questions if q.type == "quiz")


GOOD = """\
title: Test
questions:
  - type: choice
    prompt: Tea or coffee?
    options: [Tea, Coffee]
  - type: quiz
    prompt: 2 + 2?
    options: ["3", "4"]
    correct: 2
    time_limit: 10
"""


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "questions:\n  - type: quiz\n    prompt: x\n    options: [a, b]\n    corect: a\n",
            5,
            "did you mean 'correct'",
        ),
        ("questions:\n  - type: poll\n    prompt: x\n", 2, "unknown type 'poll'"),
        (
            "questions:\n  - type: quiz\n    prompt: x\n    options: [a, b]\n    correct: c\n",
            5,
            "not one of the options",
        ),
        ("questions:\n  - type: choice\n    prompt: x\n    options: [a]\n", 4, "give 2 to 8"),
        (
            "questions:\n  - type: wordcloud\n    prompt: x\n    max_entries: 7\n",
            4,
            "between 1 and 3",
        ),
        ("title: [unclosed\nquestions: []\n", 2, "not valid YAML"),
        ("questions:\n  - type: choice\n    options: [a, b]\n", 2, "needs a 'prompt'"),
        ("questions: []\n", 1, "non-empty list"),
        (
            "results_hidden: maybe\nquestions:\n  - {type: wordcloud, prompt: x}\n",
            1,
            "true or false",
        ),
        (
            "questions:\n  - type: quiz\n    prompt: x\n    options: [a, b]\n    correct: 3\n",
            5,
            "there are 2",
        ),
    ],
)
def test_deck_errors_name_the_line(text, line, words):
    with pytest.raises(UserError) as info:
        parse_deck(text, "deck.yaml")
    message = str(info.value)
    assert message.startswith(f"deck.yaml, line {line}: "), message
    assert words in message and "\n" not in message


def test_a_deck_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD)
    deck = load_deck(path)
    assert deck.questions[1].correct == 1 and deck.questions[1].time_limit == 10
    with pytest.raises(UserError, match="not found"):
        load_deck(tmp_path / "missing.yaml")


def _postgres_words() -> str:
    """Without the optional driver: the install hint; with it: nothing listens on port 9."""
    import importlib.util

    return "cannot use the database" if importlib.util.find_spec("psycopg") else "psycopg"


def _run_cli(args, capsys) -> tuple[int, str]:
    """`mltutorial live ARGS` in this process: (exit status, stderr)."""
    from mltutorial.cli import main as top_main

    try:
        status = top_main(["live", *args])
    except SystemExit as exc:  # argparse errors exit directly
        status = exc.code
    return status, capsys.readouterr().err


def test_cli_errors_are_one_line_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  - type: quiz\n    prompt: x\n")
    not_a_db = tmp_path / "text.sqlite3"
    not_a_db.write_text("this is not a database\n" * 100)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cases = [
        (["--port", "99999"], "port must be between 1 and 65535"),
        (["--port", "http"], "not a port number"),
        (["--deck", str(bad), "--check"], "line 2"),
        (["--deck", str(tmp_path / "nope.yaml"), "--check"], "deck file not found"),
        (["--db", "postgresql://u@127.0.0.1:9/live", "--check"], _postgres_words()),
        (["--db", str(not_a_db), "--check"], "cannot use the database"),
        (["--db", "mysql://u@h/x", "--check"], "unsupported database"),
        (["--public-url", "ftp://x", "--check"], "http://"),
        (["--bogus"], "unrecognized arguments"),
        # An in-memory database would lose every answer at exit.
        (["--db", "sqlite:///", "--check"], "in-memory database"),
        (["--db", "sqlite://", "--check"], "in-memory database"),
        (["--db", "sqlite:///:memory:", "--check"], "in-memory database"),
        # A typo in --db must not grow a folder tree, with or without --check.
        (["--db", f"sqlite:///{tmp_path}/no/such/dir/x.db", "--check"], "no such folder"),
        (["--db", f"{tmp_path}/nope/x.db"], "no such folder"),
        # Not files: a FIFO would block forever, a folder is not a database.
        (["--deck", str(fifo), "--check"], "deck path is not a regular file"),
        (["--db", str(fifo), "--check"], "database path is not a regular file"),
        (["--db", str(tmp_path), "--check"], "is a folder"),
        (["--trusted-proxy", "my-proxy", "--check"], "not an IP address or network"),
    ]
    for args, words in cases:
        status, err = _run_cli(args, capsys)
        lines = err.strip().splitlines()
        assert status == 2, (args, err)
        assert len(lines) == 1 and words in lines[0], (args, err)
    assert not (tmp_path / "no").exists() and not (tmp_path / "nope").exists()


def test_cli_error_in_a_real_process(tmp_path):
    """The installed entry point: a bad deck is one line on stderr, exit 2, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  - type: choice\n    prompt: x\n    options: [a]\n")
    done = subprocess.run(
        [sys.executable, "-m", "mltutorial", "live", "--deck", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path)},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"mltutorial live: error: {bad}, line 4: question 1 (choice) has 1 options; give 2 to 8"
    )


def _sqlite_dump(path) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_cli_check_prints_links_and_writes_nothing(tmp_path, capsys):
    db_file = tmp_path / "x.sqlite3"
    assert main(["--check", "--db", str(db_file)]) == 0
    out = capsys.readouterr().out
    assert "a new session would start" in out and "presenter  (a new link" in out
    assert not db_file.exists()  # checked, not created
    # A session the server made: --check shows the link it would resume, and changes nothing.
    from mltutorial.live.store import Store

    with Store(f"sqlite:///{db_file}") as store:
        info = store.create_session(load_deck())
    before = _sqlite_dump(db_file)
    listing = sorted(p.name for p in tmp_path.iterdir())
    assert main(["--check", "--db", str(db_file)]) == 0
    out2 = capsys.readouterr().out
    assert "resumed" in out2 and f"{info.code[:4]} {info.code[4:]}" in out2
    assert f"/presenter#key={info.secret}" in out2
    assert _sqlite_dump(db_file) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no -wal/-shm left behind


def test_default_database_is_in_the_user_data_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["--check"]) == 0
    assert not (tmp_path / "mltutorial").exists()  # --check writes nothing, not even a folder
    assert str(tmp_path / "mltutorial" / "live.sqlite3") in capsys.readouterr().out


def test_ctrl_c_ends_the_server_with_130(tmp_path):
    """Like every other command: Ctrl-C is one line, "interrupted", and exit status 130.
    And as served, X-Forwarded-For is not believed without --trusted-proxy."""
    import signal
    import socket
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mltutorial",
            "live",
            "--db",
            str(tmp_path / "c.db"),
            "--port",
            f"{port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
            time.sleep(0.1)
        # uvicorn's own X-Forwarded-For handling is off: a local client cannot pose as many.
        statuses = [
            httpx.post(
                f"http://127.0.0.1:{port}/api/join",
                json={"code": "0000 0000"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            ).status_code
            for i in range(6)
        ]
        assert statuses == [404] * 5 + [429]
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and err.strip() == "interrupted", (proc.returncode, err)


def test_the_server_freezes_its_startup_objects_out_of_the_collector(monkeypatch):
    """A full garbage collection scans every object the process holds; the server's startup
    objects (modules, routes, tables) live as long as it does, so `serve` freezes them before
    serving. Otherwise every so many pushes stall for hundreds of milliseconds mid-talk."""
    import gc

    import uvicorn

    from mltutorial.live.cli import serve

    seen = []
    monkeypatch.setattr(uvicorn.Server, "__init__", lambda self, config: None)
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: seen.append(gc.get_freeze_count()))
    try:
        serve(object())
        assert seen and seen[0] > 1000
    finally:
        gc.unfreeze()
