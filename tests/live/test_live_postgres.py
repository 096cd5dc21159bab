"""The same store code on a real PostgreSQL server (a throwaway cluster in a temporary folder).

Needs the driver (psycopg, in the `dev` extra) and PostgreSQL's `initdb`/`pg_ctl` (Debian's
`postgresql` package, which .ci/run installs); skipped without them, except in CI, where a skip fails.
Marked slow: creating a cluster takes several seconds.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from mltutorial.live.deck import load_deck
from mltutorial.live.store import Store, Submission

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_tool(name: str) -> str | None:
    """A PostgreSQL server tool: on PATH, or where Debian's `postgresql` package puts it."""
    found = shutil.which(name)
    if found is None:
        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        found = str(candidates[-1]) if candidates else None
    return found


@pytest.fixture(scope="module")
def pg_url():
    pytest.importorskip("psycopg", reason="PostgreSQL driver psycopg not installed")
    initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL's initdb/pg_ctl not installed")
    prefix: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="live-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use its own account
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
    base.chmod(0o755)
    data, sock, port = base / "data", base, _free_port()
    run = lambda *cmd: subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(initdb, "-D", str(data), "-A", "trust", "-U", "live", "--no-sync")
    run(
        pg_ctl, "-D", str(data), "-l", str(base / "log"), "-w", "start", "-o",
        f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off",
    )  # fmt: skip
    try:
        yield f"postgresql://live@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


def test_store_on_postgresql(pg_url):
    deck = load_deck()
    with Store(pg_url) as store:
        assert store.engine.dialect.name == "postgresql"
        info = store.create_session(deck)
        sid = info.session_id
        people = store.join_many([(sid, f"p{i}") for i in range(5)])
        acks = store.submit_many(
            [Submission(p.id, sid, 0, words=["Data", "patterns"]) for p in people]
            + [Submission(people[0].id, sid, 0, words=["again"])]
        )
        assert [a.status for a in acks] == ["received"] * 5 + ["duplicate"]
        assert dict(store.results(sid, 0).words) == {"Data": 5, "patterns": 5}  # as written
        store.act(sid, "remove_word", word="patterns")
        assert dict(store.results(sid, 0).words) == {"Data": 5}
        assert "patterns,True" in store.export_csv(sid)
        state = store.act(sid, "goto", index=2)
        store.submit_many(
            Submission(p.id, sid, 2, choice=i % 2, received_at=state.opened_at + i)
            for i, p in enumerate(people)
        )
        board = store.leaderboard(sid)
        assert [r.points for r in board][:3] == [1000, 967, 933]
    time.sleep(0.1)
    with Store(pg_url) as again:  # a restart: same session, same answers
        resumed, was_resumed = again.resume_or_create(deck)
        assert was_resumed and resumed.code == info.code
        assert again.results(sid, 0).count == 5 and again.state(sid).current == 2
    with Store(pg_url, read_only=True) as look:  # `live --check`: finds it, writes nothing
        found = look.unfinished(deck)
        assert found is not None and found.code == info.code
