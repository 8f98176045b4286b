"""When to retry an HTTP call and how long to wait before the next attempt.

A small frozen policy rather than stamina or urllib3's ``Retry``: the export loop has to
interleave retries with a token refresh after a 401, honour ``Retry-After`` (capped, because
a daily-quota 429 will not clear in seconds), and let tests inject ``sleep``/``random`` so
no test ever really waits. stamina only offers a process-global test switch and urllib3
retries inside the adapter where a 401 refresh cannot happen, so owning ~60 lines is
simpler than bending either (see shared/docs/ecosystem.md §7).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

#: Statuses worth another attempt: throttling and transient server/gateway failures.
#: 501 (Not Implemented) is permanent and so is absent.
RETRY_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or ``None``.

    Both forms of RFC 9110 are accepted: delay-seconds and an HTTP-date. A moment in the
    past gives ``0.0``; unparseable values give ``None`` (fall back to exponential backoff).

    Examples
    --------
    >>> parse_retry_after("7", now=0.0)
    7.0
    >>> parse_retry_after("Thu, 01 Jan 1970 00:00:30 GMT", now=10.0)
    20.0
    >>> parse_retry_after("soon", now=0.0) is None
    True
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = when.timestamp() - now
    if seconds != seconds:  # NaN
        return None
    return max(seconds, 0.0)


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter for 429, 5xx, timeouts and connection errors.

    Parameters
    ----------
    attempts : int
        Total attempts per request, the first one included (``1`` disables retrying).
    base : float
        Delay before the second attempt, in seconds; doubled for each further attempt.
    cap : float
        Longest computed backoff, in seconds.
    retry_after_cap : float
        Longest wait honoured from a ``Retry-After`` header, in seconds.
    statuses : frozenset of int
        HTTP statuses that are retried.
    rand : callable
        Source of uniform numbers in ``[0, 1)`` for the jitter (inject for tests).

    Examples
    --------
    >>> policy = RetryPolicy(base=1.0, cap=10.0, rand=lambda: 1.0)
    >>> [policy.delay(n) for n in (1, 2, 3, 4, 5)]
    [1.0, 2.0, 4.0, 8.0, 10.0]
    >>> policy.delay(1, retry_after=3.0)
    3.0
    >>> policy.should_retry(429), policy.should_retry(400), policy.should_retry(None)
    (True, False, True)
    """

    attempts: int = 5
    base: float = 1.0
    cap: float = 60.0
    retry_after_cap: float = 60.0
    statuses: frozenset[int] = RETRY_STATUSES
    rand: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if self.base < 0 or self.cap < 0 or self.retry_after_cap < 0:
            raise ValueError("base, cap and retry_after_cap must not be negative")

    def should_retry(self, status: int | None) -> bool:
        """Whether a failure is transient; ``None`` means no HTTP answer (timeout, reset)."""
        return status is None or status in self.statuses

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        ``Retry-After`` wins when given (capped at ``retry_after_cap``). Otherwise the
        backoff is ``min(cap, base * 2**(attempt-1))`` with "equal jitter": a random point
        in its upper half, so concurrent clients spread out but never retry at once.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        backoff = min(self.cap, self.base * 2.0 ** max(attempt - 1, 0))
        return backoff / 2.0 + self.rand() * backoff / 2.0
