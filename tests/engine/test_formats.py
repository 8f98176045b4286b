"""Everyday formats (issue 14 item 3): time zones, date formats, Categorical/Decimal times,
amounts as people write them, JSON externalIds; and the options that decide them."""

from __future__ import annotations

import datetime as dt
import decimal
import zoneinfo
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linkedin_capi as capi
from linkedin_capi.engine import hashing as hs
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.errors import ConfigError

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
NY = zoneinfo.ZoneInfo("America/New_York")


def ms(*args: int, tz: dt.tzinfo = dt.UTC) -> int:
    """Reference epoch milliseconds from the standard library."""
    return int(dt.datetime(*args, tzinfo=tz).timestamp() * 1000)


def times(values: list[Any], dtype: Any = None, **options: Any) -> ValidationReport:
    n = len(values)
    df = pl.DataFrame({"ACXIOM_ID": ["a"] * n}).with_columns(
        pl.Series("conversionHappenedAt", values, dtype=dtype)
    )
    return capi.validate(df, 1, now=NOW, **options)


def sent_times(report: ValidationReport) -> list[int | None]:
    """ms per input row (None where the row is not valid)."""
    got = dict(
        zip(report.valid["_row"].to_list(), report.valid["conversionHappenedAt"], strict=True)
    )
    return [got.get(i) for i in range(report.counts["total"])]


# -- timezone= -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        # zone-less text is read in the zone given
        ("2026-11-27 10:00", "America/New_York", ms(2026, 11, 27, 10, tz=NY)),
        ("2026-11-27T10:00:00.250", "America/New_York", ms(2026, 11, 27, 10, tz=NY) + 250),
        ("2026-11-27", "America/New_York", ms(2026, 11, 27, tz=NY)),
        ("2026-09-01 10:00", "America/New_York", ms(2026, 9, 1, 10, tz=NY)),  # summer time
        ("2026-11-27 10:00", "Asia/Kolkata", ms(2026, 11, 27, 4, 30)),
        # a zone in the text wins over timezone=
        ("2026-11-27T10:00:00Z", "America/New_York", ms(2026, 11, 27, 10)),
        ("2026-11-27T10:00:00+01:00", "America/New_York", ms(2026, 11, 27, 9)),
        ("2026-11-27 10:00:00 UTC", "America/New_York", ms(2026, 11, 27, 10)),
        ("1795773600000", "America/New_York", 1795773600000),  # epoch ms are UTC
        # without timezone= (or with UTC) zone-less text is UTC
        ("2026-11-27 10:00", None, ms(2026, 11, 27, 10)),
        ("2026-11-27 10:00", "UTC", ms(2026, 11, 27, 10)),
    ],
)
def test_timezone_reads_zone_less_text(text: str, tz: str | None, expected: int) -> None:
    report = times([text], timezone=tz)
    assert sent_times(report) == [expected]


def test_timezone_applies_to_naive_datetime_and_date_columns_not_to_aware_ones() -> None:
    naive = dt.datetime(2026, 11, 27, 10)
    for dtype, value, expected in [
        (pl.Datetime("us"), naive, ms(2026, 11, 27, 10, tz=NY)),
        (pl.Date, naive.date(), ms(2026, 11, 27, tz=NY)),
        (pl.Datetime("ms", "UTC"), naive.replace(tzinfo=dt.UTC), ms(2026, 11, 27, 10)),
        (pl.Datetime("ms", "Europe/Paris"), naive.replace(tzinfo=dt.UTC), ms(2026, 11, 27, 10)),
    ]:
        report = times([value], dtype, timezone="America/New_York")
        assert sent_times(report) == [expected], dtype
        assert report.failures.height == 0


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-03-08 02:30", "skipped by the spring change"),
        ("2026-11-01 01:30", "repeated by the autumn change"),
    ],
)
def test_a_local_time_a_dst_change_skips_or_repeats_is_an_error_not_a_guess(
    text: str, why: str
) -> None:
    report = capi.validate(
        pl.DataFrame({"conversionHappenedAt": [text], "ACXIOM_ID": ["a"]}),
        1,
        now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
        timezone="America/New_York",
    )
    (rule,) = report.failures["rule"].to_list()
    assert rule == "conversionHappenedAt.local_time_invalid", why
    assert "America/New_York" in report.failures["message"].item()
    assert "UTC offset" in report.failures["message"].item()


