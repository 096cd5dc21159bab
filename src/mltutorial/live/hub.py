"""The WebSocket hub: the open presenter and participant sockets of each session, and the pushes.

After a commit it tells the presenters the new count (coalesced to one update per
`presenter_interval_s`); after a presenter action it sends every phone its own view of the new state.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass

from starlette.websockets import WebSocket

from mltutorial.live.schemas import ResultsPublic, ResultsUpdate
from mltutorial.live.store import Participant, Store
from mltutorial.live.views import participant_views, presenter_view

SEND_TIMEOUT_S = 5.0  # a phone that cannot take a message in this time is dropped


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
        # One push at a time per session: each reads the state inside the lock, so the last push
        # sent is never older than one sent before it (quick slide changes arrive in order).
        self._push_locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

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
            async with asyncio.timeout(SEND_TIMEOUT_S):  # no task per send, unlike wait_for
                await ws.send_text(text)
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
        async with self._push_locks[session_id]:
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
