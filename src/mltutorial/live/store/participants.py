"""Participants: join (one or a batch), look up by token, rename."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, update

from mltutorial.live import db
from mltutorial.live.store.base import StoreBase
from mltutorial.live.store.model import (
    Participant,
)
from mltutorial.live.text import (
    MAX_NICKNAME_CHARS,
    clean_text,
)

_ADJECTIVES = [
    "Curious",
    "Brave",
    "Clever",
    "Quick",
    "Calm",
    "Bright",
    "Happy",
    "Gentle",
    "Bold",
    "Witty",
    "Sunny",
    "Lucky",
    "Keen",
    "Jolly",
    "Swift",
    "Mighty",
    "Nimble",
    "Cosmic",
    "Shiny",
    "Merry",
]
_ANIMALS = [
    "Otter",
    "Falcon",
    "Panda",
    "Koala",
    "Lynx",
    "Heron",
    "Badger",
    "Dolphin",
    "Fox",
    "Owl",
    "Tiger",
    "Gecko",
    "Puffin",
    "Bison",
    "Lemur",
    "Walrus",
    "Beaver",
    "Raven",
    "Quokka",
    "Narwhal",
]


def _default_nickname() -> str:
    return f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_ANIMALS)}"


class Participants(StoreBase):
    """People in a session: joined in batches (group commit), found by token, renamed."""

    def join(self, session_id: int, nickname: str = "", token: str | None = None) -> Participant:
        """Add a participant, or return the one holding `token` in this session (a reload)."""
        if token:
            found = self.participant(token)
            if found is not None and found.session_id == session_id:
                return found
        return self.join_many([(session_id, nickname)])[0]

    def join_many(self, people: Iterable[tuple[int, str]]) -> list[Participant]:
        """Add participants [(session_id, nickname), ...] in one transaction (group commit)."""
        now = time.time()
        rows: list[dict[str, Any]] = [
            dict(
                session_id=session_id,
                token=secrets.token_urlsafe(24),
                nickname=clean_text(nickname or "", MAX_NICKNAME_CHARS) or _default_nickname(),
                joined_at=now,
            )
            for session_id, nickname in people
        ]
        if not rows:
            return []
        p = db.participants.c
        with self._write() as conn:
            known = set(
                conn.scalars(
                    select(db.sessions.c.id).where(
                        db.sessions.c.id.in_({r["session_id"] for r in rows})
                    )
                )
            )
            missing = {r["session_id"] for r in rows} - known
            if missing:
                raise KeyError(f"no session {sorted(missing)[0]}")
            inserted = conn.execute(insert(db.participants).returning(p.id, p.token), rows).all()
        ids = {token: pid for pid, token in inserted}
        return [
            Participant(ids[r["token"]], r["session_id"], r["token"], r["nickname"]) for r in rows
        ]

    def participant(self, token: str) -> Participant | None:
        if not token or len(token) > 64:
            return None
        with self._read() as conn:
            row = conn.execute(
                select(db.participants).where(db.participants.c.token == token)
            ).first()
        if row is None:
            return None
        r = row._mapping
        return Participant(r["id"], r["session_id"], r["token"], r["nickname"])

    def rename(self, participant_id: int, nickname: str) -> str:
        name = clean_text(nickname, MAX_NICKNAME_CHARS) or _default_nickname()
        with self._write() as conn:
            conn.execute(
                update(db.participants)
                .where(db.participants.c.id == participant_id)
                .values(nickname=name)
            )
        return name
