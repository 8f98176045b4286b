"""A DataFrame export validates slice by slice as it sends (issues 11 and 16).

Each row is evaluated once; the first batch leaves after the first slice; a part's last
partial batch waits for the next part, so requests stay full; rows not reached when the
export stops keep true statuses; a rule that does not accept events stops the export only
when a valid row uses it; and the result's report reads as ``validate()``'s.
"""

from __future__ import annotations

import _thread
import time
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from _support.fake_linkedin import (
    FakeClock,
    FakeLinkedIn,
    Reply,
    enabled_rule,
    make_conn,
    running,
)
from _support.scale_helpers import NOW, conn, frame

import linkedin_capi as capi
from linkedin_capi.delivery import streaming
from linkedin_capi.delivery.export import export
from linkedin_capi.engine import _splits
from linkedin_capi.errors import ConfigError, ExportInterrupted
from linkedin_capi.sandbox import Sandbox


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    yield from running()


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    # A part is rounded up to one render step: batch_size * 4 rows a slice.
    monkeypatch.setattr(streaming, "_SLICE_ROWS", 1)


def with_bad(df: pl.DataFrame, rows: set[int]) -> pl.DataFrame:
    """``df`` with an unreadable time in ``rows`` (invalid)."""
    bad = pl.int_range(pl.len()).is_in(list(rows))
    return df.with_columns(
        pl.when(bad).then(pl.lit("not a time")).otherwise(pl.col("conversionHappenedAt"))
        .alias("conversionHappenedAt")
    )  # fmt: skip


def event_batches(fake: FakeLinkedIn) -> list[list[dict[str, Any]]]:
    events = [s for s in fake.api_requests if s.path.startswith("/rest/conversionEvents")]
    return [s.json()["elements"] for s in events]


