"""Answers: `submit_many` commits a batch in one transaction and acks only after the commit.

Three statements whatever the batch size: read each session's gate, one multi-row INSERT with
ON CONFLICT DO NOTHING (the UNIQUE constraint drops second answers), one INSERT for cloud entries.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import and_, insert, select
from sqlalchemy.engine import Connection

from mltutorial.live import db
from mltutorial.live.store.model import (
    Ack,
    SessionState,
    Submission,
)
from mltutorial.live.store.sessions import Sessions
from mltutorial.live.text import (
    normalise_entries,
    quiz_points,
)

QUIZ_GRACE_S = 1.0  # an answer sent at the last second still travels to the server


class Answers(Sessions):
    """Answers: checked against the open question, committed in batches, one per person."""

    def submit(self, item: Submission) -> Ack:
        return self.submit_many([item])[0]

    def submit_many(self, items: Iterable[Submission]) -> list[Ack]:
        """Store a batch of answers in ONE transaction; the acks are returned after the commit.

        Three statements whatever the batch size: read each session's gate (current question,
        open, timer), one multi-row `INSERT ... ON CONFLICT DO NOTHING RETURNING` for the answers
        (the UNIQUE constraint drops second answers), one multi-row INSERT for word-cloud entries.
        """
        items = list(items)
        if not items:
            return []
        now = time.time()
        acks: list[Ack | None] = [None] * len(items)
        with self._write() as conn:
            gates: dict[int, SessionState] = {}
            rows: list[dict] = []
            pending: list[tuple[int, tuple[int, int, int, int], list]] = []
            keys: set[tuple[int, int, int, int]] = set()
            for i, item in enumerate(items):
                if item.session_id not in gates:
                    gates[item.session_id] = self._gate(conn, item.session_id)
                prepared = self._prepare(gates[item.session_id], item, now)
                if isinstance(prepared, Ack):
                    acks[i] = prepared
                    continue
                row, entries = prepared
                key = (row["session_id"], row["q_index"], row["generation"], row["participant_id"])
                if key in keys:  # the same participant twice in one batch
                    acks[i] = Ack("duplicate", message="you have already answered this question")
                    continue
                keys.add(key)
                rows.append(row)
                pending.append((i, key, entries))
            if rows:
                a = db.answers.c
                inserted = conn.execute(
                    self._insert_answer.returning(
                        a.id, a.session_id, a.q_index, a.generation, a.participant_id
                    ),
                    rows,
                ).all()
                ids = {(r[1], r[2], r[3], r[4]): r[0] for r in inserted}
                word_rows = []
                for i, key, entries in pending:
                    answer_id = ids.get(key)
                    if answer_id is None:  # the UNIQUE constraint said: already answered
                        acks[i] = Ack(
                            "duplicate", message="you have already answered this question"
                        )
                        continue
                    dropped = tuple(f"{e.raw} ({e.reason})" for e in entries if e.word is None)
                    acks[i] = Ack("received", answer_id, dropped=dropped)
                    word_rows += [
                        dict(
                            answer_id=answer_id,
                            session_id=key[0],
                            q_index=key[1],
                            generation=key[2],
                            slot=slot,
                            raw=e.raw,
                            word=e.word,
                        )
                        for slot, e in enumerate(entries)
                    ]
                if word_rows:
                    conn.execute(insert(db.words), word_rows)
        assert all(ack is not None for ack in acks)
        return acks  # type: ignore[return-value]

    def _gate(self, conn: Connection, session_id: int) -> SessionState:
        """Just what deciding on an answer needs: the current question and its state (one query)."""
        s, qs = db.sessions, db.question_state
        row = conn.execute(
            select(
                s.c.code,
                s.c.title,
                s.c.current,
                s.c.ended,
                qs.c.generation,
                qs.c.open,
                qs.c.opened_at,
            )
            .select_from(
                s.outerjoin(qs, and_(qs.c.session_id == s.c.id, qs.c.q_index == s.c.current))
            )
            .where(s.c.id == session_id)
        ).first()
        if row is None:
            raise KeyError(f"no session {session_id}")
        deck = self.deck(session_id)
        total = len(deck.questions)
        return SessionState(
            session_id,
            row.code,
            row.title,
            row.current,
            total,
            bool(row.ended),
            deck.questions[row.current] if row.current < total else None,
            generation=row.generation or 0,
            open=bool(row.open),
            opened_at=row.opened_at,
        )

    def _prepare(
        self, state: SessionState, item: Submission, now: float
    ) -> Ack | tuple[dict, list]:
        """Check one answer against the question; return the row to insert, or the refusal."""
        q = state.question
        received = item.received_at if item.received_at is not None else now
        if q is None or item.q_index != state.current:
            return Ack("closed", message="that question is not open any more")
        if state.ended or not state.open:
            return Ack("closed", message="answering is closed")
        if state.deadline is not None and received > state.deadline + QUIZ_GRACE_S:
            return Ack("closed", message="time is up")
        deck = self.deck(state.session_id)
        entries: list = []
        correct: bool | None = None
        points = 0
        elapsed: float | None = None
        if q.type == "wordcloud":
            if item.choice is not None or not item.words:
                return Ack("invalid", message="write at least one word")
            entries = normalise_entries(list(item.words), q.max_entries, deck.profanity_filter)
        else:
            if item.words or item.choice is None or not 0 <= item.choice < len(q.options):
                return Ack("invalid", message=f"choose one of the {len(q.options)} options")
            if q.correct is not None:
                correct = item.choice == q.correct
            if q.type == "quiz" and state.opened_at is not None and q.time_limit:
                elapsed = max(0.0, received - state.opened_at)
                points = quiz_points(bool(correct), elapsed, q.time_limit)
        row = dict(
            session_id=state.session_id,
            q_index=state.current,
            generation=state.generation,
            participant_id=item.participant_id,
            choice=item.choice,
            correct=correct,
            elapsed_s=elapsed,
            points=points,
            created_at=received,
        )
        return row, entries

    def my_answer(self, participant_id: int, session_id: int, q_index: int) -> dict | None:
        """What this participant answered to the question's current generation, or None."""
        with self._read() as conn:
            gen = conn.scalar(
                select(db.question_state.c.generation).where(
                    db.question_state.c.session_id == session_id,
                    db.question_state.c.q_index == q_index,
                )
            )
            row = conn.execute(
                select(db.answers).where(
                    db.answers.c.session_id == session_id,
                    db.answers.c.q_index == q_index,
                    db.answers.c.generation == gen,
                    db.answers.c.participant_id == participant_id,
                )
            ).first()
            if row is None:
                return None
            a = row._mapping
            entries = conn.execute(
                select(db.words.c.raw)
                .where(db.words.c.answer_id == a["id"])
                .order_by(db.words.c.slot)
            ).scalars()
            return {
                "choice": a["choice"],
                "words": list(entries),
                "correct": a["correct"],
                "points": a["points"],
            }

    def answered(self, session_id: int, q_index: int, generation: int) -> dict[int, dict]:
        """{participant_id: {choice, words, correct, points}} for one question (to tell each phone,
        so that a second tab or a reload shows the stored answer, not what it last tapped)."""
        a, w = db.answers.c, db.words.c
        with self._read() as conn:
            rows = conn.execute(
                select(a.id, a.participant_id, a.choice, a.correct, a.points).where(
                    a.session_id == session_id, a.q_index == q_index, a.generation == generation
                )
            ).all()
            entries: dict[int, list[str]] = {}
            if self.deck(session_id).questions[q_index].type == "wordcloud":
                for answer_id, raw in conn.execute(
                    select(w.answer_id, w.raw)
                    .where(
                        w.session_id == session_id,
                        w.q_index == q_index,
                        w.generation == generation,
                    )
                    .order_by(w.answer_id, w.slot)
                ):
                    entries.setdefault(answer_id, []).append(raw)
        return {
            r.participant_id: {
                "choice": r.choice,
                "words": entries.get(r.id, []),
                "correct": r.correct,
                "points": r.points,
            }
            for r in rows
        }
