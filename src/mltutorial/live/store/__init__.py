"""The live session store: plain Python over SQLAlchemy, usable (and tested) without any HTTP.

    store = Store("sqlite:///live.sqlite3")
    info = store.create_session(load_deck())          # code "64718286", presenter secret
    alice = store.join(info.session_id, "Alice")
    store.submit(Submission(alice.id, info.session_id, 0, words=["data", "patterns"]))
    store.results(info.session_id, 0).words           # [("data", 1), ("patterns", 1)]

`submit_many` commits a batch of answers in one transaction (one fsync for many answers) and returns
one `Ack` per answer only after the commit: the server acknowledges nothing that is not on disk.

One class, `Store`, assembled from its sections, one module each: `base` (connection,
transactions), `sessions`, `participants`, `answers`, `results`, `actions` (the presenter's, as a
table of small functions), `slides` (where a talk with slides is) and `export`; `model` holds the
records they hand out.
"""

from __future__ import annotations

from mltutorial.live.store.actions import ACTION_TABLE, ACTIONS, ActionContext, Actions
from mltutorial.live.store.answers import QUIZ_GRACE_S, Answers
from mltutorial.live.store.export import Export
from mltutorial.live.store.model import (
    Ack,
    LeaderRow,
    Participant,
    Results,
    SessionInfo,
    SessionState,
    SlidePosition,
    Submission,
)
from mltutorial.live.store.participants import Participants
from mltutorial.live.store.results import MAX_CLOUD_WORDS, ResultQueries
from mltutorial.live.store.sessions import Sessions
from mltutorial.live.store.slides import Slides


class Store(Actions, Slides, Answers, Participants, ResultQueries, Export, Sessions):
    """All state of the live server, in a database. Thread-safe; every method is one transaction."""


__all__ = [
    "ACTIONS",
    "ACTION_TABLE",
    "MAX_CLOUD_WORDS",
    "QUIZ_GRACE_S",
    "Ack",
    "ActionContext",
    "LeaderRow",
    "Participant",
    "Results",
    "SessionInfo",
    "SessionState",
    "SlidePosition",
    "Store",
    "Submission",
]