def test_each_row_is_evaluated_once_and_sending_starts_after_the_first_slice(
    fake: FakeLinkedIn, small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluations: list[int] = []
    real = _splits.evaluated

    def counting(lf: pl.LazyFrame, rx: Any) -> pl.LazyFrame:
        evaluations.append(len(fake.api_requests))  # requests seen when a slice is evaluated
        return real(lf, rx)

    monkeypatch.setattr(_splits, "evaluated", counting)
    df = with_bad(frame(100), {3, 41, 42, 77})
    result = export(df, make_conn(fake, FakeClock()), 5, now=NOW, batch_size=5, progress=False,
                    max_in_flight=1)  # fmt: skip
    assert result.sent == 96 and result.invalid == 4
    assert len(evaluations) == 100 // 20  # one evaluation per slice of 20 rows, no second pass
    assert evaluations[-1] > 0  # the last slice was validated after requests had gone out
    report = result.report
    assert report is not None and report.counts == capi.validate(df, 5, now=NOW).counts
    assert report.invalid.equals(capi.validate(df, 5, now=NOW).invalid)


def test_requests_stay_full_across_slices(fake: FakeLinkedIn, small_slices: None) -> None:
    df = with_bad(frame(100), {3, 41, 42, 77})
    result = export(df, make_conn(fake, FakeClock()), 5, now=NOW, batch_size=5, progress=False)
    sizes = [len(b) for b in event_batches(fake)]
    assert sizes == [5] * 19 + [1]  # 96 events: not 20 + 3 partial batches per slice
    sent = [e["eventId"] for b in event_batches(fake) for e in b]
    expected = df.filter(~pl.int_range(pl.len()).is_in([3, 41, 42, 77]))["eventId"].to_list()
    assert sorted(sent) == sorted(expected) and len(sent) == len(set(sent))
    assert result.requests == 20


def test_rows_not_reached_when_the_export_stops_keep_true_statuses(small_slices: None) -> None:
    df = with_bad(frame(100), {3, 61, 99})
    with Sandbox(store_events=True) as sb:
        sb.fail_next(429, n=10, path="conversionEvents")
        result = export(df, conn(sb), sb.rule_id, now=NOW, batch_size=5, progress=False)
        assert sb.event_count == 0
    statuses = result.rows.get_column("status").cast(pl.String)
    assert result.stopped is not None and "429" in result.stopped
    assert statuses.to_list() == ["invalid" if i in {3, 61, 99} else "failed" for i in range(100)]
    assert result.report is not None and result.report.counts["invalid"] == 3


def test_ctrl_c_leaves_rows_not_reached_with_true_statuses(small_slices: None) -> None:
    df = with_bad(frame(200), {5, 150, 190})
    calls = [0]

    def slow(seconds: float) -> None:  # the sandbox's latency hook, once per request
        calls[0] += 1
        if calls[0] == 3:
            _thread.interrupt_main()
        time.sleep(seconds)

    with Sandbox(store_events=True, sleep=slow) as sb:
        sb.set_latency(0.05, path="conversionEvents")
        with pytest.raises(ExportInterrupted) as info:
            export(df, conn(sb), sb.rule_id, now=NOW, batch_size=5, progress=False)
    result = info.value.result
    statuses = result.rows.get_column("status").cast(pl.String).to_list()
    assert [statuses[i] for i in (5, 150, 190)] == ["invalid"] * 3
    assert 0 < result.sent < 197 and result.sent + result.failed == 197
    assert result.report is not None and result.report.counts["invalid"] == 3


def test_a_refused_rule_of_invalid_rows_only_stops_nothing(fake: FakeLinkedIn) -> None:
    fake.rules[7] = Reply(200, enabled_rule(7, enabled=False))
    df = with_bad(frame(6), {2}).with_columns(
        pl.Series("conversion", [5, 5, 7, 5, 5, 5])
    )  # rule 7 only on the invalid row
    result = export(df, make_conn(fake, FakeClock()), now=NOW, progress=False)
    assert (result.sent, result.invalid) == (5, 1)
    fetched = sorted(s.path.split("?")[0] for s in fake.rule_requests)
    assert fetched == ["/rest/conversions/5", "/rest/conversions/7"]  # each once


def test_a_refused_rule_of_a_valid_row_in_a_late_slice_stops_before_any_event(
    fake: FakeLinkedIn, small_slices: None
) -> None:
    fake.rules[7] = Reply(200, enabled_rule(7, enabled=False))
    rules = [5] * 99 + [7]  # the last slice only
    df = frame(100).with_columns(pl.Series("conversion", rules))
    with pytest.raises(ConfigError, match=r"id 7\) is disabled") as info:
        export(df, make_conn(fake, FakeClock()), now=NOW, batch_size=5, progress=False)
    assert event_batches(fake) == []
    assert [s.path.split("?")[0] for s in fake.rule_requests].count("/rest/conversions/7") == 1
    assert info.value.result is not None and info.value.result.failed == 100


def test_an_accepted_batch_is_not_rendered_event_by_event_again(
    fake: FakeLinkedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-event texts serve only to split a rejected batch; an accepted one is sent as
    rendered (they were rendered a second time for every batch: ~0.4 s per million rows)."""
    from linkedin_capi.engine.payload import Batch

    rendered: list[int] = []
    real = Batch.texts

    def counting(self: Batch) -> pl.Series:
        rendered.append(len(self.rows))
        return real.fget(self)  # type: ignore[no-any-return,misc]

    monkeypatch.setattr(Batch, "texts", property(counting))
    result = export(frame(30), make_conn(fake, FakeClock()), 5, now=NOW, batch_size=10,
                    progress=False)  # fmt: skip
    assert result.sent == 30 and rendered == []
    fake.queue(Reply(422, {"message": "Index: 1, ERROR :: /user :: bad"}))
    again = export(frame(30), make_conn(fake, FakeClock()), 5, now=NOW, batch_size=10,
                   progress=False, max_in_flight=1)  # fmt: skip
    assert (again.sent, again.failed) == (29, 1) and rendered == [10]  # the rejected one only


@pytest.mark.parametrize("lazy", [False, True])
def test_slices_and_chunks_build_their_expressions_once(
    monkeypatch: pytest.MonkeyPatch, lazy: bool
) -> None:
    """Slices (a DataFrame) and chunks (a LazyFrame) that read alike share one set of
    validation expressions: building them costs ~25 ms of Python each time."""
    from linkedin_capi.engine import validate as validation

    built = 0
    real = validation._row_exprs

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal built
        built += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(validation, "_row_exprs", counting)
    monkeypatch.setattr(streaming, "_SLICE_ROWS", 1)  # one render step a slice
    df = frame(2_000)
    data: pl.DataFrame | pl.LazyFrame = df.lazy() if lazy else df
    result = export(data, None, 7, now=NOW, dry_run=True, batch_size=100, chunk_size=250,
                    progress=False)  # fmt: skip
    assert result.counts["dry_run"] == 2_000
    # 5 slices of 400 rows or 8 chunks of 250: each would build its own without the cache.
    assert built <= 2, built  # once, and at most once more for the report's whole frame
