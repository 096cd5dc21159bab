"""Slowing down join-code guessing without locking a room out, and who the client is.

A room behind one NAT is one address: many people, a few typos. So only wrong codes count (per address,
in a sliding window; past the limit a wrong code gets HTTP 429 and the server does not look it up), and
a code someone has already joined from this address is always let in: it is no secret to that address,
so letting it in tells a guesser nothing new.

The address is the TCP peer. X-Forwarded-For is believed only when the peer is a proxy the presenter
named (`--trusted-proxy`), and then only up to the first hop that is not one of those proxies.
"""

from __future__ import annotations

import ipaddress
import time
from collections import defaultdict, deque
from collections.abc import Iterable

from starlette.requests import HTTPConnection

from mltutorial.errors import UserError

MAX_ADDRESSES = 100_000  # an address flood must not grow memory without bound

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class JoinLimiter:
    """Wrong join codes per client address in a sliding window; past the limit, HTTP 429."""

    def __init__(self, failures: int, window_s: float):
        self.failures = failures
        self.window_s = window_s
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._joined: dict[str, set[str]] = defaultdict(set)

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._seen[address]
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def retry_after(self, address: str) -> float:
        """Seconds to wait before the next wrong code is looked at, 0 when allowed."""
        now = time.monotonic()
        times = self._recent(address, now)
        if len(times) < self.failures:
            return 0.0
        return max(0.0, times[0] + self.window_s - now)

    def fail(self, address: str) -> None:
        if len(self._seen) > MAX_ADDRESSES:
            self._seen.clear()
        self._seen[address].append(time.monotonic())

    def joined(self, address: str, code: str) -> None:
        """Someone at `address` joined with `code`: it is known there."""
        if len(self._joined) > MAX_ADDRESSES:
            self._joined.clear()
        self._joined[address].add(code)

    def knows(self, address: str, code: str) -> bool:
        return code in self._joined.get(address, ())


def parse_proxies(text: str) -> tuple[Network, ...]:
    """'10.0.0.1, 192.168.0.0/24' -> networks; a malformed entry is a UserError."""
    out = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise UserError(f"not an IP address or network: {item!r} (--trusted-proxy)") from None
    return tuple(out)


def _is_proxy(address: str, proxies: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(conn: HTTPConnection, proxies: tuple[Network, ...]) -> str:
    """The peer's address; behind a named proxy, the last X-Forwarded-For hop before the proxies."""
    peer = conn.client.host if conn.client else "?"
    if not proxies or not _is_proxy(peer, proxies):
        return peer
    hops = [h.strip() for h in conn.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_proxy(hop, proxies):
            return hop[:64]
    return peer
