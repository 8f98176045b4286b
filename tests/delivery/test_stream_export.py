"""Streaming exports: chunked validation, journal, in-flight batches, rate limits, quota stops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from _support.scale_helpers import NOW, NOW_MS, assert_exactly_once, conn, frame

from linkedin_capi import errors
from linkedin_capi._constants import EXPORT_STATUSES
from linkedin_capi.delivery.export import export
from linkedin_capi.delivery.journal import Journal, id_keys
from linkedin_capi.delivery.ratelimit import Limiter, RateLimit, next_utc_midnight
from linkedin_capi.engine.validate import validate
from linkedin_capi.sandbox import Sandbox


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(now=NOW) as sandbox:
        yield sandbox


def messy(n: int) -> pl.DataFrame:
    """Valid, invalid (bad e-mail) and stale (old) rows interleaved."""
    df = frame(n)
    i = pl.int_range(pl.len())
    return df.with_columns(
        pl.when(i % 7 == 3)
        .then(pl.lit("not-an-email"))
        .otherwise("SHA256_EMAIL")
        .alias("SHA256_EMAIL"),
        pl.when(i % 11 == 5)
        .then(pl.lit(NOW_MS - 100 * 86_400_000))
        .otherwise("conversionHappenedAt")
        .alias("conversionHappenedAt"),
    )


def test_lazy_export_matches_eager_row_for_row(sb: Sandbox) -> None:
    df = messy(230)
    eager = export(df, None, sb.rule_id, dry_run=True, now=NOW, batch_size=20, progress=False)
    lazy = export(
        df.lazy(),
        None,
        sb.rule_id,
        dry_run=True,
        now=NOW,
        batch_size=20,
        chunk_size=37,
        progress=False,
    )
    assert lazy.report is None  # report.valid is not held for a streaming export
    assert lazy.rows.schema["status"] == pl.Enum(EXPORT_STATUSES)  # a byte a row at 10M rows
    as_text = lazy.rows.with_columns(pl.col("status", "error").cast(pl.String))
    assert as_text.equals(eager.rows) and as_text.schema == eager.rows.schema
    assert lazy.counts == eager.counts and lazy.invalid > 0 and lazy.skipped > 0


def test_lazy_export_sends_every_valid_row_once(sb: Sandbox) -> None:
    df = messy(230)
    result = df.lazy().capi.export(
        conn(sb), sb.rule_id, now=NOW, batch_size=20, chunk_size=37, progress=False
    )
    valid_ids = validate(df, sb.rule_id, now=NOW).valid.get_column("eventId").to_list()
    assert result.sent == len(valid_ids) == sb.event_count
    assert_exactly_once(sb, valid_ids)
    assert result.rows.height == 230 and result.rows.get_column("_row").to_list() == list(
        range(230)
    )


def test_validation_stays_lazy_until_chunks_are_pulled(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    frame(50).write_parquet(path)
    calls: list[int] = []

    def count(batch: pl.DataFrame) -> pl.DataFrame:
        calls.append(batch.height)
        return batch

    lf = pl.scan_parquet(path).map_batches(count, validate_output_schema=False)
    result = export(lf, None, sb.rule_id, dry_run=True, now=NOW, chunk_size=20, progress=False)
    assert result.counts["dry_run"] == 50
    assert sum(calls) == 50  # the data was read once, by the chunks, not by a schema probe


def test_skip_invalid_records_false_sends_nothing(sb: Sandbox) -> None:
    with pytest.raises(errors.ValidationFailed) as info:
        export(
            messy(40).lazy(),
            conn(sb),
            sb.rule_id,
            now=NOW,
            skip_invalid_records=False,
            chunk_size=15,
            progress=False,
        )
    assert sb.event_count == 0
    expected = validate(messy(40), sb.rule_id, now=NOW).invalid.get_column("_row")
    assert info.value.report.invalid.get_column("_row").to_list() == expected.to_list()


def test_missing_columns_fail_before_any_chunk(sb: Sandbox) -> None:
    lf = pl.LazyFrame({"eventId": ["a"], "SHA256_EMAIL": ["a@b.co"]})
    with pytest.raises(errors.SchemaError):
        export(lf, None, sb.rule_id, dry_run=True, now=NOW)


def test_journal_rerun_sends_nothing_twice(sb: Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "run.db"
    df = frame(120)
    first = export(
        df.lazy(),
        conn(sb),
        sb.rule_id,
        now=NOW,
        batch_size=25,
        journal=journal,
        progress=False,
    )
    assert first.sent == 120 and first.already_sent == 0
    second = export(
        df.lazy(),
        conn(sb),
        sb.rule_id,
        now=NOW,
        batch_size=25,
        journal=journal,
        progress=False,
    )
    assert second.already_sent == 120 and second.sent == 0 and second.requests == 0
    assert "120 already sent" in second.summary()
    bigger = export(
        pl.concat([df, frame(30, start=120)]).lazy(),
        conn(sb),
        sb.rule_id,
        now=NOW,
        batch_size=25,
        journal=journal,
        progress=False,
    )
    assert (bigger.already_sent, bigger.sent) == (120, 30)
    assert_exactly_once(sb, [f"evt-{i}" for i in range(150)])
    with Journal(journal) as book:
        assert book.counts() == {"sent": 150}


def test_journal_needs_event_ids(sb: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(errors.ConfigError, match="derive_event_ids=True"):
        export(frame(3, ids=False), conn(sb), sb.rule_id, now=NOW, journal=tmp_path / "j.db")


def test_derived_event_ids_are_stable_and_sent(sb: Sandbox, tmp_path: Path) -> None:
    # Same events, spelled differently: upper-case e-mails, shuffled rows.
    df = frame(40, ids=False)
    respelled = df.with_columns(pl.col("SHA256_EMAIL").str.to_uppercase()).reverse()
    journal = tmp_path / "j.db"
    first = export(
        df,
        conn(sb),
        sb.rule_id,
        now=NOW,
        derive_event_ids=True,
        journal=journal,
        batch_size=15,
        progress=False,
    )
    assert first.sent == 40
    ids = sb.event_ids
    assert len(set(ids)) == 40 and all(len(i) == 64 for i in ids)
    second = export(
        respelled,
        conn(sb),
        sb.rule_id,
        now=NOW,
        derive_event_ids=True,
        journal=journal,
        progress=False,
    )
    assert second.already_sent == 40 and second.sent == 0
    assert_exactly_once(sb, ids)


def test_many_batches_in_flight_deliver_once(sb: Sandbox) -> None:
    df = frame(400)
    result = export(
        df, conn(sb), sb.rule_id, now=NOW, batch_size=10, max_in_flight=4, progress=False
    )
    assert result.sent == 400 and result.requests == 40
    assert_exactly_once(sb, df.get_column("eventId"))


def test_in_flight_is_bounded(sb: Sandbox) -> None:
    sb.set_latency(0.05, path="conversionEvents")
    seen: list[int] = []
    import threading

    active = [0]
    lock = threading.Lock()
    c = conn(sb)
    original = c.send_events

    def counting(body: bytes, hooks=None):  # type: ignore[no-untyped-def]
        with lock:
            active[0] += 1
            seen.append(active[0])
        try:
            return original(body, hooks=hooks)
        finally:
            with lock:
                active[0] -= 1

    c.send_events = counting  # type: ignore[method-assign]
    export(frame(60), c, sb.rule_id, now=NOW, batch_size=5, max_in_flight=3, progress=False)
    assert max(seen) <= 3 and max(seen) >= 2


def test_limiter_paces_per_minute_and_stops_for_the_day() -> None:
    t = [1_000.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        t[0] += s

    lim = Limiter(
        RateLimit(requests_per_minute=3, requests_per_day=5), clock=lambda: t[0], sleep=sleep
    )
    for _ in range(5):
        lim.acquire()
    assert waits == [60.0]
    from linkedin_capi.delivery.ratelimit import DailyQuotaSpent

    with pytest.raises(DailyQuotaSpent) as info:
        lim.acquire()
    assert info.value.resume_at == next_utc_midnight(t[0])


def test_limiter_terminates_on_a_frozen_clock() -> None:
    waits: list[float] = []
    lim = Limiter(
        RateLimit(requests_per_minute=2, requests_per_day=None),
        clock=lambda: 5.0,
        sleep=waits.append,
    )
    for _ in range(5):
        lim.acquire()
    assert len(waits) >= 2


def test_daily_budget_stops_cleanly_and_resumes(sb: Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    df = frame(50)
    limit = RateLimit(requests_per_minute=None, requests_per_day=3)
    first = export(
        df.lazy(),
        conn(sb),
        sb.rule_id,
        now=NOW,
        batch_size=10,
        journal=journal,
        rate_limit=limit,
        max_in_flight=1,
        progress=False,
    )
    assert first.sent == 30 and first.failed == 20
    assert first.stopped is not None and "resets at" in first.stopped
    assert first.resume_at == next_utc_midnight(NOW.timestamp())
    second = export(
        df.lazy(),
        conn(sb),
        sb.rule_id,
        now=NOW,
        batch_size=10,
        journal=journal,
        progress=False,
    )
    assert (second.already_sent, second.sent, second.stopped) == (30, 20, None)
    assert_exactly_once(sb, df.get_column("eventId"))


def test_eager_export_honours_the_daily_budget(sb: Sandbox) -> None:
    result = export(
        frame(30),
        conn(sb),
        sb.rule_id,
        now=NOW,
        batch_size=10,
        progress=False,
        rate_limit=RateLimit(requests_per_minute=None, requests_per_day=2),
    )
    assert (result.sent, result.failed) == (20, 10)
    assert result.stopped is not None and result.resume_at is not None


def test_persistent_429_stops_without_hammering(sb: Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    df = frame(100)
    sb.set_quota(3)  # LinkedIn's day runs out after three calls
    sleeps: list[float] = []
    first = export(
        df.lazy(),
        conn(sb, sleeps),
        sb.rule_id,
        now=NOW,
        batch_size=10,
        journal=journal,
        max_in_flight=1,
        progress=False,
    )
    assert first.sent == 30 and first.failed == 70
    assert first.stopped is not None and "429" in first.stopped and "midnight UTC" in first.stopped
    assert first.requests <= 3 + 3  # the three good ones, then one batch's retries, then stop
    assert first.resume_at is not None and first.resume_at.time() == dt.time(0, 0)
    with Journal(journal) as book:
        assert book.last_stop() is not None
    sb.advance(dt.timedelta(days=1))  # the quota resets at midnight (events stay in window)
    sb.set_quota(None)
    second = export(
        df.lazy(),
        conn(sb),
        sb.rule_id,
        now=NOW + dt.timedelta(days=1),
        batch_size=10,
        journal=journal,
        progress=False,
    )
    assert (second.already_sent, second.sent) == (30, 70)
    assert_exactly_once(sb, df.get_column("eventId"))


def test_stream_option_errors() -> None:
    with pytest.raises(errors.ConfigError, match="max_in_flight"):
        export(frame(1), None, 1, dry_run=True, max_in_flight=0)
    with pytest.raises(errors.ConfigError, match="rate_limit"):
        export(frame(1), None, 1, dry_run=True, rate_limit=600)  # type: ignore[arg-type]
    with pytest.raises(errors.ConfigError, match="journal"):
        bad = Path(__file__)  # a Python file is not a SQLite database
        export(frame(1), None, 1, dry_run=True, journal=bad)


def test_journal_states_sent_wins_then_latest() -> None:
    with Journal(":memory:") as book:
        b = book.begin(["a", "b", "c"])
        book.record(["b"], "rejected", "HTTP 422")
        book.finish(b, "sent")  # 'a', 'b', 'c' acknowledged after all
        book.record(["c"], "unknown")  # a later unknown never undoes 'sent'
        book.record(["d"], "unknown")
        book.record(["d"], "rejected", "HTTP 422")  # latest wins when none was sent
        book.record(["e"], "unsent")
        assert book.lookup(["a", "b", "c", "d", "e", "f"]) == {
            "a": "sent",
            "b": "sent",
            "c": "sent",
            "d": "rejected",
            "e": "unsent",
        }
        keys = pl.DataFrame({"id": ["d", "f", "a"]}).select(*id_keys(pl.col("id")))
        assert book.known().status(keys).to_list() == ["rejected", None, "sent"]


def test_unknown_events_can_be_left_alone(sb: Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    with Journal(journal) as book:
        book.begin([f"evt-{i}" for i in range(10)])  # a run died with these on the wire
    result = export(
        frame(50),
        conn(sb),
        sb.rule_id,
        now=NOW,
        journal=journal,
        resend_unknown=False,
        progress=False,
    )
    assert (result.sent, result.failed) == (40, 10)
    assert result.failures.get_column("error").cast(pl.String).str.contains("not re-sent").all()
    assert_exactly_once(sb, [f"evt-{i}" for i in range(10, 50)])
    again = export(frame(50), conn(sb), sb.rule_id, now=NOW, journal=journal, progress=False)
    assert (again.already_sent, again.sent) == (40, 10)  # the default re-sends them


@pytest.mark.parametrize("lazy", [False, True])
def test_requests_per_minute_are_paced(sb: Sandbox, lazy: bool) -> None:
    sleeps: list[float] = []
    df = frame(50)
    result = export(
        df.lazy() if lazy else df,
        conn(sb, sleeps),
        sb.rule_id,
        now=NOW,
        batch_size=10,
        rate_limit=RateLimit(requests_per_minute=2, requests_per_day=None),
        progress=False,
    )
    assert result.sent == 50
    # Five requests, two a minute: two at once, then waits for the window (clock frozen:
    # each sender counts only its own waits, so a later one may wait two windows).
    assert sum(sleeps) >= 120.0 and all(0 < s <= 120.0 for s in sleeps)
    assert_exactly_once(sb, df.get_column("eventId"))
