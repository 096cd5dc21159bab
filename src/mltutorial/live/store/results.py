"""Results: word clouds and votes of a question's current round, live counts, the leaderboard."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Connection

from mltutorial.live import db
from mltutorial.live.store.base import StoreBase
from mltutorial.live.store.model import (
    LeaderRow,
    Results,
)
from mltutorial.live.text import most_common_spelling, spelled

MAX_CLOUD_WORDS = 100  # the cloud shows the most frequent entries


class ResultQueries(StoreBase):
    """Results of a question (cloud or votes), the presenter's live count, the leaderboard."""

    def live_counts(self, session_id: int) -> tuple[int, Results | None]:
        """(participants, results of the current question or None on the podium): what the
        presenter's live count needs after each commit, in one short read transaction."""
        s, p = db.sessions, db.participants
        people = select(func.count()).where(p.c.session_id == session_id).scalar_subquery()
        with self._read() as conn:
            current, n_people = conn.execute(
                select(s.c.current, people).where(s.c.id == session_id)
            ).one()
            if current >= len(self.deck(session_id).questions):
                return int(n_people), None
            return int(n_people), self._results(conn, session_id, current)

    def results(self, session_id: int, q_index: int | None = None) -> Results:
        """The live result of a question (default: the current one), current generation."""
        with self._read() as conn:
            if q_index is None:
                q_index = conn.scalar(
                    select(db.sessions.c.current).where(db.sessions.c.id == session_id)
                )
                assert q_index is not None
            return self._results(conn, session_id, q_index)

    def _results(self, conn: Connection, session_id: int, q_index: int) -> Results:
        deck = self.deck(session_id)
        if not 0 <= q_index < len(deck.questions):
            raise IndexError(f"no question {q_index}")
        q = deck.questions[q_index]
        gen = conn.scalar(
            select(db.question_state.c.generation).where(
                db.question_state.c.session_id == session_id,
                db.question_state.c.q_index == q_index,
            )
        )
        where = and_(
            db.answers.c.session_id == session_id,
            db.answers.c.q_index == q_index,
            db.answers.c.generation == gen,
        )
        count, last = conn.execute(
            select(func.count(), func.coalesce(func.max(db.answers.c.id), 0)).where(where)
        ).one()
        out = Results(q_index, q.type, int(count), last_answer_id=int(last))
        if q.type == "wordcloud":
            removed = select(db.removed_words.c.word).where(
                db.removed_words.c.session_id == session_id,
                db.removed_words.c.q_index == q_index,
            )
            n = func.count().label("n")
            rows = conn.execute(
                select(db.words.c.word, n)
                .where(
                    db.words.c.session_id == session_id,
                    db.words.c.q_index == q_index,
                    db.words.c.generation == gen,
                    db.words.c.word.is_not(None),
                    db.words.c.word.not_in(removed),
                )
                .group_by(db.words.c.word)
                .order_by(n.desc(), db.words.c.word)
                .limit(MAX_CLOUD_WORDS)
            ).all()
            out.words = self._spelled(conn, session_id, q_index, gen, rows)
        else:
            votes = [0] * len(q.options)
            for choice, n_votes in conn.execute(
                select(db.answers.c.choice, func.count()).where(where).group_by(db.answers.c.choice)
            ):
                if choice is not None and 0 <= choice < len(votes):
                    votes[choice] = int(n_votes)
            out.options = votes
            out.correct = q.correct
        return out

    def _spelled(
        self, conn: Connection, session_id: int, q_index: int, gen: int | None, rows: Sequence[Any]
    ) -> list[tuple[str, int]]:
        """The cloud's entries (counted case-insensitively) in their most common spelling."""
        if not rows:
            return []
        w = db.words.c
        spellings: dict[str, dict[str, tuple[int, int]]] = {r[0]: {} for r in rows}
        for word, raw, n, first in conn.execute(
            select(w.word, w.raw, func.count(), func.min(w.id))
            .where(
                w.session_id == session_id,
                w.q_index == q_index,
                w.generation == gen,
                w.word.in_(list(spellings)),
            )
            .group_by(w.word, w.raw)
        ):
            shown = spelled(raw, word)
            count, earliest = spellings[word].get(shown, (0, first))
            spellings[word][shown] = (count + int(n), min(earliest, first))
        return [
            (most_common_spelling(spellings[word]) if spellings[word] else word, int(n))
            for word, n in rows
        ]

    def leaderboard(self, session_id: int, limit: int | None = 10) -> list[LeaderRow]:
        """Quiz points summed over the current generation of every question, best first."""
        a, p, qs = db.answers, db.participants, db.question_state
        total = func.sum(a.c.points).label("total")
        n_correct = func.sum(case((a.c.correct.is_(True), 1), else_=0)).label("n_correct")
        time_used = func.sum(func.coalesce(a.c.elapsed_s, 0.0)).label("time_used")
        query = (
            select(p.c.id, p.c.nickname, total, n_correct)
            .select_from(
                a.join(p, a.c.participant_id == p.c.id).join(
                    qs,
                    and_(
                        qs.c.session_id == a.c.session_id,
                        qs.c.q_index == a.c.q_index,
                        qs.c.generation == a.c.generation,
                    ),
                )
            )
            .where(a.c.session_id == session_id, a.c.elapsed_s.is_not(None))
            .group_by(p.c.id, p.c.nickname)
            .order_by(total.desc(), time_used, p.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            LeaderRow(rank, r[0], r[1], int(r[2] or 0), int(r[3] or 0))
            for rank, r in enumerate(rows, 1)
        ]

    def count_answers(self, session_id: int) -> int:
        with self._read() as conn:
            return int(
                conn.scalar(
                    select(func.count())
                    .select_from(db.answers)
                    .where(db.answers.c.session_id == session_id)
                )
                or 0
            )
