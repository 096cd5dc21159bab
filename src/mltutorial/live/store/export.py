"""Export: every answer of a session as CSV (old rounds and removed words included)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import and_, select

from mltutorial.live import db
from mltutorial.live.store.base import StoreBase


def _csv_safe(value: object) -> object:
    """Keep spreadsheets from running an answer as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class Export(StoreBase):
    """The session's answers as CSV, for the presenter to keep."""

    def export_csv(self, session_id: int) -> str:
        """Every answer of the session (old generations and removed words included), as CSV."""
        deck = self.deck(session_id)
        a, p, w, qs = db.answers, db.participants, db.words, db.question_state
        with self._read() as conn:
            rows = conn.execute(
                select(a, p.c.nickname, qs.c.generation.label("current_generation"))
                .join(p, a.c.participant_id == p.c.id)
                .join(qs, and_(qs.c.session_id == a.c.session_id, qs.c.q_index == a.c.q_index))
                .where(a.c.session_id == session_id)
                .order_by(a.c.q_index, a.c.id)
            ).all()
            word_rows: dict[int, list] = {}
            for wr in conn.execute(
                select(w.c.answer_id, w.c.raw, w.c.word)
                .where(w.c.session_id == session_id)
                .order_by(w.c.answer_id, w.c.slot)
            ):
                word_rows.setdefault(wr.answer_id, []).append(wr)
            removed = {
                (r.q_index, r.word)
                for r in conn.execute(
                    select(db.removed_words).where(db.removed_words.c.session_id == session_id)
                )
            }
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(
            [
                "question",
                "prompt",
                "type",
                "reset_round",
                "current_round",
                "participant",
                "nickname",
                "answer",
                "counted_as",
                "removed_by_presenter",
                "correct",
                "points",
                "seconds",
                "answered_at_utc",
            ]
        )
        for r in rows:
            m = r._mapping
            q = deck.questions[m["q_index"]]
            stamp = datetime.fromtimestamp(m["created_at"], UTC).isoformat(timespec="milliseconds")
            head = [
                m["q_index"] + 1,
                q.prompt,
                q.type,
                m["generation"],
                m["generation"] == m["current_generation"],
                m["participant_id"],
                m["nickname"],
            ]
            tail = [
                "" if m["correct"] is None else bool(m["correct"]),
                m["points"],
                "" if m["elapsed_s"] is None else round(m["elapsed_s"], 3),
                stamp,
            ]
            if q.type == "wordcloud":
                for wr in word_rows.get(m["id"], []):
                    gone = (m["q_index"], wr.word) in removed
                    out.writerow(
                        [_csv_safe(v) for v in [*head, wr.raw, wr.word or "", gone, *tail]]
                    )
            else:
                answer = q.options[m["choice"]] if m["choice"] is not None else ""
                out.writerow([_csv_safe(v) for v in [*head, answer, answer, False, *tail]])
        return buf.getvalue()
