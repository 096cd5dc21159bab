"""The store on its own (no HTTP): sessions, answers, the UNIQUE constraint, results, restart."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from mltutorial.live import db
from mltutorial.live.store import Store, Submission
from mltutorial.live.text import format_code, normalise_entries, parse_code, quiz_points


def _goto(store, sid, index):
    return store.act(sid, "goto", index=index)


def test_join_code_is_eight_digits_shown_in_two_groups(store, deck):
    codes = {store.create_session(deck).code for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) == 8 and code.isdigit()
        assert format_code(code) == f"{code[:4]} {code[4:]}"
        assert parse_code(format_code(code)) == code
    assert parse_code("6471 8286") == "64718286" and parse_code("6471-828") is None


def test_word_cloud_rules(store, deck):
    info = store.create_session(deck)
    people = [store.join(info.session_id, f"p{i}") for i in range(3)]
    sid = info.session_id
    acks = store.submit_many(
        [
            Submission(people[0].id, sid, 0, words=["  Data ", "the patterns", "DATA"]),
            Submission(people[1].id, sid, 0, words=["data!", "x", "shit"]),
            Submission(people[2].id, sid, 0, words=["Statistics", "of", "learning from data"]),
        ]
    )
    assert [a.status for a in acks] == ["received"] * 3
    assert acks[0].dropped == ("DATA (duplicate)",)
    assert set(acks[1].dropped) == {"x (too short)", "shit (filtered)"}
    assert acks[2].dropped == ("of (empty or only common words)",)
    words = dict(store.results(sid, 0).words)
    # Counted case-insensitively, shown as written ("Data" and "data!": a tie, the first wins).
    assert words == {"Data": 2, "patterns": 1, "Statistics": 1, "learning from data": 1}
    assert store.results(sid, 0).count == 3
    # The presenter removes a word: gone from the cloud, still in the export.
    store.act(sid, "remove_word", word="Patterns")
    assert "patterns" not in dict(store.results(sid, 0).words)
    assert "patterns,True" in store.export_csv(sid)


def test_at_most_three_entries_and_stop_words():
    entries = normalise_entries(["one", "two", "three", "four"], 3)
    assert [e.word for e in entries] == ["one", "two", "three"]
    assert normalise_entries(["AI"], 3)[0].word == "ai"  # two letters stay
    assert normalise_entries(["x"], 3)[0].word is None
    assert normalise_entries(["damn shit"], 3, profanity_filter=False)[0].word == "damn shit"


def test_one_answer_per_participant_is_a_database_constraint(store, deck):
    info = store.create_session(deck)
    sid = info.session_id
    p = store.join(sid, "Ada")
    _goto(store, sid, 2)
    first = store.submit(Submission(p.id, sid, 2, choice=0))
    again = store.submit(Submission(p.id, sid, 2, choice=1))
    assert first.status == "received" and again.status == "duplicate"
    assert store.results(sid, 2).options == [1, 0, 0, 0]
    # Even a raw INSERT that bypasses the store's code is refused by the database itself.
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(
            insert(db.answers).values(
                session_id=sid,
                q_index=2,
                generation=0,
                participant_id=p.id,
                choice=1,
                points=0,
                created_at=time.time(),
            )
        )
    # A batch holding the same participant twice keeps exactly one.
    q = store.join(sid, "Bob")
    acks = store.submit_many([Submission(q.id, sid, 2, choice=1)] * 3)
    assert [a.status for a in acks] == ["received", "duplicate", "duplicate"]
    assert store.results(sid, 2).count == 2


def test_closed_wrong_question_and_invalid_answers(store, deck):
    info = store.create_session(deck)
    sid = info.session_id
    p = store.join(sid)
    assert p.nickname  # a friendly default name
    assert store.submit(Submission(p.id, sid, 1, words=["x"])).status == "closed"  # not current
    assert store.submit(Submission(p.id, sid, 0, choice=1)).status == "invalid"
    assert store.submit(Submission(p.id, sid, 0, words=[])).status == "invalid"
    store.act(sid, "close")
    assert store.submit(Submission(p.id, sid, 0, words=["data"])).status == "closed"
    store.act(sid, "open")
    assert store.submit(Submission(p.id, sid, 0, words=["data"])).status == "received"
    _goto(store, sid, 2)
    assert store.submit(Submission(p.id, sid, 2, choice=9)).status == "invalid"


def test_quiz_points_fall_from_1000_to_500_and_leaderboard(store, deck):
    assert quiz_points(True, 0, 30) == 1000
    assert quiz_points(True, 15, 30) == 750
    assert quiz_points(True, 30, 30) == 500
    assert quiz_points(True, 99, 30) == 500
    assert quiz_points(False, 1, 30) == 0
    info = store.create_session(deck)
    sid = info.session_id
    ada, bob, cy = (store.join(sid, n) for n in ("Ada", "Bob", "Cy"))
    state = _goto(store, sid, 2)  # quiz, 30 s, correct option 0
    t0 = state.opened_at
    store.submit_many(
        [
            Submission(ada.id, sid, 2, choice=0, received_at=t0 + 3),  # 950
            Submission(bob.id, sid, 2, choice=0, received_at=t0 + 15),  # 750
            Submission(cy.id, sid, 2, choice=1, received_at=t0 + 1),  # wrong
        ]
    )
    late = store.join(sid, "Late")
    assert (
        store.submit(Submission(late.id, sid, 2, choice=0, received_at=t0 + 40)).status == "closed"
    )
    state = _goto(store, sid, 3)
    t1 = state.opened_at
    store.submit_many(
        [
            Submission(cy.id, sid, 3, choice=0, received_at=t1),  # 1000
            Submission(bob.id, sid, 3, choice=0, received_at=t1 + 10),  # 750
        ]
    )
    board = store.leaderboard(sid)
    assert [(r.nickname, r.points, r.correct) for r in board] == [
        ("Bob", 1500, 2),
        ("Cy", 1000, 1),
        ("Ada", 950, 1),
    ]
    assert [r.rank for r in board] == [1, 2, 3]


def test_reset_lets_everyone_answer_again_and_keeps_history(store, deck):
    info = store.create_session(deck)
    sid = info.session_id
    p = store.join(sid)
    store.submit(Submission(p.id, sid, 0, words=["data"]))
    state = store.act(sid, "reset")
    assert state.generation == 1 and state.answers == 0
    assert store.results(sid, 0).words == []
    assert store.submit(Submission(p.id, sid, 0, words=["models"])).status == "received"
    assert dict(store.results(sid, 0).words) == {"models": 1}
    csv_text = store.export_csv(sid)
    assert "data" in csv_text and "models" in csv_text


def test_presenter_actions_navigate_reveal_and_end(store, deck):
    info = store.create_session(deck)
    sid = info.session_id
    assert store.state(sid).accepting()
    with pytest.raises(ValueError):
        store.act(sid, "prev")
    state = _goto(store, sid, 5)  # the guess
    assert state.question.type == "guess" and not state.revealed
    state = store.act(sid, "reveal")
    assert state.revealed and state.results_visible and not state.accepting()
    state = store.act(sid, "next")
    assert state.question is None  # the podium
    state = store.act(sid, "end")
    assert state.ended and not state.accepting()
    with pytest.raises(ValueError):
        store.act(sid, "bogus")


def test_restart_keeps_everything(db_url, deck):
    with Store(db_url) as first:
        info = first.create_session(deck)
        sid = info.session_id
        people = [first.join(sid, f"p{i}") for i in range(4)]
        first.submit_many([Submission(p.id, sid, 0, words=["data"]) for p in people])
        first.act(sid, "next")
    # A new process: same file, same session, same code, the answers and the position.
    with Store(db_url) as second:
        resumed, was_resumed = second.resume_or_create(deck)
        assert was_resumed and resumed.code == info.code and resumed.secret == info.secret
        assert dict(second.results(sid, 0).words) == {"data": 4}
        state = second.state(sid)
        assert state.current == 1 and state.participants == 4
        assert second.participant(people[0].token).nickname == "p0"
        # The session goes on: answers to the current question are taken.
        assert second.submit(Submission(people[0].id, sid, 1, words=["data"])).ok
        second.act(sid, "end")
    with Store(db_url) as third:
        fresh, was_resumed = third.resume_or_create(deck)
        assert not was_resumed and fresh.code != info.code  # an ended session is not resumed


def test_sqlite_runs_in_wal_mode(db_url, store):
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_batch_throughput(store, deck):
    """Group commit: answers stored in batches, each one transaction."""
    info = store.create_session(deck)
    sid = info.session_id
    people = [store.join(sid) for _ in range(50)]
    _goto(store, sid, 2)
    start = time.perf_counter()
    for chunk in range(0, 50, 10):
        store.submit_many(
            [
                Submission(p.id, sid, 2, choice=i % 4)
                for i, p in enumerate(people[chunk : chunk + 10])
            ]
        )
    seconds = time.perf_counter() - start
    assert store.results(sid, 2).count == 50
    assert seconds < 5, seconds


CHOICE_DECK = """\
title: Poll
results_hidden: true
profanity_filter: false
questions:
  - type: choice
    prompt: Tea or coffee?
    options: [Tea, Coffee, Water]
  - type: wordcloud
    prompt: One word
    max_entries: 1
