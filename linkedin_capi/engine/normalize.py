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

from functools import cache

import polars as pl

from linkedin_capi._constants import LEAD_URN_PREFIX, RULE_URN_PREFIX

__all__ = [
    "SECONDS_CEILING",
    "amount",
    "as_text",
    "country_code",
    "currency_code",
    "external_ids",
    "happened_at_from_prepared",
    "happened_at_ms",
    "is_present",
    "lead_urn",
    "prepare_happened_at",
    "rule_urn",
    "shown",
    "text",
]

#: Integers below this (i.e. before 1973-03-03 as milliseconds) are taken for epoch
#: *seconds*: 10-digit second timestamps are the most common unit mistake.
SECONDS_CEILING = 100_000_000_000

_HAS_ZONE = r"(?i)(z|[+-]\d{2}:?\d{2})$"
_HOURS_ONLY_OFFSET = r"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}$"
# [0-9], not \d: Polars regexes are Unicode-aware and \d would accept e.g. Arabic-Indic digits.
_AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"
_SHOWN_MAX = 40
_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


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


def is_present(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Non-null and, for text, not blank; for lists, not empty."""
    if dtype == pl.String:
        return expr.str.strip_chars() != ""
    if isinstance(dtype, pl.List):
        return expr.list.drop_nulls().list.len() > 0
    return expr.is_not_null()


def text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Trimmed text; blank → null. Numbers become their decimal text; nested → null.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"n": ["  Mike ", "  "]})
    >>> df.select(text(pl.col("n"), pl.String)).to_series().to_list()
    ['Mike', None]
    """
    if _is_nested(dtype) or dtype == pl.Null:
        return pl.lit(None, pl.String)
    return as_text(expr, dtype).str.strip_chars().replace("", None)


# -- conversion ------------------------------------------------------------------------


def rule_urn(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
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
    digits = text(expr, dtype).str.strip_prefix(RULE_URN_PREFIX)
    canonical = digits.str.contains(r"^[1-9][0-9]*$")  # ASCII digits, no sign or zero pad
    return pl.when(canonical).then(pl.lit(RULE_URN_PREFIX) + digits)


# -- conversionHappenedAt ----------------------------------------------------------------


def _integer_ms(expr: pl.Expr) -> pl.Expr:
    # Values below SECONDS_CEILING are reported by the checks; they never become times here.
    return pl.when(expr >= SECONDS_CEILING).then(expr.cast(pl.Int64))


def epoch_integer(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """The integer epoch value of an integer column, integral float or digit string."""
    if dtype.is_integer():
        return expr.cast(pl.Int64, strict=False)
    if dtype.is_float():
        return pl.when(expr.is_finite() & (expr == expr.floor())).then(
            expr.cast(pl.Int64, strict=False)
        )
    if dtype == pl.String:
        return expr.str.strip_chars().str.to_integer(strict=False).cast(pl.Int64, strict=False)
    return pl.lit(None, pl.Int64)


def happened_at_ms(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Any supported timestamp form → epoch milliseconds (Int64, UTC).

    Integers are epoch milliseconds; ISO-8601 strings may carry ``Z``, an offset
    (``+02:00``, ``+0200`` or ``+02``), fractional seconds, a space instead of ``T``, or no zone
    (taken as UTC), or be a bare date; ``Datetime`` (naive = UTC) and ``Date`` columns are
    converted. Everything else is null.
    """
    return happened_at_from_prepared(prepare_happened_at(expr, dtype), dtype)


def prepare_happened_at(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """First stage of :func:`happened_at_ms`: trimmed strings, ``T`` between date and time.

    Validation stores this stage as a column so that the second stage, which reads it
    several times, does not recompute it.
    """
    if dtype != pl.String:
        return expr
    # " UTC" (BigQuery's text form) is an explicit UTC: the same as no zone here.
    t = expr.str.strip_chars().str.strip_suffix(" UTC").str.replace(" ", "T", literal=True)
    # ISO 8601 allows minutes without seconds ("2023-10-14T00:00Z"); the parser does not.
    # Only values short enough to lack seconds pay for the regex.
    short = (
        t.str.len_bytes().is_between(16, 22)
        & (t.str.slice(10, 1) == "T")
        & (t.str.slice(13, 1) == ":")
        & (t.str.slice(16, 1) != ":")
    )
    return pl.when(short).then(t.str.slice(0, 16) + ":00" + t.str.slice(16)).otherwise(t)


def happened_at_from_prepared(prepared: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Second stage of :func:`happened_at_ms`, from :func:`prepare_happened_at`'s result.

    Times beyond year 9999 either way are null too.
    """
    ms = _from_prepared(prepared, dtype)
    # Polars panics (or wraps around) rendering far-off epochs in messages; none is a real time.
    return pl.when(ms.is_between(-_MAX_MS, _MAX_MS)).then(ms)


def _from_prepared(prepared: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_integer() or dtype.is_float():
        return _integer_ms(epoch_integer(prepared, dtype))
    if isinstance(dtype, pl.Datetime):
        return prepared.dt.epoch("ms")
    if dtype == pl.Date:
        return prepared.cast(pl.Datetime("ms")).dt.epoch("ms")
    if dtype != pl.String:
        return pl.lit(None, pl.Int64)
    # Bring every accepted form to RFC 3339 and parse once: "%+" is the fastest parser
    # Polars has, and one parse beats coalescing several formats. Naive means UTC.
    # One suffix per row completes the RFC 3339 form: a bare date gets midnight UTC, a
    # naive time gets "Z", a zoned one nothing.
    suffix = (
        pl.when(prepared.str.len_bytes() == 10)
        .then(pl.lit("T00:00:00Z"))
        .when(prepared.str.contains(_HAS_ZONE))
        .then(pl.lit(""))
        .when(prepared.str.contains(_HOURS_ONLY_OFFSET))
        .then(pl.lit(":00"))  # "+02" → "+02:00"
        .otherwise(pl.lit("Z"))
    )
    parsed = (prepared + suffix).str.to_datetime("%+", strict=False, time_unit="ms")
    as_int = prepared.str.to_integer(strict=False).cast(pl.Int64, strict=False)
    return pl.coalesce(_integer_ms(as_int), parsed.dt.epoch("ms"))


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


def country_code(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Upper-cased ISO 3166-1 alpha-2 code (pycountry's list); anything else → null.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"c": ["us", "USA"]})
    >>> df.select(country_code(pl.col("c"), pl.String)).to_series().to_list()
    ['US', None]
    """
    # An Enum cast looks codes up in a hash table: cheaper than is_in + when/then.
    codes = pl.Enum(_country_codes())
    return text(expr, dtype).str.to_uppercase().cast(codes, strict=False).cast(pl.String)


def currency_code(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Upper-cased ISO 4217 code (pycountry's list); anything else → null."""
    codes = pl.Enum(_currency_codes())
    return text(expr, dtype).str.to_uppercase().cast(codes, strict=False).cast(pl.String)


def lead_urn(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """``urn:li:leadGenFormResponse:<id>`` as given (trimmed); anything else → null."""
    t = text(expr, dtype)
    return pl.when(
        t.str.starts_with(LEAD_URN_PREFIX) & (t.str.len_chars() > len(LEAD_URN_PREFIX))
    ).then(t)


def external_id_items(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """The externalIds as a list of non-empty strings (possibly with more than one item).

    A plain string is one item; a string that looks like a JSON array (``["user_id_123"]``,
    as warehouse exports often write arrays) is read as its quoted items.
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
    t = text(expr, dtype)
    bracketed = t.str.starts_with("[") & t.str.ends_with("]")
    quoted = (
        t.str.extract_all(r'"((?:[^"\\]|\\.)*)"')
        .list.eval(pl.element().str.slice(1, pl.element().str.len_chars() - 2).str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    items = pl.when(bracketed).then(quoted).otherwise(pl.concat_list(t))
    return pl.when(t.is_not_null() & (items.list.len() > 0)).then(items)


def external_ids(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """``externalIds`` ready to send: a one-item list of strings, or null."""
    items = external_id_items(expr, dtype)
    return pl.when(items.list.len() == 1).then(items)


def amount(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A non-negative decimal with at most 2 places, as a string LinkedIn accepts.

    Strings are kept as written when valid (``"50.00"``); numbers are formatted with two
    decimals (``19.9`` → ``"19.90"``). Anything else → null.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"a": [19.9, 5.0, -1.0, 0.125]})
    >>> df.select(amount(pl.col("a"), pl.Float64)).to_series().to_list()
    ['19.90', '5.00', None, None]
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
    t = text(expr, dtype)
    return pl.when(t.str.contains(_AMOUNT_PATTERN)).then(t)