def test_naive_times_read_as_utc_are_counted_in_warnings_and_failures() -> None:
    values = [
        "2026-11-27 10:00",  # naive → warned
        "2026-11-27T10:00:00Z",  # explicit UTC
        "2026-11-27 10:00:00 UTC",  # explicit UTC (BigQuery)
        "2026-11-27T10:00:00+02:00",
        "1795773600000",  # epoch ms
        "2026-11-26",  # a bare date: midnight UTC → warned
        "soon",  # invalid, not "read"
    ]
    report = times(values)
    warned = report.failures.filter(pl.col("severity") == "warning")
    assert warned["_row"].to_list() == [0, 5]
    assert set(warned["rule"]) == {"conversionHappenedAt.naive_read_as_utc"}
    assert warned["value"].to_list() == ["2026-11-27 10:00", "2026-11-26"]
    assert (
        "2 rows: conversionHappenedAt had no time zone and was read as UTC; pass "
        "timezone='Area/City' (--timezone in the CLI) if these are local times"
    ) in report.warnings
    assert report.counts["valid"] == 6  # a warning never makes a row invalid
    # with a timezone (UTC included) nothing was guessed, so nothing is warned
    for tz in ("UTC", "Europe/Paris"):
        quiet = times(values, timezone=tz)
        assert quiet.failures.filter(pl.col("severity") == "warning").height == 0
        assert not any("read as UTC" in w for w in quiet.warnings)


def test_naive_datetime_column_read_as_utc_is_warned() -> None:
    report = times([dt.datetime(2026, 11, 27, 10)], pl.Datetime("us"))
    assert report.failures.select("_row", "rule", "severity").rows() == [
        (0, "conversionHappenedAt.naive_read_as_utc", "warning")
    ]
    aware = times([dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)], pl.Datetime("us", "UTC"))
    assert aware.failures.height == 0


@pytest.mark.parametrize(
    "bad", ["Mars/Base", "Europe/Pariss", "", "EST5EDT6", 5, "America/New York"]
)
def test_a_bad_timezone_is_a_config_error_saying_where_to_find_names(bad: Any) -> None:
    with pytest.raises(ConfigError) as err:
        times(["2026-11-27 10:00"], timezone=bad)
    message = str(err.value)
    assert message.startswith("timezone= expects an IANA time zone name such as")
    assert "zoneinfo.available_timezones()" in message
    if bad == "Europe/Pariss":
        assert "did you mean 'Europe/Paris'" in message


# -- date_format= ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "options", "expected"),
    [
        (["11/27/2026 3:15 PM"], {"date_format": "%m/%d/%Y %I:%M %p"}, [ms(2026, 11, 27, 15, 15)]),
        (
            ["11/27/2026 3:15 PM"],
            {"date_format": "%m/%d/%Y %I:%M %p", "timezone": "America/New_York"},
            [ms(2026, 11, 27, 15, 15, tz=NY)],
        ),
        (["27.11.2026"], {"date_format": "%d.%m.%Y"}, [ms(2026, 11, 27)]),
        (
            ["27/11/2026 10:00 +0100"],
            {"date_format": "%d/%m/%Y %H:%M %z", "timezone": "America/New_York"},
            [ms(2026, 11, 27, 9)],  # the offset in the text wins
        ),
        # ISO and epoch ms are still read next to the format
        (
            ["2026-11-27T10:00:00Z", "1795773600000", "11/27/2026 3:15 PM"],
            {"date_format": "%m/%d/%Y %I:%M %p"},
            [ms(2026, 11, 27, 10), 1795773600000, ms(2026, 11, 27, 15, 15)],
        ),
        # without the format the US form is refused, with the format a non-matching one is
        (["11/27/2026 3:15 PM"], {}, [None]),
        (["27.11.2026"], {"date_format": "%m/%d/%Y %I:%M %p"}, [None]),
    ],
)
def test_date_format(values: list[str], options: dict[str, Any], expected: list[Any]) -> None:
    report = times(values, **options)
    assert sent_times(report) == expected
    for message in report.invalid["errors"].explode().to_list():
        assert message.startswith("conversionHappenedAt: expected")
        if "date_format" in options:
            assert repr(options["date_format"]) in message


