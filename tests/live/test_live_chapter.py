"""The tour chapter: a simulated audience through the store, no network server."""

from __future__ import annotations

import socket

from mltutorial.chapter import ORDER_INTRO, ChapterContext
from mltutorial.live.chapter import CHAPTER, N_FIRST_CLOUD, N_PARTICIPANTS


def test_chapter_runs_quick_without_a_server(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the chapter must not open sockets")

    monkeypatch.setattr(socket.socket, "bind", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    out = CHAPTER.run(ChapterContext(out_dir=tmp_path, quick=True, seed=0))
    assert CHAPTER.order == ORDER_INTRO and CHAPTER.command == "mltutorial live"
    n = out.numbers
    assert n["simulated_participants"] == N_PARTICIPANTS == 41
    assert n["answers_what_is_ml"] == N_FIRST_CLOUD == 37
    assert n["answers_in_common"] == 41
    assert n["top_entry"] == "data"  # "Data", "data" and "DATA!" merged
    assert all(0 <= r <= 100 for r in n["quiz_right_percent"])
    assert 1500 <= n["winner_points"] <= 3000  # three right answers, 500 to 1000 each
    assert n["group_commit_speedup"] > 2  # batches beat one commit per answer, side by side
    assert "simulated" in out.data and "simulated" in out.text
    assert next(t.title.split(":")[0] for t in out.tables).startswith("The default deck")
    deck_rows = out.tables[0].rows
    assert deck_rows[0][2] == "What is Machine Learning?" and len(deck_rows) == 6
    words = dict(out.tables[1].rows)
    assert "the" not in words and "a" not in words and "Data" not in words
    assert all(p.exists() and p.stat().st_size > 10_000 for p in out.figures)
    assert any("6471 8286" in s for s in out.samples)
