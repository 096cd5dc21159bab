"""The live server's routes, one router per resource, in the order `create_app` includes them.

    pages         /  /presenter  /qr/{code}.svg  /healthz
    participants  POST /api/join  GET /api/state  POST /api/answer
    presenter     /api/presenter/{state,action,export.csv}   (header X-Presenter-Secret)
    sockets       /ws/participant?token=...  /ws/presenter

A new resource (the slides of `mltutorial present`, say) is a new module with its own `router`,
added to ROUTERS; shared needs go through the typed dependencies in `deps.py`.
"""

from __future__ import annotations

from fastapi import APIRouter

from mltutorial.live.routes import pages, participants, presenter, sockets

ROUTERS: tuple[APIRouter, ...] = (
    pages.router,
    participants.router,
    presenter.router,
    sockets.router,
)

__all__ = ["ROUTERS"]
