"""The talk's Mentimeter moments, self-hosted: a live audience server (`mltutorial live`).

Word clouds, multiple choice with a live bar chart, a timed quiz with a leaderboard and podium, and a
"which was AI-generated?" guess, from a YAML deck. Plain-Python `Store` (SQLite or PostgreSQL through
SQLAlchemy), a FastAPI app from `create_app(settings)`, and static HTML/CSS/JS pages for the projector
and for phones. Independent of the engine, the apps and the lessons.
"""

from mltutorial.live.deck import Deck, Question, load_deck, parse_deck
from mltutorial.live.settings import Settings
from mltutorial.live.store import Ack, Store, Submission

__all__ = ["Ack", "Deck", "Question", "Settings", "Store", "Submission", "load_deck", "parse_deck"]
