"""validate(): conversion precedence, error messages, frames, entry points."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
import pytest
from _support.engine import NOW, T_MS, URN, T, errors_by_row, partition_ok, run

import linkedin_capi as capi
from linkedin_capi._constants import CANONICAL_COLUMNS
from linkedin_capi.engine.validate import rule_urn_of
from linkedin_capi.errors import ConfigError


@dataclass(frozen=True)
class Rule:
    """Stands in for a ConversionRule: anything with a ``.urn``."""

    id: int

    @property
    def urn(self) -> str:
        return f"{URN}{self.id}"


# -- conversion precedence: row > argument > invalid -----------------------------------------------


def test_seed_precedence_example_123_456() -> None:
    # Query result value 123, config value 456
    frame = {"conversionHappenedAt": [T, T], "ACXIOM_ID": ["a", "b"], "conversion": [123, None]}
    report = run(frame, conversion=456)
    assert report.valid["conversion"].to_list() == [f"{URN}123", f"{URN}456"]
    assert [p["conversion"] for p in report.payloads()] == [f"{URN}123", f"{URN}456"]
    # If both null: error (per row)
    report = run(frame, conversion=None)
    assert report.valid["conversion"].to_list() == [f"{URN}123"]
    assert errors_by_row(report) == {
        1: ["conversion: missing; put a rule id in the row or pass conversion=<rule>"]
    }


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (123, pl.Int64),
        (123, pl.UInt32),
        ("123", pl.String),
        (" 123 ", pl.String),
        (f"{URN}123", pl.String),
        (f"  {URN}123 ", pl.String),
    ],
)
def test_row_conversion_forms(value: Any, dtype: Any) -> None:
    report = run(
        {
            "conversionHappenedAt": [T],
            "ACXIOM_ID": ["a"],
            "conversion": pl.Series([value], dtype=dtype),
        },
        conversion=456,
    )
    assert report.valid["conversion"].to_list() == [f"{URN}123"]


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (0, pl.Int64),
        (-1, pl.Int64),
        ("abc", pl.String),
        ("0123", pl.String),
        ("1.5", pl.String),
        ("urn:li:sponsoredAccount:1", pl.String),
        (f"{URN}", pl.String),
        ("١٢٣", pl.String),
        (True, pl.Boolean),
    ],
)
def test_a_bad_row_conversion_is_invalid_even_with_an_argument(value: Any, dtype: Any) -> None:
    report = run(
        {
            "conversionHappenedAt": [T],
            "ACXIOM_ID": ["a"],
            "conversion": pl.Series([value], dtype=dtype),
        },
        conversion=456,
    )
    (errors,) = report.invalid["errors"].to_list()
    assert errors == [
        "conversion: expected a rule id or 'urn:lla:llaPartnerConversion:<id>', "
        f"got '{pl.Series([value], dtype=dtype).cast(pl.String).item()}'"
    ]


def test_blank_row_conversion_falls_back_to_the_argument() -> None:
    report = run(
        {"conversionHappenedAt": [T, T], "ACXIOM_ID": ["a", "b"], "conversion": ["", "  "]},
        conversion=456,
    )
    assert report.valid["conversion"].to_list() == [f"{URN}456"] * 2


@pytest.mark.parametrize("argument", [456, "456", " 456 ", f"{URN}456", Rule(456)])
def test_argument_forms(argument: Any) -> None:
    assert rule_urn_of(argument) == f"{URN}456"
    report = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]}, conversion=argument)
    assert report.payloads()[0]["conversion"] == f"{URN}456"


@dataclass
class BadUrn:
    urn: str


@pytest.mark.parametrize(
    "argument",
    [True, False, 0, -1, 1.5, "abc", "0123", "", "١٢٣", "urn:li:x:1", b"456", [456], BadUrn('1"}')],
)
def test_bad_arguments_are_config_errors_naming_the_forms(argument: Any) -> None:
    with pytest.raises(ConfigError) as exc:
        run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]}, conversion=argument)
    assert "conversion= expects a rule id" in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_argument_is_checked_before_the_data() -> None:
    with pytest.raises(ConfigError):
        capi.validate(pl.DataFrame({"x": [1]}), "nope", now=NOW)


def test_non_frame_input_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="expects a Polars DataFrame or LazyFrame"):
        capi.validate({"conversionHappenedAt": [T]}, 1, now=NOW)  # type: ignore[arg-type]


# -- row-level errors ------------------------------------------------------------------------------


MESSY = {
    "conversionHappenedAt": [T, "soon", "1724859000", T, "2099-01-01", T],
    "SHA256_EMAIL": ["u@x.io", "nope", "u@x.io", "", "u@x.io", "u@x.io"],
    "countryCode": ["US", "USA", None, None, None, None],
    "amount": ["1.00", "1,000", None, "-1", None, "1.00"],
    "currencyCode": ["USD", "USD", "USD", "EUR", None, "XXX1"],
    "eventId": ["e1", "x" * 65, None, None, None, None],
    "externalIds": [None, '["a","b"]', None, None, None, None],
    "lead": [None, "nope", None, None, None, None],
    "conversion": [None, "0", None, None, None, None],
}


def test_every_problem_of_a_row_is_reported() -> None:
    report = run(MESSY, conversion=7)
    errors = errors_by_row(report)
    assert report.valid["_row"].to_list() == [0]
    assert sorted(errors) == [1, 2, 3, 4, 5]
    fields = [e.split(":")[0] for e in errors[1]]
    assert sorted(fields) == sorted(
        [
            "conversion",
            "conversionHappenedAt",
            "eventId",
            "SHA256_EMAIL",
            "lead",
            "externalIds",
            "amount",
        ]
    )
    # "USA" is read as US now; "1,000" reads two ways (no decimal_comma= given).
    assert "countryCode" not in report.failures.filter(pl.col("_row") == 1)["field"].to_list()
    assert report.failures.filter(pl.col("field") == "amount")["rule"].to_list()[0] == (
        "amount.ambiguous_separator"
    )
    assert errors[2] == [
        "conversionHappenedAt: 1724859000 looks like epoch seconds; LinkedIn wants "
        "milliseconds (multiply by 1000)",
        "amount: required when currencyCode is given",
    ]
    assert errors[3] == [
        "amount: must not be negative, got '-1'",
        "user: no identifier; give SHA256_EMAIL, LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID, "
        "ACXIOM_ID, PLAINTEXT_IP_ADDRESS, SHA256_IP_ADDRESS, GOOGLE_AID, ORACLE_MOAT_ID, "
        "lead, externalIds, or both firstName and lastName",
    ]
    assert errors[4][0].startswith("conversionHappenedAt: in the future (2099-01-01T00:00:00.000Z")
    assert errors[5] == ["currencyCode: expected an ISO 4217 code such as 'USD', got 'XXX1'"]


def test_every_error_message_starts_with_a_field_name_and_a_colon() -> None:
    report = run(MESSY, conversion=7)
    # "user" is the payload object the identifier rule is about (there is no such column)
    allowed = {*CANONICAL_COLUMNS, "user"}
    for errors in report.invalid["errors"].to_list():
        for message in errors:
            field, sep, rest = message.partition(": ")
            assert sep and field in allowed and rest, message


def test_long_values_are_truncated_in_messages() -> None:
    report = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"], "lead": ["x" * 500]})
    (message,) = report.invalid["errors"].to_list()[0]
    assert message == "lead: expected 'urn:li:leadGenFormResponse:<id>', got '" + "x" * 40 + "…'"


def test_invalid_frame_keeps_the_input_columns_as_given() -> None:
    df = pl.DataFrame(
        {
            "CONVERSIONHAPPENEDAT": ["soon", T],
            "Sha256_Email": [" User@Example.com ", "u@x.io"],
            "crm": [1, 2],
        }
    )
    report = capi.validate(df, 1, now=NOW)
    assert report.invalid.columns == [
        "_row",
        "CONVERSIONHAPPENEDAT",
        "Sha256_Email",
        "crm",
        "errors",
    ]
    assert report.invalid.schema["errors"] == pl.List(pl.String)
    # raw, unnormalized, unhashed: what the analyst needs to find and fix the row
    assert report.invalid.row(0)[:4] == (0, "soon", " User@Example.com ", 1)


def test_valid_frame_is_canonical_and_normalized() -> None:
    df = pl.DataFrame(
        {
            "crm": ["x"],
            "AMOUNT": [19.9],
            "currencycode": ["usd"],
            "SHA256_EMAIL": ["User@Example.com"],
            "ConversionHappenedAt": [T],
        }
    )
    report = capi.validate(df, 1, now=NOW)
    assert report.valid.columns == [
        "_row",
        "conversion",
        "conversionHappenedAt",
        "SHA256_EMAIL",
        "currencyCode",
        "amount",
    ]
    assert report.valid.schema["conversionHappenedAt"] == pl.Int64
    assert report.valid.row(0)[1:3] == (f"{URN}1", T_MS)
    assert report.valid.row(0)[4:] == ("USD", "19.90")


def test_lazyframe_gives_the_same_report() -> None:
    df = pl.DataFrame(MESSY)
    eager = capi.validate(df, 7, now=NOW)
    lazy = capi.validate(df.lazy(), 7, now=NOW)
    for a, b in [
        (eager.valid, lazy.valid),
        (eager.invalid, lazy.invalid),
        (eager.skipped, lazy.skipped),
    ]:
        assert a.equals(b)
    assert eager.warnings == lazy.warnings
    assert eager.ignored_columns == lazy.ignored_columns


def test_namespace_and_function_agree() -> None:
    df = pl.DataFrame(MESSY | {"crm": [1, 2, 3, 4, 5, 6]})
    reports = [
        capi.validate(df, 7, now=NOW),
        df.capi.validate(7, now=NOW),  # type: ignore[attr-defined]
        df.lazy().capi.validate(conversion=7, now=NOW),  # type: ignore[attr-defined]
    ]
    first = reports[0]
    for other in reports[1:]:
        assert other.valid.equals(first.valid)
        assert other.invalid.equals(first.invalid)
        assert other.skipped.equals(first.skipped)
        assert other.counts == first.counts
        assert other.payloads() == first.payloads()
        assert other.ignored_columns == first.ignored_columns == ["crm"]


def test_namespace_passes_every_keyword() -> None:
    df = pl.DataFrame(
        {
            "conversionHappenedAt": ["08/28/2024 3:30 PM"],
            "firstName": ["Jo"],
            "lastName": ["Doe"],
            "amount": ["1,250"],
            "currencyCode": ["USD"],
        }
    )
    options = {
        "api_version": "202609",
        "hash_names": True,
        "timezone": "America/New_York",
        "date_format": "%m/%d/%Y %I:%M %p",
        "decimal_comma": False,
    }
    reference = capi.validate(df, 7, now=NOW, **options)
    assert reference.valid["amount"].to_list() == ["1250"]
    assert "hashedFirstName" in reference.valid.columns
    for report in (
        df.capi.validate(7, now=NOW, **options),  # type: ignore[attr-defined]
        df.lazy().capi.validate(7, now=NOW, **options),  # type: ignore[attr-defined]
    ):
        assert report.valid.equals(reference.valid)
        assert report.failures.equals(reference.failures)


def test_one_now_per_call() -> None:
    report = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]})
    assert report.now == NOW


def test_input_frame_is_not_modified() -> None:
    df = pl.DataFrame(MESSY)
    before = df.clone()
    capi.validate(df, 7, now=NOW)
    assert df.equals(before)


def test_many_rows_partition() -> None:
    n = 3000
    df = pl.DataFrame(
        {
            "conversionHappenedAt": pl.int_range(n, eager=True) * 3_600_000
            + (T_MS - 2500 * 3_600_000),
            "ACXIOM_ID": pl.Series([None if i % 7 == 0 else f"a{i}" for i in range(n)]),
        }
    )
    report = capi.validate(df, 1, now=dt.datetime(2024, 8, 29, tzinfo=dt.UTC))
    partition_ok(report, n)
    assert report.valid.height and report.invalid.height and report.skipped.height
