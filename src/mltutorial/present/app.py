"""The present server: the live server (`live.create_app`) plus the slides' own routes.

Pages:   /talk#key=SECRET     the projector: one slide at a time; a question slide is the live screen
         /speaker#key=SECRET  the speaker view: current and next slide, notes, clock, controls
API:     GET  /api/present/slides      every slide rendered, with notes (X-Presenter-Secret)
         POST /api/present/goto        {"index": N}: put slide N on screen (X-Presenter-Secret)
         GET  /api/present/progress    chapters still computing
         GET  /api/present/handout.html  the handout, one file (X-Presenter-Secret)
         GET  /api/present/figure/{chapter}/{n}, /api/present/image/{slide}/{key}

The slide position lives in the store with the session (`Store.move_slide`): every presenter
window, the speaker view and the phones follow it through the live server's pushes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from mltutorial.live.app import create_app
from mltutorial.live.routes.deps import LiveDep, Presenter
from mltutorial.live.settings import Settings
from mltutorial.live.views import presenter_view
from mltutorial.present.render import Renderer, image_key
from mltutorial.present.report import Report
from mltutorial.present.slides import Talk

STATIC = Path(str(resources.files("mltutorial.present").joinpath("static")))


@dataclass
class Presentation:
    """The talk being given: its slides, the report they draw on, the session it runs in."""

    talk: Talk
    report: Report
    session_id: int

    def slides_json(self, with_notes: bool) -> dict:
        renderer = Renderer(self.report)
        slides = []
        for s in self.talk.slides:
            q = s.question
            slides.append(
                {
                    "index": s.index,
                    "title": s.title,
                    "html": renderer.slide(s),
                    "notes": s.notes if with_notes else "",
                    "question": q,
                    "chapters": s.chapters,
                }
            )
        return {
            "title": self.talk.title,
            "slides": slides,
            "progress": self.report.progress(),
        }

    def move(self, store, index: int):  # type: ignore[no-untyped-def]
        s = self.talk.slides[index]
        return store.move_slide(self.session_id, index, len(self.talk.slides), s.title, s.question)


class GotoIn(BaseModel):
    index: int = Field(ge=0, le=10_000)


router = APIRouter(include_in_schema=False)


def _present(request: Request) -> Presentation:
    return request.app.state.present


@router.get("/talk")
def talk_page() -> FileResponse:
    return FileResponse(STATIC / "talk.html")


@router.get("/speaker")
def speaker_page() -> FileResponse:
    return FileResponse(STATIC / "speaker.html")


@router.get("/api/present/slides")
def slides(request: Request, info: Presenter) -> dict:
    p = _present(request)
    if info.session_id != p.session_id:
        raise HTTPException(404, "this session has no slides")
    return p.slides_json(with_notes=True)


@router.get("/api/present/progress")
def progress(request: Request) -> dict:
    return _present(request).report.progress()


@router.post("/api/present/goto")
async def goto(body: GotoIn, request: Request, info: Presenter, live: LiveDep) -> dict:
    p = _present(request)
    if info.session_id != p.session_id:
        raise HTTPException(404, "this session has no slides")
    if body.index >= len(p.talk.slides):
        raise HTTPException(409, f"no slide {body.index + 1}: the talk has {len(p.talk.slides)}")
    try:
        await asyncio.to_thread(p.move, live.store, body.index)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    await live.hub.push_all(info.session_id)
    join_url = live.join_url(str(request.base_url), info.code)
    view = await asyncio.to_thread(presenter_view, live.store, info.session_id, join_url)
    return view.model_dump()


@router.get("/api/present/figure/{chapter}/{n}")
def figure(chapter: str, n: int, request: Request) -> FileResponse:
    path = _present(request).report.figure(chapter, n)
    if path is None:
        raise HTTPException(404, "no such figure (yet)")
    return FileResponse(path, headers={"Cache-Control": "no-cache"})


@router.get("/api/present/image/{index}/{key}")
def image(index: int, key: str, request: Request) -> FileResponse:
    slides = _present(request).talk.slides
    if not 0 <= index < len(slides):
        raise HTTPException(404, "no such slide")
    for target, path in slides[index].images.items():
        if image_key(target) == key:
            return FileResponse(path)
    raise HTTPException(404, "no such image")


@router.get("/api/present/handout.html")
def handout(request: Request, info: Presenter, live: LiveDep) -> Response:
    from mltutorial.present.handout import handout_html

    p = _present(request)
    text = handout_html(p.talk, p.report, live.store, info.session_id)
    return HTMLResponse(
        text, headers={"Content-Disposition": 'attachment; filename="handout.html"'}
    )


def create_present_app(settings: Settings, talk: Talk, report: Report) -> FastAPI:
    """The live server with the slides' routes; the session resumes on its stored slide."""
    app = create_app(settings, extra_routers=[router])
    live = app.state.live
    first = talk.slides[0]
    live.store.start_slides(live.session.session_id, len(talk.slides), first.title, first.question)
    pos = live.store.slide_position(live.session.session_id)
    presentation = Presentation(talk, report, live.session.session_id)
    if pos is not None and (pos.total != len(talk.slides) or pos.index >= len(talk.slides)):
        presentation.move(live.store, min(pos.index, len(talk.slides) - 1))  # the file changed
    app.state.present = presentation
    app.mount("/present-static", StaticFiles(directory=STATIC), name="present-static")
    if any(d.name == "playground" for sl in talk.slides for d in sl.directives):
        from mltutorial.playground import create_router

        app.include_router(create_router(), prefix="/playground")
        app.middleware("http")(_playground_in_a_frame)
    return app


async def _playground_in_a_frame(request: Request, call_next):  # type: ignore[no-untyped-def]
    # The playground's page sets frame-ancestors 'self'; the live server's DENY would still forbid
    # the slide's frame of it, so its pages may be framed by this same origin only.
    response = await call_next(request)
    if request.url.path.startswith("/playground/"):
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
