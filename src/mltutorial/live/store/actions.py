"""Presenter actions: a table of small functions, name -> function, applied in one transaction.

    store.act(session_id, "goto", index=2)      # -> the new SessionState

Each action gets an `ActionContext` (the open connection, the state before, the arguments) and
changes rows; `act` then reads the state back. A new action is one function and one table entry
(`ACTION_TABLE`); `ACTIONS`, the names the API accepts, follows from the table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection

from mltutorial.live import db
from mltutorial.live.deck import Deck
from mltutorial.live.store.model import SessionState
from mltutorial.live.store.sessions import Sessions


@dataclass
class ActionContext:
    """What one action sees: the transaction, the session's state before it, its arguments."""

    conn: Connection
    session_id: int
    deck: Deck
    state: SessionState
    now: float
    index: int | None = None
    word: str | None = None

    @property
    def total(self) -> int:
        return len(self.deck.questions)

    def set_here(self, **values: object) -> None:
        """Update the current question's state (refused on the podium)."""
        if self.state.question is None:
            raise ValueError("no question on the podium slide")
        qs = db.question_state
        here = and_(qs.c.session_id == self.session_id, qs.c.q_index == self.state.current)
        self.conn.execute(update(qs).where(here).values(**values))

    def move_to(self, target: int | None) -> None:
        """Go to slide `target` (a question, or the podium at `total`)."""
        if target is None or not 0 <= target <= self.total:
            raise ValueError(f"no slide {target}: the deck has {self.total} questions + podium")
        self.conn.execute(
            update(db.sessions).where(db.sessions.c.id == self.session_id).values(current=target)
        )
        if target < self.total:  # a question seen for the first time opens on arrival
            qs = db.question_state
            self.conn.execute(
                update(qs)
                .where(qs.c.session_id == self.session_id, qs.c.q_index == target)
                .where(qs.c.opened_at.is_(None))
                .values(open=True, opened_at=self.now)
            )

    def cloud_word(self) -> str:
        """The action's word, as the cloud counts it; refused off a word cloud."""
        q = self.state.question
        if q is None or q.type != "wordcloud" or not self.word:
            raise ValueError("remove_word needs a word of the current word cloud")
        return self.word.casefold()[:80]


Action = Callable[[ActionContext], None]


def _next(c: ActionContext) -> None:
    c.move_to(c.state.current + 1)


def _prev(c: ActionContext) -> None:
    c.move_to(c.state.current - 1)


def _goto(c: ActionContext) -> None:
    c.move_to(c.index)


def _open(c: ActionContext) -> None:
    c.set_here(open=True, opened_at=c.now)


def _close(c: ActionContext) -> None:
    c.set_here(open=False)


def _show_results(c: ActionContext) -> None:
    c.set_here(results_visible=True)


def _hide_results(c: ActionContext) -> None:
    c.set_here(results_visible=False)


def _reveal(c: ActionContext) -> None:
    c.set_here(revealed=True, results_visible=True, open=False)


def _hide_answer(c: ActionContext) -> None:
    c.set_here(revealed=False)


def _reset(c: ActionContext) -> None:
    """A new round of the current question: old answers stay (export), everyone answers again."""
    q = c.state.question
    c.set_here(
        generation=c.state.generation + 1,
        open=True,
        opened_at=c.now,
        revealed=False,
        results_visible=q is not None and not c.deck.results_hidden and q.type != "quiz",
    )


def _remove_word(c: ActionContext) -> None:
    word, t = c.cloud_word(), db.removed_words
    exists = c.conn.scalar(
        select(func.count())
        .select_from(t)
        .where(t.c.session_id == c.session_id, t.c.q_index == c.state.current, t.c.word == word)
    )
    if not exists:
        c.conn.execute(
            insert(t).values(session_id=c.session_id, q_index=c.state.current, word=word)
        )


def _restore_word(c: ActionContext) -> None:
    word, t = c.cloud_word(), db.removed_words
    c.conn.execute(
        t.delete().where(
            t.c.session_id == c.session_id, t.c.q_index == c.state.current, t.c.word == word
        )
    )


def _end(c: ActionContext) -> None:
    c.conn.execute(
        update(db.sessions)
        .where(db.sessions.c.id == c.session_id)
        .values(ended=True, current=c.total)
    )
    qs = db.question_state
    c.conn.execute(update(qs).where(qs.c.session_id == c.session_id).values(open=False))


ACTION_TABLE: dict[str, Action] = {
    "next": _next,
    "prev": _prev,
    "goto": _goto,
    "open": _open,
    "close": _close,
    "show_results": _show_results,
    "hide_results": _hide_results,
    "reveal": _reveal,
    "hide_answer": _hide_answer,
    "reset": _reset,
    "remove_word": _remove_word,
    "restore_word": _restore_word,
    "end": _end,
}
ACTIONS = tuple(ACTION_TABLE)


class Actions(Sessions):
    """The presenter's actions on a session, one transaction each."""

    def act(
        self, session_id: int, action: str, index: int | None = None, word: str | None = None
    ) -> SessionState:
        """Apply one presenter action and return the new state (see ACTION_TABLE)."""
        run = ACTION_TABLE.get(action)
        if run is None:
            raise ValueError(f"unknown action {action!r}")
        deck = self.deck(session_id)
        with self._write() as conn:
            state = self._state(conn, session_id)
            run(ActionContext(conn, session_id, deck, state, time.time(), index, word))
            return self._state(conn, session_id)
