"""Settings of the playground server: defaults, then MLTUTORIAL_PLAYGROUND_* variables, then the CLI.

The bounds here keep one laptop serving a room: how many tabs train at once, how often each may
draw, how long an untouched tab keeps its session, how large an upload may be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mltutorial.config import settings_from_env
from mltutorial.errors import UserError

ENV_PREFIX = "MLTUTORIAL_PLAYGROUND_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"  # this machine only unless told otherwise
    port: int = 8100  # beside the live server's 8000
    max_sessions: int = 16  # tabs training at once; one more is told to wait
    max_updates_per_s: float = 60.0  # a playing tab draws at most this often (its CPU bound)
    idle_s: float = 600.0  # a tab that sends nothing for this long loses its session
    max_upload_bytes: int = 1_000_000
    max_uploads: int = 64  # uploaded CSVs kept in memory, oldest dropped first

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        return settings_from_env(cls, ENV_PREFIX, environ, overrides)

    def check(self) -> None:
        if not 1 <= self.port <= 65535:
            raise UserError(f"port must be between 1 and 65535, not {self.port}")
        if self.max_sessions < 1 or self.max_updates_per_s <= 0 or self.idle_s <= 0:
            raise UserError("max_sessions >= 1, max_updates_per_s > 0 and idle_s > 0 please")
