"""The sockets: /ws/participant?token=... (answers, renames, pings) and /ws/presenter (pushes).

The presenter's first message is {"type": "hello", "secret": ...}; a wrong secret closes with 4401.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from fastapi import APIRouter, WebSocket
from pydantic import TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect

from mltutorial.live.routes.deps import LiveDep
from mltutorial.live.routes.messages import ack_out, submission
from mltutorial.live.schemas import (
    MAX_MESSAGE_BYTES,
    AnswerIn,
    ParticipantMessageIn,
    PingIn,
    PresenterHelloIn,
    RenameIn,
)
from mltutorial.live.store import Participant
from mltutorial.live.views import participant_views, presenter_view

MESSAGES_PER_WINDOW, MESSAGE_WINDOW_S = 30, 10.0  # a phone sends a handful; a script, floods
_participant_message: TypeAdapter[AnswerIn | PingIn | RenameIn] = TypeAdapter(ParticipantMessageIn)

router = APIRouter(prefix="/ws")


@router.websocket("/participant")
async def participant_socket(ws: WebSocket, live: LiveDep, token: str = "") -> None:
    store = live.store
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
                ack = await live.queue.submit(submission(p, message, received))
                await ws.send_text(ack_out(ack, message.id).model_dump_json())
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


@router.websocket("/presenter")
async def presenter_socket(ws: WebSocket, live: LiveDep) -> None:
    store = live.store
    await ws.accept()
    try:
        hello = PresenterHelloIn.model_validate_json(await asyncio.wait_for(ws.receive_text(), 10))
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
