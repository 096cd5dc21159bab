"""The presenter over HTTP (header X-Presenter-Secret): state, actions, the CSV export."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse

from mltutorial.live.routes.deps import LiveDep, Presenter, StoreDep
from mltutorial.live.schemas import PresenterActionIn, PresenterState
from mltutorial.live.views import presenter_view

router = APIRouter(prefix="/api/presenter")


@router.get("/state", response_model=PresenterState)
def presenter_state(request: Request, info: Presenter, live: LiveDep) -> PresenterState:
    join_url = live.join_url(str(request.base_url), info.code)
    return presenter_view(live.store, info.session_id, join_url)


@router.post("/action", response_model=PresenterState)
async def presenter_action(
    body: PresenterActionIn, request: Request, info: Presenter, live: LiveDep
) -> PresenterState:
    store = live.store
    try:
        await asyncio.to_thread(store.act, info.session_id, body.action, body.index, body.word)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    await live.hub.push_all(info.session_id)
    join_url = live.join_url(str(request.base_url), info.code)
    return await asyncio.to_thread(presenter_view, store, info.session_id, join_url)


@router.get("/export.csv")
def export_csv(info: Presenter, store: StoreDep) -> PlainTextResponse:
    return PlainTextResponse(
        store.export_csv(info.session_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="live-{info.code}.csv"'},
    )
