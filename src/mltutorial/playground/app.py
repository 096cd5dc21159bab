"""The playground's HTTP and WebSocket routes: `create_router(settings)`, `create_app(settings)`.

Mount the router anywhere (`mltutorial present` puts it under a slide); every URL in the page is
relative, so it works under any prefix.

Page:     /                    the playground (static/index.html, app.js, style.css)
API:      GET  api/props        the state table (one row per control)
          GET  api/state?hash=  the state a URL hash describes, or 422 naming the bad control
          POST api/upload       a CSV (x1, x2, label-or-value): 413 when too large, 422 when malformed
          GET  api/preset?hash= a preset's numbers (gradient_descent, worst_case, ...)
Socket:   ws                    one training session per tab: {"type": "state", "hash"}, play, pause,
                                step, reset, {"type": "upload", "id"}; answers setup and frame messages

Training runs in a worker thread, one step per update and at most `max_updates_per_s` updates a
second per tab; at most `max_sessions` tabs train at once; a tab silent for `idle_s` is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request, WebSocket
from fastapi.responses import FileResponse
from starlette.websockets import WebSocketDisconnect

from mltutorial.playground import presets
from mltutorial.playground.datasets import DataError, parse_csv
from mltutorial.playground.session import Session, Upload
from mltutorial.playground.settings import Settings
from mltutorial.playground.state import State, StateError

STATIC = Path(str(resources.files("mltutorial.playground").joinpath("static")))
STATIC_FILES = {"app.js", "draw.js", "presets.js", "style.css"}
SECURITY_HEADERS = {
    # The live pages' policy: no inline script or style, nothing from elsewhere.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The engine's no_grad switch is process-wide, so two threads must never run it at once; the GIL
# would serialise them anyway, so one lock costs nothing.
ENGINE_LOCK = threading.Lock()
MAX_MESSAGE_BYTES = 4096  # a state hash is a few hundred bytes
MAX_HASH_CHARS = 2000


def _locked(fn: Callable, *args: object) -> object:
    with ENGINE_LOCK:
        return fn(*args)


async def _engine(fn: Callable, *args: object):
    """Run engine work in a worker thread, one piece of work at a time."""
    return await asyncio.to_thread(_locked, fn, *args)


class Playground:
    """What the routes share: settings, the uploads kept in memory, the count of live sessions."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.uploads: OrderedDict[str, Upload] = OrderedDict()
        self.sessions = 0
        self.preset_slots = asyncio.Semaphore(2)  # presets train models: two at a time

    def add_upload(self, upload: Upload, raw: bytes) -> str:
        key = hashlib.sha256(raw).hexdigest()[:16]
        self.uploads[key] = upload
        self.uploads.move_to_end(key)
        while len(self.uploads) > self.settings.max_uploads:
            self.uploads.popitem(last=False)
        return key


def _state(text: str) -> State:
    if len(text) > MAX_HASH_CHARS:
        raise StateError(f"the state is longer than {MAX_HASH_CHARS} characters")
    return State.from_hash(text)


def _preset(state: State) -> dict:
    name = state["preset"]
    if name == "gradient_descent":
        return presets.gradient_descent(state["lr"])
    if name == "worst_case":
        return presets.worst_case(state["lr"])
    if name == "universal_approximation":
        return presets.universal_approximation(int(state["neurons"]))
    if name == "convolution":
        return presets.convolution(state["filter"], state["image"])
    raise StateError(
        "no preset chosen: add preset=gradient_descent (or worst_case, ...) to the link"
    )


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the file is {int(declared):,} bytes; the limit is {limit:,}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"the file is larger than the limit of {limit:,} bytes")
    return bytes(body)


def create_router(settings: Settings | None = None) -> APIRouter:
    """The playground's routes; `router.playground` is the shared state (for tests)."""
    settings = settings or Settings.from_env()
    pg = Playground(settings)
    router = APIRouter()
    router.playground = pg  # type: ignore[attr-defined]

    @router.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)

    @router.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        if name not in STATIC_FILES:
            raise HTTPException(404, "no such file")
        return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})

    @router.get("/api/props")
    def props() -> dict:
        from mltutorial.playground.state import props_public

        return {"props": props_public(), "defaults": State().public()}

    @router.get("/api/state")
    def state(hash: str = "") -> dict:
        try:
            s = _state(hash)
        except StateError as exc:
            raise HTTPException(422, str(exc)) from None
        return {"state": s.public(), "hash": s.to_hash()}

    @router.post("/api/upload")
    async def upload(request: Request) -> dict:
        raw = await _read_limited(request, settings.max_upload_bytes)
        try:
            X, y, problem = parse_csv(raw)
        except DataError as exc:
            raise HTTPException(422, f"bad CSV: {exc}") from None
        name = re.sub(r"[^\w.\- ]", "", request.headers.get("x-filename", "upload.csv"))[:80]
        key = pg.add_upload(Upload(X, y, problem, name or "upload.csv"), raw)
        return {"id": key, "n": len(y), "problem": problem, "name": name}

    @router.get("/api/preset")
    async def preset(hash: str = "") -> dict:
        try:
            s = _state(hash)
        except StateError as exc:
            raise HTTPException(422, str(exc)) from None
        async with pg.preset_slots:
            try:
                return await _engine(_preset, s)
            except StateError as exc:
                raise HTTPException(422, str(exc)) from None

    @router.websocket("/ws")
    async def socket(ws: WebSocket) -> None:
        await ws.accept()
        if pg.sessions >= settings.max_sessions:
            await ws.send_json({"type": "error", "message": "the server is full: try again soon"})
            await ws.close(code=1013, reason="too many sessions")
            return
        pg.sessions += 1
        try:
            await _serve(ws, pg)
        except WebSocketDisconnect:
            pass
        finally:
            pg.sessions -= 1

    return router


