"""Client-side pacing of ``conversionEvents`` calls: requests per minute and per UTC day.

LinkedIn does not publish its CAPI quotas; partners report 600 requests/minute and
300,000 requests/day (linkedin-api.md §6), and daily counters reset at midnight UTC.
:class:`RateLimit` is the user-facing setting, :class:`Limiter` the token bucket that
enforces it (thread-safe; ``clock``/``sleep`` injectable so tests never wait).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from linkedin_capi._constants import REQUESTS_PER_DAY, REQUESTS_PER_MINUTE

if TYPE_CHECKING:
    import requests

__all__ = ["DailyQuotaSpent", "Limiter", "Paced", "RateLimit", "limiter_for", "next_utc_midnight"]


class _Sender(Protocol):
    def send_events(self, body: bytes) -> requests.Response: ...


def next_utc_midnight(now: float) -> dt.datetime:
    """The next 00:00 UTC after epoch second ``now`` (when LinkedIn's day counters reset).

    Examples
    --------
    >>> next_utc_midnight(86_400 * 3 + 5).isoformat()
    '1970-01-05T00:00:00+00:00'
    """
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class RateLimit:
    """How fast an export may call LinkedIn.

    Parameters
    ----------
    requests_per_minute : float or None
        At most this many requests in any 60 seconds; ``None`` = unpaced.
    requests_per_day : int or None
        Requests per UTC day this process may make; when spent, the export stops cleanly
        and says when the day resets. ``None`` = no daily budget.

    Examples
    --------
    >>> RateLimit().requests_per_minute, RateLimit().requests_per_day
    (600, 300000)
    >>> RateLimit(None, None).unlimited
    True
    """

    requests_per_minute: float | None = REQUESTS_PER_MINUTE
    requests_per_day: int | None = REQUESTS_PER_DAY

    @property
    def unlimited(self) -> bool:
        """True when neither limit applies."""
        return self.requests_per_minute is None and self.requests_per_day is None


class DailyQuotaSpent(Exception):
    """Internal: the day's request budget is used up (the export stops, it never raises)."""

    def __init__(self, resume_at: dt.datetime) -> None:
        super().__init__(f"daily request budget spent; resets at {resume_at.isoformat()}")
        self.resume_at = resume_at


class Limiter:
    """At most ``requests_per_minute`` requests in any 60 s, and a per-UTC-day budget.

    A sliding window rather than a token bucket: a short export goes out at full speed
    (up to a minute's worth at once), a long one settles at the limit, and no 60-second
    window ever exceeds it.

    Examples
    --------
    >>> t = [0.0]
    >>> waits = []
    >>> def sleep(s): waits.append(s); t[0] += s
    >>> lim = Limiter(RateLimit(2, None), clock=lambda: t[0], sleep=sleep)
    >>> for _ in range(3): lim.acquire()
    >>> waits  # two at once, the third when the first leaves the window
    [60.0]
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.limit = limit
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        rpm = limit.requests_per_minute
        self._per_minute = max(1, int(rpm)) if rpm is not None else None
        self._window: deque[float] = deque()
        self._day: dt.date | None = None
        self._used_today = 0
        self._slept_until = float("-inf")

    def acquire(self) -> None:
        """Wait for a request slot; raise :class:`DailyQuotaSpent` when the day is spent."""
        while True:
            with self._lock:
                # A clock that did not move across a sleep (frozen test clocks) still
                # counts the time slept, so the wait always ends.
                now = max(self._clock(), self._slept_until)
                wait = self._take(now)
                if wait > 0:
                    self._slept_until = now + wait
            if wait <= 0:
                return
            self._sleep(wait)

    def _take(self, now: float) -> float:
        """Take a slot and return 0, or return how long to wait; holds ``_lock``."""
        if self.limit.requests_per_day is not None:
            today = dt.datetime.fromtimestamp(now, dt.UTC).date()
            if today != self._day:
                self._day, self._used_today = today, 0
            if self._used_today >= self.limit.requests_per_day:
                raise DailyQuotaSpent(next_utc_midnight(now))
        if self._per_minute is not None:
            window = self._window
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= self._per_minute:
                return window[0] + 60.0 - now
            window.append(now)
        self._used_today += 1
        return 0.0


class Paced:
    """A sender whose ``send_events`` first waits for the limiter (``None``: no pacing)."""

    def __init__(self, conn: _Sender, limiter: Limiter | None) -> None:
        self.conn, self.limiter = conn, limiter

    def send_events(self, body: bytes) -> requests.Response:
        """Acquire a slot, then ``conn.send_events(body)``."""
        if self.limiter is not None:
            self.limiter.acquire()
        return self.conn.send_events(body)


def limiter_for(conn: object, limit: RateLimit | None) -> Limiter | None:
    """A limiter on ``conn``'s injected clock/sleep (tests never wait), or ``None``."""
    if limit is None or limit.unlimited:
        return None
    return Limiter(
        limit,
        clock=getattr(conn, "_clock", time.time),
        sleep=getattr(conn, "_sleep", time.sleep),
    )
