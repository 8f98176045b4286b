"""The other fields: ids, userInfo, countryCode, lead, externalIds, money, eventId."""

from __future__ import annotations

import decimal
from typing import Any

import polars as pl
import pytest
from _support.engine import NOW, T, errors_by_row, one, run, valid_values

import linkedin_capi as capi
from linkedin_capi.engine import normalize as nz

# -- the other identifiers: trimmed, sent as is -------------------------------------------------


@pytest.mark.parametrize(
    "column", ["LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID", "ACXIOM_ID", "ORACLE_MOAT_ID"]
)
def test_other_identifiers_are_trimmed_and_sent_as_is(column: str) -> None:
    values = ["df5gf5-gh6t7-ph4j7h-fgf6n1", "  MiXeD Case  ", "", None]
    report = run(
        {"conversionHappenedAt": [T] * 4, column: values, "externalIds": ["e"] * 4},
        schema={"conversionHappenedAt": pl.String, column: pl.String, "externalIds": pl.String},
    )
    assert valid_values(report, column) == {
        0: "df5gf5-gh6t7-ph4j7h-fgf6n1",
        1: "MiXeD Case",
        2: None,
        3: None,
    }
    user_ids = [p["user"]["userIds"] for p in report.payloads()]
    assert user_ids == [
        [{"idType": column, "idValue": "df5gf5-gh6t7-ph4j7h-fgf6n1"}],
        [{"idType": column, "idValue": "MiXeD Case"}],
        [],
        [],
    ]


def test_numeric_identifier_column_is_sent_as_its_decimal_text() -> None:
    report = run({"conversionHappenedAt": [T], "ACXIOM_ID": [123456789012]})
    assert report.payloads()[0]["user"]["userIds"] == [
        {"idType": "ACXIOM_ID", "idValue": "123456789012"}
    ]


def test_user_ids_are_sent_in_the_fixed_order() -> None:
    report = run(
        {
            "conversionHappenedAt": [T],
            "oracle_moat_id": ["m"],
            "acxiom_id": ["a"],
            "linkedin_first_party_ads_tracking_uuid": ["l"],
            "sha256_email": ["u@x.io"],
        }
    )
    kinds = [u["idType"] for u in report.payloads()[0]["user"]["userIds"]]
    assert kinds == [
        "SHA256_EMAIL",
        "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID",
        "ACXIOM_ID",
        "ORACLE_MOAT_ID",
    ]


# -- userInfo: only with both names ---------------------------------------------------------------


def test_user_info_needs_both_names_and_warnings_are_aggregated() -> None:
    report = run(
        {
            "conversionHappenedAt": [T] * 5,
            "ACXIOM_ID": ["a"] * 5,
            "firstName": ["Mike", "Ann", None, "  ", "Jo"],
            "lastName": ["Smith", None, "Lee", "Doe", None],
            "companyName": ["Microsoft", None, None, "Acme", None],
            "title": ["Software Engineer", None, None, None, None],
            "countryCode": ["us", None, None, None, None],
        }
    )
    assert report.ok
    info = [p["user"].get("userInfo") for p in report.payloads()]
    assert info == [
        {
            "firstName": "Mike",
            "lastName": "Smith",
            "companyName": "Microsoft",
            "title": "Software Engineer",
            "countryCode": "US",
        },
        None,
        None,
        None,
        None,
    ]
    assert report.warnings == [
        "2 rows: userInfo omitted, lastName missing",
        "2 rows: userInfo omitted, firstName missing",
        "1 rows: companyName/title/countryCode not sent, "
        "userInfo needs both firstName and lastName",
    ]


def test_names_alone_identify_a_row_and_are_trimmed() -> None:
    report = run({"conversionHappenedAt": [T], "FIRSTNAME": ["  Mike "], "LastName": ["Smith\t"]})
    assert report.payloads()[0]["user"] == {
        "userIds": [],
        "userInfo": {"firstName": "Mike", "lastName": "Smith"},
    }


