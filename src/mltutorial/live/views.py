"""What each screen is sent: the presenter's full view and each phone's own, built from the store.

`presenter_view` holds the correct answer and the leaderboard; `participant_views` builds every phone's
state with one set of queries for all of them (a push after a presenter action).
"""

from __future__ import annotations

from mltutorial.live.schemas import (
    LeaderPublic,
    ParticipantState,
    PresenterState,
    ResultsPublic,
    StatePublic,
)
from mltutorial.live.store import Participant, Store


def presenter_view(store: Store, session_id: int, join_url: str) -> PresenterState:
    s = store.state(session_id)
    results = None
    if s.question is not None:
        results = ResultsPublic.of(store.results(session_id, s.current), revealed=True)
    podium = s.question is None
    show_board = podium or (s.question is not None and s.question.type == "quiz" and s.revealed)
    board = store.leaderboard(session_id, limit=10) if show_board else []
    return PresenterState(
        **StatePublic.of(s).model_dump(exclude={"type"}),
        join_url=join_url,
        results=results,
        leaderboard=[
            LeaderPublic(rank=r.rank, nickname=r.nickname, points=r.points, correct=r.correct)
            for r in board
        ],
        show_leaderboard=show_board,
        correct=None if s.question is None else s.question.correct,
        note="" if s.question is None else s.question.note,
    )


def participant_views(
    store: Store, session_id: int, people: list[Participant]
) -> list[ParticipantState]:
    """Each phone's own state; one set of queries for all of them."""
    s = store.state(session_id)
    public = StatePublic.of(s).model_dump(exclude={"type"})
    answered: dict[int, dict] = {}
    if s.question is not None:
        answered = store.answered(session_id, s.current, s.generation)
    scores: dict[int, dict] = {}
    if s.question is None or (s.question.type == "quiz" and s.revealed):
        board = store.leaderboard(session_id, limit=None)
        scores = {
            r.participant_id: {"points": r.points, "rank": r.rank, "of": len(board)} for r in board
        }
    out = []
    for p in people:
        mine = answered.get(p.id)
        if mine is not None and not s.revealed:
            mine = {"choice": mine["choice"], "words": mine["words"]}  # correctness waits
        out.append(
            ParticipantState(
                **public, nickname=p.nickname, my_answer=mine, my_score=scores.get(p.id)
            )
        )
    return out
