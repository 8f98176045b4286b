"""A DataFrame export renders its valid rows part by part, never all at once (issue 16).

With tiny parts and slices, the requests carry exactly the bodies of the valid rows built at
once, in order, and the result's report is still lazy (its ``valid`` was never built).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl
import pytest
from _support.fake_linkedin import FakeClock, FakeLinkedIn, make_conn, running

from linkedin_capi.delivery import streaming
from linkedin_capi.delivery.export import export
from linkedin_capi.engine import _splits
from linkedin_capi.engine.payload import batch_bodies
from linkedin_capi.engine.validate import make_plan, validate_chunk

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
NOW_MS = int(NOW.timestamp() * 1000)
DAY_MS = 86_400_000


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    yield from running()


def frame(n: int) -> pl.DataFrame:
    """Rows of two shapes, with invalid (negative amount) and skipped (old) rows between."""
    return pl.DataFrame(
        {
            "eventId": [f"e{i}" for i in range(n)],
            "conversionHappenedAt": [
                NOW_MS - (100 if i % 7 == 3 else 1) * DAY_MS - i for i in range(n)
            ],
            "SHA256_EMAIL": [f" User{i}@Example.com" for i in range(n)],
            "firstName": [f"Ann{i}" if i % 3 else None for i in range(n)],
            "lastName": [f"Lee{i}" for i in range(n)],
            "currencyCode": ["usd"] * n,
            "amount": ["-1" if i % 5 == 2 else "10.50" for i in range(n)],
        }
    )


def bodies_at_once(df: pl.DataFrame, batch_size: int) -> list[bytes]:
    plan = make_plan(df.schema, 123, now=NOW, nulls=df, api_version="202607")
    valid = validate_chunk(df, plan=plan, row_offset=0, lazy=False).valid
    return [b.body for b in batch_bodies(valid, batch_size)]


def test_small_parts_send_the_bodies_of_the_whole_frame(
    fake: FakeLinkedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = frame(90)
    expected = bodies_at_once(df, 3)
    monkeypatch.setattr(streaming, "_PART_ROWS", 5)  # rounded up to one render step (12)
    monkeypatch.setattr(streaming, "_SLICE_ROWS", 5)  # a DataFrame's slices: the same
    monkeypatch.setattr(_splits, "SLICE_ROWS", 4)
    conn = make_conn(fake, FakeClock(), conversion=123)
    result = export(df, conn, 123, now=NOW, batch_size=3, progress=False, max_in_flight=1)
    sent = [s.body for s in fake.api_requests if s.path.startswith("/rest/conversionEvents")]
    assert len(sent) == len(expected) > 8
    assert sent == expected
    assert result.report is not None and "valid" not in vars(result.report)
    counts = result.report.counts
    assert result.counts["sent"] == counts["valid"]
    assert result.counts["invalid"] == counts["invalid"] > 0
    assert result.counts["skipped"] == counts["skipped"] > 0
    assert result.rows.get_column("_row").to_list() == list(range(90))


def test_a_dry_run_in_parts_has_the_rows_of_one_part(monkeypatch: pytest.MonkeyPatch) -> None:
    df = frame(50)
    whole = export(df, None, 123, dry_run=True, now=NOW, batch_size=2, progress=False)
    monkeypatch.setattr(streaming, "_PART_ROWS", 1)
    monkeypatch.setattr(streaming, "_SLICE_ROWS", 1)
    monkeypatch.setattr(_splits, "SLICE_ROWS", 3)
    parts = export(df, None, 123, dry_run=True, now=NOW, batch_size=2, progress=False)
    assert parts.rows.equals(whole.rows)
    assert parts.counts == whole.counts and parts.counts["dry_run"] > 0
