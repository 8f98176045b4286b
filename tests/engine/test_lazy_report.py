"""``validate()`` keeps the input and one status byte a row; the parts come on first access.

Laziness is observable (a built part is kept in the instance's ``__dict__``), and whatever is
read equals what one evaluation of the whole frame builds at once (``lazy=False``), also when
the input is evaluated in many small slices.
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import polars as pl
import pytest
from _support.engine import DAY_MS, NOW, NOW_MS, URN
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import frames

import linkedin_capi as capi
from linkedin_capi.engine import _splits
from linkedin_capi.engine.payload import batch_bodies, body, event_json
from linkedin_capi.engine.validate import make_plan, validate_chunk
from linkedin_capi.errors import SchemaError

PARTS = ("valid", "invalid", "skipped", "failures")


def mixed(n: int = 12) -> pl.DataFrame:
    """Valid, invalid (bad amount), skipped (too old) rows, and names for the warnings."""
    return pl.DataFrame(
        {
            "conversionHappenedAt": [
                NOW_MS - (100 if i % 5 == 4 else 1) * DAY_MS - i for i in range(n)
            ],
            "SHA256_EMAIL": [f" User{i}@Example.com" for i in range(n)],
            "firstName": [f"A{i}" if i % 2 else None for i in range(n)],
            "lastName": [f"B{i}" if i % 3 else None for i in range(n)],
            "currencyCode": ["usd"] * n,
            "amount": ["-1" if i % 4 == 1 else "10.50" for i in range(n)],
        }
    )


def built(report: capi.ValidationReport) -> list[str]:
    return [p for p in PARTS if p in vars(report)]


def at_once(df: pl.DataFrame, conversion: Any = None) -> capi.ValidationReport:
    plan = make_plan(df.schema, conversion, now=NOW, nulls=df)
    return validate_chunk(df, plan=plan, row_offset=0, lazy=False)


def assert_same(lazy: capi.ValidationReport, eager: capi.ValidationReport) -> None:
    assert lazy.counts == eager.counts
    assert lazy.warnings == eager.warnings
    assert lazy.error_counts().equals(eager.error_counts())
    assert lazy.identifier_coverage().equals(eager.identifier_coverage())
    assert lazy.event_days() == eager.event_days()
    assert lazy.future_rows() == eager.future_rows()
    assert lazy.summary() == eager.summary()
    for part in PARTS:
        assert getattr(lazy, part).equals(getattr(eager, part)), part
    assert pl.concat(list(lazy.valid_parts(3))).equals(eager.valid)


def test_nothing_is_built_until_read() -> None:
    report = capi.validate(mixed(), conversion=7, now=NOW)
    assert built(report) == []
    # What a notebook shows first needs counts and the invalid rows, never the valid ones.
    assert report.counts == {"total": 12, "valid": 8, "invalid": 2, "skipped": 2}
    assert not report.ok
    assert report.warnings
    text = report.summary()
    assert "identifiers (share of valid rows): SHA256_EMAIL 100%" in text
    coverage = report.identifier_coverage()
    assert report.identifier_coverage() is coverage  # a redrawn view does not rebuild it
    assert sum(report.event_days()) == 8
    assert built(report) == ["invalid"]
    valid = report.valid
    assert built(report) == ["valid", "invalid"]
    assert report.valid is valid  # kept, not built again
    assert report.failures.height and report.skipped.height
    assert built(report) == list(PARTS)


def test_valid_parts_do_not_build_valid() -> None:
    report = capi.validate(mixed(41), conversion=7, now=NOW)
    assert report.counts["valid"] == 25
    parts = list(report.valid_parts(4))
    assert [p.height for p in parts] == [4, 4, 4, 4, 4, 4, 1]
    assert "valid" not in vars(report)
    assert pl.concat(parts).equals(report.valid)
    rules = list(report.valid_parts(100, fields=["conversion"]))
    assert rules[0].columns == ["_row", "conversion"] and rules[0].height == 25


def test_accessed_parts_equal_those_built_at_once() -> None:
    df = mixed(50)
    with mock.patch.object(_splits, "SLICE_ROWS", 7):
        assert_same(capi.validate(df, conversion=7, now=NOW), at_once(df, 7))
    assert_same(capi.validate(df, conversion=7, now=NOW), at_once(df, 7))


def test_a_report_made_of_parts_still_works() -> None:
    empty = pl.DataFrame(schema={"_row": pl.UInt32})
    report = capi.ValidationReport(valid=empty, invalid=empty, skipped=empty)
    assert report.counts["total"] == 0 and report.ok and report.failures.height == 0
    with pytest.raises(ValueError, match="needs valid="):
        capi.ValidationReport(valid=empty)


def test_an_empty_frame() -> None:
    df = mixed(0)
    report = capi.validate(df, conversion=7, now=NOW)
    assert report.counts["total"] == 0
    assert_same(report, at_once(df, 7))
    assert [p.height for p in report.valid_parts(5)] == [0]


@settings(max_examples=40, deadline=None)
@given(
    df=frames(),
    conversion=st.sampled_from([None, 7, f"{URN}8"]),
    slice_rows=st.integers(1, 4),
    batch_size=st.integers(1, 4),
)
def test_random_frames_read_lazily_equal_built_at_once(
    df: pl.DataFrame, conversion: Any, slice_rows: int, batch_size: int
) -> None:
    try:
        eager = at_once(df, conversion)
    except SchemaError:
        return
    with mock.patch.object(_splits, "SLICE_ROWS", slice_rows):
        lazy = capi.validate(df, conversion, now=NOW)
        assert_same(lazy, eager)
        # bodies rendered from the lazily built rows are the bodies of the eager ones
        batches = list(batch_bodies(lazy.valid, batch_size=batch_size))
        assert [b.body for b in batches] == [
            b.body for b in batch_bodies(eager.valid, batch_size=batch_size)
        ]
        for batch in batches:  # byte for byte what the events rendered one by one make
            assert batch.frame is not None
            assert batch.body == body(event_json(batch.frame))
            assert json.loads(batch.body)["elements"]


def test_field_warnings_read_lazily_equal_those_built_at_once() -> None:
    """Placeholders, a dropped countryCode and times read as UTC, over many slices: the
    lines are counted in the status pass, the warning rows built on first access."""
    n = 23
    df = pl.DataFrame(
        {
            # naive text: read as UTC (a warning per row); every 6th is too old (no warning)
            "conversionHappenedAt": [
                "2026-11-20T10:00:00" if i % 6 else "2026-01-01T10:00:00" for i in range(n)
            ],
            "SHA256_EMAIL": [f"u{i}@example.com" for i in range(n)],
            "li_fat_id": ["undefined" if i % 4 == 0 else None for i in range(n)],
            "firstName": ["Ada"] * n,
            "lastName": ["Lovelace"] * n,
            "countryCode": ["Atlantis" if i % 5 == 0 else "USA" for i in range(n)],
            "amount": ["-1" if i % 7 == 3 else "10.50" for i in range(n)],
            "currencyCode": ["USD"] * n,
        }
    )
    eager = at_once(df, 7)
    rules = set(eager.failures.filter(pl.col("severity") == "warning")["rule"])
    assert {
        "conversionHappenedAt.naive_read_as_utc",
        "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID.placeholder",
        "countryCode.dropped",
    } <= rules
    with mock.patch.object(_splits, "SLICE_ROWS", 4):
        lazy = capi.validate(df, conversion=7, now=NOW)
        assert built(lazy) == []
        assert lazy.warnings == eager.warnings
        assert lazy.failures.equals(eager.failures)
        assert_same(capi.validate(df, conversion=7, now=NOW), eager)


def messy(n: int = 40) -> pl.DataFrame:
    """Every kind of problem, interleaved: times in many forms (naive, zoned, date_format,
    epoch ms and seconds, garbage, future, too old, placeholders, a daylight-saving gap),
    e-mails (hygiene, digests, invalid, too long, placeholders), amounts, countries, names."""
    times = [
        "2024-08-28T15:30:00Z",
        "2024-08-28 15:30",  # naive: read as UTC, or in timezone=
        "08/27/2024 10:15",  # date_format=
        str(NOW_MS - 3 * DAY_MS),  # epoch ms as text
        str(NOW_MS // 1000),  # epoch seconds: invalid
        "x",
        "2024-09-30T00:00:00+02",  # future
        "2024-01-02",  # too old: skipped
        "undefined",  # placeholder: missing
        "2024-03-31 02:30:00",  # does not exist in Europe/Paris
        "2024-08-20",
        "2024-08-29T08:00:00.123-0500",
        None,
    ]
    emails = [
        " Jo Doe <Jo.Doe@Example.com> ",
        "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514".upper(),
        "nope",
        "N/A",
        "a@" + "b" * 260 + ".co",
        "mailto:x@y.io",
        "u\u200b@x.io",
        None,
        "plain@x.io",
    ]
    amounts = ["10.50", "EUR 10", "1,250", "-1", "$1,250.00", "3"]
    return pl.DataFrame(
        {
            "conversionHappenedAt": [times[i % len(times)] for i in range(n)],
            "SHA256_EMAIL": [emails[i % len(emails)] for i in range(n)],
            "ACXIOM_ID": [None if i % 3 else f"acx{i}" for i in range(n)],
            "firstName": ["Ada" if i % 4 else None for i in range(n)],
            "lastName": ["Lovelace" if i % 5 else "null" for i in range(n)],
            "countryCode": [("USA", "Atlantis", "fr", None)[i % 4] for i in range(n)],
            "currencyCode": ["USD" if i % 6 else "eur" for i in range(n)],
            "amount": [amounts[i % len(amounts)] for i in range(n)],
        }
    )


@pytest.mark.parametrize(
    "reading",
    [{}, {"timezone": "Europe/Paris", "date_format": "%m/%d/%Y %H:%M", "decimal_comma": False}],
)
def test_a_messy_frame_read_lazily_equals_one_evaluation(reading: dict[str, Any]) -> None:
    """The lazy report keeps the normalized times and codes of the status pass (and which
    columns normalizing left unchanged) and reads them when it builds a part: each part gets
    its own rows' values, over slices and filtered parts, exactly as one evaluation of the
    whole frame (``split_now``) gives them."""
    df = messy()
    plan = make_plan(df.schema, 7, now=NOW, nulls=df, **reading)
    eager = validate_chunk(df, plan=plan, row_offset=5, lazy=False)
    rules = set(eager.failures["rule"])
    assert {
        "conversionHappenedAt.format",
        "conversionHappenedAt.epoch_seconds",
        "conversionHappenedAt.future",
        "SHA256_EMAIL.format",
        "SHA256_EMAIL.placeholder",
        "amount.currency_mismatch",
        "countryCode.dropped",
        "userInfo.needs_both_names",
    } <= rules
    zone_rule = "local_time_invalid" if reading else "naive_read_as_utc"
    assert f"conversionHappenedAt.{zone_rule}" in rules
    counts = eager.counts
    assert counts["valid"] and counts["invalid"] and counts["skipped"]
    for slice_rows in (3, 7, 100):
        with mock.patch.object(_splits, "SLICE_ROWS", slice_rows):
            lazy = validate_chunk(df, plan=plan, row_offset=5)
            assert built(lazy) == []
            assert_same(lazy, eager)
            lazy = validate_chunk(df, plan=plan, row_offset=5)
            assert pl.concat(list(lazy.valid_parts(2))).equals(eager.valid)
            assert lazy.skipped.equals(eager.skipped)  # its reason shows the kept time
    # the valid rows' times: the kept values, not a parse of their text; columns that
    # normalizing left as they were in every row: the input, not normalized again
    source = validate_chunk(df, plan=plan, row_offset=5)._source
    assert isinstance(source, _splits.LazySplits)
    assert {"ACXIOM_ID", "firstName"} <= set(source.as_given)
    # what the report keeps per row: a time and two codes, about 10 bytes
    assert source.kept.columns == [
        "__capi_k_conversionHappenedAt",
        "__capi_k_countryCode",
        "__capi_k_currencyCode",
    ]
    assert source.kept.estimated_size() <= 11 * df.height
    assert not {"lastName", "countryCode", "currencyCode", "amount"} & set(source.as_given)
    part = next(source.rows(0, 100))
    query = _splits.valid_of(_splits.evaluated(part, source.rx), source.rx)
    plan_text = query.explain()
    assert "strptime" not in plan_text
    assert "__capi_p_firstName" not in plan_text and "__capi_p_lastName" in plan_text
    assert query.collect().equals(eager.valid)


def test_columns_already_in_linkedins_form_are_read_as_given() -> None:
    """Codes normalizing leaves as they are are read from the input, not kept per row."""
    df = mixed(20).with_columns(
        currencyCode=pl.lit("USD"), countryCode=pl.Series([None, "US", "FR", "DE"] * 5)
    )
    source = capi.validate(df, conversion=7, now=NOW)._source
    assert isinstance(source, _splits.LazySplits)
    assert {"currencyCode", "countryCode"} <= set(source.as_given)
    assert source.kept.columns == ["__capi_k_conversionHappenedAt"]
    assert_same(capi.validate(df, conversion=7, now=NOW), at_once(df, 7))
    lower = df.with_columns(countryCode=pl.col("countryCode").str.to_lowercase())
    source = capi.validate(lower, conversion=7, now=NOW)._source
    assert isinstance(source, _splits.LazySplits)
    assert "countryCode" not in source.as_given
    assert source.kept.columns == ["__capi_k_conversionHappenedAt", "__capi_k_countryCode"]
    assert_same(capi.validate(lower, conversion=7, now=NOW), at_once(lower, 7))
