"""export() end to end, replayed from recorded cassettes (``cassettes/test_integration_export``).

Recorded from the sandbox (``--record-mode=rewrite``); the default run replays them with
the network blocked. See ``_recording.py`` for how a test repeats its requests exactly.
"""

from __future__ import annotations

import polars as pl
import pytest
from _support.recording import Recording

import linkedin_capi as capi
from linkedin_capi.client.retry import RetryPolicy

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

#: Rejection text in LinkedIn's 422 form (linkedin-api.md §2.7), blaming element 1.
REJECTION = (
    "Index: 1, ERROR :: /user/userIds/0/idValue :: "
    "The value 'x' is not a valid SHA256 hash for idType SHA256_EMAIL"
)


def frame(rec: Recording, n: int) -> pl.DataFrame:
    """``n`` deterministic events an hour before the recording's frozen now."""
    now_ms = int(rec.target.now * 1000)
    return pl.DataFrame(
        {
            "eventId": [f"cassette-evt-{i}" for i in range(n)],
            "conversionHappenedAt": [now_ms - 3_600_000 - i * 1000 for i in range(n)],
            "SHA256_EMAIL": [f"user{i}@example.com" for i in range(n)],
            "amount": [f"{10 + i}.50" for i in range(n)],
            "currencyCode": ["USD"] * n,
        }
    )


def retry() -> RetryPolicy:
    return RetryPolicy(attempts=3, base=1.0, cap=4.0, rand=lambda: 1.0)


def test_export_small_frame(recording: Recording) -> None:
    conn = recording.connection()
    result = capi.export(
        frame(recording, 5), conn, recording.rule_id, now=recording.now, progress=False
    )
    assert result.rows.get_column("status").to_list() == ["sent"] * 5
    assert result.requests == 1
    if recording.sandbox is not None:  # only while recording: what "LinkedIn" stored
        assert recording.sandbox.event_ids == [f"cassette-evt-{i}" for i in range(5)]


def test_df_capi_export_batches(recording: Recording) -> None:
    result = frame(recording, 6).capi.export(
        recording.connection(),
        conversion=recording.rule_id,
        now=recording.now,
        batch_size=2,
        progress=False,
        max_in_flight=1,  # the cassette holds the requests in the order they were recorded
    )
    assert result.sent == 6 and result.requests == 3


@pytest.mark.sandbox_only
def test_export_422_fails_only_the_blamed_row(recording: Recording) -> None:
    if recording.sandbox is not None:
        recording.sandbox.fail_next(
            422, body={"message": REJECTION, "status": 422}, path="conversionEvents"
        )
    result = capi.export(
        frame(recording, 4),
        recording.connection(),
        recording.rule_id,
        now=recording.now,
        progress=False,
    )
    rows = result.rows.sort("_row")
    assert rows.get_column("status").to_list() == ["sent", "failed", "sent", "sent"]
    error = rows.get_column("error")[1]
    assert "not a valid SHA256 hash" in error and "/user/userIds/0/idValue" in error
    # The rejected batch, then the three others re-sent without the blamed row.
    assert result.requests == 2
    if recording.sandbox is not None:
        assert recording.sandbox.event_ids == ["cassette-evt-0", "cassette-evt-2", "cassette-evt-3"]


@pytest.mark.sandbox_only
def test_export_429_is_retried_without_waiting_on_replay(recording: Recording) -> None:
    if recording.sandbox is not None:
        recording.sandbox.fail_next(429, retry_after=2, path="conversionEvents")
    sleeps: list[float] = []
    conn = recording.connection(sleep=sleeps.append, retry=retry())
    result = capi.export(
        frame(recording, 3), conn, recording.rule_id, now=recording.now, progress=False
    )
    assert result.sent == 3
    # LinkedIn's Retry-After is honoured when live; the cassette says 0, so replays never wait.
    assert sleeps == ([0.0] if recording.replaying else [2.0])
