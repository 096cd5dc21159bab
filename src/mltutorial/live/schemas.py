"""Every message in and out of the live server, validated by pydantic and named by its role.

`...In` arrive from a browser (strict: unknown fields and over-long text are rejected);
`...Public` go to everyone; `...Presenter` only to the presenter (they hold the correct answers).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from mltutorial.live.deck import Question
from mltutorial.live.store import ACTIONS, Results, SessionState
from mltutorial.live.text import MAX_ENTRY_CHARS, MAX_NICKNAME_CHARS, format_code

MAX_MESSAGE_BYTES = 4096  # a WebSocket message larger than this closes the connection


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200)


class JoinIn(_In):
    code: str = Field(max_length=20)
    nickname: str = Field(default="", max_length=MAX_NICKNAME_CHARS * 2)
    token: str | None = Field(default=None, max_length=64)  # a returning participant


class JoinOut(BaseModel):
    token: str
    participant_id: int
    nickname: str
    title: str


class AnswerIn(_In):
    """A participant's answer to question `q` (0-based): an option or up to three entries."""

    type: Literal["answer"] = "answer"
    q: int = Field(ge=0, le=1000)
    choice: int | None = Field(default=None, ge=0, le=50)
    words: list[Annotated[str, Field(max_length=MAX_ENTRY_CHARS * 2)]] = Field(
        default_factory=list, max_length=3
    )
    id: str | None = Field(default=None, max_length=40)  # the client's message id, echoed


class AnswerWithTokenIn(AnswerIn):
    token: str = Field(max_length=64)


class PingIn(_In):
    type: Literal["ping"]


class RenameIn(_In):
    type: Literal["rename"]
    nickname: str = Field(max_length=MAX_NICKNAME_CHARS * 2)


ParticipantMessageIn = Annotated[AnswerIn | PingIn | RenameIn, Field(discriminator="type")]


class PresenterHelloIn(_In):
    type: Literal["hello"]
    secret: str = Field(max_length=64)


class PresenterActionIn(_In):
    action: Literal[ACTIONS]  # type: ignore[valid-type]
    index: int | None = Field(default=None, ge=0, le=1000)
    word: str | None = Field(default=None, max_length=MAX_ENTRY_CHARS * 2)


class AnswerAck(BaseModel):
    type: Literal["ack"] = "ack"
    id: str | None = None
    ok: bool
    status: str
    message: str = ""
    answer_id: int | None = None
    dropped: list[str] = []
    mine: dict | None = None  # a duplicate: the answer stored before (another tab's, say)


class QuestionPublic(BaseModel):
    """A question as a phone sees it: no correct answer."""

    index: int
    type: str
    prompt: str
    options: list[str]
    max_entries: int
    time_limit: float | None

    @classmethod
    def of(cls, index: int, q: Question) -> QuestionPublic:
        return cls(
            index=index,
            type=q.type,
            prompt=q.prompt,
            options=list(q.options),
            max_entries=q.max_entries,
            time_limit=q.time_limit,
        )


class ResultsPublic(BaseModel):
    index: int
    type: str
    count: int
    words: list[tuple[str, int]]
    options: list[int]
    correct: int | None  # only once revealed
    last_answer_id: int

    @classmethod
    def of(cls, r: Results, revealed: bool) -> ResultsPublic:
        return cls(
            index=r.q_index,
            type=r.type,
            count=r.count,
            words=r.words,
            options=r.options,
            correct=r.correct if revealed else None,
            last_answer_id=r.last_answer_id,
        )


class LeaderPublic(BaseModel):
    rank: int
    nickname: str
    points: int
    correct: int


class SlidePublic(BaseModel):
    """Where a talk given with slides is: phones show the title between questions."""

    index: int
    total: int
    title: str
    question: int | None


class StatePublic(BaseModel):
    """The session as everyone may see it."""

    type: Literal["state"] = "state"
    title: str
    code: str  # "6471 8286"
    index: int
    total: int
    ended: bool
    question: QuestionPublic | None
    accepting: bool
    remaining_s: float | None
    results_visible: bool
    revealed: bool
    participants: int
    answers: int
    slide: SlidePublic | None = None

    @classmethod
    def of(cls, s: SessionState) -> StatePublic:
        return cls(
            title=s.title,
            code=format_code(s.code),
            index=s.current,
            total=s.total,
            ended=s.ended,
            question=None if s.question is None else QuestionPublic.of(s.current, s.question),
            accepting=s.accepting(),
            remaining_s=s.remaining_s(),
            results_visible=s.results_visible,
            revealed=s.revealed,
            participants=s.participants,
            answers=s.answers,
            slide=None if s.slide is None else SlidePublic(**vars(s.slide)),
        )


class ParticipantState(StatePublic):
    """StatePublic plus this phone's own answer and, once revealed, its score."""

    nickname: str
    my_answer: dict | None = None
    my_score: dict | None = None  # {"points", "rank", "total"} after a quiz is revealed


class PresenterState(StatePublic):
    type: Literal["presenter"] = "presenter"  # type: ignore[assignment]
    join_url: str
    results: ResultsPublic | None
    leaderboard: list[LeaderPublic]
    show_leaderboard: bool
    correct: int | None  # the presenter knows the answer before revealing it
    note: str


class ResultsUpdate(BaseModel):
    """Pushed to the presenter after each committed batch of answers."""

    type: Literal["results"] = "results"
    results: ResultsPublic | None
    participants: int