def test_date_format_rows_without_a_zone_are_warned_as_utc() -> None:
    report = times(["11/27/2026 3:15 PM"], date_format="%m/%d/%Y %I:%M %p")
    assert report.failures["rule"].to_list() == ["conversionHappenedAt.naive_read_as_utc"]
    zoned = times(["27/11/2026 10:00 +0100"], date_format="%d/%m/%Y %H:%M %z")
    assert zoned.failures.height == 0


@pytest.mark.parametrize("bad", ["mm/dd/yyyy", "", 5])
def test_a_date_format_without_directives_is_a_config_error(bad: Any) -> None:
    with pytest.raises(ConfigError, match="date_format= expects a strptime format"):
        times(["2026-11-27"], date_format=bad)


# -- Categorical / Enum text and Decimal epoch ms --------------------------------------------

TEXTS = ["2026-11-27T10:00:00Z", "2026-11-27 10:00", " 2026-11-27 ", "1795773600000", "nope"]


@pytest.mark.parametrize("dtype", [pl.Categorical, pl.Enum(sorted(set(TEXTS)))])
def test_categorical_and_enum_text_read_like_strings(dtype: Any) -> None:
    as_text = times(TEXTS, pl.String)
    got = times(TEXTS, dtype)
    assert sent_times(got) == sent_times(as_text)
    assert sent_times(got)[:4] == [ms(2026, 11, 27, 10)] * 2 + [ms(2026, 11, 27), 1795773600000]
    assert got.failures.drop("message").equals(as_text.failures.drop("message"))
    assert got.invalid["errors"].to_list() == as_text.invalid["errors"].to_list()


@pytest.mark.parametrize("dtype", [pl.Decimal(38, 0), pl.Decimal(20, 3), pl.Decimal(38, 10)])
def test_decimal_epoch_ms_read_like_integers(dtype: Any) -> None:
    values = [decimal.Decimal("1795773600000"), decimal.Decimal("1795773600001"), None]
    got = times(values, dtype)
    assert sent_times(got) == [1795773600000, 1795773600001, None]
    seconds = times([decimal.Decimal("1764000000")], dtype)
    assert seconds.failures["rule"].to_list() == ["conversionHappenedAt.epoch_seconds"]
    fraction = times([decimal.Decimal("1795773600000.5")], pl.Decimal(38, 3))
    assert fraction.failures["rule"].to_list() == ["conversionHappenedAt.format"]


# -- amounts ---------------------------------------------------------------------------------


def amounts(values: list[Any], currency: str = "USD", **options: Any) -> ValidationReport:
    n = len(values)
    df = pl.DataFrame(
        {
            "conversionHappenedAt": ["2026-11-27T10:00:00Z"] * n,
            "ACXIOM_ID": ["a"] * n,
            "currencyCode": [currency] * n,
            "amount": pl.Series(values, dtype=pl.String),
        }
    )
    return capi.validate(df, 1, now=NOW, **options)


AMBIGUOUS = "amount.ambiguous_separator"
FORMAT = "amount.format"

