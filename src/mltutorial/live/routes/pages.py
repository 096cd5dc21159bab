"""Pages: the phone's page, the projector's page, the join QR code, the health counters."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse

from mltutorial.live.routes.deps import LiveDep
from mltutorial.live.text import parse_code

STATIC = Path(str(resources.files("mltutorial.live").joinpath("static")))

router = APIRouter(include_in_schema=False)


def qr_svg(data: str) -> str:
    img = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return img.to_string(encoding="unicode")


@router.get("/")
def participant_page() -> FileResponse:
    return FileResponse(STATIC / "participant.html")


@router.get("/presenter")
def presenter_page() -> FileResponse:
    return FileResponse(STATIC / "presenter.html")


@router.get("/qr/{code}.svg")
def qr_code(code: str, request: Request, live: LiveDep) -> Response:
    # Drawn for any well-formed code, so it tells nothing about which codes exist.
    if parse_code(code) != code:
        raise HTTPException(404, "not a join code")
    svg = qr_svg(live.join_url(str(request.base_url), code))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


@router.get("/healthz")
def healthz(live: LiveDep) -> dict:
    # Counters for load tests: how many commits carried how many answers.
    return {"ok": True, "batches": live.queue.batches, "answers": live.queue.items}
