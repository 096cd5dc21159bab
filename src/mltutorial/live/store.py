"""The live session store: plain Python over SQLAlchemy, usable (and tested) without any HTTP.

    store = Store("sqlite:///live.sqlite3")
    info = store.create_session(load_deck())          # code "64718286", presenter secret
    alice = store.join(info.session_id, "Alice")
    store.submit(Submission(alice.id, info.session_id, 0, words=["data", "patterns"]))
    store.results(info.session_id, 0).words           # [("data", 1), ("patterns", 1)]

`submit_many` commits a batch of answers in one transaction (one fsync for many answers) and returns
one `Ack` per answer only after the commit: the server acknowledges nothing that is not on disk.
"""

from __future__ import annotations

import csv
import io
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from mltutorial.errors import UserError
from mltutorial.live import db
from mltutorial.live.deck import Deck, Question
from mltutorial.live.text import (
    MAX_NICKNAME_CHARS,
    clean_text,
    normalise_entries,
    quiz_points,
)

QUIZ_GRACE_S = 1.0  # an answer sent at the last second still travels to the server
MAX_CLOUD_WORDS = 100  # the cloud shows the most frequent entries
ACTIONS = (
    "next",
    "prev",
    "goto",
    "open",
    "close",
    "show_results",
    "hide_results",
    "reveal",
    "hide_answer",
    "reset",
    "remove_word",
    "restore_word",
    "end",
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


@dataclass(frozen=True)
class SessionInfo:
    session_id: int
    code: str  # 8 digits
    secret: str  # the presenter's key
    title: str
    deck: Deck


@dataclass(frozen=True)
class Participant:
    id: int
    session_id: int
    token: str
    nickname: str


@dataclass(frozen=True)
class Submission:
    """One participant's answer to question `q_index`: an option or up to three words."""

    participant_id: int
    session_id: int
    q_index: int
    choice: int | None = None
    words: tuple[str, ...] | list[str] = ()
    received_at: float | None = None  # server clock when it arrived (quiz timing)


@dataclass(frozen=True)
class Ack:
    """The store's answer to a submission, given after the commit.

    status: "received" (stored now), "duplicate" (this participant had already answered),
    "closed" (not the current question, answering closed, time up), "invalid" (bad option, no words).
    """

    status: str
    answer_id: int | None = None
    message: str = ""
    dropped: tuple[str, ...] = ()  # word-cloud entries not counted, with the reason

    @property
    def ok(self) -> bool:
        return self.status in ("received", "duplicate")


@dataclass
class SessionState:
    session_id: int
    code: str
    title: str
    current: int
    total: int
    ended: bool
    question: Question | None  # None on the podium (current == total)
    generation: int = 0
    open: bool = False
    opened_at: float | None = None
    results_visible: bool = False
    revealed: bool = False
    participants: int = 0
    answers: int = 0

    @property
    def deadline(self) -> float | None:
        q = self.question
        if q is None or q.time_limit is None or self.opened_at is None:
            return None
        return self.opened_at + q.time_limit

    def remaining_s(self, now: float | None = None) -> float | None:
        if self.deadline is None or not self.open:
            return None
        return max(0.0, self.deadline - (time.time() if now is None else now))

    def accepting(self, now: float | None = None) -> bool:
        if self.ended or self.question is None or not self.open:
            return False
        remaining = self.remaining_s(now)
        return remaining is None or remaining > 0


@dataclass
class Results:
    q_index: int
    type: str
    count: int  # answers (submissions) to the question's current generation
    words: list[tuple[str, int]] = field(default_factory=list)  # word cloud, most frequent first
    options: list[int] = field(default_factory=list)  # votes per option
    correct: int | None = None
    last_answer_id: int = 0  # the newest answer these results include (latency probes)


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    participant_id: int
    nickname: str
    points: int
    correct: int


def _new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def _default_nickname() -> str:
    return f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_ANIMALS)}"