async def _serve(ws: WebSocket, pg: Playground) -> None:
    """One tab: read its messages in a task, train while playing, close when idle."""
    settings = pg.settings
    inbox: asyncio.Queue[str | None] = asyncio.Queue(maxsize=64)

    async def read() -> None:
        try:
            while True:
                await inbox.put(await ws.receive_text())
        except (WebSocketDisconnect, RuntimeError):
            await inbox.put(None)

    reader = asyncio.create_task(read())
    session: Session | None = None
    upload: Upload | None = None
    playing = False
    interval = 1.0 / settings.max_updates_per_s
    last_message = last_update = time.monotonic()
    try:
        while True:
            now = time.monotonic()
            if now - last_message > settings.idle_s:
                await ws.send_json(
                    {"type": "ended", "message": "session ended after idling: reload"}
                )
                await ws.close(code=4408, reason="idle")
                return
            if playing and session is not None:
                wait = max(0.0, last_update + interval - now)
            else:
                wait = settings.idle_s - (now - last_message) + 0.01
            try:
                # a message waiting comes first: wait_for(..., timeout=0) would time out before
                # inbox.get() ever ran, so a tab whose updates fall behind could never pause
                if not inbox.empty():
                    text = inbox.get_nowait()
                elif wait <= 0:
                    raise TimeoutError
                else:
                    text = await asyncio.wait_for(inbox.get(), timeout=wait)
            except TimeoutError:
                if playing and session is not None:
                    last_update = time.monotonic()
                    ok = await _engine(session.step)
                    await ws.send_text(json.dumps(await _engine(session.frame)))
                    if not ok:
                        playing = False
                        await ws.send_json({"type": "paused"})
                continue
            if text is None:
                return
            last_message = time.monotonic()
            if len(text) > MAX_MESSAGE_BYTES:
                await ws.close(code=1009, reason="message too large")
                return
            try:
                message = json.loads(text)
                kind = message.get("type") if isinstance(message, dict) else None
            except json.JSONDecodeError:
                kind, message = None, {}
            try:
                if kind == "state":
                    state = _state(str(message.get("hash", "")))
                    if session is None:
                        session = await _engine(Session, state, upload)
                        restarted = True
                    else:
                        restarted = await _engine(session.set_state, state)
                    if restarted:
                        await ws.send_text(json.dumps(session.setup()))
                        await ws.send_text(json.dumps(await _engine(session.frame)))
                    else:
                        await ws.send_json({"type": "state", "hash": state.to_hash()})
                elif kind == "upload":
                    found = pg.uploads.get(str(message.get("id", "")))
                    if found is None:
                        raise StateError("that upload is gone from the server: upload it again")
                    upload = found
                    if session is not None:
                        session.upload = upload
                        if session.state["dataset"] == "upload":
                            await _engine(session.reset)
                            await ws.send_text(json.dumps(session.setup()))
                            await ws.send_text(json.dumps(await _engine(session.frame)))
                    await ws.send_json({"type": "uploaded", "name": upload.name})
                elif session is None:
                    raise StateError("send the state first")
                elif kind in ("play", "pause"):
                    playing = kind == "play" and session.diverged is None
                    await ws.send_json({"type": "playing" if playing else "paused"})
                elif kind == "step":
                    playing = False
                    await _engine(session.step)
                    await ws.send_text(json.dumps(await _engine(session.frame)))
                elif kind == "reset":
                    await _engine(session.reset)
                    await ws.send_text(json.dumps(session.setup()))
                    await ws.send_text(json.dumps(await _engine(session.frame)))
                else:
                    raise StateError(f"unknown message type {kind!r}")
            except (StateError, ValueError) as exc:
                await ws.send_json({"type": "error", "message": str(exc)})
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader


def create_app(settings: Settings | None = None) -> FastAPI:
    """The playground alone, at the root of its own server."""
    settings = settings or Settings.from_env()
    app = FastAPI(title="mltutorial playground", docs_url=None, redoc_url=None, openapi_url=None)
    router = create_router(settings)
    app.state.playground = router.playground  # type: ignore[attr-defined]
    app.include_router(router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    return app
