"""What the store hands out: sessions, participants, answers and their acks, state, results."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from mltutorial.live.deck import Deck, Question


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


@dataclass(frozen=True)
class SlidePosition:
    """The slide on screen: its index, the slide count, its title, the question it shows."""

    index: int
    total: int
    title: str
    question: int | None = None


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
    slide: SlidePosition | None = None  # where a talk with slides is (`mltutorial present`)

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
