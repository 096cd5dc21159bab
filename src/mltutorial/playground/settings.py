"""Settings of the playground server: defaults, then MLTUTORIAL_PLAYGROUND_* variables, then the CLI.

The bounds here keep one laptop serving a room: how many tabs train at once, how often each may
draw, how long an untouched tab keeps its session, how large an upload may be.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

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
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            kind = f.type if isinstance(f.type, str) else f.type.__name__
            try:
                values[f.name] = (
                    int(raw) if kind == "int" else float(raw) if kind == "float" else raw
                )
            except ValueError:
                raise UserError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a {kind}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = replace(cls(), **values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if not 1 <= self.port <= 65535:
            raise UserError(f"port must be between 1 and 65535, not {self.port}")
        if self.max_sessions < 1 or self.max_updates_per_s <= 0 or self.idle_s <= 0:
            raise UserError("max_sessions >= 1, max_updates_per_s > 0 and idle_s > 0 please")
