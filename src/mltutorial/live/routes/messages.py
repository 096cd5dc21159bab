"""Between the wire and the store: an incoming answer as a `Submission`, an `Ack` as the reply."""

from __future__ import annotations

import asyncio

from mltutorial.live.schemas import AnswerAck, AnswerIn
from mltutorial.live.store import Ack, Participant, Store, Submission
from mltutorial.live.views import participant_views


def submission(p: Participant, message: AnswerIn, received: float) -> Submission:
    return Submission(
        participant_id=p.id,
        session_id=p.session_id,
        q_index=message.q,
        choice=message.choice,
        words=tuple(message.words),
        received_at=received,
    )


def ack_out(ack: Ack, message_id: str | None) -> AnswerAck:
    return AnswerAck(
        id=message_id,
        ok=ack.ok,
        status=ack.status,
        message=ack.message,
        answer_id=ack.answer_id,
        dropped=list(ack.dropped),
    )


async def reply(store: Store, p: Participant, ack: Ack, message_id: str | None) -> AnswerAck:
    """The ack to send; a duplicate carries the answer stored before (another tab's, say)."""
    out = ack_out(ack, message_id)
    if ack.status == "duplicate":
        view = await asyncio.to_thread(participant_views, store, p.session_id, [p])
        out.mine = view[0].my_answer
    return out
