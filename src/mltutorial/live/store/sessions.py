"""Sessions: create, find by code or secret, resume after a restart, and the state of one."""

from __future__ import annotations

import secrets
import time

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from mltutorial.live import db
from mltutorial.live.deck import Deck
from mltutorial.live.store.base import StoreBase
from mltutorial.live.store.model import (
    SessionInfo,
    SessionState,
    SlidePosition,
)


def _new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


class Sessions(StoreBase):
    """Sessions: created with a join code and a presenter secret, found by either, resumed."""

    def create_session(self, deck: Deck) -> SessionInfo:
        """A new session with a fresh join code and presenter secret; question 1 is open."""
        now = time.time()
        for _ in range(20):  # a code collision is rare; the UNIQUE constraint catches it
            code, secret = _new_code(), secrets.token_urlsafe(24)
            try:
                with self._write() as conn:
                    session_id = conn.execute(
                        insert(db.sessions).values(
                            code=code,
                            secret=secret,
                            title=deck.title,
                            deck=deck.to_json(),
                            deck_digest=deck.digest(),
                            current=0,
                            ended=False,
                            created_at=now,
                        )
                    ).inserted_primary_key[0]  # type: ignore[index]
                    conn.execute(
                        insert(db.question_state),
                        [
                            dict(
                                session_id=session_id,
                                q_index=i,
                                generation=0,
                                open=i == 0,
                                opened_at=now if i == 0 else None,
                                results_visible=not deck.results_hidden and q.type != "quiz",
                                revealed=False,
                            )
                            for i, q in enumerate(deck.questions)
                        ],
                    )
            except IntegrityError:
                continue
            self._decks[session_id] = deck
            return SessionInfo(session_id, code, secret, deck.title, deck)
        raise RuntimeError("could not draw a free join code")  # pragma: no cover

    def _info(self, row: object) -> SessionInfo:
        r = row._mapping  # type: ignore[attr-defined]
        if r["id"] not in self._decks:
            self._decks[r["id"]] = Deck.from_json(r["deck"])
        return SessionInfo(r["id"], r["code"], r["secret"], r["title"], self._decks[r["id"]])

    def resume_or_create(self, deck: Deck) -> tuple[SessionInfo, bool]:
        """The newest unfinished session of this same deck (after a restart), else a new one."""
        found = self.unfinished(deck)
        if found is not None:
            return found, True
        return self.create_session(deck), False

    def unfinished(self, deck: Deck) -> SessionInfo | None:
        """The newest unfinished session of this same deck, or None (reads only)."""
        if not self.has_tables:
            return None
        with self._read() as conn:
            row = conn.execute(
                select(db.sessions)
                .where(db.sessions.c.deck_digest == deck.digest(), db.sessions.c.ended.is_(False))
                .order_by(db.sessions.c.id.desc())
                .limit(1)
            ).first()
        return None if row is None else self._info(row)

    def session_by_code(self, code: str) -> SessionInfo | None:
        with self._read() as conn:
            row = conn.execute(select(db.sessions).where(db.sessions.c.code == code)).first()
        return None if row is None else self._info(row)

    def session_by_secret(self, secret: str) -> SessionInfo | None:
        if not secret or len(secret) > 64:
            return None
        with self._read() as conn:
            row = conn.execute(select(db.sessions).where(db.sessions.c.secret == secret)).first()
        if row is None or not secrets.compare_digest(row._mapping["secret"], secret):
            return None
        return self._info(row)

    def _state(self, conn: Connection, session_id: int) -> SessionState:
        s = conn.execute(select(db.sessions).where(db.sessions.c.id == session_id)).first()
        if s is None:
            raise KeyError(f"no session {session_id}")
        sm = s._mapping
        deck = self.deck(session_id)
        total = len(deck.questions)
        n_people = conn.scalar(
            select(func.count())
            .select_from(db.participants)
            .where(db.participants.c.session_id == session_id)
        )
        state = SessionState(
            session_id,
            sm["code"],
            sm["title"],
            sm["current"],
            total,
            bool(sm["ended"]),
            deck.questions[sm["current"]] if sm["current"] < total else None,
            participants=int(n_people or 0),
        )
        slide = conn.execute(select(db.slides).where(db.slides.c.session_id == session_id)).first()
        if slide is not None:
            m = slide._mapping
            state.slide = SlidePosition(m["slide"], m["total"], m["title"], m["question"])
        if state.question is not None:
            q = conn.execute(
                select(db.question_state).where(
                    db.question_state.c.session_id == session_id,
                    db.question_state.c.q_index == state.current,
                )
            ).first()
            assert q is not None
            qm = q._mapping
            state.generation = qm["generation"]
            state.open = bool(qm["open"])
            state.opened_at = qm["opened_at"]
            state.results_visible = bool(qm["results_visible"])
            state.revealed = bool(qm["revealed"])
            state.answers = int(
                conn.scalar(
                    select(func.count())
                    .select_from(db.answers)
                    .where(
                        db.answers.c.session_id == session_id,
                        db.answers.c.q_index == state.current,
                        db.answers.c.generation == state.generation,
                    )
                )
                or 0
            )
        return state

    def state(self, session_id: int) -> SessionState:
        with self._read() as conn:
            return self._state(conn, session_id)
