"""The live server as a FastAPI app: `create_app(settings)` opens the store and includes the routers.

Pages:      /  (phones: join, answer)        /presenter#key=SECRET  (the projector)
API:        POST /api/join, POST /api/answer, GET /api/state?token=
Presenter:  GET /api/presenter/state, POST /api/presenter/action, GET /api/presenter/export.csv
            (header X-Presenter-Secret)
Sockets:    /ws/participant?token=...        /ws/presenter (first message {"type":"hello","secret"})
QR code:    /qr/{code}.svg  (the join address for a code, drawn server-side)

The routes live in `routes/`, one module per resource; what they share is a `Live` (context.py);
everything stateful is in `Store`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles

from mltutorial.live.context import Live
from mltutorial.live.deck import load_deck
from mltutorial.live.routes import ROUTERS
from mltutorial.live.routes.pages import STATIC
from mltutorial.live.routes.sockets import install_log_filter
from mltutorial.live.settings import Settings
from mltutorial.live.store import Store

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


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    extra_routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """The live server for one deck: resumes the deck's unfinished session unless told not to.

    `extra_routers` are included after the live ones (a feature built on this server adds its
    own resources this way, with the same dependencies)."""
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
        await live.start()
        try:
            yield
        finally:
            await live.stop()
            if owns_store:
                store.close()

    install_log_filter()
    app = FastAPI(title="mltutorial live", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.live = live
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.middleware("http")(security_headers)
    for router in (*ROUTERS, *extra_routers):
        app.include_router(router)
    return app


async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
    response = await call_next(request)
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response
