"""The routes' typed dependencies: `LiveDep`, `StoreDep`, `SettingsDep`, `Presenter`,
`ClientAddress`.

    @router.get("/api/presenter/state")
    def presenter_state(info: Presenter, store: StoreDep) -> PresenterState: ...

A route names what it needs in its signature; FastAPI fills it in per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException
from starlette.requests import HTTPConnection

from mltutorial.live.context import Live
from mltutorial.live.limiter import client_address
from mltutorial.live.settings import Settings
from mltutorial.live.store import Participant, SessionInfo, Store


def get_live(conn: HTTPConnection) -> Live:
    """The server's shared state (HTTP routes and sockets alike)."""
    return conn.app.state.live


LiveDep = Annotated[Live, Depends(get_live)]


def get_store(live: LiveDep) -> Store:
    return live.store


def get_settings(live: LiveDep) -> Settings:
    return live.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_client_address(conn: HTTPConnection, live: LiveDep) -> str:
    """Who is asking, for throttling: the peer, or behind a named proxy its X-Forwarded-For."""
    return client_address(conn, live.proxies)


ClientAddress = Annotated[str, Depends(get_client_address)]


def get_presenter(
    store: StoreDep, x_presenter_secret: str = Header(default="", max_length=64)
) -> SessionInfo:
    """The session whose presenter secret came in the X-Presenter-Secret header; else 401."""
    info = store.session_by_secret(x_presenter_secret)
    if info is None:
        raise HTTPException(401, "presenter secret required (the #key=... of the presenter link)")
    return info


Presenter = Annotated[SessionInfo, Depends(get_presenter)]


def participant_or_404(store: Store, token: str) -> Participant:
    p = store.participant(token)
    if p is None:
        raise HTTPException(404, "unknown participant: join again with the code")
    return p
