"""Slides: where a talk given with slides is (`mltutorial present`), stored with the session.

    store.start_slides(session_id, total=24, title="Machine learning tutorial", question=None)
    store.move_slide(session_id, 3, 24, "What is Machine Learning?", question=0)

The position is generic (an index, a count, a title, the question the slide shows): the live server
only uses it to show phones the title between questions. Moving onto a question's slide makes it the
current question in the same transaction (it opens the first time it is reached, as with `goto`), so
a restart with the same database resumes on the same slide with the same question.
"""

from __future__ import annotations

import time

from sqlalchemy import func, insert, select, update

from mltutorial.live import db
from mltutorial.live.store.actions import ActionContext
from mltutorial.live.store.model import SessionState, SlidePosition
from mltutorial.live.store.sessions import Sessions

MAX_TITLE_CHARS = 200


class Slides(Sessions):
    """The slide position of a session, stored in `live_slides`."""

    def slide_position(self, session_id: int) -> SlidePosition | None:
        with self._read() as conn:
            row = conn.execute(
                select(db.slides).where(db.slides.c.session_id == session_id)
            ).first()
        if row is None:
            return None
        m = row._mapping
        return SlidePosition(m["slide"], m["total"], m["title"], m["question"])

    def start_slides(
        self, session_id: int, total: int, title: str, question: int | None = None
    ) -> SlidePosition:
        """The stored position; on a session's first start with slides, slide 0.

        A session that has never had slides and no answers yet has its first question un-opened:
        with slides, a question opens when the talk reaches its slide, not when the server starts."""
        found = self.slide_position(session_id)
        if found is not None:
            return found
        with self._write() as conn:
            answers = conn.scalar(
                select(func.count())
                .select_from(db.answers)
                .where(db.answers.c.session_id == session_id)
            )
            if not answers:
                qs = db.question_state
                conn.execute(
                    update(qs)
                    .where(qs.c.session_id == session_id)
                    .values(open=False, opened_at=None)
                )
            conn.execute(
                insert(db.slides).values(
                    session_id=session_id,
                    slide=0,
                    total=total,
                    title=title[:MAX_TITLE_CHARS],
                    question=None,
                )
            )
        position = self.move_slide(session_id, 0, total, title, question)[1]
        assert position is not None
        return position

    def move_slide(
        self, session_id: int, index: int, total: int, title: str, question: int | None = None
    ) -> tuple[SessionState, SlidePosition | None]:
        """Put slide `index` on screen; with `question`, make that question the current one."""
        if not 0 <= index < total:
            raise ValueError(f"no slide {index + 1}: the talk has {total} slides")
        deck = self.deck(session_id)
        if question is not None and not 0 <= question <= len(deck.questions):  # len: the podium
            raise ValueError(f"no question {question + 1} in the deck")
        with self._write() as conn:
            state = self._state(conn, session_id)
            values = dict(
                slide=index, total=total, title=title[:MAX_TITLE_CHARS], question=question
            )
            done = conn.execute(
                update(db.slides).where(db.slides.c.session_id == session_id).values(**values)
            )
            if done.rowcount == 0:
                conn.execute(insert(db.slides).values(session_id=session_id, **values))
            if question is not None and not state.ended:
                ActionContext(conn, session_id, deck, state, time.time()).move_to(question)
            after = self._state(conn, session_id)
        return after, after.slide
