"""The sockets: /ws/participant?token=... (answers, renames, pings) and /ws/presenter (pushes).

The presenter's first message is {"type": "hello", "secret": ...}; a wrong secret closes with 4401.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from fastapi import APIRouter, WebSocket
from pydantic import TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect

from mltutorial.live.routes.deps import LiveDep
from mltutorial.live.routes.messages import reply, submission
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
UNSUPPORTED_DATA = 1003  # RFC 6455: a binary frame where only text is spoken
INVALID_PAYLOAD = 1007  # RFC 6455: a text frame that is not UTF-8 (uvicorn closes with it)
log = logging.getLogger("mltutorial.live")
_participant_message: TypeAdapter[AnswerIn | PingIn | RenameIn] = TypeAdapter(ParticipantMessageIn)

router = APIRouter(prefix="/ws")


class SocketClosed(Exception):
    """The socket was closed (by the peer, or by us for a bad frame): stop serving it."""


async def receive_text(ws: WebSocket, who: str) -> str:
    """The next text message; a binary frame closes the socket with 1003 and one log line."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise SocketClosed
    text = message.get("text")
    if text is None:
        peer = ws.client.host if ws.client else "?"
        log.warning("closed a %s socket from %s: binary frame (1003)", who, peer)
        await ws.close(code=UNSUPPORTED_DATA, reason="text frames only")
        raise SocketClosed
    return text


class InvalidUtf8OneLine(logging.Filter):
    """uvicorn logs a text frame that is not UTF-8 with a traceback; say it in one line instead.

    uvicorn has already closed that socket with 1007 and told the route it disconnected."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and "Invalid UTF-8" in record.getMessage():
            record.msg = f"closed a socket: text frame not UTF-8 ({INVALID_PAYLOAD})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, InvalidUtf8OneLine) for f in logger.filters):
        logger.addFilter(InvalidUtf8OneLine())


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
            text = await receive_text(ws, "participant")
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
                out = await reply(store, p, ack, message.id)
                await ws.send_text(out.model_dump_json(exclude=None if out.mine else {"mine"}))
            elif isinstance(message, RenameIn):
                name = await asyncio.to_thread(store.rename, p.id, message.nickname)
                p = Participant(p.id, p.session_id, p.token, name)
                live.hub.add_phone(ws, p)
                await ws.send_json({"type": "renamed", "nickname": name})
            else:
                await ws.send_json({"type": "pong"})
    except (WebSocketDisconnect, SocketClosed):
        pass
    finally:
        live.hub.remove(p.session_id, ws)


@router.websocket("/presenter")
async def presenter_socket(ws: WebSocket, live: LiveDep) -> None:
    store = live.store
    await ws.accept()
    try:
        hello = PresenterHelloIn.model_validate_json(
            await asyncio.wait_for(receive_text(ws, "presenter"), 10)
        )
    except SocketClosed:
        return
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
            text = await receive_text(ws, "presenter")
            if len(text) > MAX_MESSAGE_BYTES:
                await ws.close(code=1009)
                return
            await ws.send_json({"type": "pong"})
    except (WebSocketDisconnect, SocketClosed):
        pass
    finally:
        live.hub.remove(info.session_id, ws)