def test_a_single_name_is_not_an_identifier() -> None:
    report = run(
        {"conversionHappenedAt": [T, T], "firstName": ["Mike", "Ann"], "lastName": ["Smith", ""]}
    )
    assert report.valid["_row"].to_list() == [0]
    assert errors_by_row(report)[1][0].startswith("user: no identifier")


def test_no_warnings_when_every_row_has_both_names() -> None:
    report = run(
        {"conversionHappenedAt": [T], "firstName": ["A"], "lastName": ["B"], "title": ["C"]}
    )
    assert report.warnings == []


# -- countryCode --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("US", "US"), ("us", "US"), (" de ", "DE"), ("gb", "GB"), ("Jp", "JP")],
)
def test_country_codes_are_upper_cased_alpha_2(value: str, expected: str) -> None:
    report = one("countryCode", [value], firstName=["A"], lastName=["B"])
    assert report.valid["countryCode"].to_list() == [expected]
    assert report.payloads()[0]["user"]["userInfo"]["countryCode"] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("USA", "US"),
        ("deu", "DE"),
        ("United States", "US"),
        (" united states of america ", "US"),
        ("Germany", "DE"),
        ("Bolivia", "BO"),  # pycountry's common name
        ("Korea, Republic of", "KR"),
    ],
)
def test_alpha_3_codes_and_country_names_become_alpha_2(value: str, expected: str) -> None:
    report = one("countryCode", [value], firstName=["A"], lastName=["B"])
    assert report.valid["countryCode"].to_list() == [expected]
    assert report.failures.height == 0


@pytest.mark.parametrize("value", ["XX", "U", "uk", "1", "U S", "Atlantis"])
def test_a_bad_country_code_is_dropped_with_a_warning_and_the_row_stays_valid(value: str) -> None:
    report = one("countryCode", [value], firstName=["A"], lastName=["B"])
    assert report.counts["valid"] == 1
    assert report.valid["countryCode"].to_list() == [None]
    assert "countryCode" not in report.payloads()[0]["user"]["userInfo"]
    f = report.failures
    assert f.select("field", "rule", "severity", "value").rows() == [
        ("countryCode", "countryCode.dropped", "warning", value)
    ]
    assert f["message"].item().endswith(f"got '{value}'")
    assert "1 rows: countryCode not sent" in " ".join(report.warnings)


def test_every_pycountry_alpha_2_is_accepted() -> None:
    import pycountry

    codes = sorted(c.alpha_2 for c in pycountry.countries)
    got = pl.DataFrame({"c": [c.lower() for c in codes]}).select(
        nz.country_code(pl.col("c"), pl.String)
    )
    assert got.to_series().to_list() == codes


# -- lead --------------------------------------------------------------------


def test_lead_urn() -> None:
    report = one(
        "lead",
        [
            "urn:li:leadGenFormResponse:123",
            " urn:li:leadGenFormResponse:abc-9 ",
            "123",
            "urn:li:leadGenFormResponse:",
            "URN:LI:LEADGENFORMRESPONSE:1",
        ],
    )
    assert valid_values(report, "lead") == {
        0: "urn:li:leadGenFormResponse:123",
        1: "urn:li:leadGenFormResponse:abc-9",
    }
    assert report.payloads()[0]["user"]["lead"] == "urn:li:leadGenFormResponse:123"
    errors = errors_by_row(report)
    assert sorted(errors) == [2, 3, 4]
    assert errors[2] == ["lead: expected 'urn:li:leadGenFormResponse:<id>', got '123'"]


