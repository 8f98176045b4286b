"""RetryPolicy and Retry-After parsing: table tests, no sleeping."""

from __future__ import annotations

import pytest

from linkedin_capi.client.retry import RetryPolicy, parse_retry_after


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, True),
        (408, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (422, False),
        (426, False),
        (501, False),
    ],
)
def test_should_retry(status: int | None, expected: bool) -> None:
    assert RetryPolicy().should_retry(status) is expected


@pytest.mark.parametrize(
    ("rand", "attempt", "expected"),
    [
        (1.0, 1, 1.0),
        (1.0, 2, 2.0),
        (1.0, 3, 4.0),
        (1.0, 7, 60.0),
        (1.0, 50, 60.0),
        (0.0, 1, 0.5),
        (0.0, 3, 2.0),
        (0.0, 50, 30.0),
        (0.5, 2, 1.5),
    ],
)
def test_delay_is_capped_exponential_with_equal_jitter(
    rand: float, attempt: int, expected: float
) -> None:
    assert RetryPolicy(base=1.0, cap=60.0, rand=lambda: rand).delay(attempt) == expected


@pytest.mark.parametrize(
    ("retry_after", "expected"), [(0.0, 0.0), (5.0, 5.0), (59.0, 59.0), (3600.0, 60.0), (-3.0, 0.0)]
)
def test_retry_after_wins_and_is_capped(retry_after: float, expected: float) -> None:
    policy = RetryPolicy(retry_after_cap=60.0, rand=lambda: 1.0)
    assert policy.delay(4, retry_after) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("12", 12.0),
        (" 3 ", 3.0),
        ("1.5", 1.5),
        ("-2", 0.0),
        ("", None),
        (None, None),
        ("later", None),
        ("nan", None),
        ("Thu, 01 Jan 1970 00:01:40 GMT", 40.0),
        ("Thu, 01 Jan 1970 00:00:10 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=60.0) == expected


def test_policy_is_frozen_and_checked() -> None:
    policy = RetryPolicy()
    with pytest.raises(AttributeError):
        policy.attempts = 9  # type: ignore[misc]
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    assert RetryPolicy(attempts=1).should_retry(503)  # retryable, but no attempts left: caller's