"""


def test_multiple_choice_and_hidden_results(store):
    from mltutorial.live.deck import parse_deck

    deck = parse_deck(CHOICE_DECK, "poll.yaml")
    info = store.create_session(deck)
    sid = info.session_id
    state = store.state(sid)
    assert state.question.type == "choice" and not state.results_visible  # hidden by the deck
    people = store.join_many([(sid, f"p{i}") for i in range(5)])
    store.submit_many(
        Submission(p.id, sid, 0, choice=[0, 1, 1, 2, 1][i]) for i, p in enumerate(people)
    )
    assert store.results(sid, 0).options == [1, 3, 1]
    assert store.act(sid, "show_results").results_visible
    store.act(sid, "next")
    ack = store.submit(Submission(people[0].id, sid, 1, words=["damn", "extra"]))
    assert ack.status == "received"
    assert dict(store.results(sid, 1).words) == {"damn": 1}  # one entry allowed, no filter


def test_live_counts_match_results(store, deck):
    info = store.create_session(deck)
    sid = info.session_id
    people = store.join_many([(sid, "") for _ in range(3)])
    store.submit_many(Submission(p.id, sid, 0, words=["data"]) for p in people[:2])
    participants, results = store.live_counts(sid)
    assert participants == 3 and results == store.results(sid)
    assert results.count == 2 and results.last_answer_id > 0
    store.act(sid, "goto", index=len(deck.questions))  # the podium: no question
    assert store.live_counts(sid) == (3, None)


def test_cloud_merges_case_but_shows_the_most_common_spelling(store, deck):
    info = store.create_session(deck)
    sid = info.session_id
    typed = [["AI"], ["ai"], ["AI!"], ["Google"], ["google"], ["Google."], ["GOOGLE"], ["the AI"]]
    people = [store.join(sid, f"p{i}") for i in range(len(typed))]
    store.submit_many([Submission(p.id, sid, 0, words=w) for p, w in zip(people, typed)])
    assert store.results(sid, 0).words == [("AI", 4), ("Google", 4)]
    # The presenter removes it by the shown spelling; the export keeps what each person typed.
    store.act(sid, "remove_word", word="AI")
    assert store.results(sid, 0).words == [("Google", 4)]
    assert "the AI,ai,True" in store.export_csv(sid)


def test_each_phone_is_told_its_stored_answer(store, deck):
    info = store.create_session(deck)
    sid = info.session_id
    ada, bob = store.join(sid, "Ada"), store.join(sid, "Bob")
    store.submit(Submission(ada.id, sid, 0, words=["Data", "the patterns"]))
    assert store.answered(sid, 0, 0) == {
        ada.id: {"choice": None, "words": ["Data", "the patterns"], "correct": None, "points": 0}
    }
    _goto(store, sid, 2)
    store.submit(Submission(bob.id, sid, 2, choice=1))
    assert store.answered(sid, 2, 0)[bob.id]["choice"] == 1
    assert store.answered(sid, 2, 0)[bob.id]["words"] == []
