"""The live server's HTTP and WebSocket routes: `create_app(settings)`; each route a few lines.

Pages:      /  (phones: join, answer)        /presenter#key=SECRET  (the projector)
API:        POST /api/join, POST /api/answer, GET /api/state?token=
Presenter:  GET /api/presenter/state, POST /api/presenter/action, GET /api/presenter/export.csv
            (header X-Presenter-Secret)
Sockets:    /ws/participant?token=...        /ws/presenter (first message {"type":"hello","secret"})
QR code:    /qr/{code}.svg  (the join address for a code, drawn server-side)

Everything stateful is in `Store`; this file validates, rate-limits, and pushes updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Annotated

import qrcode
import qrcode.image.svg
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response, WebSocket
from fastapi.responses import FileResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from pydantic import TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect

from mltutorial.live.deck import load_deck
from mltutorial.live.hub import GroupCommit, Hub, participant_views, presenter_view
from mltutorial.live.schemas import (
    MAX_MESSAGE_BYTES,
    AnswerAck,
    AnswerIn,
    AnswerWithTokenIn,
    JoinIn,
    JoinOut,
    ParticipantMessageIn,
    ParticipantState,
    PingIn,
    PresenterActionIn,
    PresenterHelloIn,
    PresenterState,
    RenameIn,
)
from mltutorial.live.settings import Settings
from mltutorial.live.store import Ack, Participant, SessionInfo, Store, Submission
from mltutorial.live.text import parse_code

STATIC = Path(str(resources.files("mltutorial.live").joinpath("static")))
SECURITY_HEADERS = {
    # No inline script or style, nothing from elsewhere: user text can only ever be text.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
MESSAGES_PER_WINDOW, MESSAGE_WINDOW_S = 30, 10.0  # a phone sends a handful; a script, floods
_participant_message: TypeAdapter[AnswerIn | PingIn | RenameIn] = TypeAdapter(ParticipantMessageIn)


class JoinLimiter:
    """Wrong join codes per client address in a sliding window; past the limit, HTTP 429."""

    def __init__(self, failures: int, window_s: float):
        self.failures = failures
        self.window_s = window_s
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._seen[address]
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def retry_after(self, address: str) -> float:
        """Seconds to wait before the next try, 0 when allowed."""
        now = time.monotonic()
        times = self._recent(address, now)
        if len(times) < self.failures:
            return 0.0
        return max(0.0, times[0] + self.window_s - now)

    def fail(self, address: str) -> None:
        if len(self._seen) > 100_000:  # an address flood must not grow memory without bound
            self._seen.clear()
        self._seen[address].append(time.monotonic())


class Live:
    """What the routes share: settings, store, the answer queue, the socket hub."""

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


def _live(request: Request) -> Live:
    return request.app.state.live


def _presenter(
    request: Request, x_presenter_secret: str = Header(default="", max_length=64)
) -> SessionInfo:
    info = _live(request).store.session_by_secret(x_presenter_secret)
    if info is None:
        raise HTTPException(401, "presenter secret required (the #key=... of the presenter link)")
    return info


Presenter = Annotated[SessionInfo, Depends(_presenter)]


def _participant(live: Live, token: str) -> Participant:
    p = live.store.participant(token)
    if p is None:
        raise HTTPException(404, "unknown participant: join again with the code")
    return p


def _ack(ack: Ack, message_id: str | None) -> AnswerAck:
    return AnswerAck(
        id=message_id,
        ok=ack.ok,
        status=ack.status,
        message=ack.message,
        answer_id=ack.answer_id,
        dropped=list(ack.dropped),
    )


def _qr_svg(data: str) -> str:
    img = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return img.to_string(encoding="unicode")


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The live server for one deck: resumes the deck's unfinished session unless told not to."""
    settings = settings or Settings.from_env()
    owns_store = store is None
    store = store or Store(settings.db, sqlite_synchronous=settings.sqlite_synchronous)
    deck = load_deck(settings.deck)
    if settings.new_session:
        session, resumed = store.create_session(deck), False
    else:
        session, resumed = store.resume_or_create(deck)
    live = Live(settings, store, session, resumed)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        live.queue.start()
        live.joins.start()
        try:
            yield
        finally:
            await live.queue.stop()
            await live.joins.stop()
            if owns_store:
                store.close()

    app = FastAPI(title="mltutorial live", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.live = live
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    # -- pages -----------------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def participant_page() -> FileResponse:
        return FileResponse(STATIC / "participant.html")

    @app.get("/presenter", include_in_schema=False)
    def presenter_page() -> FileResponse:
        return FileResponse(STATIC / "presenter.html")

    @app.get("/qr/{code}.svg", include_in_schema=False)
    def qr_code(code: str, request: Request) -> Response:
        # Drawn for any well-formed code, so it tells nothing about which codes exist.
        if parse_code(code) != code:
            raise HTTPException(404, "not a join code")
        svg = _qr_svg(live.join_url(str(request.base_url), code))
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        # Counters for load tests: how many commits carried how many answers.
        return {"ok": True, "batches": live.queue.batches, "answers": live.queue.items}

    # -- participants ---------------------------------------------------------------------------

    @app.post("/api/join", response_model=JoinOut)
    async def join(body: JoinIn, request: Request) -> JoinOut:
        address = request.client.host if request.client else "?"
        wait = live.limiter.retry_after(address)
        if wait > 0:
            raise HTTPException(
                429, "too many wrong codes: wait a minute", headers={"Retry-After": f"{wait:.0f}"}
            )
        code = parse_code(body.code)
        info = await asyncio.to_thread(store.session_by_code, code) if code else None
        if info is None:
            live.limiter.fail(address)
            raise HTTPException(404, "no session with this code")
        p = None
        if body.token:  # a reload or a second tab: the same participant
            p = await asyncio.to_thread(store.participant, body.token)
            p = p if p is not None and p.session_id == info.session_id else None
        if p is None:
            p = await live.joins.submit((info.session_id, body.nickname))
        return JoinOut(token=p.token, participant_id=p.id, nickname=p.nickname, title=info.title)

    @app.get("/api/state", response_model=ParticipantState)
    def participant_state(token: str) -> ParticipantState:
        p = _participant(live, token)
        return participant_views(store, p.session_id, [p])[0]

    @app.post("/api/answer", response_model=AnswerAck)
    async def answer(body: AnswerWithTokenIn) -> AnswerAck:
        received = time.time()
        p = await asyncio.to_thread(_participant, live, body.token)
        ack = await live.queue.submit(_submission(p, body, received))
        return _ack(ack, body.id)

    # -- presenter ------------------------------------------------------------------------------

    @app.get("/api/presenter/state", response_model=PresenterState)
    def presenter_state(request: Request, info: Presenter) -> PresenterState:
        return presenter_view(
            store, info.session_id, live.join_url(str(request.base_url), info.code)
        )

    @app.post("/api/presenter/action", response_model=PresenterState)
    async def presenter_action(
        body: PresenterActionIn, request: Request, info: Presenter
    ) -> PresenterState:
        try:
            await asyncio.to_thread(store.act, info.session_id, body.action, body.index, body.word)
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        await live.hub.push_all(info.session_id)
        join_url = live.join_url(str(request.base_url), info.code)
        return await asyncio.to_thread(presenter_view, store, info.session_id, join_url)

    @app.get("/api/presenter/export.csv")
    def export_csv(info: Presenter) -> PlainTextResponse:
        return PlainTextResponse(
            store.export_csv(info.session_id),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="live-{info.code}.csv"'},
        )

    # -- sockets --------------------------------------------------------------------------------

    @app.websocket("/ws/participant")
    async def participant_socket(ws: WebSocket, token: str = "") -> None:
        await ws.accept()
        p = await asyncio.to_thread(store.participant, token[:64])
        if p is None:
            await ws.close(code=4404, reason="unknown participant: join again")
            return
        live.hub.add_phone(ws, p)
        try:
            view = (await asyncio.to_thread(participant_views, store, p.session_id, [p]))[0]
            await ws.send_text(view.model_dump_json())
            recent: deque[float] = deque(maxlen=MESSAGES_PER_WINDOW)
            while True:
                text = await ws.receive_text()
                received = time.time()
                if len(text) > MAX_MESSAGE_BYTES:
                    await ws.close(code=1009, reason="message too large")
                    return
                recent.append(received)
                if len(recent) == recent.maxlen and received - recent[0] < MESSAGE_WINDOW_S:
                    await ws.close(code=1008, reason="too many messages")
                    return
                try:
                    message = _participant_message.validate_json(text)
                except ValidationError as exc:
                    error = exc.errors()[0]
                    await ws.send_json({"type": "error", "message": error.get("msg", "invalid")})
                    continue
                if isinstance(message, AnswerIn):
                    ack = await live.queue.submit(_submission(p, message, received))
                    await ws.send_text(_ack(ack, message.id).model_dump_json())
                elif isinstance(message, RenameIn):
                    name = await asyncio.to_thread(store.rename, p.id, message.nickname)
                    p = Participant(p.id, p.session_id, p.token, name)
                    live.hub.add_phone(ws, p)
                    await ws.send_json({"type": "renamed", "nickname": name})
                else:
                    await ws.send_json({"type": "pong"})
        except WebSocketDisconnect:
            pass
        finally:
            live.hub.remove(p.session_id, ws)

    @app.websocket("/ws/presenter")
    async def presenter_socket(ws: WebSocket) -> None:
        await ws.accept()
        try:
            hello = PresenterHelloIn.model_validate_json(
                await asyncio.wait_for(ws.receive_text(), 10)
            )
        except (ValidationError, TimeoutError, WebSocketDisconnect):
            await ws.close(code=4400, reason="first message must be a hello with the secret")
            return
        info = await asyncio.to_thread(store.session_by_secret, hello.secret)
        if info is None:
            await ws.close(code=4401, reason="wrong presenter secret")
            return
        join_url = live.join_url(f"http://{ws.url.netloc}/", info.code)
        live.hub.add_presenter(info.session_id, ws, join_url)
        try:
            view = await asyncio.to_thread(presenter_view, store, info.session_id, join_url)
            await ws.send_text(view.model_dump_json())
            while True:
                text = await ws.receive_text()
                if len(text) > MAX_MESSAGE_BYTES:
                    await ws.close(code=1009)
                    return
                await ws.send_json({"type": "pong"})
        except WebSocketDisconnect:
            pass
        finally:
            live.hub.remove(info.session_id, ws)

    return app


def _submission(p: Participant, message: AnswerIn, received: float) -> Submission:
    return Submission(
        participant_id=p.id,
        session_id=p.session_id,
        q_index=message.q,
        choice=message.choice,
        words=tuple(message.words),
        received_at=received,
    )
