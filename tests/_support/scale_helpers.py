"""Helpers for the streaming/journal/fault-matrix tests: frames, connections, assertions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

import polars as pl

import linkedin_capi as capi
from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.sandbox import Sandbox

NOW = dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)
NOW_MS = int(NOW.timestamp() * 1000)


def frame(n: int, *, ids: bool = True, start: int = 0, now_ms: int = NOW_MS) -> pl.DataFrame:
    """``n`` valid events (an hour before ``now_ms``), eventIds ``evt-<i>`` unless ``ids=False``."""
    data: dict[str, Any] = {
        "conversionHappenedAt": [now_ms - 3_600_000 - i for i in range(start, start + n)],
        "SHA256_EMAIL": [f"user{i}@example.com" for i in range(start, start + n)],
    }
    if ids:
        data = {"eventId": [f"evt-{i}" for i in range(start, start + n)], **data}
    return pl.DataFrame(data)


def conn(sb: Sandbox, sleeps: list[float] | None = None, **kwargs: Any) -> capi.Connection:
    """A Connection to ``sb`` that never really sleeps (3 attempts per request)."""
    kwargs.setdefault("retry", RetryPolicy(attempts=3, base=1.0, cap=4.0, rand=lambda: 1.0))
    sink = sleeps if sleeps is not None else []
    return sb.connection(sleep=sink.append, **kwargs)  # type: ignore[no-any-return]


def accepted(sb: Sandbox) -> Counter[str]:
    """How many times the sandbox accepted each eventId."""
    return Counter(sb.event_ids)


def assert_exactly_once(sb: Sandbox, expected: Iterable[str]) -> None:
    """Counted at the sandbox by eventId: every expected id once, nothing else."""
    counts = accepted(sb)
    want = set(expected)
    lost = want - set(counts)
    doubled = {k: n for k, n in counts.items() if n > 1}
    extra = set(counts) - want
    assert not lost, f"{len(lost)} events lost, e.g. {sorted(lost)[:5]}"
    assert not doubled, f"{len(doubled)} events accepted twice or more, e.g. {list(doubled)[:5]}"
    assert not extra, f"unexpected events {sorted(extra)[:5]}"
    assert sb.duplicate_event_ids == {}
