"""Client-side pacing of ``conversionEvents`` calls: requests per minute and per UTC day.

LinkedIn documents 600 requests/minute and 500,000 requests/day per member token
(linkedin-api-audit.md I1), and daily counters reset at midnight UTC. :class:`RateLimit`
is the user-facing setting, :class:`Limiter` the sliding window that enforces it across
every sender thread (thread-safe; ``clock``/``sleep`` injectable so tests never wait).
Every HTTP attempt takes a slot, the connection's own retries included.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from linkedin_capi._constants import REQUESTS_PER_DAY, REQUESTS_PER_MINUTE
from linkedin_capi.errors import ConfigError

__all__ = ["DailyQuotaSpent", "Limiter", "RateLimit", "limiter_for", "next_utc_midnight"]


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
    (600, 500000)
    >>> RateLimit(None, None).unlimited
    True
    >>> RateLimit(requests_per_minute=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    linkedin_capi.errors.ConfigError: requests_per_minute must be a positive number ...
    """

    requests_per_minute: float | None = REQUESTS_PER_MINUTE
    requests_per_day: int | None = REQUESTS_PER_DAY

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "requests_per_day"):
            value = getattr(self, name)
            if value is None:
                continue
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not value > 0 or value != value:
                raise ConfigError(
                    f"{name} must be a positive number or None (no pacing), got {value!r}"
                )
            if name == "requests_per_minute" and value < 1:
                raise ConfigError(
                    f"requests_per_minute must be at least 1 (the window is 60 s), got {value!r}"
                )

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
        self._per_minute = int(rpm) if rpm is not None else None
        self._window: deque[float] = deque()
        self._day: dt.date | None = None
        self._used_today = 0

    def acquire(self, sleep: Callable[[float], None] | None = None) -> None:
        """Wait for a request slot; raise :class:`DailyQuotaSpent` when the day is spent.

        ``sleep`` replaces the limiter's own for this call (the export's wakes on Ctrl-C).
        """
        # Time this caller has waited for, per call: a clock that did not move across a
        # sleep (frozen test clocks) still counts it, so the wait ends; another sender's
        # waits never count as this one's (that let N senders through at N times the rate).
        slept_until = float("-inf")
        while True:
            with self._lock:
                now = max(self._clock(), slept_until)
                wait = self._take(now)
            if wait <= 0:
                return
            slept_until = now + wait
            (sleep or self._sleep)(wait)

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
            # Kept sorted: a caller whose own clock view is behind another's records the
            # later time (conservative: a slot is never reused early).
            window.append(max(now, window[-1]) if window else now)
        self._used_today += 1
        return 0.0


def limiter_for(conn: object, limit: RateLimit | None) -> Limiter | None:
    """A limiter on ``conn``'s injected clock/sleep (tests never wait), or ``None``."""
    if limit is None or limit.unlimited:
        return None
    return Limiter(
        limit,
        clock=getattr(conn, "_clock", time.time),
        sleep=getattr(conn, "_sleep", time.sleep),
    )