#: value → what is sent (or the rule that stops it) with decimal_comma None / True / False.
AMOUNTS: list[tuple[str, str, str, str]] = [
    # already LinkedIn's form: as written
    ("50.00", "50.00", "50.00", "50.00"),
    ("50", "50", "50", "50"),
    # currency signs and codes around the number
    ("$1,250.00", "1250.00", "1250.00", "1250.00"),
    ("1 250,50 €", "1250.50", "1250.50", "1250.50"),
    ("USD 10", "10", "10", "10"),
    ("10 usd", "10", "10", "10"),
    ("€5", "5", "5", "5"),
    ("£ 7.5", "7.5", "7.5", "7.5"),
    ("US$99.99", "99.99", "99.99", "99.99"),
    ("1\u00a0250,50", "1250.50", "1250.50", "1250.50"),  # no-break space
    ("1'250.50", "1250.50", "1250.50", "1250.50"),  # Swiss
    # one reading only
    ("1,250.00", "1250.00", "1250.00", "1250.00"),
    ("1.250,00", "1250.00", "1250.00", "1250.00"),
    ("1250,50", "1250.50", "1250.50", "1250.50"),
    ("12,5", "12.5", "12.5", "12.5"),
    ("1,250,000", "1250000", "1250000", "1250000"),
    ("1.250.000", "1250000", "1250000", "1250000"),
    ("1.250.000,99", "1250000.99", "1250000.99", "1250000.99"),
    # two readings: the option decides
    ("1,250", AMBIGUOUS, FORMAT, "1250"),  # 1.250 has 3 decimal places
    ("1.250", AMBIGUOUS, "1250", FORMAT),
    ("$1,250", AMBIGUOUS, FORMAT, "1250"),
    ("999.999", AMBIGUOUS, "999999", FORMAT),
    # malformed whatever the option
    ("0.125", FORMAT, FORMAT, FORMAT),  # a leading 0 is never a thousands group
    ("1,2,3", FORMAT, FORMAT, FORMAT),
    ("12,50,00", FORMAT, FORMAT, FORMAT),
    ("1.250.50", FORMAT, FORMAT, FORMAT),
    ("1,25.00", FORMAT, FORMAT, FORMAT),
    ("$$5", FORMAT, FORMAT, FORMAT),
    ("five", FORMAT, FORMAT, FORMAT),
    ("-5.00", FORMAT, FORMAT, FORMAT),
    ("$-5", FORMAT, FORMAT, FORMAT),
    ("1e3", FORMAT, FORMAT, FORMAT),
]


@pytest.mark.parametrize(("value", "auto", "comma", "point"), AMOUNTS)
def test_amounts_as_people_write_them(value: str, auto: str, comma: str, point: str) -> None:
    # the currencyCode the value's own sign or code names (a mismatch is its own error)
    currency = "EUR" if "€" in value else "GBP" if "£" in value else "USD"
    for option, expected in ((None, auto), (True, comma), (False, point)):
        report = amounts([value], currency=currency, decimal_comma=option)
        if expected.startswith("amount."):
            assert report.failures.select("rule", "severity").rows() == [(expected, "error")], (
                value,
                option,
            )
        else:
            assert report.valid["amount"].to_list() == [expected], (value, option)
            assert report.payloads()[0]["conversionValue"]["amount"] == expected


@pytest.mark.parametrize(
    ("value", "currency", "written", "agreeing"),
    [
        ("USD 10", "EUR", "USD", "EUR 10"),
        ("10 eur", "USD", "EUR", "10 usd"),
        ("€5", "GBP", "EUR", "£5"),
        ("£ 7.5", "USD", "GBP", "USD 7.5"),
    ],
)
def test_a_currency_written_in_the_amount_must_match_currency_code(
    value: str, currency: str, written: str, agreeing: str
) -> None:
    report = amounts([value, agreeing], currency=currency)
    assert report.failures.select("_row", "rule").rows() == [(0, "amount.currency_mismatch")]
    (message,) = report.invalid["errors"].item()
    assert message == (
        f"amount: written in {written} but currencyCode is {currency}; correct one of them"
    )