def _csv_safe(value: object) -> object:
    """Keep spreadsheets from running an answer as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class Store:
    """All state of the live server, in a database. Thread-safe; every method is one transaction."""

    def __init__(self, url: str | None = None, *, sqlite_synchronous: str = "FULL"):
        self.engine: Engine = db.connect(url, sqlite_synchronous)
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
            db.metadata.create_all(self.engine)
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
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

    # -- sessions -----------------------------------------------------------------------------

    def deck(self, session_id: int) -> Deck:
        deck = self._decks.get(session_id)
        if deck is None:
            with self._read() as conn:
                text = conn.scalar(select(db.sessions.c.deck).where(db.sessions.c.id == session_id))
            if text is None:
                raise KeyError(f"no session {session_id}")
            deck = self._decks[session_id] = Deck.from_json(text)
        return deck

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
        with self._read() as conn:
            row = conn.execute(
                select(db.sessions)
                .where(db.sessions.c.deck_digest == deck.digest(), db.sessions.c.ended.is_(False))
                .order_by(db.sessions.c.id.desc())
                .limit(1)
            ).first()
        if row is not None:
            return self._info(row), True
        return self.create_session(deck), False

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

    # -- participants -------------------------------------------------------------------------

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

    # -- state --------------------------------------------------------------------------------

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

    # -- answers ------------------------------------------------------------------------------

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
        """{participant_id: {choice, correct, points}} for one question (to tell each phone)."""
        with self._read() as conn:
            rows = conn.execute(
                select(
                    db.answers.c.participant_id,
                    db.answers.c.choice,
                    db.answers.c.correct,
                    db.answers.c.points,
                ).where(
                    db.answers.c.session_id == session_id,
                    db.answers.c.q_index == q_index,
                    db.answers.c.generation == generation,
                )
            ).all()
        return {
            r.participant_id: {"choice": r.choice, "correct": r.correct, "points": r.points}
            for r in rows
        }

    # -- results ------------------------------------------------------------------------------

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
            out.words = [(r[0], int(r[1])) for r in rows]
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

    # -- presenter actions ----------------------------------------------------------------------

    def act(
        self, session_id: int, action: str, index: int | None = None, word: str | None = None
    ) -> SessionState:
        """Apply one presenter action and return the new state (see ACTIONS)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        deck = self.deck(session_id)
        total = len(deck.questions)
        now = time.time()
        with self._write() as conn:
            state = self._state(conn, session_id)
            qs = db.question_state
            here = and_(qs.c.session_id == session_id, qs.c.q_index == state.current)

            def set_here(**values: object) -> None:
                if state.question is None:
                    raise ValueError("no question on the podium slide")
                conn.execute(update(qs).where(here).values(**values))

            if action in ("next", "prev", "goto"):
                target = {"next": state.current + 1, "prev": state.current - 1}.get(action, index)
                if target is None or not 0 <= target <= total:
                    raise ValueError(f"no slide {target}: the deck has {total} questions + podium")
                conn.execute(
                    update(db.sessions).where(db.sessions.c.id == session_id).values(current=target)
                )
                if target < total:  # a question seen for the first time opens on arrival
                    conn.execute(
                        update(qs)
                        .where(qs.c.session_id == session_id, qs.c.q_index == target)
                        .where(qs.c.opened_at.is_(None))
                        .values(open=True, opened_at=now)
                    )
            elif action == "open":
                set_here(open=True, opened_at=now)
            elif action == "close":
                set_here(open=False)
            elif action == "show_results":
                set_here(results_visible=True)
            elif action == "hide_results":
                set_here(results_visible=False)
            elif action == "reveal":
                set_here(revealed=True, results_visible=True, open=False)
            elif action == "hide_answer":
                set_here(revealed=False)
            elif action == "reset":
                q = state.question
                set_here(
                    generation=state.generation + 1,
                    open=True,
                    opened_at=now,
                    revealed=False,
                    results_visible=q is not None and not deck.results_hidden and q.type != "quiz",
                )
            elif action in ("remove_word", "restore_word"):
                if state.question is None or state.question.type != "wordcloud" or not word:
                    raise ValueError("remove_word needs a word of the current word cloud")
                word = word.casefold()[:80]
                table = db.removed_words
                if action == "remove_word":
                    exists = conn.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(
                            table.c.session_id == session_id,
                            table.c.q_index == state.current,
                            table.c.word == word,
                        )
                    )
                    if not exists:
                        conn.execute(
                            insert(table).values(
                                session_id=session_id, q_index=state.current, word=word
                            )
                        )
                else:
                    conn.execute(
                        table.delete().where(
                            table.c.session_id == session_id,
                            table.c.q_index == state.current,
                            table.c.word == word,
                        )
                    )
            elif action == "end":
                conn.execute(
                    update(db.sessions)
                    .where(db.sessions.c.id == session_id)
                    .values(ended=True, current=total)
                )
                conn.execute(update(qs).where(qs.c.session_id == session_id).values(open=False))
            return self._state(conn, session_id)

    # -- export -------------------------------------------------------------------------------

    def export_csv(self, session_id: int) -> str:
        """Every answer of the session (old generations and removed words included), as CSV."""
        deck = self.deck(session_id)
        a, p, w, qs = db.answers, db.participants, db.words, db.question_state
        with self._read() as conn:
            rows = conn.execute(
                select(a, p.c.nickname, qs.c.generation.label("current_generation"))
                .join(p, a.c.participant_id == p.c.id)
                .join(qs, and_(qs.c.session_id == a.c.session_id, qs.c.q_index == a.c.q_index))
                .where(a.c.session_id == session_id)
                .order_by(a.c.q_index, a.c.id)
            ).all()
            word_rows: dict[int, list] = {}
            for wr in conn.execute(
                select(w.c.answer_id, w.c.raw, w.c.word)
                .where(w.c.session_id == session_id)
                .order_by(w.c.answer_id, w.c.slot)
            ):
                word_rows.setdefault(wr.answer_id, []).append(wr)
            removed = {
                (r.q_index, r.word)
                for r in conn.execute(
                    select(db.removed_words).where(db.removed_words.c.session_id == session_id)
                )
            }
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(
            [
                "question",
                "prompt",
                "type",
                "reset_round",
                "current_round",
                "participant",
                "nickname",
                "answer",
                "counted_as",
                "removed_by_presenter",
                "correct",
                "points",
                "seconds",
                "answered_at_utc",
            ]
        )
        for r in rows:
            m = r._mapping
            q = deck.questions[m["q_index"]]
            stamp = datetime.fromtimestamp(m["created_at"], UTC).isoformat(timespec="milliseconds")
            head = [
                m["q_index"] + 1,
                q.prompt,
                q.type,
                m["generation"],
                m["generation"] == m["current_generation"],
                m["participant_id"],
                m["nickname"],
            ]
            tail = [
                "" if m["correct"] is None else bool(m["correct"]),
                m["points"],
                "" if m["elapsed_s"] is None else round(m["elapsed_s"], 3),
                stamp,
            ]
            if q.type == "wordcloud":
                for wr in word_rows.get(m["id"], []):
                    gone = (m["q_index"], wr.word) in removed
                    out.writerow(
                        [_csv_safe(v) for v in [*head, wr.raw, wr.word or "", gone, *tail]]
                    )
            else:
                answer = q.options[m["choice"]] if m["choice"] is not None else ""
                out.writerow([_csv_safe(v) for v in [*head, answer, answer, False, *tail]])
        return buf.getvalue()
