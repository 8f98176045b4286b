"""report.failures: one row per problem with a stable rule code; error_counts by rule."""

from __future__ import annotations

import polars as pl
import pytest
from _support.engine import T, run

from linkedin_capi.engine._masking import mask
from linkedin_capi.engine.checks import RULE_CODES, rule_code

#: Pinned: users filter on these codes; renaming one is a breaking change.
PINNED = {
    "happened_at_seconds": "conversionHappenedAt.epoch_seconds",
    "happened_at_missing": "conversionHappenedAt.missing",
    "happened_at_future": "conversionHappenedAt.future",
    "external_ids_at_most_one": "externalIds.at_most_one",
    "event_id_length": "eventId.too_long",
    "conversion_missing": "conversion.missing",
    "amount_without_currency": "currencyCode.required_with_amount",
    "currency_without_amount": "amount.required_with_currency",
    "has_identifier": "user.no_identifier",
    "amount_ambiguous": "amount.ambiguous_separator",
    "amount_currency_mismatch": "amount.currency_mismatch",
    "happened_at_local_time": "conversionHappenedAt.local_time_invalid",
    "happened_at_naive_utc": "conversionHappenedAt.naive_read_as_utc",
}


def test_rule_codes_are_pinned() -> None:
    assert RULE_CODES == PINNED
    assert rule_code("SHA256_EMAIL_format") == "SHA256_EMAIL.format"
    assert rule_code("conversionHappenedAt_format") == "conversionHappenedAt.format"
    assert rule_code("countryCode_dropped") == "countryCode.dropped"
    assert rule_code("li_placeholder") == "li.placeholder"


def test_one_row_per_problem_with_masked_truncated_values() -> None:
    r = run(
        {
            "conversionHappenedAt": [T, "1764000000", T, "nope"],
            "SHA256_EMAIL": ["a@b.co", "jane.doe@example", "x" * 200, None],
            "amount": [None, "1.2345", None, None],
            "currencyCode": [None, "USD", None, None],
        }
    )
    f = r.failures
    assert f.columns == ["_row", "field", "rule", "severity", "value", "message"]
    assert f.select("_row", "rule").rows() == [
        (1, "conversionHappenedAt.epoch_seconds"),
        (1, "SHA256_EMAIL.format"),
        (1, "amount.format"),
        (2, "SHA256_EMAIL.format"),
        (3, "conversionHappenedAt.format"),
        (3, "user.no_identifier"),
    ]
    values = dict(zip(f["rule"] + f["_row"].cast(pl.String), f["value"], strict=True))
    assert values["SHA256_EMAIL.format1"] == "j***@example"
    assert values["SHA256_EMAIL.format2"] == "x" * 80 + "…"
    assert values["user.no_identifier3"] is None
    assert values["conversionHappenedAt.format3"] == "nope"
    assert set(f["severity"]) == {"error"}
    # Every invalid row has at least one error row, and the messages are the same strings.
    by_row = f.group_by("_row", maintain_order=True).agg("message")
    masked = [[mask(e) for e in errors] for errors in r.invalid["errors"]]
    assert by_row.rows() == list(zip(r.invalid["_row"], masked, strict=True))
    assert "jane.doe" not in str(f.to_dicts())


def test_fifty_epoch_seconds_rows_are_one_group_with_samples() -> None:
    r = run(
        {
            "conversionHappenedAt": [str(1_724_000_000 + i) for i in range(50)],
            "ACXIOM_ID": ["a"] * 50,
        }
    )
    counts = r.error_counts()
    assert counts.height == 1
    row = counts.row(0, named=True)
    assert row["rule"] == "conversionHappenedAt.epoch_seconds" and row["rows"] == 50
    assert row["sample"] == ["1724000000", "1724000001", "1724000002"]
    assert "conversionHappenedAt.epoch_seconds 50 (e.g. '1724000000'" in r.summary()


def test_warnings_are_rows_with_severity_warning() -> None:
    r = run(
        {
            "conversionHappenedAt": [T, T, T],
            "ACXIOM_ID": ["a", "b", "c"],
            "firstName": ["Al", None, "Bo"],
            "lastName": [None, None, "Cy"],
            "ORACLE_MOAT_ID": [None, "m", None],
        }
    )
    w = r.failures.filter(pl.col("severity") == "warning")
    assert w.select("_row", "rule").rows() == [
        (0, "lastName.missing_for_user_info"),
        (1, "ORACLE_MOAT_ID.may_be_rejected"),
    ]
    assert r.ok  # warnings do not make rows invalid
    assert r.error_counts().height == 0


def test_error_counts_rejects_unknown_grouping() -> None:
    with pytest.raises(ValueError, match="by="):
        run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]}).error_counts(by="x")


def test_clean_frame_has_empty_failures_with_the_schema() -> None:
    r = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]})
    assert r.failures.height == 0
    assert r.failures.columns == ["_row", "field", "rule", "severity", "value", "message"]


@pytest.mark.parametrize(
    "given",
    [
        "ja\u200bne@acme.com",
        "mailto:jane@acme.com",
        '"jane@acme.com"',
        "Jane Doe <jane@acme.com>",
        "\uff4a\uff41\uff4e\uff45@acme.com",  # full-width letters
        "<Jane@Acme.com>",
    ],
)
def test_emails_that_could_never_match_are_cleaned_before_hashing(given: str) -> None:
    from _support.engine import sha

    r = run({"conversionHappenedAt": [T], "SHA256_EMAIL": [given]})
    assert r.valid["SHA256_EMAIL"].to_list() == [sha("jane@acme.com")]


def test_an_address_longer_than_254_characters_is_invalid() -> None:
    r = run({"conversionHappenedAt": [T], "SHA256_EMAIL": ["x" * 250 + "@a.co"]})
    assert r.failures["rule"].to_list() == ["SHA256_EMAIL.format"]


@pytest.mark.parametrize(
    ("given", "ms"),
    [
        ("2023-10-14T00:00Z", 1_697_241_600_000),
        ("2024-08-28 15:30", 1_724_859_000_000),
        ("2024-08-28 15:30:00 UTC", 1_724_859_000_000),
        ("2024-08-28T17:30+02:00", 1_724_859_000_000),
    ],
)
def test_iso_8601_without_seconds_and_a_trailing_utc(given: str, ms: int) -> None:
    from linkedin_capi.engine.normalize import happened_at_ms

    assert pl.select(happened_at_ms(pl.lit(given), pl.String)).item() == ms
