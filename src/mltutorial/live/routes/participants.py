"""Participants over HTTP: join with the code, read one's state, answer (the sockets do the same)."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, HTTPException

from mltutorial.live.routes.deps import ClientAddress, LiveDep, StoreDep, participant_or_404
from mltutorial.live.routes.messages import reply, submission
from mltutorial.live.schemas import AnswerAck, AnswerWithTokenIn, JoinIn, JoinOut, ParticipantState
from mltutorial.live.text import parse_code
from mltutorial.live.views import participant_views

router = APIRouter(prefix="/api")


@router.post("/join", response_model=JoinOut)
async def join(body: JoinIn, live: LiveDep, address: ClientAddress) -> JoinOut:
    store, limiter = live.store, live.limiter
    code = parse_code(body.code)
    if not (code and limiter.knows(address, code)):
        wait = limiter.retry_after(address)
        if wait > 0:  # too many wrong codes from here: not even looked up
            raise HTTPException(
                429, "too many wrong codes: wait a minute", headers={"Retry-After": f"{wait:.0f}"}
            )
    info = await asyncio.to_thread(store.session_by_code, code) if code else None
    if info is None:
        limiter.fail(address)
        raise HTTPException(404, "no session with this code")
    limiter.joined(address, info.code)
    p = None
    if body.token:  # a reload or a second tab: the same participant
        p = await asyncio.to_thread(store.participant, body.token)
        p = p if p is not None and p.session_id == info.session_id else None
    if p is None:
        p = await live.joins.submit((info.session_id, body.nickname))
    return JoinOut(token=p.token, participant_id=p.id, nickname=p.nickname, title=info.title)


@router.get("/state", response_model=ParticipantState)
def participant_state(token: str, store: StoreDep) -> ParticipantState:
    p = participant_or_404(store, token)
    return participant_views(store, p.session_id, [p])[0]


@router.post("/answer", response_model=AnswerAck)
async def answer(body: AnswerWithTokenIn, live: LiveDep) -> AnswerAck:
    received = time.time()
    p = await asyncio.to_thread(participant_or_404, live.store, body.token)
    ack = await live.queue.submit(submission(p, body, received))
    return await reply(live.store, p, ack, body.id)
