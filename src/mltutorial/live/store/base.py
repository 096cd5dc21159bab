"""The store's foundation: the engine, the tables created, read and write transactions, decks.

SQLite has one writer: writes are serialised in-process by a lock (no busy waits); an in-memory
database is one shared connection, so its reads take the same lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from sqlalchemy import inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from mltutorial.errors import UserError
from mltutorial.live import db
from mltutorial.live.deck import Deck


class StoreBase:
    """The connection and its two kinds of transaction; the sections of `Store` build on it."""

    def __init__(
        self, url: str | None = None, *, sqlite_synchronous: str = "FULL", read_only: bool = False
    ):
        """`read_only`: look, never write (`live --check`): no tables are created, and an SQLite
        file is opened read-only; `has_tables` says whether the live tables exist yet."""
        self.engine: Engine = db.connect(url, sqlite_synchronous, read_only=read_only)
        self.read_only = read_only
        self.url = str(self.engine.url)
        self._memory = self.engine.dialect.name == "sqlite" and self.engine.url.database in (
            None,
            "",
            ":memory:",
        )
        # SQLite has one writer anyway; serialising writes in-process avoids busy waits.
        self._write_lock = threading.Lock()
        self._decks: dict[int, Deck] = {}
        try:
            if read_only:
                self.has_tables = inspect(self.engine).has_table(db.sessions.name)
            else:
                db.metadata.create_all(self.engine)
                self.has_tables = True
        except DBAPIError as exc:  # unreachable server, wrong password, not a database file
            where = self.engine.url.render_as_string(hide_password=True)
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            self.engine.dispose()
            raise UserError(f"cannot use the database {where}: {reason}") from None
        dialect_insert: Any = (
            sqlite.insert if self.engine.dialect.name == "sqlite" else postgresql.insert
        )
        self._insert_answer = dialect_insert(db.answers).on_conflict_do_nothing(
            index_elements=["session_id", "q_index", "generation", "participant_id"]
        )

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        if self.read_only:
            raise RuntimeError("this store was opened read-only")
        with self._write_lock, self.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        if self._memory:  # one shared connection: never use it from two threads at once
            with self._write_lock, self.engine.connect() as conn, conn.begin():
                yield conn
        else:
            with self.engine.connect() as conn, conn.begin():
                yield conn

    def deck(self, session_id: int) -> Deck:
        deck = self._decks.get(session_id)
        if deck is None:
            with self._read() as conn:
                text = conn.scalar(select(db.sessions.c.deck).where(db.sessions.c.id == session_id))
            if text is None:
                raise KeyError(f"no session {session_id}")
            deck = self._decks[session_id] = Deck.from_json(text)
        return deck
