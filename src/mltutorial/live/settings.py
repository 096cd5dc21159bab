"""Settings of the live server: defaults, then MLTUTORIAL_LIVE_* environment variables, then the CLI.

    MLTUTORIAL_LIVE_HOST=0.0.0.0 MLTUTORIAL_LIVE_DB=postgresql://... mltutorial live

The server binds 127.0.0.1 unless told otherwise: opening it to a room's Wi-Fi is a choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mltutorial.config import settings_from_env
from mltutorial.errors import UserError

ENV_PREFIX = "MLTUTORIAL_LIVE_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    db: str | None = (
        None  # SQLAlchemy URL or file path; None: $XDG_DATA_HOME/mltutorial/live.sqlite3
    )
    deck: str | None = None  # a deck YAML file; None: the talk's own questions
    public_url: str | None = None  # the address phones use (QR code); None: from the request
    new_session: bool = False  # False: resume the unfinished session of the same deck
    sqlite_synchronous: str = "FULL"  # FULL: a commit is on disk before its answer is acknowledged
    join_failures: int = 5  # wrong join codes allowed per address per window, then HTTP 429
    join_window_s: float = 60.0
    trusted_proxies: str = ""  # "ADDR[,NET...]": believe X-Forwarded-For only from these peers
    batch_max: int = 500  # answers committed in one transaction at most
    presenter_interval_s: float = 0.05  # the presenter's live count refreshes at most this often
    loop: str = "auto"  # uvicorn's event loop: "auto" takes uvloop when installed, else "asyncio"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, overridden by MLTUTORIAL_LIVE_<FIELD> variables, then by `overrides`."""
        return settings_from_env(cls, ENV_PREFIX, environ, overrides)

    def check(self) -> None:
        if not 1 <= self.port <= 65535:
            raise UserError(f"port must be between 1 and 65535, not {self.port}")
        if self.join_failures < 1 or self.join_window_s <= 0:
            raise UserError("join_failures must be >= 1 and join_window_s > 0")
        if self.loop not in ("auto", "asyncio", "uvloop"):
            raise UserError(f"loop must be auto, asyncio or uvloop, not {self.loop!r}")
        if self.db is not None:
            from mltutorial.live import db  # SQLAlchemy only when a database is named

            if db.is_memory(self.db):
                raise UserError(
                    f"{self.db!r} is an in-memory database: every answer would be lost at exit; "
                    "give a file (--db live.sqlite3) or postgresql://..."
                )
        if self.trusted_proxies:
            from mltutorial.live.limiter import parse_proxies

            parse_proxies(self.trusted_proxies)
        if self.public_url and not self.public_url.startswith(("http://", "https://")):
            raise UserError(f"public URL must start with http:// or https://: {self.public_url!r}")
