"""export() end to end against the LinkedIn sandbox (LinkedIn-shaped answers and faults)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

import linkedin_capi as capi
from linkedin_capi import errors
from linkedin_capi.cli.demo import demo_frame
from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.sandbox import Sandbox

NOW = dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(now=NOW) as sandbox:
        yield sandbox


def conn(sb: Sandbox, sleeps: list[float], **kwargs: Any) -> capi.Connection:
    retry = RetryPolicy(attempts=3, base=1.0, cap=4.0, rand=lambda: 1.0)
    return sb.connection(sleep=sleeps.append, retry=retry, **kwargs)  # type: ignore[no-any-return]


def frame(n: int, *, age_ms: int = 3_600_000) -> pl.DataFrame:
    now_ms = int(NOW.timestamp() * 1000)
    return pl.DataFrame(
        {
            "eventId": [f"evt-{i}" for i in range(n)],
            "conversionHappenedAt": [now_ms - age_ms - i for i in range(n)],
            "SHA256_EMAIL": [f"user{i}@example.com" for i in range(n)],
        }
    )


def test_demo_frame_lands_once(sb: Sandbox) -> None:
    df = demo_frame(300, now=NOW, rule_id=sb.rule_id)
    sleeps: list[float] = []
    result = df.capi.export(
        conn(sb, sleeps), conversion=sb.rule_id, now=NOW, batch_size=50, progress=False
    )
    assert result.sent == sb.event_count > 0
    assert result.sent + result.failed + result.invalid + result.skipped == 300
    assert result.failed == 0 and sb.duplicate_event_ids == {}
    assert sleeps == []


def test_sandbox_window_rejections_fail_only_those_rows(sb: Sandbox) -> None:
    # Our clock is an hour ahead of LinkedIn's: the newest events are "in the future" there.
    ahead = NOW + dt.timedelta(hours=1)
    df = frame(10, age_ms=0).with_columns(
        pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then(pl.col("conversionHappenedAt") + 1_800_000)  # 30 min after LinkedIn's now
        .otherwise(pl.col("conversionHappenedAt") - 7_200_000)
        .alias("conversionHappenedAt")
    )
    result = capi.export(df, conn(sb, []), sb.rule_id, now=ahead)
    failed = result.rows.filter(pl.col("status") == "failed")
    assert failed.get_column("_row").to_list() == [0, 3, 6, 9]
    assert result.sent == sb.event_count == 6
    assert sb.duplicate_event_ids == {}


def test_faults_are_retried(sb: Sandbox) -> None:
    sb.fail_next(503, path="conversionEvents")
    sb.drop_next(path="conversionEvents")  # the first batch's third attempt succeeds
    sleeps: list[float] = []
    result = capi.export(
        frame(6),
        conn(sb, sleeps),
        sb.rule_id,
        now=NOW,
        batch_size=3,
        progress=False,
        max_in_flight=1,
    )
    assert result.sent == 6 == sb.event_count
    assert sleeps == [1.0, 2.0]
    sb.fail_next(503, n=3, path="conversionEvents")  # the first batch runs out of attempts
    result = capi.export(
        frame(6),
        conn(sb, sleeps),
        sb.rule_id,
        now=NOW,
        batch_size=3,
        progress=False,
        max_in_flight=1,
    )
    assert result.rows.get_column("status").to_list() == ["failed"] * 3 + ["sent"] * 3


def test_lost_answer_after_processing_is_a_possible_duplicate(sb: Sandbox) -> None:
    # The one case where a retry can deliver an event twice: LinkedIn stored the batch but
    # the answer never arrived. eventId is what lets LinkedIn deduplicate it.
    sb.fail_next(504, path="conversionEvents", after_processing=True)
    result = capi.export(frame(3), conn(sb, []), sb.rule_id, now=NOW)
    assert result.sent == 3
    assert sb.duplicate_event_ids == {"evt-0": 2, "evt-1": 2, "evt-2": 2}


def test_expired_token_is_refreshed(sb: Sandbox) -> None:
    c = conn(sb, [])
    capi.export(frame(2), c, sb.rule_id, now=NOW)
    sb.expire_tokens()
    assert capi.export(frame(2), c, sb.rule_id, now=NOW).sent == 2


def test_revoked_tokens_stop_with_reauthorize(sb: Sandbox) -> None:
    c = conn(sb, [])
    capi.export(frame(2), c, sb.rule_id, now=NOW)
    sb.revoke_tokens()
    with pytest.raises(errors.AuthError, match="re-authorize") as info:
        capi.export(frame(4), c, sb.rule_id, now=NOW, batch_size=2)
    assert info.value.result.failed == 4


def test_unknown_rule_is_permission_denied(sb: Sandbox) -> None:
    with pytest.raises(errors.PermissionDeniedError, match="role") as info:
        capi.export(frame(2), conn(sb, []), 999_999_999, now=NOW)
    assert info.value.status == 403 and info.value.request_id
    assert info.value.result.failed == 2


def test_sunset_version_is_version_error(sb: Sandbox) -> None:
    with pytest.warns(FutureWarning, match="202509"):
        c = conn(sb, [], api_version="202509")  # sunsets 2026-09-15, before NOW
    with pytest.raises(errors.VersionError, match="202509"):
        capi.export(frame(2), c, sb.rule_id, now=NOW)
