"""``SlicedValidation``: slices evaluated once each join into ``validate()``'s report.

What an eager export relies on: the slices' reports hold exactly the rows
``validate()`` puts in each part, and the joined report reads the same as ``validate()``'s,
whatever the slice size and also when the rest of the frame is validated after a stop.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from _support.engine import NOW
from hypothesis import given, settings
from hypothesis import strategies as st
from test_lazy_report import assert_same, mixed
from test_properties import frames

import linkedin_capi as capi
from linkedin_capi.engine.sliced import SlicedValidation
from linkedin_capi.engine.validate import make_plan
from linkedin_capi.errors import SchemaError


def sliced(df: pl.DataFrame, conversion: Any = 7, **options: Any) -> SlicedValidation:
    return SlicedValidation(df, make_plan(df.schema, conversion, now=NOW, nulls=df, **options))


def messy(n: int = 23) -> pl.DataFrame:
    """Every kind of row: valid, invalid, skipped, and each field warning."""
    return pl.DataFrame(
        {
            "conversionHappenedAt": [
                "2026-11-20T10:00:00" if i % 6 else "2026-01-01T10:00:00" for i in range(n)
            ],
            "SHA256_EMAIL": [f"u{i}@example.com" if i % 9 else "nope" for i in range(n)],
            "li_fat_id": ["undefined" if i % 4 == 0 else None for i in range(n)],
            "firstName": ["Ada" if i % 2 else None for i in range(n)],
            "lastName": ["Lovelace"] * n,
            "countryCode": ["Atlantis" if i % 5 == 0 else "USA" for i in range(n)],
            "amount": ["-1" if i % 7 == 3 else "10.50" for i in range(n)],
            "currencyCode": ["USD"] * n,
        }
    )


@pytest.mark.parametrize("rows", [1, 4, 7, 23, 100])
@pytest.mark.parametrize("frame", [messy, mixed])
def test_slices_join_into_the_report_validate_gives(rows: int, frame: Any) -> None:
    df = frame(23)
    whole = capi.validate(df, conversion=7, now=NOW)
    run = sliced(df)
    parts = list(run.slices(rows))
    assert [p.counts["total"] for p in parts] == [
        min(rows, 23 - start) for start in range(0, 23, rows)
    ]
    for part in ("valid", "invalid", "skipped", "failures"):
        assert pl.concat([getattr(p, part) for p in parts]).equals(getattr(whole, part)), part
    assert_same(run.report(), whole)


@pytest.mark.parametrize("taken", [0, 1, 3])
def test_rows_not_reached_are_validated_for_the_report(taken: int) -> None:
    """After a stop, the rest gets true statuses (invalid stays invalid) and the report
    is whole."""
    df = messy()
    whole = capi.validate(df, conversion=7, now=NOW)
    run = sliced(df)
    slices = run.slices(5)
    seen = [next(slices) for _ in range(taken + 1)][:taken]  # one more validated, unused
    rest = run.rest(5 * taken)
    assert sum(p.counts["total"] for p in seen) + rest.counts["total"] == 23
    assert rest.counts["total"] == 23 - 5 * taken
    assert pl.concat([*(p.invalid for p in seen), rest.invalid]).equals(whole.invalid)
    assert list(slices) == []  # nothing is left to slice
    assert_same(run.report(), whole)


def test_an_empty_frame_gives_one_empty_slice() -> None:
    df = mixed(0)
    run = sliced(df)
    (only,) = run.slices(10)
    assert only.counts["total"] == 0 and only.valid.columns[0] == "_row"
    assert_same(run.report(), capi.validate(df, conversion=7, now=NOW))


@settings(max_examples=30, deadline=None)
@given(df=frames(), conversion=st.sampled_from([None, 7]), rows=st.integers(1, 5))
def test_random_frames_sliced_equal_validate(df: pl.DataFrame, conversion: Any, rows: int) -> None:
    try:
        whole = capi.validate(df, conversion, now=NOW)
    except SchemaError:
        return
    run = sliced(df, conversion)
    if "conversion" in whole.valid.columns:  # rules(): every rule a valid row is sent under
        assert set(whole.valid["conversion"].drop_nulls()) <= set(run.rules())
    valid = pl.concat([p.valid for p in run.slices(rows)])
    assert valid.equals(whole.valid)
    assert_same(run.report(), whole)


def test_rules_are_those_any_row_may_use() -> None:
    df = pl.DataFrame(
        {
            "conversionHappenedAt": ["2026-11-27"] * 5,
            "ACXIOM_ID": ["a", "b", "c", "d", None],  # the last row is invalid
            "conversion": ["5", None, "urn:lla:llaPartnerConversion:6", "x", "9"],
        }
    )
    assert sliced(df, 4).rules() == [f"urn:lla:llaPartnerConversion:{i}" for i in (4, 5, 6, 9)]
    assert sliced(df.drop("conversion"), 4).rules() == ["urn:lla:llaPartnerConversion:4"]


@pytest.mark.parametrize("zone", [None, "Europe/Berlin"])
def test_rfc3339_times_skip_the_preparation_with_the_same_report(
    zone: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk whose times are all RFC 3339 already is read without rewriting them (the
    pre-test of ``_chunk_reading``): the report is the one of the general reading."""
    from linkedin_capi.engine import normalize as nz
    from linkedin_capi.engine import validate as v

    times = ["2024-08-27T10:00:00Z", "2024-08-27T10:00:00.5+02:00", "2024-01-01T00:00:00Z",
             "2024-09-02T00:00:00-05:00", None]  # fmt: skip
    df = pl.DataFrame({"conversionHappenedAt": times, "ACXIOM_ID": list("abcde")})
    plan = make_plan(df.schema, 7, now=NOW, nulls=df, timezone=zone)
    assert v._chunk_reading(df, plan).time_forms is False
    other = df.with_columns(pl.lit("2026-11-27 10:00").alias("conversionHappenedAt"))
    assert v._chunk_reading(pl.concat([df, other]), plan).time_forms is True
    fast = capi.validate(df, 7, now=NOW, timezone=zone)
    monkeypatch.setattr(nz, "time_needs_preparing", lambda raw: raw.is_not_null())
    general = capi.validate(df, 7, now=NOW, timezone=zone)
    assert_same(fast, general)
    assert fast.counts == {"total": 5, "valid": 2, "invalid": 2, "skipped": 1}
    assert fast.valid["conversionHappenedAt"].to_list() == [1724752800000, 1724745600500]


