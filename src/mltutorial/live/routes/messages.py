"""Between the wire and the store: an incoming answer as a `Submission`, an `Ack` as the reply."""

from __future__ import annotations

from mltutorial.live.schemas import AnswerAck, AnswerIn
from mltutorial.live.store import Ack, Participant, Submission


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
