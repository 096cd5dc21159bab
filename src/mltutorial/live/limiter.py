"""Slowing down join-code guessing: wrong codes per client address in a sliding window.

Past the limit, wrong codes get HTTP 429.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque


class JoinLimiter:
    """Wrong join codes per client address in a sliding window; past the limit, HTTP 429."""

    def __init__(self, failures: int, window_s: float):
        self.failures = failures
        self.window_s = window_s
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._seen[address]
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def retry_after(self, address: str) -> float:
        """Seconds to wait before the next try, 0 when allowed."""
        now = time.monotonic()
        times = self._recent(address, now)
        if len(times) < self.failures:
            return 0.0
        return max(0.0, times[0] + self.window_s - now)

    def fail(self, address: str) -> None:
        if len(self._seen) > 100_000:  # an address flood must not grow memory without bound
            self._seen.clear()
        self._seen[address].append(time.monotonic())