# -- externalIds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "dtype", "expected"),
    [
        ("user_id_123", pl.String, ["user_id_123"]),
        ('["user_id_123"]', pl.String, ["user_id_123"]),
        (' [ "user_id_123" ] ', pl.String, ["user_id_123"]),
        ("  user_id_123  ", pl.String, ["user_id_123"]),
        (["user_id_123"], pl.List(pl.String), ["user_id_123"]),
        ([" user_id_123 ", None], pl.List(pl.String), ["user_id_123"]),
        ([42], pl.List(pl.Int64), ["42"]),
        (["user_id_123"], pl.Array(pl.String, 1), ["user_id_123"]),
        (42, pl.Int64, ["42"]),
    ],
)
def test_external_ids_become_a_one_item_list(value: Any, dtype: Any, expected: list[str]) -> None:
    report = run({"conversionHappenedAt": [T], "externalIds": pl.Series([value], dtype=dtype)})
    assert report.valid["externalIds"].to_list() == [expected]
    assert report.payloads()[0]["user"] == {"userIds": [], "externalIds": expected}


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (["a", "b"], pl.List(pl.String)),
        ('["a","b"]', pl.String),
        ('["a", "b", "c"]', pl.String),
        (["a", "b"], pl.Array(pl.String, 2)),
    ],
)
def test_more_than_one_external_id_is_invalid(value: Any, dtype: Any) -> None:
    report = one("externalIds", [value], dtype)
    (errors,) = report.invalid["errors"].to_list()
    assert len(errors) == 1
    assert errors[0].startswith("externalIds: at most 1 item, got ")


@pytest.mark.parametrize(
    ("value", "dtype"),
    [("[]", pl.String), ("[x]", pl.String), ([["a"]], pl.List(pl.List(pl.String)))],
)
def test_malformed_external_ids_are_invalid(value: Any, dtype: Any) -> None:
    report = one("externalIds", [value], dtype)
    (errors,) = report.invalid["errors"].to_list()
    assert errors[0].startswith("externalIds: expected a string or a list with one string")


def test_empty_external_ids_count_as_absent() -> None:
    report = one("externalIds", [[], [None], None], pl.List(pl.String))
    assert report.ok
    assert [p["user"].get("externalIds") for p in report.payloads()] == [None, None, None]


# -- currencyCode and amount --------------------------------------------------------------------


def money(
    amounts: list[Any], dtype: Any = None, currency: str | None = "usd", **options: Any
) -> Any:
    n = len(amounts)
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [T] * n,
            "ACXIOM_ID": ["a"] * n,
            "currencyCode": [currency] * n,
            "amount": pl.Series(amounts, dtype=dtype),
        },
        schema_overrides={"currencyCode": pl.String},
    )
    return capi.validate(df, 1, now=NOW, **options)


@pytest.mark.parametrize(
    ("value", "dtype", "expected"),
    [
        ("50.00", pl.String, "50.00"),
        ("50", pl.String, "50"),
        (" 7.5 ", pl.String, "7.5"),
        ("0", pl.String, "0"),
        (19.9, pl.Float64, "19.90"),
        (50.0, pl.Float64, "50.00"),
        (0.1 + 0.2, pl.Float64, "0.30"),
        (19.9, pl.Float32, "19.90"),
        (5, pl.Int64, "5.00"),
        (0, pl.UInt8, "0.00"),
        (decimal.Decimal("12.34"), pl.Decimal(10, 2), "12.34"),
        (123456789.5, pl.Float64, "123456789.50"),
        (316229608.28, pl.Float64, "316229608.28"),
        (5061292180.77, pl.Float64, "5061292180.77"),
    ],
)
def test_amount_formats(value: Any, dtype: Any, expected: str) -> None:
    report = money([value], dtype)
    assert report.valid["amount"].to_list() == [expected]
    assert report.payloads()[0]["conversionValue"] == {"currencyCode": "USD", "amount": expected}


