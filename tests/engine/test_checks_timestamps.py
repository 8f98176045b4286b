"""conversionHappenedAt: every accepted form, epoch-seconds detection, the 90-day window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from _support.engine import DAY_MS, NOW, NOW_MS, T_MS, T, errors_by_row, one, partition_ok, run

import linkedin_capi as capi
from linkedin_capi.engine import normalize as nz
from linkedin_capi.errors import ConfigError

UTC = dt.UTC


def ms(*args: int, tz: dt.tzinfo = UTC) -> int:
    """Reference epoch milliseconds computed by the standard library."""
    return int(dt.datetime(*args, tzinfo=tz).timestamp() * 1000)


def happened(values: list[Any], dtype: Any = None) -> dict[int, Any]:
    """Validate ``values`` as conversionHappenedAt; return row → ms for valid rows."""
    report = one("conversionHappenedAt", values, dtype)
    partition_ok(report, len(values))
    return dict(
        zip(
            report.valid["_row"].to_list(),
            report.valid["conversionHappenedAt"].to_list(),
            strict=True,
        )
    )


# -- the seed document's own examples ----------------------------------------------------------

SEED_CAST_EXAMPLES = ["2024-08-28", "2024-08-28 15:30:00", "2024-08-28T15:30:00"]
SEED_ISO_EXAMPLES = ["2024-08-28T00:00:00Z", "2024-05-28T15:30:00.123Z", "2024-02-28T15:30:00Z"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-08-28", ms(2024, 8, 28)),
        ("2024-08-28 15:30:00", ms(2024, 8, 28, 15, 30)),
        ("2024-08-28T15:30:00", ms(2024, 8, 28, 15, 30)),
        ("2024-08-28T00:00:00Z", ms(2024, 8, 28)),
        ("2024-05-28T15:30:00.123Z", ms(2024, 5, 28, 15, 30) + 123),
        ("2024-02-28T15:30:00Z", ms(2024, 2, 28, 15, 30)),
    ],
)
def test_seed_date_time_strings_become_epoch_ms(text: str, expected: int) -> None:
    got = pl.select(nz.happened_at_ms(pl.lit(text), pl.String)).item()
    assert got == expected


def test_seed_date_time_strings_inside_the_window_are_valid_and_sent_as_ms() -> None:
    # now = 2024-09-01: Aug 28 is inside the 90 days, May 28 and Feb 28 are older
    values = SEED_CAST_EXAMPLES + SEED_ISO_EXAMPLES
    report = one("conversionHappenedAt", values)
    assert report.valid["_row"].to_list() == [0, 1, 2, 3]
    assert report.valid["conversionHappenedAt"].to_list() == [
        ms(2024, 8, 28),
        ms(2024, 8, 28, 15, 30),
        ms(2024, 8, 28, 15, 30),
        ms(2024, 8, 28),
    ]
    assert report.skipped["_row"].to_list() == [4, 5]
    sent = [p["conversionHappenedAt"] for p in report.payloads()]
    assert sent == report.valid["conversionHappenedAt"].to_list()


def test_seed_iso_examples_are_each_valid_at_a_now_inside_their_window() -> None:
    df = pl.DataFrame({"conversionHappenedAt": SEED_ISO_EXAMPLES, "ACXIOM_ID": ["x"] * 3})
    expected = [ms(2024, 8, 28), ms(2024, 5, 28, 15, 30) + 123, ms(2024, 2, 28, 15, 30)]
    # at each now, the row at that date is valid, later ones are in the future, earlier skipped
    for row, now in enumerate(
        [NOW, dt.datetime(2024, 6, 1, tzinfo=UTC), dt.datetime(2024, 3, 1, tzinfo=UTC)]
    ):
        report = capi.validate(df, 1, now=now)
        assert report.valid["_row"].to_list() == [row]
        assert report.valid["conversionHappenedAt"].to_list() == [expected[row]]
        assert sorted(errors_by_row(report)) == list(range(row))
        assert report.skipped["_row"].to_list() == list(range(row + 1, 3))


def test_polars_datetime_cast_from_the_seed_strings() -> None:
    # SELECT CAST(date_time_field AS timestamp): the same column, already a Datetime
    cast = pl.Series("conversionHappenedAt", SEED_CAST_EXAMPLES).str.to_datetime()
    assert isinstance(cast.dtype, pl.Datetime)
    got = happened(cast.to_list(), cast.dtype)
    assert got == {
        0: ms(2024, 8, 28),
        1: ms(2024, 8, 28, 15, 30),
        2: ms(2024, 8, 28, 15, 30),
    }


def test_seed_integer_example_1590739275000_is_epoch_ms() -> None:
    df = pl.DataFrame({"conversionHappenedAt": [1590739275000], "ACXIOM_ID": ["x"]})
    report = capi.validate(df, 123, now=dt.datetime(2020, 6, 1, tzinfo=UTC))
    assert report.payloads()[0]["conversionHappenedAt"] == 1590739275000
    # the same value at the pinned 2024 now is older than 90 days → skipped, not invalid
    report = capi.validate(df, 123, now=NOW)
    assert report.ok
    assert report.skipped["_row"].to_list() == [0]


# -- every accepted form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-08-28T15:30:00+02:00", ms(2024, 8, 28, 13, 30)),
        ("2024-08-28T15:30:00-05:30", ms(2024, 8, 28, 21, 0)),
        ("2024-08-28T15:30:00+0200", ms(2024, 8, 28, 13, 30)),
        ("2024-08-28T15:30:00+02", ms(2024, 8, 28, 13, 30)),
        ("2024-08-28T15:30:00.250-05", ms(2024, 8, 28, 20, 30) + 250),
        ("2024-08-28T15:30:00.5Z", ms(2024, 8, 28, 15, 30) + 500),
        ("2024-08-28T15:30:00.123456789Z", ms(2024, 8, 28, 15, 30) + 123),
        ("2024-08-28T15:30:00.250", ms(2024, 8, 28, 15, 30) + 250),
        ("2024-08-28 15:30:00Z", ms(2024, 8, 28, 15, 30)),
        ("  2024-08-28T15:30:00Z  ", ms(2024, 8, 28, 15, 30)),
        ("1724859000000", T_MS),
        (" 1724859000000 ", T_MS),
    ],
)
def test_string_forms(text: str, expected: int) -> None:
    assert happened([text]) == {0: expected}


@pytest.mark.parametrize("dtype", [pl.Int64, pl.UInt64, pl.Int128])
def test_integer_columns_are_epoch_ms(dtype: Any) -> None:
    assert happened([T_MS], dtype) == {0: T_MS}


def test_integral_floats_are_epoch_ms_and_fractions_are_not() -> None:
    report = one("conversionHappenedAt", [float(T_MS), T_MS + 0.5, float("nan"), float("inf")])
    assert report.valid["conversionHappenedAt"].to_list() == [T_MS]
    errors = errors_by_row(report)
    assert sorted(errors) == [1, 2, 3]
    assert all(
        e[0].startswith("conversionHappenedAt: expected epoch milliseconds")
        for e in errors.values()
    )


@pytest.mark.parametrize("unit", ["ms", "us", "ns"])
def test_naive_datetime_is_utc(unit: Any) -> None:
    value = dt.datetime(2024, 8, 28, 15, 30, 0, 123000)
    assert happened([value], pl.Datetime(unit)) == {0: T_MS + 123}


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_time_zone_aware_datetime_keeps_its_instant(zone: str) -> None:
    series = pl.Series([dt.datetime(2024, 8, 28, 15, 30)]).dt.replace_time_zone(zone)
    expected = series.dt.convert_time_zone("UTC").dt.epoch("ms").item()
    assert happened(series.to_list(), series.dtype) == {0: expected}
    if zone != "UTC":
        assert expected != T_MS


def test_date_column_is_midnight_utc() -> None:
    assert happened([dt.date(2024, 8, 28)], pl.Date) == {0: ms(2024, 8, 28)}


def test_a_mixed_string_column_like_a_csv_export() -> None:
    got = happened(["1724859000000", "2024-08-28T15:30:00Z", "2024-08-28"])
    assert got == {0: T_MS, 1: T_MS, 2: ms(2024, 8, 28)}


# -- invalid forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (["soon"], None),
        (["2024-13-01T00:00:00Z"], None),
        (["28/08/2024"], None),
        (["2024-08-28T25:00:00Z"], None),
        ([12345], pl.Int64),
        ([-T_MS], pl.Int64),
        ([0], pl.Int64),
        ([True], pl.Boolean),
        ([[T_MS]], pl.List(pl.Int64)),
        ([b"\x01"], pl.Binary),
        ([dt.time(12, 0)], pl.Time),
        ([dt.timedelta(days=1)], pl.Duration("ms")),
    ],
)
def test_other_forms_are_invalid_with_a_message_naming_the_field(
    values: list[Any], dtype: Any
) -> None:
    report = one("conversionHappenedAt", values, dtype)
    assert report.counts == {"total": 1, "valid": 0, "invalid": 1, "skipped": 0}
    (errors,) = report.invalid["errors"].to_list()
    assert len(errors) == 1
    assert errors[0].startswith("conversionHappenedAt: expected epoch milliseconds"), errors
    assert ", got '" in errors[0]


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (1724859000, pl.Int64),
        ("1724859000", pl.String),
        (1724859000.0, pl.Float64),
        (1_000_000_000, pl.Int64),
        (946_684_800, pl.Int64),  # 2000-01-01: the earliest value worth the hint
    ],
)
def test_epoch_seconds_are_invalid_with_a_hint(value: Any, dtype: Any) -> None:
    report = one("conversionHappenedAt", [value], dtype)
    (errors,) = report.invalid["errors"].to_list()
    assert errors == [
        f"conversionHappenedAt: {int(value)} looks like epoch seconds; LinkedIn wants "
        "milliseconds (multiply by 1000)"
    ]


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (99_999_999_999, pl.Int64),  # 11 digits: times 1000 is the year 5138
        ("17640000000", pl.String),
        (946_684_799, pl.Int64),  # 1999: times 1000 is no plausible conversion time
        (4_102_444_800, pl.Int64),  # times 1000 is 2100-01-01
    ],
)
def test_epoch_hint_only_where_multiplying_gives_a_plausible_time(value: Any, dtype: Any) -> None:
    report = one("conversionHappenedAt", [value], dtype)
    (errors,) = report.invalid["errors"].to_list()
    assert len(errors) == 1
    assert "multiply by 1000" not in errors[0]
    assert errors[0].startswith("conversionHappenedAt: expected epoch milliseconds"), errors
    assert report.failures["rule"].to_list() == ["conversionHappenedAt.format"]


def test_smallest_millisecond_value_is_not_taken_for_seconds() -> None:
    report = one("conversionHappenedAt", [nz.SECONDS_CEILING])
    # 1973: a real ms value, so it is judged by the window (skipped), not as seconds
    assert report.skipped["_row"].to_list() == [0]


def test_seconds_times_1000_is_the_same_event() -> None:
    assert happened([1724859000 * 1000]) == {0: T_MS}


# -- the 90-day window and the future, against one pinned now --------------------------------------


def test_window_boundaries() -> None:
    start = NOW_MS - 90 * DAY_MS
    values = [NOW_MS, NOW_MS + 1, start, start - 1, NOW_MS - 1]
    report = one("conversionHappenedAt", values)
    assert report.valid["_row"].to_list() == [0, 2, 4]
    assert report.valid["conversionHappenedAt"].to_list() == [NOW_MS, start, NOW_MS - 1]
    assert report.invalid["_row"].to_list() == [1]
    assert report.invalid["errors"].to_list() == [
        [
            "conversionHappenedAt: in the future (2024-09-01T00:00:00.001Z is after now, "
            "2024-09-01T00:00:00.000Z)"
        ]
    ]
    assert report.skipped["_row"].to_list() == [3]
    assert report.skipped["reason"].to_list() == [
        "conversionHappenedAt: older than 90 days (2024-06-02T23:59:59.999Z is before "
        "2024-06-03T00:00:00.000Z); LinkedIn only accepts the last 90 days"
    ]


def test_window_boundaries_hold_for_every_form_of_the_same_instant() -> None:
    start = NOW - dt.timedelta(days=90)
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [NOW, start, start - dt.timedelta(milliseconds=1)],
            "ACXIOM_ID": ["x"] * 3,
        }
    )
    report = capi.validate(df, 1, now=NOW)
    assert report.valid["_row"].to_list() == [0, 1]
    assert report.skipped["_row"].to_list() == [2]
    iso = df.with_columns(pl.col("conversionHappenedAt").dt.to_string("%Y-%m-%dT%H:%M:%S%.3fZ"))
    again = capi.validate(iso, 1, now=NOW)
    assert again.valid.equals(report.valid)
    assert again.skipped["_row"].to_list() == [2]


def test_skipped_rows_keep_their_input_columns_and_a_reason() -> None:
    report = run({"ConversionHappenedAt": ["2020-01-01", T], "acxiom_id": ["a", "b"], "x": [1, 2]})
    assert report.skipped.columns == ["_row", "ConversionHappenedAt", "acxiom_id", "x", "reason"]
    assert report.skipped.row(0) == (
        0,
        "2020-01-01",
        "a",
        1,
        "conversionHappenedAt: older than 90 days (2020-01-01T00:00:00.000Z is before "
        "2024-06-03T00:00:00.000Z); LinkedIn only accepts the last 90 days",
    )


def test_stale_rows_are_skipped_even_when_another_field_is_bad() -> None:
    report = run({"conversionHappenedAt": ["2020-01-01"], "ACXIOM_ID": ["x"], "amount": ["x"]})
    assert report.ok and report.skipped.height == 1


def test_naive_now_means_utc_and_aware_now_is_an_instant() -> None:
    df = pl.DataFrame({"conversionHappenedAt": [NOW_MS], "ACXIOM_ID": ["x"]})
    for now in (
        dt.datetime(2024, 9, 1),
        dt.datetime(2024, 9, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ):
        report = capi.validate(df, 1, now=now)
        assert report.counts["valid"] == 1
        assert report.now == NOW
    report = capi.validate(df, 1, now=dt.datetime(2024, 8, 31, 23, 59, 59))
    assert report.counts["invalid"] == 1


@pytest.mark.parametrize("now", ["2024-09-01", 1725148800000, dt.date(2024, 9, 1)])
def test_now_of_the_wrong_type_is_a_config_error(now: Any) -> None:
    df = pl.DataFrame({"conversionHappenedAt": [T], "ACXIOM_ID": ["x"]})
    with pytest.raises(ConfigError, match="now= expects a datetime"):
        capi.validate(df, 1, now=now)


def test_default_now_is_the_current_time() -> None:
    current = dt.datetime.now(UTC)
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [
                current - dt.timedelta(days=1),
                current + dt.timedelta(days=1),
                current - dt.timedelta(days=91),
            ],
            "ACXIOM_ID": ["x"] * 3,
        }
    )
    report = capi.validate(df, 1)
    assert report.valid["_row"].to_list() == [0]
    assert report.invalid["_row"].to_list() == [1]
    assert report.skipped["_row"].to_list() == [2]


def test_every_timestamp_error_starts_with_the_field_name() -> None:
    report = one("conversionHappenedAt", ["soon", "1724859000", str(NOW_MS + DAY_MS)])
    for errors in report.invalid["errors"].to_list():
        assert errors and all(e.startswith("conversionHappenedAt: ") for e in errors)


def test_a_row_without_a_time_is_invalid() -> None:
    # the column exists (so no SchemaError) but these rows have no time: never sendable
    report = run(
        {"conversionHappenedAt": [T, None, "  ", ""], "ACXIOM_ID": ["a", "b", "c", "d"]},
        schema={"conversionHappenedAt": pl.String, "ACXIOM_ID": pl.String},
    )
    assert report.valid["_row"].to_list() == [0]
    assert errors_by_row(report) == {
        r: ["conversionHappenedAt: missing; every event needs its time"] for r in (1, 2, 3)
    }
    dated = run({"conversionHappenedAt": [dt.datetime(2024, 8, 28), None], "ACXIOM_ID": ["a", "b"]})
    assert dated.invalid["_row"].to_list() == [1]


@pytest.mark.parametrize(
    "value", [2**63 - 1, -(2**63), 10**16, 8_210_298_412_800_000, 2**53, 253_402_300_800_000]
)
def test_integers_beyond_year_9999_are_invalid_not_a_crash(value: int) -> None:
    report = one("conversionHappenedAt", [value])
    (errors,) = report.invalid["errors"].to_list()
    assert errors == [
        "conversionHappenedAt: expected epoch milliseconds (13 digits), an ISO-8601 date-time "
        f"such as '2024-08-28T15:30:00Z', or a date, got '{value}'"
    ]


def test_year_9999_is_merely_in_the_future() -> None:
    report = one("conversionHappenedAt", [253_402_300_799_999])
    assert (
        report.invalid["errors"]
        .to_list()[0][0]
        .startswith("conversionHappenedAt: in the future (9999-12-31T23:59:59.999Z is after now")
    )
