"""The live server's tables (SQLAlchemy Core) and the database connection: SQLite or PostgreSQL.

One participant answers a question once: `UNIQUE(session_id, q_index, generation, participant_id)` on
`live_answers` decides, not a read-then-write in Python. `generation` counts a question's resets, so a
reset keeps the old answers (the CSV export still has them) while letting everyone answer again.

SQLite runs in WAL mode (readers never block the single writer) with `synchronous=FULL` by default:
a commit reaches the disk before the server acknowledges the answer, and the store commits answers in
batches so that one fsync covers many of them.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from mltutorial.errors import UserError

metadata = MetaData()

sessions = Table(
    "live_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(8), nullable=False, unique=True),  # 8 digits from `secrets`
    Column("secret", String(64), nullable=False, unique=True),  # the presenter's key
    Column("title", String(200), nullable=False),
    Column("deck", Text, nullable=False),  # Deck.to_json(): a session keeps its own questions
    Column("deck_digest", String(16), nullable=False),
    Column("current", Integer, nullable=False),  # question index; len(questions) = the podium
    Column("ended", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
)

question_state = Table(
    "live_question_state",
    metadata,
    Column("session_id", Integer, ForeignKey("live_sessions.id"), primary_key=True),
    Column("q_index", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("open", Boolean, nullable=False),
    Column("opened_at", Float, nullable=True),  # quiz timer start (unix seconds)
    Column("results_visible", Boolean, nullable=False),
    Column("revealed", Boolean, nullable=False),  # the correct option (quiz, guess) is shown
)

participants = Table(
    "live_participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("live_sessions.id"), nullable=False, index=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("nickname", String(40), nullable=False),
    Column("joined_at", Float, nullable=False),
)

answers = Table(
    "live_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("live_sessions.id"), nullable=False),
    Column("q_index", Integer, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("participant_id", Integer, ForeignKey("live_participants.id"), nullable=False),
    Column("choice", Integer, nullable=True),  # option index; NULL for word clouds
    Column("correct", Boolean, nullable=True),
    Column("elapsed_s", Float, nullable=True),  # quiz: seconds since the question opened
    Column("points", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    UniqueConstraint(
        "session_id", "q_index", "generation", "participant_id", name="uq_one_answer_per_question"
    ),
)

words = Table(
    "live_words",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("answer_id", Integer, ForeignKey("live_answers.id"), nullable=False),
    Column("session_id", Integer, nullable=False),
    Column("q_index", Integer, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("slot", Integer, nullable=False),
    Column("raw", String(80), nullable=False),  # as typed (trimmed, length-limited)
    Column("word", String(80), nullable=True),  # as counted; NULL when dropped (stop word, ...)
    Index("ix_live_words_question", "session_id", "q_index", "generation", "word"),
)

removed_words = Table(
    "live_removed_words",
    metadata,
    Column("session_id", Integer, ForeignKey("live_sessions.id"), primary_key=True),
    Column("q_index", Integer, primary_key=True),
    Column("word", String(80), primary_key=True),
)

# Where a talk given with slides is (`mltutorial present`): one row per session that has slides.
# A generic position: the live server only shows the title to phones between questions.
slides = Table(
    "live_slides",
    metadata,
    Column("session_id", Integer, ForeignKey("live_sessions.id"), primary_key=True),
    Column("slide", Integer, nullable=False),  # 0-based index in the slides file
    Column("total", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("question", Integer, nullable=True),  # the deck question this slide shows, else NULL
)


def default_sqlite_path() -> Path:
    """$XDG_DATA_HOME/mltutorial/live.sqlite3 (~/.local/share/... when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mltutorial" / "live.sqlite3"


def normalise_url(url: str | None) -> str:
    """A user's --db value -> an SQLAlchemy URL; a bare path means an SQLite file."""
    if not url:
        return f"sqlite:///{default_sqlite_path()}"
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_file(url: str | None) -> Path | None:
    """The file of an SQLite URL (or path), None for PostgreSQL or an in-memory database."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)  # type: ignore[arg-type]


def is_memory(url: str | None) -> bool:
    """True for sqlite://, sqlite:/// and sqlite:///:memory: (gone when the process ends)."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return False
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def display_url(url: str | None) -> str:
    """The database as the user may see it (no password)."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return str(url)


def check_sqlite_path(path: Path, create_folder: bool = False) -> None:
    """Refuse what is not, and cannot become, a database file, before SQLite opens it.

    A FIFO or a device would block or be clobbered; a missing folder is created only for the
    default location (a typo in --db must not grow a directory tree)."""
    if path.exists() or path.is_symlink():
        if path.is_dir():
            raise UserError(f"the database path is a folder, not a file: {path}")
        if not path.is_file():
            raise UserError(f"the database path is not a regular file: {path}")
        return
    folder = path.parent
    if folder.is_dir():
        return
    if folder.exists():
        raise UserError(f"not a folder: {folder} (for the database {path})")
    if not create_folder:
        raise UserError(f"no such folder: {folder} (create it first, or choose another --db)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder for {path}: {exc.strerror}") from None


def connect(
    url: str | None, sqlite_synchronous: str = "FULL", *, read_only: bool = False
) -> Engine:
    """An Engine for SQLite (a file) or PostgreSQL (psycopg).

    Only the default SQLite location gets its folder created; `read_only` opens an SQLite file
    read-only (it must exist) and never creates anything."""
    default = not url
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(
            f"not a database URL: {url!r} (use a file path or postgresql://...)"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.get_driver_name() not in ("psycopg", "psycopg2"):
            raise UserError("use postgresql://... (the psycopg driver) for PostgreSQL")
        if importlib.util.find_spec(parsed.get_driver_name()) is None:
            raise UserError(
                "PostgreSQL needs the psycopg driver: pip install 'mltutorial[postgres]'"
            )
        return create_engine(parsed, pool_size=10, max_overflow=20, pool_pre_ping=True)
    if backend != "sqlite":
        raise UserError(f"unsupported database {backend!r}: use SQLite (a file) or postgresql://")
    database = parsed.database or ""
    memory = database in ("", ":memory:")
    if memory:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    elif read_only:
        path = Path(database)
        check_sqlite_path(path)
        if not path.exists():
            raise UserError(f"no database file {path}")
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        if not Path(f"{path}-wal").exists():  # no server has it open: leave no -shm/-wal behind
            uri += "&immutable=1"
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30),
            poolclass=StaticPool,
        )
    else:
        check_sqlite_path(Path(database), create_folder=default)
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8
        )
    sync = sqlite_synchronous.upper()
    if sync not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise UserError(f"sqlite synchronous must be OFF, NORMAL, FULL or EXTRA, not {sync!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (see SQLAlchemy's pysqlite notes).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={sync}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Writers take the lock up front: no deadlock upgrading a read transaction later.
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
