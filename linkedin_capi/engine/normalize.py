"""Value normalization: one pure Polars expression per LinkedIn field.

Every function takes the raw column expression and its dtype (dispatch happens once per
column, in Python, never per row) and returns the value LinkedIn should receive, or null
where the input is absent or cannot be normalized. Whether a null result is a problem is
decided in :mod:`linkedin_capi.engine.checks`, which compares raw and normalized values.

Examples
--------
>>> import polars as pl
>>> df = pl.DataFrame({"ts": ["2024-08-28T15:30:00Z", "2024-08-28", "soon"]})
>>> df.select(happened_at_ms(pl.col("ts"), pl.String)).to_series().to_list()
[1724859000000, 1724803200000, None]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import polars as pl

from linkedin_capi._constants import LEAD_URN_PREFIX, RULE_URN_PREFIX
from linkedin_capi.engine import _amounts

__all__ = [
    "PLACEHOLDERS",
    "SECONDS_CEILING",
    "Reading",
    "amount",
    "as_text",
    "country_code",
    "country_codes",
    "country_needs_lookup",
    "currency_code",
    "currency_codes",
    "external_ids",
    "format_has_zone",
    "happened_at_from_prepared",
    "happened_at_ms",
    "is_placeholder",
    "is_present",
    "lead_urn",
    "naive_read_as_utc",
    "prepare",
    "prepare_happened_at",
    "rule_urn",
    "shown",
    "text",
]

#: Integers below this (i.e. before 1973-03-03 as milliseconds) are taken for epoch
#: *seconds*: 10-digit second timestamps are the most common unit mistake.
SECONDS_CEILING = 100_000_000_000

_HAS_ZONE = r"(?i)(z|[+-]\d{2}:?\d{2})$"
#: RFC 3339 as the parser reads it: :func:`prepare_happened_at` leaves such text unchanged.
_RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$"
_HOURS_ONLY_OFFSET = r"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}$"
_SHOWN_MAX = 40
_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z

#: Values that stand for "nothing" in exports and JavaScript tags (compared trimmed and
#: case-insensitively): they count as absent for every field.
PLACEHOLDERS = ("null", "undefined", "none", "nan", "n/a", "-")


@dataclass(frozen=True)
class Reading:
    """How ambiguous text is read: the user's options, plus what a chunk needs.

    ``timezone`` (an IANA name; ``None`` = UTC) applies to times without an offset;
    ``date_format`` is a strptime format tried first for ``conversionHappenedAt`` text;
    ``decimal_comma`` decides amounts such as ``1,250`` (``None``: such values are errors).
    The ``*_forms`` flags say whether any value of the chunk needs the slower, general
    reading (validation sets them from a cheap pre-test); they default to ``True``.
    """

    timezone: str | None = None
    date_format: str | None = None
    decimal_comma: bool | None = None
    email_forms: bool = True
    amount_forms: bool = True
    country_forms: bool = True
    time_forms: bool = True


@cache
def _placeholder_variants() -> list[str]:
    # Every letter-case spelling: ``replace`` is one hash lookup per row, cheaper than
    # lower-casing every value first.
    out: set[str] = set()
    for word in PLACEHOLDERS:
        cases = [(c.lower(), c.upper()) if c.isalpha() else (c,) for c in word]
        out.update("".join(p) for p in itertools.product(*cases))
    return sorted(out)


def is_placeholder(expr: pl.Expr) -> pl.Expr:
    """True where a text value is a placeholder such as ``"undefined"`` or ``" N/A "``.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series([" Undefined", "n/a", "Nancy", None])
    >>> pl.select(is_placeholder(s)).to_series().to_list()
    [True, True, False, None]
    """
    return expr.str.strip_chars().is_in(_placeholder_variants())


def prepare(expr: pl.Expr, dtype: pl.DataType) -> tuple[pl.Expr, pl.DataType]:
    """A field's raw column made ready once: the expression and its dtype.

    Categorical and Enum columns become text; text is trimmed and placeholders
    (:data:`PLACEHOLDERS`) become null, while a blank value stays ``""`` so that
    ``raw is not null and prepared is null`` means exactly "a placeholder was given".
    Other columns pass unchanged. Validation stores the result as a column: the
    normalizers and every check read it instead of trimming the raw column again.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series([" a ", "NULL", " ", None], dtype=pl.Categorical)
    >>> e, d = prepare(pl.col("c"), s.dtype)
    >>> d, pl.DataFrame({"c": s}).select(e).to_series().to_list()
    (String, ['a', None, '', None])
    """
    if isinstance(dtype, pl.Categorical | pl.Enum):
        expr, dtype = expr.cast(pl.String), pl.String()
    if dtype == pl.String:
        return expr.str.strip_chars().replace(_placeholder_variants(), None), dtype
    return expr, dtype


# -- dtype helpers ---------------------------------------------------------------------


def _is_nested(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.List | pl.Array | pl.Struct)


def as_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Any column as text, for display and for fields LinkedIn wants as strings.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(as_text(pl.lit([1, 2]), pl.List(pl.Int64))).item()
    '[1,2]'
    """
    if dtype == pl.String:
        return expr
    if _is_nested(dtype):
        # json_encode of a one-field struct is the one columnar way to render any nesting.
        encoded = pl.struct(expr.alias("v")).struct.json_encode()
        return pl.when(expr.is_not_null()).then(encoded.str.slice(5, encoded.str.len_chars() - 6))
    if dtype == pl.Binary:
        return expr.bin.encode("hex")
    if isinstance(dtype, pl.Duration):
        return expr.dt.to_string("iso")  # Polars cannot cast Duration to String
    return expr.cast(pl.String)


