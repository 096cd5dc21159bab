"""The live part of the server: group commit for answers and joins, and the WebSocket hub.

GroupCommit: answers (and joins) from all connections wait in one asyncio queue; a single writer
takes everything that is waiting (up to `batch_max`), commits it in one transaction in a worker
thread, and only then resolves each item's future, so every acknowledgement follows its commit.
Under load the batches grow by themselves: one fsync covers hundreds of answers.

Hub: the open presenter and participant sockets per session. After a commit it tells the presenters
the new count (coalesced to one update per `presenter_interval_s`); after a presenter action it sends
every phone its own view of the new state.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.websockets import WebSocket

from mltutorial.live.schemas import (
    LeaderPublic,
    ParticipantState,
    PresenterState,
    ResultsPublic,
    ResultsUpdate,
    StatePublic,
)
from mltutorial.live.store import Participant, Store

T = TypeVar("T")
R = TypeVar("R")
SEND_TIMEOUT_S = 5.0  # a phone that cannot take a message in this time is dropped


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
            mine = {"choice": mine["choice"]}  # correctness waits for the reveal
        out.append(
            ParticipantState(
                **public, nickname=p.nickname, my_answer=mine, my_score=scores.get(p.id)
            )
        )
    return out


class GroupCommit(Generic[T, R]):
    """Group commit: what waits is written in one transaction; results come after the commit.

    `write_many(items) -> results` runs in a worker thread (one at a time); `on_commit(items,
    results)` runs in the event loop after each batch.
    """

    def __init__(
        self,
        write_many: Callable[[list[T]], list[R]],
        batch_max: int,
        on_commit: Callable[[list[T], list[R]], Awaitable[None]] | None = None,
    ):
        self.write_many = write_many
        self.batch_max = batch_max
        self.on_commit = on_commit
        self.queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.batches = 0
        self.items = 0

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        await self.queue.put((item, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < self.batch_max and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            items = [item for item, _ in batch]
            try:
                results = await asyncio.to_thread(self.write_many, items)
            except Exception as exc:  # one bad item must not sink the batch: retry one by one
                if len(items) == 1:
                    if not batch[0][1].done():
                        batch[0][1].set_exception(exc)
                    continue
                results = []
                failed: list[tuple[asyncio.Future[R], Exception]] = []
                for item, future in batch:
                    try:
                        results.append((await asyncio.to_thread(self.write_many, [item]))[0])
                    except Exception as exc_one:
                        failed.append((future, exc_one))
                        results.append(None)  # type: ignore[arg-type]
                for future, reason in failed:
                    if not future.done():
                        future.set_exception(reason)
            self.batches += 1
            self.items += len(items)
            if self.on_commit is not None:  # queue the presenters' refresh ahead of the acks
                await self.on_commit(items, results)
            for (_, future), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)


@dataclass
class _Phone:
    ws: WebSocket
    participant: Participant


class Hub:
    def __init__(self, store: Store, presenter_interval_s: float):
        self.store = store
        self.interval = presenter_interval_s
        self.presenters: dict[int, dict[WebSocket, str]] = defaultdict(dict)  # ws -> join url
        self.phones: dict[int, dict[WebSocket, _Phone]] = defaultdict(dict)
        self._pending: set[int] = set()
        self._last: dict[int, float] = defaultdict(float)
        self._tasks: set[asyncio.Task[None]] = set()

    # -- sockets ---------------------------------------------------------------------------------

    def add_presenter(self, session_id: int, ws: WebSocket, join_url: str) -> None:
        self.presenters[session_id][ws] = join_url

    def add_phone(self, ws: WebSocket, participant: Participant) -> None:
        self.phones[participant.session_id][ws] = _Phone(ws, participant)

    def remove(self, session_id: int, ws: WebSocket) -> None:
        self.presenters[session_id].pop(ws, None)
        self.phones[session_id].pop(ws, None)

    def connected(self, session_id: int) -> int:
        return len(self.phones[session_id])

    async def _send(self, ws: WebSocket, text: str) -> None:
        try:
            await asyncio.wait_for(ws.send_text(text), SEND_TIMEOUT_S)
        except Exception:
            for table in (self.presenters, self.phones):
                for conns in table.values():
                    conns.pop(ws, None)  # type: ignore[call-overload]

    # -- pushes ----------------------------------------------------------------------------------

    async def push_presenters(self, session_id: int) -> None:
        """Full presenter state (after an action)."""
        for ws, join_url in list(self.presenters[session_id].items()):
            view = await asyncio.to_thread(presenter_view, self.store, session_id, join_url)
            await self._send(ws, view.model_dump_json())

    async def push_phones(self, session_id: int) -> None:
        phones = list(self.phones[session_id].values())
        if not phones:
            return
        views = await asyncio.to_thread(
            participant_views, self.store, session_id, [p.participant for p in phones]
        )
        await asyncio.gather(
            *(self._send(p.ws, v.model_dump_json()) for p, v in zip(phones, views))
        )

    async def push_all(self, session_id: int) -> None:
        await asyncio.gather(self.push_presenters(session_id), self.push_phones(session_id))

    async def results_changed(self, session_ids: set[int]) -> None:
        """New answers or participants: refresh the presenters' counts, at most every interval."""
        for sid in session_ids:
            if sid in self._pending or not self.presenters[sid]:
                continue
            self._pending.add(sid)
            task = asyncio.get_running_loop().create_task(self._flush(sid))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _flush(self, session_id: int) -> None:
        wait = self._last[session_id] + self.interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._pending.discard(session_id)  # answers committed from here on trigger a new flush
        self._last[session_id] = time.monotonic()
        participants, results = await asyncio.to_thread(self.store.live_counts, session_id)
        public = None if results is None else ResultsPublic.of(results, revealed=True)
        message = ResultsUpdate(results=public, participants=participants)
        text = message.model_dump_json()
        await asyncio.gather(*(self._send(ws, text) for ws in list(self.presenters[session_id])))
