"""`Live`: what the routes share for one running server: settings, store, session, queues, hub.

One `Live` is made by `create_app` and kept on `app.state.live`; routes reach it (and its parts)
through the typed dependencies in `routes/deps.py`.
"""

from __future__ import annotations

from mltutorial.live.commit import GroupCommit
from mltutorial.live.hub import Hub
from mltutorial.live.limiter import JoinLimiter, parse_proxies
from mltutorial.live.settings import Settings
from mltutorial.live.store import Ack, Participant, SessionInfo, Store, Submission


class Live:
    """What the routes share: settings, store, the answer and join queues, the socket hub."""

    def __init__(self, settings: Settings, store: Store, session: SessionInfo, resumed: bool):
        self.settings = settings
        self.store = store
        self.session = session  # the session this server was started for
        self.resumed = resumed
        self.hub = Hub(store, settings.presenter_interval_s)
        self.queue: GroupCommit[Submission, Ack] = GroupCommit(
            store.submit_many, settings.batch_max, self._answers_committed
        )
        self.joins: GroupCommit[tuple[int, str], Participant] = GroupCommit(
            store.join_many, settings.batch_max, self._joined
        )
        self.limiter = JoinLimiter(settings.join_failures, settings.join_window_s)
        self.proxies = parse_proxies(settings.trusted_proxies)

    async def start(self) -> None:
        self.queue.start()
        self.joins.start()

    async def stop(self) -> None:
        await self.queue.stop()
        await self.joins.stop()

    async def _answers_committed(self, items: list[Submission], acks: list[Ack]) -> None:
        changed = {
            i.session_id for i, a in zip(items, acks) if a is not None and a.status == "received"
        }
        if changed:
            await self.hub.results_changed(changed)

    async def _joined(self, items: list[tuple[int, str]], _people: list[Participant]) -> None:
        await self.hub.results_changed({session_id for session_id, _ in items})

    def base_url(self, request_base: str) -> str:
        return (self.settings.public_url or request_base).rstrip("/")

    def join_url(self, request_base: str, code: str) -> str:
        return f"{self.base_url(request_base)}/?code={code}"