def test_a_currency_mismatch_needs_both_currencies() -> None:
    # an invalid currencyCode (its own error) or a plain amount names nothing to compare
    report = amounts(["USD 10", "10.00"], currency="usdollar")
    assert set(report.failures["rule"]) == {"currencyCode.format"}
    plain = amounts([" 10 ", "10.5"], currency="EUR")
    assert plain.counts["valid"] == 2
    mixed = amounts(["10", "usd 10"], currency="EUR")  # one amount needs the general reading
    assert mixed.failures.select("_row", "rule").rows() == [(1, "amount.currency_mismatch")]


def test_a_dollar_sign_names_no_currency() -> None:
    # "$" is the sign of USD, CAD, AUD, ...: it decides nothing, so it never mismatches
    assert amounts(["$5"], currency="CAD").counts["valid"] == 1


def test_the_ambiguity_error_names_the_option_that_decides() -> None:
    report = amounts(["1,250"])
    message = report.failures["message"].item()
    assert message.startswith("amount: '1,250' reads two ways")
    assert "decimal_comma=True" in message and "decimal_comma=False" in message
    assert report.error_counts()["rule"].to_list() == [AMBIGUOUS]


def test_amount_messages_say_what_is_wrong() -> None:
    report = amounts(["-5.00", "0.125", "five", "1,250"], decimal_comma=True)
    assert report.invalid["errors"].to_list() == [
        ["amount: must not be negative, got '-5.00'"],
        ["amount: at most 2 decimal places, got '0.125'"],
        ["amount: expected a decimal number such as '50.00', got 'five'"],
        ["amount: at most 2 decimal places, got '1,250'"],
    ]


def test_bad_decimal_comma_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="decimal_comma= expects True, False or None"):
        amounts(["1"], decimal_comma="yes")


def test_a_clean_chunk_and_a_messy_one_agree_on_their_common_values() -> None:
    # The general reading is switched on per chunk only when some value needs it.
    clean = ["1.00", "25", "1234.5"]
    alone = amounts(clean)
    mixed = amounts([*clean, "$1,250.00"])
    assert mixed.valid["amount"].to_list()[:3] == alone.valid["amount"].to_list() == clean


# -- externalIds given as a JSON string -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "sent", "rule"),
    [
        ('["caf\\u00e9"]', ["café"], None),
        ('["a\\"b"]', ['a"b'], None),
        ('[ "  u1 " ]', ["u1"], None),
        ('["\\ud83d\\ude00"]', ["😀"], None),
        ("user_42", ["user_42"], None),
        ("00042", ["00042"], None),
        ('["a", "b"]', None, "externalIds.at_most_one"),
        ('["a"', ['["a"'], None),  # not an array: one plain id
        ("[42]", None, "externalIds.format"),  # not strings
        ('["bad \\x escape"]', None, "externalIds.format"),  # not JSON: never a crash
        ("[]", None, "externalIds.format"),
    ],
)
def test_json_string_external_ids_are_decoded(value: str, sent: Any, rule: str | None) -> None:
    df = pl.DataFrame({"conversionHappenedAt": ["2026-11-27T10:00:00Z"], "externalIds": [value]})
    report = capi.validate(df, 1, now=NOW)
    if rule is None:
        assert report.valid["externalIds"].to_list() == [sent]
        assert report.payloads()[0]["user"]["externalIds"] == sent
    else:
        assert rule in report.failures["rule"].to_list()


# -- the per-chunk pre-tests never change a result ------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    value=st.emails()
    | st.text(max_size=30)
    | st.sampled_from(["Jo <a@b.co>", "mailto:A@B.co", '"a@b.co"', "a\u200b@b.co"])
)
def test_email_hygiene_is_skipped_only_where_it_changes_nothing(value: str) -> None:
    s = pl.Series([value], dtype=pl.String)
    full = pl.select(hs.normalize_email(s)).item()
    if not pl.select(hs.needs_email_hygiene(s)).item():
        assert pl.select(hs.normalize_email(s, hygiene=False)).item() == full