@pytest.mark.parametrize(
    ("value", "dtype", "why"),
    [
        ("-1", pl.String, "must not be negative"),
        ("-1.50", pl.String, "must not be negative"),
        (-1.0, pl.Float64, "must not be negative"),
        (-5, pl.Int64, "must not be negative"),
        ("0.125", pl.String, "at most 2 decimal places"),
        ("1,250.125", pl.String, "at most 2 decimal places"),
        (0.125, pl.Float64, "at most 2 decimal places"),
        ("1,2,3", pl.String, "expected a decimal number such as '50.00'"),
        ("1.250.50", pl.String, "expected a decimal number such as '50.00'"),
        ("abc", pl.String, "expected a decimal number such as '50.00'"),
        ("50.", pl.String, "expected a decimal number such as '50.00'"),
        (".5", pl.String, "expected a decimal number such as '50.00'"),
        ("1e3", pl.String, "expected a decimal number such as '50.00'"),
        ("٥٠", pl.String, "expected a decimal number such as '50.00'"),
        ("５０", pl.String, "expected a decimal number such as '50.00'"),
        (float("nan"), pl.Float64, "expected a decimal number such as '50.00'"),
        (float("inf"), pl.Float64, "expected a decimal number such as '50.00'"),
        (1e20, pl.Float64, "expected a decimal number such as '50.00'"),
    ],
)
def test_bad_amounts(value: Any, dtype: Any, why: str) -> None:
    report = money([value], dtype)
    (errors,) = report.invalid["errors"].to_list()
    assert len(errors) == 1
    assert errors[0].startswith(f"amount: {why}, got '")


def test_seed_style_amount_message() -> None:
    # "50.005" also reads as fifty thousand and five; decimal_comma=False says the point
    # is the decimal separator, which gives the seed connector's message.
    report = money(["50.005"], decimal_comma=False)
    assert report.invalid["errors"].to_list() == [
        ["amount: at most 2 decimal places, got '50.005'"]
    ]


def test_currency_codes_are_iso_4217_upper_cased() -> None:
    report = run(
        {
            "conversionHappenedAt": [T] * 4,
            "ACXIOM_ID": ["a"] * 4,
            "currencyCode": ["usd", " EUR ", "XYZ", "dollars"],
            "amount": ["1"] * 4,
        }
    )
    assert valid_values(report, "currencyCode") == {0: "USD", 1: "EUR"}
    errors = errors_by_row(report)
    assert errors[2] == ["currencyCode: expected an ISO 4217 code such as 'USD', got 'XYZ'"]
    assert errors[3] == ["currencyCode: expected an ISO 4217 code such as 'USD', got 'dollars'"]


def test_currency_and_amount_come_together() -> None:
    report = run(
        {
            "conversionHappenedAt": [T] * 4,
            "ACXIOM_ID": ["a"] * 4,
            "currencyCode": ["USD", None, "USD", None],
            "amount": ["1.00", "1.00", None, None],
        }
    )
    assert errors_by_row(report) == {
        1: ["currencyCode: required when amount is given"],
        2: ["amount: required when currencyCode is given"],
    }
    assert [p.get("conversionValue") for p in report.payloads()] == [
        {"currencyCode": "USD", "amount": "1.00"},
        None,
    ]


def test_amount_column_without_currency_column_is_invalid_per_row() -> None:
    report = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"], "amount": ["5"]})
    assert report.invalid["errors"].to_list() == [["currencyCode: required when amount is given"]]


# -- eventId --------------------------------------------------------------------


def test_event_id_at_most_64_characters() -> None:
    report = one("eventId", ["abc12345", "e" * 64, "e" * 65, "  padded  ", "é" * 64])
    assert valid_values(report, "eventId") == {
        0: "abc12345",
        1: "e" * 64,
        3: "padded",
        4: "é" * 64,
    }
    assert errors_by_row(report) == {2: ["eventId: at most 64 characters, got 65"]}
    assert report.payloads()[0]["eventId"] == "abc12345"


def test_numeric_event_id_is_sent_as_text() -> None:
    report = one("eventId", [42], pl.Int64)
    assert report.payloads()[0]["eventId"] == "42"


def test_array_external_ids_with_null_rows() -> None:
    # Polars' strict Array→List cast failed on such a column once rows were filtered
    ids = pl.Series([None, None, [None, 0], [0, 0]], dtype=pl.Array(pl.Int32, 2))
    report = one("externalIds", ids.to_list(), ids.dtype)
    assert valid_values(report, "externalIds") == {0: None, 1: None, 2: ["0"]}
    assert report.invalid["errors"].to_list() == [["externalIds: at most 1 item, got 2 ('[0,0]')"]]
