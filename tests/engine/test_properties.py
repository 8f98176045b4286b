"""Property tests: random frames never break validation's guarantees.

For any frame (random dtypes, nulls, unicode, huge numbers, mixed-case LinkedIn names and
random extra columns), ``validate`` either raises ``SchemaError`` or returns a report in which
every input row is in exactly one of valid/invalid/skipped, and every valid row renders to a
null-free event with the required parts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from typing import Any

import polars as pl
from _support.engine import DAY_MS, NOW, NOW_MS, URN, sha
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing.parametric import series

import linkedin_capi as capi
from linkedin_capi._constants import CANONICAL_COLUMNS
from linkedin_capi.engine.hashing import sha256_email
from linkedin_capi.engine.normalize import amount
from linkedin_capi.engine.payload import batch_bodies
from linkedin_capi.errors import SchemaError

SETTINGS = settings(
    # CAPI_PROPERTY_EXAMPLES=5000 for a long search (a few minutes)
    max_examples=int(os.environ.get("CAPI_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FOLDED = {c.lower() for c in CANONICAL_COLUMNS}

#: dtypes for "anything at all" columns, canonical or extra.
GENERIC_DTYPES = [
    pl.Int8,
    pl.Int64,
    pl.UInt64,
    pl.Float32,
    pl.Float64,
    pl.Decimal(12, 3),
    pl.Boolean,
    pl.String,
    pl.Binary,
    pl.Date,
    pl.Datetime("us"),
    pl.Datetime("ms", "UTC"),
    pl.Duration("ms"),
    pl.Time,
    pl.Null,
    pl.Categorical,
    pl.List(pl.String),
    pl.List(pl.Int64),
    pl.Array(pl.Int32, 2),
    pl.Struct({"a": pl.Int64, "b": pl.String}),
]

WINDOW = st.integers(NOW_MS - 100 * DAY_MS, NOW_MS + 5 * DAY_MS)
INSTANTS = st.datetimes(min_value=dt.datetime(2024, 5, 1), max_value=dt.datetime(2024, 9, 5))
HEX = st.text("0123456789abcdefABCDEF", min_size=64, max_size=64)
JUNK = st.text(max_size=12)


def _iso(d: dt.datetime, style: int) -> str:
    return [
        d.strftime("%Y-%m-%dT%H:%M:%SZ"),
        d.strftime("%Y-%m-%d %H:%M:%S"),
        d.strftime("%Y-%m-%d"),
        d.isoformat(timespec="milliseconds") + "+02:00",
        str(int(d.replace(tzinfo=dt.UTC).timestamp() * 1000)),
    ][style]


ISO = st.builds(_iso, INSTANTS, st.integers(0, 4))
US_TIME = INSTANTS.map(lambda d: d.strftime("%m/%d/%Y %I:%M %p"))
PLACEHOLDER = st.sampled_from(["null", "UNDEFINED", " None ", "nan", "N/A", "-"])
#: Amounts as people write them: currency signs, thousands separators, decimal commas.
WRITTEN_AMOUNT = st.builds(
    lambda n, fmt: fmt.format(n),
    st.decimals(0, 10**7, places=2),
    st.sampled_from(["${:,.2f}", "{:,.2f} €", "USD {}", "{:,}", "{:.2f}"]),
) | st.sampled_from(["1,250", "1.250", "1250,50", "1 250,50 €", "1.250.000"])

#: (dtype, value strategy) choices that produce plausible values for each field.
FIELD_VALUES: dict[str, list[tuple[Any, st.SearchStrategy[Any]]]] = {
    "conversionHappenedAt": [
        (pl.Int64, WINDOW | st.integers(-(2**63), 2**63 - 1) | st.integers(10**9, 2 * 10**9)),
        (pl.String, ISO | JUNK | US_TIME | PLACEHOLDER),
        (pl.Categorical, ISO | JUNK),
        (pl.Decimal(38, 0), WINDOW),
        (pl.Datetime("us"), INSTANTS),
        (pl.Date, INSTANTS.map(lambda d: d.date())),
        (pl.Float64, WINDOW.map(float) | st.floats()),
    ],
    "conversion": [
        (pl.Int64, st.integers(-3, 2**63 - 1)),
        (
            pl.String,
            st.integers(0, 10**6).map(str) | st.integers(1, 99).map(lambda i: f"{URN}{i}") | JUNK,
        ),
    ],
    "SHA256_EMAIL": [(pl.String, st.emails() | HEX | JUNK | st.just("") | PLACEHOLDER)],
    "countryCode": [
        (
            pl.String,
            st.sampled_from(["US", "us", " de", "USA", "", "XX", "United States", "Atlantis"])
            | JUNK
            | PLACEHOLDER,
        )
    ],
    "lead": [(pl.String, JUNK.map(lambda s: "urn:li:leadGenFormResponse:" + s) | JUNK)],
    "externalIds": [
        (pl.String, JUNK | JUNK.map(lambda s: json.dumps([s])) | st.lists(JUNK).map(json.dumps)),
        (pl.List(pl.String), st.lists(JUNK | st.none(), max_size=3)),
    ],
    "currencyCode": [(pl.String, st.sampled_from(["USD", "eur", "XXX", "", "usdollar"]) | JUNK)],
    "amount": [
        (
            pl.String,
            st.decimals(0, 10**6, places=2).map(str)
            | st.decimals(places=3).map(str)
            | JUNK
            | WRITTEN_AMOUNT
            | PLACEHOLDER,
        ),
        (pl.Float64, st.floats()),
        (pl.Int64, st.integers(-(2**63), 2**63 - 1)),
    ],
}
TEXT_FIELD = [(pl.String, st.text(max_size=70))]


def mixed_case(name: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda flips: "".join(c.swapcase() if f else c for c, f in zip(name, flips, strict=True))
    )


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(0, 8))
    fields = draw(st.lists(st.sampled_from(CANONICAL_COLUMNS), unique=True, max_size=9))
    # Most frames get a time and an identifier, so that valid rows are common.
    if draw(st.integers(0, 9)) < 8:
        fields = ["conversionHappenedAt", *[f for f in fields if f != "conversionHappenedAt"]]
    if draw(st.integers(0, 9)) < 8:
        fields.append(draw(st.sampled_from(["ACXIOM_ID", "externalIds", "SHA256_EMAIL"])))
    columns: list[pl.Series] = []
    for field in dict.fromkeys(fields):
        name = draw(mixed_case(field))
        if draw(st.integers(0, 4)) == 0:
            s = draw(series(name=name, min_size=n, max_size=n, allowed_dtypes=GENERIC_DTYPES))
        else:
            dtype, values = draw(st.sampled_from(FIELD_VALUES.get(field, TEXT_FIELD)))
            items = draw(st.lists(values | st.none(), min_size=n, max_size=n))
            s = pl.Series(name, items, dtype=dtype)
        columns.append(s)
    taken = {c.name.lower() for c in columns}
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.text(min_size=1, max_size=8) | st.sampled_from(["^.*$", "*", "errors"]))
        if name.strip().lower() in FOLDED | taken or name == "_row":
            continue
        taken.add(name.strip().lower())
        columns.append(
            draw(series(name=name, min_size=n, max_size=n, allowed_dtypes=GENERIC_DTYPES))
        )
    return pl.DataFrame(columns)


def none_paths(value: Any, path: str = "$") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in none_paths(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in none_paths(v, f"{path}[{i}]")]
    return []


#: The reading options (timezone=, date_format=, decimal_comma=), drawn independently.
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "timezone": st.sampled_from(["America/New_York", "Asia/Kolkata", "UTC"]),
        "date_format": st.sampled_from(["%m/%d/%Y %I:%M %p", "%d.%m.%Y"]),
        "decimal_comma": st.booleans(),
    },
)


@SETTINGS
@given(df=frames(), conversion=st.sampled_from([None, 7, f"{URN}8"]), options=OPTIONS)
def test_random_frames_keep_the_guarantees(
    df: pl.DataFrame, conversion: Any, options: dict[str, Any]
) -> None:
    try:
        report = capi.validate(df, conversion, now=NOW, **options)
    except SchemaError:
        return
    # every input row in exactly one of valid / invalid / skipped
    rows = [
        *report.valid["_row"].to_list(),
        *report.invalid["_row"].to_list(),
        *report.skipped["_row"].to_list(),
    ]
    assert sorted(rows) == list(range(df.height))
    assert report.counts["total"] == df.height
    # invalid rows say why, field first
    for errors in report.invalid["errors"].to_list():
        assert errors
        for message in errors:
            assert message.split(": ", 1)[0] in {*CANONICAL_COLUMNS, "user"}, message
    assert report.skipped["reason"].null_count() == 0
    # failures: errors exactly for the invalid rows, warnings never for skipped rows
    f = report.failures
    errors_at = set(f.filter(pl.col("severity") == "error")["_row"].to_list())
    assert errors_at == set(report.invalid["_row"].to_list())
    assert not set(f["_row"].to_list()) & set(report.skipped["_row"].to_list())
    assert set(f["severity"].to_list()) <= {"error", "warning"}
    # valid rows: inside the window, and null-free events with the required parts
    times = report.valid["conversionHappenedAt"].to_list()
    assert all(NOW_MS - 90 * DAY_MS <= t <= NOW_MS for t in times)
    events = report.payloads()
    assert len(events) == report.valid.height
    for event in events:
        assert none_paths(event) == [], event
        assert re.fullmatch(r"urn:lla:llaPartnerConversion:[1-9][0-9]*", event["conversion"])
        assert isinstance(event["conversionHappenedAt"], int)
        assert isinstance(event["user"]["userIds"], list)
        if "conversionValue" in event:
            assert re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", event["conversionValue"]["amount"])
    # the bodies carry exactly the same events, keyed by the valid rows
    batches = list(batch_bodies(report.valid, batch_size=3))
    assert [r for b in batches for r in b.rows] == report.valid["_row"].to_list()
    assert [e for b in batches for e in json.loads(b.body)["elements"]] == events


@settings(SETTINGS, max_examples=60)
@given(df=frames())
def test_lazy_and_eager_agree(df: pl.DataFrame) -> None:
    try:
        eager = capi.validate(df, 7, now=NOW)
    except SchemaError:
        return
    lazy = capi.validate(df.lazy(), 7, now=NOW)
    assert lazy.valid.equals(eager.valid)
    assert lazy.invalid.equals(eager.invalid)
    assert lazy.skipped.equals(eager.skipped)


SPACES = st.sampled_from(["", " ", "\t", "  ", "\n"])


@settings(max_examples=150, deadline=None)
@given(address=st.emails(), flips=st.randoms(), pad=st.tuples(SPACES, SPACES))
def test_email_hash_matches_hashlib(address: str, flips: Any, pad: tuple[str, str]) -> None:
    messy = pad[0] + "".join(c.upper() if flips.random() < 0.5 else c for c in address) + pad[1]
    got = pl.select(sha256_email(pl.lit(messy, pl.String))).item()
    normalized = address.lower()
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]+", normalized) and len(normalized) <= 254:
        assert got == sha(normalized)
    else:
        assert got is None


@settings(max_examples=200, deadline=None)
@given(
    value=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    as_float=st.booleans(),
)
def test_two_decimal_numbers_format_exactly(value: Any, as_float: bool) -> None:
    if as_float:
        series_ = pl.Series([float(value)], dtype=pl.Float64)
    else:
        series_ = pl.Series([str(value)], dtype=pl.String)
    got = pl.DataFrame({"a": series_}).select(amount(pl.col("a"), series_.dtype)).item()
    assert got == (f"{value:.2f}" if as_float else str(value))