def test_slices_that_read_alike_share_their_expressions_and_others_do_not() -> None:
    """Expressions are built once per reading: slices whose values need other readings
    (e-mails, times and amounts that need the general forms) get their own, and every
    slice still joins into ``validate()``'s report."""
    n = 12
    df = pl.DataFrame(
        {
            "conversionHappenedAt": ["2026-11-20T10:00:00Z"] * 6 + ["20/11/2026 10:00"] * 6,
            "SHA256_EMAIL": ["a@example.com"] * 3
            + ["Jo <B@Example.COM>"] * 3
            + ["c@example.com"] * 6,
            "amount": ["10.50"] * 9 + ["$1,250.00"] * 3,
            "currencyCode": ["USD"] * n,
        }
    )
    run = sliced(df)
    parts = list(run.slices(3))
    assert len(parts) == 4
    # Each slice needs another reading: plain; e-mail forms; time forms; time and amount.
    assert len(run._exprs) == 4
    again = sliced(pl.concat([df.head(3)] * 4))
    assert len(list(again.slices(3))) == 4
    assert len(again._exprs) == 1  # four slices that read alike: built once
    whole = capi.validate(df, conversion=7, now=NOW)
    for part in ("valid", "invalid", "skipped", "failures"):
        assert pl.concat([getattr(p, part) for p in parts]).equals(getattr(whole, part)), part
    assert_same(run.report(), whole)
