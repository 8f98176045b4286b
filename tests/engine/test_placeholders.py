"""Placeholder values ("null", "undefined", "none", "nan", "n/a", "-") count as absent for
every identifier and field (issue 14 item 4), with a warning row saying so."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import linkedin_capi as capi
from linkedin_capi._constants import CANONICAL_COLUMNS
from linkedin_capi.engine.normalize import PLACEHOLDERS, is_placeholder

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
T = "2026-11-27T10:00:00Z"

SPELLINGS = [
    *PLACEHOLDERS,
    "NULL",
    "Undefined",
    " None ",
    "NaN",
    "N/A",
    "\t-\n",
    "uNdEfInEd",
]
#: Not placeholders: values that only look close.
NOT_PLACEHOLDERS = ["nul", "nullable", "Nancy", "none1", "n/a/b", "--", "0", "na", "nil"]


@pytest.mark.parametrize("value", SPELLINGS)
def test_placeholders_are_recognised_trimmed_and_in_any_case(value: str) -> None:
    assert pl.select(is_placeholder(pl.lit(value))).item() is True


@pytest.mark.parametrize("value", NOT_PLACEHOLDERS)
def test_values_close_to_placeholders_are_kept(value: str) -> None:
    assert pl.select(is_placeholder(pl.lit(value))).item() is False
    report = capi.validate(
        pl.DataFrame({"conversionHappenedAt": [T], "li_fat_id": [value]}), 1, now=NOW
    )
    assert report.valid["LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"].to_list() == [value.strip()]


@pytest.mark.parametrize("value", SPELLINGS)
def test_a_placeholder_tracking_id_is_not_sent_and_is_warned(value: str) -> None:
    df = pl.DataFrame(
        {"conversionHappenedAt": [T], "email": ["jo@example.com"], "li_fat_id": [value]}
    )
    report = capi.validate(df, 1, now=NOW)
    assert report.counts["valid"] == 1
    (event,) = report.payloads()
    assert [u["idType"] for u in event["user"]["userIds"]] == ["SHA256_EMAIL"]
    assert report.failures.select("field", "rule", "severity").rows() == [
        (
            "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID",
            "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID.placeholder",
            "warning",
        )
    ]
    assert any(
        w.startswith("1 rows: LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID was a placeholder")
        for w in report.warnings
    )


#: Every field with a value that would otherwise be valid or at least judged.
FIELDS = {
    "conversion": "7",
    "eventId": "order-1",
    "SHA256_EMAIL": "jo@example.com",
    "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID": "abc",
    "ACXIOM_ID": "acx",
    "PLAINTEXT_IP_ADDRESS": "203.0.113.7",
    "SHA256_IP_ADDRESS": "203.0.113.7",
    "GOOGLE_AID": "38400000-8cf0-11bd-b23e-10b96e40000d",
    "firstName": "Jo",
    "lastName": "Doe",
    "companyName": "Acme",
    "title": "CTO",
    "countryCode": "US",
    "lead": "urn:li:leadGenFormResponse:1",
    "externalIds": "u1",
    "currencyCode": "USD",
    "amount": "5.00",
}


@pytest.mark.parametrize("field", [f for f in FIELDS if f in CANONICAL_COLUMNS])
@pytest.mark.parametrize("value", ["undefined", " N/A "])
def test_a_placeholder_counts_as_absent_for_every_field(field: str, value: str) -> None:
    row = {**FIELDS, "conversionHappenedAt": T, field: value}
    report = capi.validate(pl.DataFrame({k: [v] for k, v in row.items()}), 1, now=NOW)
    # exactly what an absent value would give
    absent = {k: v for k, v in row.items() if k != field}
    expected = capi.validate(pl.DataFrame({k: [v] for k, v in absent.items()}), 1, now=NOW)
    assert report.counts == expected.counts
    assert report.payloads() == expected.payloads()
    # the same errors (the value column quotes the placeholder where a rule names the field)
    errors = report.failures.filter(pl.col("severity") == "error").drop("value")
    assert errors.equals(expected.failures.filter(pl.col("severity") == "error").drop("value"))
    placeholder_rows = report.failures.filter(pl.col("rule") == f"{field}.placeholder")
    assert placeholder_rows.select("severity", "value").rows() == [("warning", value)]


def test_a_placeholder_time_is_a_missing_time() -> None:
    report = capi.validate(
        pl.DataFrame({"conversionHappenedAt": ["null", T], "ACXIOM_ID": ["a", "b"]}),
        1,
        now=NOW,
    )
    assert report.invalid["_row"].to_list() == [0]
    assert report.invalid["errors"].to_list() == [
        ["conversionHappenedAt: missing; every event needs its time"]
    ]


def test_a_row_whose_only_identifier_is_a_placeholder_is_invalid_and_says_so() -> None:
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [T, T, T],
            "li_fat_id": ["undefined", None, "null"],
            "email": [None, None, "NaN"],
            "ACXIOM_ID": [None, None, "acx"],
        }
    )
    report = capi.validate(df, 1, now=NOW)
    assert report.valid["_row"].to_list() == [2]
    errors = dict(
        zip(report.invalid["_row"].to_list(), report.invalid["errors"].to_list(), strict=True)
    )
    assert errors[0] == [
        "user: no identifier; LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID 'undefined' is a "
        "placeholder for no value (counted as absent); give SHA256_EMAIL, "
        "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID, ACXIOM_ID, PLAINTEXT_IP_ADDRESS, "
        "SHA256_IP_ADDRESS, GOOGLE_AID, lead, externalIds, or both names"
    ]
    assert errors[1][0].startswith("user: no identifier; give ")  # nothing was given
    # the valid row sends its real identifier only
    (event,) = report.payloads()
    assert event["user"]["userIds"] == [{"idType": "ACXIOM_ID", "idValue": "acx"}]
    assert report.failures.filter(pl.col("_row") == 2)["rule"].to_list() == [
        "SHA256_EMAIL.placeholder",
        "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID.placeholder",
    ]


def test_placeholders_in_categorical_columns_count_as_absent_too() -> None:
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [T, T],
            "li_fat_id": pl.Series(["undefined", "abc"], dtype=pl.Categorical),
            "ACXIOM_ID": ["a", "b"],
        }
    )
    report = capi.validate(df, 1, now=NOW)
    assert report.valid["LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"].to_list() == [None, "abc"]