def shown(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """The raw value quoted and truncated for an error message.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(shown(pl.lit("x" * 50), pl.String)).item()
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'"
    """
    t = as_text(expr, dtype)
    cut = pl.when(t.str.len_chars() > _SHOWN_MAX).then(t.str.slice(0, _SHOWN_MAX) + "…")
    return pl.lit("'") + cut.otherwise(t) + pl.lit("'")


def is_present(expr: pl.Expr, dtype: pl.DataType, *, prepared: bool = False) -> pl.Expr:
    """Non-null and, for text, not blank; for lists, not empty.

    ``prepared=True``: ``expr`` is :func:`prepare`'s result (already trimmed).
    """
    if isinstance(dtype, pl.Categorical | pl.Enum):
        expr, dtype = expr.cast(pl.String), pl.String()
    if dtype == pl.String:
        if prepared:
            return expr.str.len_bytes() > 0
        return expr.str.strip_chars() != ""
    if isinstance(dtype, pl.List):
        return expr.list.drop_nulls().list.len() > 0
    return expr.is_not_null()


def text(expr: pl.Expr, dtype: pl.DataType, *, prepared: bool = False) -> pl.Expr:
    """Trimmed text; blank → null. Numbers become their decimal text; nested → null.

    ``prepared=True``: ``expr`` is :func:`prepare`'s result (trimmed, placeholders null).

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"n": ["  Mike ", "  "]})
    >>> df.select(text(pl.col("n"), pl.String)).to_series().to_list()
    ['Mike', None]
    """
    if _is_nested(dtype) or dtype == pl.Null:
        return pl.lit(None, pl.String)
    if prepared and dtype == pl.String:
        return expr.replace("", None)
    return as_text(expr, dtype).str.strip_chars().replace("", None)


# -- conversion ------------------------------------------------------------------------


def rule_urn(expr: pl.Expr, dtype: pl.DataType, *, prepared: bool = False) -> pl.Expr:
    """A rule id (int or digits) or a full rule URN → ``urn:lla:llaPartnerConversion:<id>``.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"c": ["123", " urn:lla:llaPartnerConversion:456", "x"]})
    >>> df.select(rule_urn(pl.col("c"), pl.String)).to_series().to_list()
    ['urn:lla:llaPartnerConversion:123', 'urn:lla:llaPartnerConversion:456', None]
    """
    if dtype.is_integer():
        return pl.when(expr > 0).then(pl.lit(RULE_URN_PREFIX) + expr.cast(pl.String))
    digits = text(expr, dtype, prepared=prepared).str.strip_prefix(RULE_URN_PREFIX)
    canonical = digits.str.contains(r"^[1-9][0-9]*$")  # ASCII digits, no sign or zero pad
    return pl.when(canonical).then(pl.lit(RULE_URN_PREFIX) + digits)


# -- conversionHappenedAt ----------------------------------------------------------------


def _integer_ms(expr: pl.Expr) -> pl.Expr:
    # Values below SECONDS_CEILING are reported by the checks; they never become times here.
    return pl.when(expr >= SECONDS_CEILING).then(expr.cast(pl.Int64))


def epoch_integer(expr: pl.Expr, dtype: pl.DataType, *, prepared: bool = False) -> pl.Expr:
    """The integer epoch value of an integer column, integral float or Decimal, or digit
    string (``prepared=True``: already trimmed)."""
    if dtype.is_integer():
        return expr.cast(pl.Int64, strict=False)
    if dtype.is_float() or isinstance(dtype, pl.Decimal):
        # Decimal epoch ms is what pl.read_database gives for an Oracle/Snowflake NUMBER.
        x = expr.cast(pl.Float64) if isinstance(dtype, pl.Decimal) else expr
        return pl.when(x.is_finite() & (x == x.floor())).then(x.cast(pl.Int64, strict=False))
    if isinstance(dtype, pl.Categorical | pl.Enum):
        expr, dtype = expr.cast(pl.String), pl.String()
    if dtype == pl.String:
        digits = expr if prepared else expr.str.strip_chars()
        return digits.str.to_integer(strict=False).cast(pl.Int64, strict=False)
    return pl.lit(None, pl.Int64)


def happened_at_ms(expr: pl.Expr, dtype: pl.DataType, reading: Reading | None = None) -> pl.Expr:
    """Any supported timestamp form → epoch milliseconds (Int64, UTC).

    Integers (and integral floats and Decimals) are epoch milliseconds; ISO-8601 strings
    may carry ``Z``, an offset (``+02:00``, ``+0200`` or ``+02``), a trailing `` UTC``,
    fractional seconds, a space instead of ``T``, no seconds, or no zone, or be a bare date;
    ``Datetime`` and ``Date`` columns are converted. Times without a zone are read in
    ``reading.timezone`` (default UTC); ``reading.date_format`` is tried first on text.
    Everything else is null.

    Examples
    --------
    >>> import polars as pl
    >>> ny = Reading(timezone="America/New_York")
    >>> pl.select(happened_at_ms(pl.lit("2026-11-28 10:00"), pl.String, ny)).item()
    1795878000000
    >>> us = Reading(date_format="%m/%d/%Y %I:%M %p")
    >>> pl.select(happened_at_ms(pl.lit("11/28/2026 3:00 PM"), pl.String, us)).item()
    1795878000000
    """
    reading = reading or Reading()
    text, dtype = prepare(expr, dtype)
    stage = prepare_happened_at(text, dtype, reading, prepared=True)
    return happened_at_from_prepared(stage, dtype, reading, text=text)


def prepare_happened_at(
    expr: pl.Expr, dtype: pl.DataType, reading: Reading | None = None, *, prepared: bool = False
) -> pl.Expr:
    """First stage of :func:`happened_at_ms`: ISO-8601 text brought to RFC 3339.

    ``T`` between date and time, seconds added where missing, ``Z`` appended to zone-less
    times when they are read as UTC (left zone-less when ``reading.timezone`` is set),
    ``+02`` completed to ``+02:00``, midnight added to bare dates. Text that is not ISO
    (epoch digits, other formats) passes trimmed. ``prepared=True``: ``expr`` is
    :func:`prepare`'s result. Validation stores this stage as a column.
    """
    if isinstance(dtype, pl.Categorical | pl.Enum):
        expr, dtype = expr.cast(pl.String), pl.String()
    if dtype != pl.String:
        return expr
    zone = _zone(reading)
    t = expr if prepared else expr.str.strip_chars()
    if reading is not None and not reading.time_forms:
        return t  # every value of the chunk is RFC 3339 already (time_needs_preparing)
    if zone is None:
        # " UTC" (BigQuery's text form) is an explicit UTC: the same as no zone here.
        t = t.str.strip_suffix(" UTC")
    else:
        explicit = pl.when(t.str.ends_with(" UTC")).then(pl.lit("Z")).otherwise(pl.lit(""))
        t = t.str.strip_suffix(" UTC") + explicit
    t = t.str.replace(" ", "T", literal=True)
    # ISO 8601 allows minutes without seconds ("2023-10-14T00:00Z"); the parser does not.
    short = (
        t.str.len_bytes().is_between(16, 22)
        & (t.str.slice(10, 1) == "T")
        & (t.str.slice(13, 1) == ":")
        & (t.str.slice(16, 1) != ":")
    )
    t = pl.when(short).then(t.str.slice(0, 16) + ":00" + t.str.slice(16)).otherwise(t)
    # One suffix per row completes the RFC 3339 form: a bare date gets midnight, a naive
    # time "Z" (UTC) or nothing (read in the time zone later), a zoned one nothing.
    naive = pl.lit("Z" if zone is None else "")
    suffix = (
        pl.when(t.str.slice(4, 1) != "-")
        .then(pl.lit(""))  # not ISO: epoch digits, or text for date_format
        .when(t.str.len_bytes() == 10)
        .then(pl.lit("T00:00:00") + naive)
        .when(t.str.contains(_HAS_ZONE))
        .then(pl.lit(""))
        .when(t.str.contains(_HOURS_ONLY_OFFSET))
        .then(pl.lit(":00"))  # "+02" → "+02:00"
        .otherwise(naive)
    )
    return t + suffix


def happened_at_from_prepared(
    prepared: pl.Expr,
    dtype: pl.DataType,
    reading: Reading | None = None,
    *,
    text: pl.Expr | None = None,
) -> pl.Expr:
    """Second stage of :func:`happened_at_ms`, from :func:`prepare_happened_at`'s result.

    ``text``: the trimmed text, which ``reading.date_format`` parses (default: the
    stage itself). Times beyond year 9999 either way are null too.
    """
    ms = _from_prepared(prepared, dtype, reading or Reading(), prepared if text is None else text)
    # Polars panics (or wraps around) rendering far-off epochs in messages; none is a real time.
    return pl.when(ms.is_between(-_MAX_MS, _MAX_MS)).then(ms)


def _zone(reading: Reading | None) -> str | None:
    """The zone to convert from; ``None`` for UTC (given or not): nothing to convert."""
    zone = reading.timezone if reading is not None else None
    return None if zone == "UTC" else zone


def _localize(naive: pl.Expr, zone: str | None) -> pl.Expr:
    """Naive datetimes read in ``zone`` → epoch ms; times a DST change skips or repeats
    are null (the checks say why)."""
    if zone is None:
        return naive.dt.epoch("ms")
    aware = naive.dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
    return aware.dt.epoch("ms")


def _from_prepared(
    prepared: pl.Expr, dtype: pl.DataType, reading: Reading, text: pl.Expr
) -> pl.Expr:
    if dtype.is_integer() or dtype.is_float() or isinstance(dtype, pl.Decimal):
        return _integer_ms(epoch_integer(prepared, dtype))
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return _localize(prepared.cast(pl.Datetime("ms")), _zone(reading))
        return prepared.dt.epoch("ms")
    if dtype == pl.Date:
        return _localize(prepared.cast(pl.Datetime("ms")), _zone(reading))
    if dtype != pl.String:
        return pl.lit(None, pl.Int64)
    # "%+" is the fastest parser Polars has, and one parse beats coalescing several formats.
    parsed = prepared.str.to_datetime("%+", strict=False, time_unit="ms").dt.epoch("ms")
    as_int = prepared.str.to_integer(strict=False).cast(pl.Int64, strict=False)
    parts = [_integer_ms(as_int), parsed]
    if _zone(reading) is not None:
        # Zone-less ISO text (no suffix was added): parsed naive, then read in the zone.
        local = prepared.str.to_datetime(_NAIVE_ISO, strict=False, time_unit="ms")
        parts.append(_localize(local, _zone(reading)))
    if reading.date_format is not None:
        parts.insert(0, _with_format(text, reading))
    return pl.coalesce(parts)


_NAIVE_ISO = "%Y-%m-%dT%H:%M:%S%.f"
_ZONE_DIRECTIVES = ("%z", "%:z", "%::z", "%#z", "%Z")


def format_has_zone(date_format: str) -> bool:
    """Whether a strptime format reads a UTC offset itself.

    Examples
    --------
    >>> format_has_zone("%d/%m/%Y %H:%M%z"), format_has_zone("%m/%d/%Y")
    (True, False)
    """
    return any(d in date_format for d in _ZONE_DIRECTIVES)


def _with_format(text: pl.Expr, reading: Reading) -> pl.Expr:
    assert reading.date_format is not None
    parsed = text.str.to_datetime(reading.date_format, strict=False, time_unit="ms")
    if format_has_zone(reading.date_format):
        return parsed.dt.epoch("ms")
    return _localize(parsed, _zone(reading))


def naive_read_as_utc(
    prepared: pl.Expr, dtype: pl.DataType, reading: Reading, *, text: pl.Expr, value: pl.Expr
) -> pl.Expr:
    """True where a time without a zone was read as UTC because no ``timezone=`` was given.

    ``prepared`` is :func:`prepare_happened_at`'s stage, ``text`` the trimmed text and
    ``value`` the resulting epoch milliseconds (only times that were read count).
    """
    if reading.timezone is not None:
        return pl.lit(False)
    if isinstance(dtype, pl.Datetime):
        return pl.lit(dtype.time_zone is None) & value.is_not_null()
    if dtype == pl.Date:
        return value.is_not_null()
    if dtype != pl.String:
        return pl.lit(False)
    # The stage ends in a "Z" that the text did not have: it was added to a zone-less time.
    given = text.str.ends_with("Z") | text.str.ends_with("z") | text.str.ends_with("UTC")
    iso = (prepared.str.slice(4, 1) == "-") & prepared.str.ends_with("Z") & ~given
    if reading.date_format is not None:
        by_format = text.str.to_datetime(reading.date_format, strict=False).is_not_null()
        iso = (by_format & pl.lit(not format_has_zone(reading.date_format))) | (~by_format & iso)
    return iso & value.is_not_null()


def iso_from_ms(expr: pl.Expr) -> pl.Expr:
    """Epoch milliseconds → ``2024-08-28T15:30:00.000Z`` (for messages)."""
    return pl.from_epoch(expr, time_unit="ms").dt.to_string("%Y-%m-%dT%H:%M:%S%.3fZ")


# -- user fields ---------------------------------------------------------------------------


@cache
def _country_codes() -> list[str]:
    import pycountry  # on first use: 10-15 ms that `import linkedin_capi` need not pay

    return sorted(c.alpha_2 for c in pycountry.countries)


@cache
def _currency_codes() -> list[str]:
    import pycountry

    return sorted(c.alpha_3 for c in pycountry.currencies)


def country_codes() -> pl.Enum:
    """Every value :func:`country_code` gives, as an Enum (one byte a row: fewer than 256).

    Examples
    --------
    >>> country_codes().categories.len() < 256
    True
    """
    return pl.Enum(_country_codes())


def currency_codes() -> pl.Enum:
    """Every value :func:`currency_code` gives, as an Enum (one byte a row: fewer than 256)."""
    return pl.Enum(_currency_codes())


@cache
def _country_lookup() -> tuple[list[str], list[str]]:
    """Upper-cased names, official and common names and alpha-3 codes → alpha-2.

    Built once. A key that would name two countries is left out (none does today).
    """
    import pycountry

    table: dict[str, set[str]] = {}
    for c in pycountry.countries:
        for attr in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            key = getattr(c, attr, None)
            if key:
                table.setdefault(key.upper(), set()).add(c.alpha_2)
    pairs = sorted((k, next(iter(v))) for k, v in table.items() if len(v) == 1)
    return [k for k, _ in pairs], [v for _, v in pairs]


def country_code(
    expr: pl.Expr, dtype: pl.DataType, reading: Reading | None = None, *, prepared: bool = False
) -> pl.Expr:
    """ISO 3166-1 alpha-2 code from an alpha-2 or alpha-3 code or a country name (pycountry's
    names, official and common names, any letter case); anything else → null.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"c": ["us", "USA", "United States", "Atlantis"]})
    >>> df.select(country_code(pl.col("c"), pl.String)).to_series().to_list()
    ['US', 'US', 'US', None]
    """
    upper = text(expr, dtype, prepared=prepared).str.to_uppercase()
    if reading is None or reading.country_forms:
        keys, codes = _country_lookup()
        return upper.replace_strict(keys, codes, default=None, return_dtype=pl.String)
    # Every value is two letters (the chunk's pre-test): an Enum cast looks codes up in a
    # hash table, cheaper than the general lookup.
    return upper.cast(pl.Enum(_country_codes()), strict=False).cast(pl.String)


def time_needs_preparing(raw: pl.Expr) -> pl.Expr:
    """True where raw time text is not RFC 3339 as the parser reads it (a chunk pre-test).

    One anchored regex per value; when no value of a chunk needs it, the preparation of
    :func:`prepare_happened_at` (several rewrites of every value) is skipped: for RFC 3339
    text it changes nothing.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series(["2026-11-28T10:00:00.123Z", "2026-11-28T10:00:00+02:00",
    ...                "2026-11-28 10:00:00", "2026-11-28", " 2026-11-28T10:00:00Z"])
    >>> s.to_frame("t").select(time_needs_preparing(pl.col("t"))).to_series().to_list()
    [False, False, True, True, True]
    """
    return ~raw.str.contains(_RFC3339)


def country_needs_lookup(raw: pl.Expr) -> pl.Expr:
    """True where a raw text country is longer than two bytes (a chunk pre-test).

    No name or alpha-3 code is that short, so for the rest the general lookup and the
    alpha-2 cast agree; a length is read without scanning the text.
    """
    return raw.str.len_bytes() > 2


def currency_code(expr: pl.Expr, dtype: pl.DataType, *, prepared: bool = False) -> pl.Expr:
    """Upper-cased ISO 4217 code (pycountry's list); anything else → null."""
    codes = pl.Enum(_currency_codes())
    t = text(expr, dtype, prepared=prepared)
    return t.str.to_uppercase().cast(codes, strict=False).cast(pl.String)


def lead_urn(expr: pl.Expr, dtype: pl.DataType, *, prepared: bool = False) -> pl.Expr:
    """``urn:li:leadGenFormResponse:<id>`` as given (trimmed); anything else → null."""
    t = text(expr, dtype, prepared=prepared)
    return pl.when(
        t.str.starts_with(LEAD_URN_PREFIX) & (t.str.len_chars() > len(LEAD_URN_PREFIX))
    ).then(t)


# A JSON array of strings (valid JSON only: json_decode fails the whole column otherwise).
_JSON_STRING = r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
_JSON_STRINGS = rf"^\[\s*(?:{_JSON_STRING}\s*(?:,\s*{_JSON_STRING}\s*)*)?\]$"


def external_id_items(expr: pl.Expr, dtype: pl.DataType, *, prepared: bool = False) -> pl.Expr:
    """The externalIds as a list of non-empty strings (possibly with more than one item).

    A plain string is one item; a string that is a JSON array of strings
    (``["user_id_123"]``, as warehouse exports often write arrays) is decoded by Polars'
    JSON reader, escapes included (``"caf\\u00e9"`` is ``café``).

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series(['["caf\\u00e9"]', "u1", '["a", "b"]'])
    >>> pl.select(external_id_items(s, pl.String)).to_series().to_list()
    [['café'], ['u1'], ['a', 'b']]
    """
    if isinstance(dtype, pl.List | pl.Array):
        inner = dtype.inner
        items = expr.arr.to_list() if isinstance(dtype, pl.Array) else expr
        if not isinstance(inner, pl.DataType) or _is_nested(inner):
            return pl.lit(None, pl.List(pl.String))
        items = items.list.eval(
            text(pl.element(), inner)  # type: ignore[arg-type]
        ).list.drop_nulls()
        return pl.when(items.list.len() > 0).then(items)
    t = text(expr, dtype, prepared=prepared)
    as_json = pl.when(t.str.contains(_JSON_STRINGS)).then(t)
    decoded = (
        as_json.str.json_decode(pl.List(pl.String))
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    bracketed = t.str.starts_with("[") & t.str.ends_with("]")
    items = pl.when(bracketed).then(decoded).otherwise(pl.concat_list(t))
    return pl.when(t.is_not_null() & (items.list.len() > 0)).then(items)


def external_ids(expr: pl.Expr, dtype: pl.DataType, *, prepared: bool = False) -> pl.Expr:
    """``externalIds`` ready to send: a one-item list of strings, or null."""
    items = external_id_items(expr, dtype, prepared=prepared)
    return pl.when(items.list.len() == 1).then(items)


def amount(
    expr: pl.Expr, dtype: pl.DataType, reading: Reading | None = None, *, prepared: bool = False
) -> pl.Expr:
    """A non-negative decimal with at most 2 places, as a string LinkedIn accepts.

    Strings already in that form are kept as written (``"50.00"``); text with currency
    signs, thousands separators or a decimal comma is read where it reads one way only
    (:mod:`linkedin_capi.engine._amounts`; ``reading.decimal_comma`` decides ``1,250``);
    numbers are formatted with two decimals (``19.9`` → ``"19.90"``). Anything else → null.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"a": [19.9, 5.0, -1.0, 0.125]})
    >>> df.select(amount(pl.col("a"), pl.Float64)).to_series().to_list()
    ['19.90', '5.00', None, None]
    >>> pl.select(amount(pl.lit("$1,250.00"), pl.String)).item()
    '1250.00'
    """
    if dtype.is_integer():
        return pl.when(expr >= 0).then(expr.cast(pl.String) + ".00")
    if dtype.is_float() or isinstance(dtype, pl.Decimal):
        # Narrow floats via their shortest text: Float32 19.9 widens to 19.8999996…
        x = (expr.cast(pl.String) if dtype != pl.Float64 else expr).cast(pl.Float64)
        cents = (x * 100).round()
        # The product's rounding error grows with the value: an absolute 1e-6 rejected about
        # one in ten two-decimal floats above 3e8 (e.g. 316229608.28).
        tolerance = pl.max_horizontal(pl.lit(1e-6), cents * 1e-14)
        exact = x.is_finite() & (x >= 0) & ((x * 100 - cents).abs() <= tolerance)
        exact = exact & (cents < 2**53)
        c = cents.cast(pl.Int64, strict=False)
        formatted = (c // 100).cast(pl.String) + "." + (c % 100).cast(pl.String).str.zfill(2)
        return pl.when(exact).then(formatted)
    t = text(expr, dtype, prepared=prepared)
    if reading is None or reading.amount_forms:
        return _amounts.amount_text(t, None if reading is None else reading.decimal_comma)
    return pl.when(t.str.contains(_amounts.PLAIN)).then(t)
