"""Row checks: named boolean rules, each with the message a failing row gets.

A :class:`Check` pairs a boolean expression (true = the row fails) with a message
expression. Every message starts with the canonical field name and a colon, says what was
expected and shows what arrived (truncated), e.g.
``"amount: at most 2 decimal places, got '50.005'"``. Validation evaluates all checks in
one pass and collects the messages of the failing ones per row.

Checks read two kinds of columns: the raw input column (by its input name) and the
normalized value (by :func:`norm`), which :mod:`linkedin_capi.engine.validate` computes first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import polars as pl

from linkedin_capi._constants import (
    ACXIOM_ID,
    AMOUNT,
    COMPANY_NAME,
    CONVERSION,
    COUNTRY_CODE,
    CURRENCY_CODE,
    EVENT_ID,
    EVENT_ID_MAX_LEN,
    EXTERNAL_IDS,
    FIRST_NAME,
    GOOGLE_AID,
    HAPPENED_AT,
    HASHED_FIRST_NAME,
    HASHED_LAST_NAME,
    ID_TYPES,
    LAST_NAME,
    LEAD,
    LI_FAT_ID,
    MOAT_DROPPED_FROM,
    ORACLE_MOAT_ID,
    PLAINTEXT_IP,
    SHA256_EMAIL,
    SHA256_IP,
    TITLE,
)
from linkedin_capi.engine import _amounts
from linkedin_capi.engine import hashing as hs
from linkedin_capi.engine import normalize as nz

__all__ = [
    "EXPECTED",
    "PLAIN_TEXT",
    "RULE_CODES",
    "Check",
    "field_checks",
    "field_warnings",
    "norm",
    "row_checks",
    "rule_code",
]

#: What each field must look like, for "expected …, got …" messages.
EXPECTED: dict[str, str] = {
    CONVERSION: "a rule id or 'urn:lla:llaPartnerConversion:<id>'",
    HAPPENED_AT: (
        "epoch milliseconds (13 digits), an ISO-8601 date-time such as "
        "'2024-08-28T15:30:00Z', or a date"
    ),
    SHA256_EMAIL: "an e-mail address or a 64-character hex SHA-256 digest",
    PLAINTEXT_IP: "a dotted IPv4 address such as '203.0.113.7' (LinkedIn supports IPv4 only)",
    SHA256_IP: "a dotted IPv4 address or a 64-character hex SHA-256 digest",
    GOOGLE_AID: "a UUID such as '38400000-8cf0-11bd-b23e-10b96e40000d' (not all zeros)",
    HASHED_FIRST_NAME: "a name or a 64-character hex SHA-256 digest",
    HASHED_LAST_NAME: "a name or a 64-character hex SHA-256 digest",
    COUNTRY_CODE: "an ISO 3166-1 alpha-2 code such as 'US'",
    CURRENCY_CODE: "an ISO 4217 code such as 'USD'",
    LEAD: "'urn:li:leadGenFormResponse:<id>'",
    EXTERNAL_IDS: "a string or a list with one string, such as ['user_id_123']",
    AMOUNT: "a decimal number such as '50.00'",
}


#: Stable rule codes ``"<field>.<rule>"`` of the checks whose name is not ``<field>_format``.
#: Tests pin them: rename a check freely, never its code.
RULE_CODES: dict[str, str] = {
    "happened_at_seconds": f"{HAPPENED_AT}.epoch_seconds",
    "happened_at_missing": f"{HAPPENED_AT}.missing",
    "happened_at_future": f"{HAPPENED_AT}.future",
    "external_ids_at_most_one": f"{EXTERNAL_IDS}.at_most_one",
    "event_id_length": f"{EVENT_ID}.too_long",
    "conversion_missing": f"{CONVERSION}.missing",
    "amount_without_currency": f"{CURRENCY_CODE}.required_with_amount",
    "currency_without_amount": f"{AMOUNT}.required_with_currency",
    "has_identifier": "user.no_identifier",
    "amount_ambiguous": f"{AMOUNT}.ambiguous_separator",
    "amount_currency_mismatch": f"{AMOUNT}.currency_mismatch",
    "happened_at_local_time": f"{HAPPENED_AT}.local_time_invalid",
    "happened_at_naive_utc": f"{HAPPENED_AT}.naive_read_as_utc",
}


def rule_code(name: str) -> str:
    """The stable code ``"<field>.<rule>"`` of the check called ``name``.

    Examples
    --------
    >>> rule_code("amount_format"), rule_code("happened_at_future")
    ('amount.format', 'conversionHappenedAt.future')
    >>> rule_code("countryCode_dropped"), rule_code("eventId_placeholder")
    ('countryCode.dropped', 'eventId.placeholder')
    """
    if name in RULE_CODES:
        return RULE_CODES[name]
    for suffix in ("format", "placeholder", "dropped"):
        if name.endswith(f"_{suffix}"):
            return f"{name.removesuffix(f'_{suffix}')}.{suffix}"
    return name


class Check(NamedTuple):
    """One named rule: ``failed`` is true for failing rows (null counts as passing)."""

    name: str
    failed: pl.Expr
    message: pl.Expr


def norm(field: str) -> pl.Expr:
    """The normalized value of ``field`` (a temporary column made by validation)."""
    return pl.col(f"__capi_n_{field}")


def _got(field: str, what: str, raw: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    return pl.lit(f"{field}: {what}, got ") + nz.shown(raw, dtype)


#: Fields normalized by :func:`linkedin_capi.engine.normalize.text` alone: a string can never fail
#: it (blank is absent, anything else is kept), so they need no format check on strings.
PLAIN_TEXT = frozenset(
    {EVENT_ID, LI_FAT_ID, ACXIOM_ID, ORACLE_MOAT_ID, FIRST_NAME, LAST_NAME, COMPANY_NAME, TITLE}
)


def field_checks(
    field: str,
    raw: pl.Expr,
    dtype: pl.DataType,
    *,
    prepared: pl.Expr | None = None,
    stage: pl.Expr | None = None,
    reading: nz.Reading | None = None,
    now_ms: int | None = None,
) -> list[Check]:
    """The checks of one input column, given its raw expression and dtype.

    ``prepared`` is the column made ready once (:func:`~linkedin_capi.engine.normalize.prepare`,
    stored by validation): conditions read it instead of trimming the raw column again;
    ``stage`` is the stored first stage of ``conversionHappenedAt`` or of a string
    ``SHA256_EMAIL`` (the normalized address). Messages read the raw value.
    A ``countryCode`` has no error check: a bad one is dropped with a warning
    (:func:`field_warnings`).

    Examples
    --------
    >>> import polars as pl
    >>> [c.name for c in field_checks("amount", pl.col("amount"), pl.String)]
    ['amount_ambiguous', 'amount_format']
    """
    reading = reading or nz.Reading()
    if prepared is None:
        prepared, pdtype = nz.prepare(raw, dtype)
    else:
        pdtype = nz.prepare(raw, dtype)[1]
    present = nz.is_present(prepared, pdtype, prepared=True)
    value = norm(field)
    expected = EXPECTED.get(field, "text")
    if field == HAPPENED_AT and reading.date_format is not None:
        expected = f"text in date_format {reading.date_format!r} or {expected}"
    generic = Check(
        f"{field}_format",
        present & value.is_null(),
        _got(field, f"expected {expected}", raw, dtype),
    )
    if field in PLAIN_TEXT and pdtype == pl.String and field != EVENT_ID:
        return []
    if field == COUNTRY_CODE:
        return []
    if field == HAPPENED_AT:
        return _happened_at_checks(generic, raw, dtype, prepared, pdtype, stage, reading, now_ms)
    if field == AMOUNT:
        if pdtype != pl.String:
            return [generic._replace(message=_amount_message(raw, dtype))]
        if not reading.amount_forms:  # no value of the chunk needs the general reading
            return [generic._replace(message=_amount_message(raw, dtype))]
        unsure = _amounts.ambiguous(prepared, reading.decimal_comma)
        return [
            Check(
                "amount_ambiguous",
                present & unsure,
                pl.lit(f"{AMOUNT}: ")
                + nz.shown(raw, dtype)
                + pl.lit(
                    " reads two ways (',' or '.' as a thousands separator, or as the decimal "
                    "separator with 3 places); say which with decimal_comma=True or "
                    "decimal_comma=False"
                ),
            ),
            generic._replace(
                failed=generic.failed & ~unsure.fill_null(False),
                message=_amount_message(raw, dtype),
            ),
        ]
    if field == EXTERNAL_IDS:
        n = nz.external_id_items(prepared, pdtype, prepared=True).list.len()
        # Messages are built after the prepared columns are gone: from the raw value.
        shown_n = nz.external_id_items(raw, dtype).list.len()
        return [
            Check(
                "external_ids_at_most_one",
                n > 1,
                pl.lit(f"{field}: at most 1 item, got ")
                + shown_n.cast(pl.String)
                + pl.lit(" (")
                + nz.shown(raw, dtype)
                + pl.lit(")"),
            ),
            generic._replace(failed=generic.failed & ~(n > 1).fill_null(False)),
        ]
    if field == SHA256_EMAIL and stage is not None:
        # The digest is null exactly where the normalized address is not acceptable: the
        # check reads that, so a pass that only counts rows computes no SHA-256.
        return [generic._replace(failed=present & ~hs.normalized_email_ok(stage))]
    if field == EVENT_ID:
        length = value.str.len_chars()
        return [
            *([] if pdtype == pl.String else [generic]),
            Check(
                "event_id_length",
                length > EVENT_ID_MAX_LEN,
                pl.lit(f"{field}: at most {EVENT_ID_MAX_LEN} characters, got ")
                + length.cast(pl.String),
            ),
        ]
    return [generic]


#: Epoch seconds worth the hint "multiply by 1000": 2000-01-01 to 2100-01-01.
_PLAUSIBLE_SECONDS = (946_684_800, 4_102_444_800)


def _happened_at_checks(
    generic: Check,
    raw: pl.Expr,
    dtype: pl.DataType,
    prepared: pl.Expr,
    pdtype: pl.DataType,
    stage: pl.Expr | None,
    reading: nz.Reading,
    now_ms: int | None,
) -> list[Check]:
    field = HAPPENED_AT
    as_int = nz.epoch_integer(prepared, pdtype, prepared=True)
    # The hint only where multiplying by 1000 gives a plausible time, 2000 to 2099: an
    # 11-digit value times 1000 lands centuries ahead.
    seconds = as_int.is_between(_PLAUSIBLE_SECONDS[0], _PLAUSIBLE_SECONDS[1], closed="left")
    checks = [
        Check(
            "happened_at_seconds",
            seconds,
            pl.lit(f"{field}: ")
            + nz.epoch_integer(raw, dtype).cast(pl.String)
            + pl.lit(" looks like epoch seconds; LinkedIn wants milliseconds (multiply by 1000)"),
        )
    ]
    failed = generic.failed & ~seconds.fill_null(False)
    zone = reading.timezone
    if zone not in (None, "UTC") and pdtype == pl.String and stage is not None:
        # Read as a wall-clock time, but the zone's clocks skipped or repeated it.
        wall = stage.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="ms")
        gap = wall.is_not_null() & norm(field).is_null()
        checks.append(
            Check(
                "happened_at_local_time",
                gap,
                pl.lit(f"{field}: ")
                + nz.shown(raw, dtype)
                + pl.lit(
                    f" does not exist or is ambiguous in {zone} (a daylight-saving change); "
                    "give the time with its UTC offset"
                ),
            )
        )
        failed = failed & ~gap.fill_null(False)
    return [*checks, generic._replace(failed=failed)]


def field_warnings(
    field: str,
    raw: pl.Expr,
    dtype: pl.DataType,
    *,
    prepared: pl.Expr,
    stage: pl.Expr | None = None,
    reading: nz.Reading | None = None,
) -> list[Check]:
    """Problems that do not make the row invalid (severity ``warning`` in ``failures``).

    A placeholder (``"undefined"``, ``"null"``, ...) counts as absent; a ``countryCode``
    that is not a country is not sent; a time without a zone was read as UTC.

    Examples
    --------
    >>> import polars as pl
    >>> [c.name for c in field_warnings("countryCode", pl.col("c"), pl.String,
    ...                                 prepared=pl.col("p"))]
    ['countryCode_placeholder', 'countryCode_dropped']
    """
    reading = reading or nz.Reading()
    pdtype = nz.prepare(raw, dtype)[1]
    out: list[Check] = []
    if pdtype == pl.String:
        out.append(
            Check(
                f"{field}_placeholder",
                raw.is_not_null() & prepared.is_null(),
                pl.lit(f"{field}: ")
                + nz.shown(raw, dtype)
                + pl.lit(" is a placeholder for no value; counted as absent, not sent"),
            )
        )
    if field == COUNTRY_CODE:
        present = nz.is_present(prepared, pdtype, prepared=True)
        out.append(
            Check(
                f"{field}_dropped",
                present & norm(field).is_null(),
                _got(
                    field,
                    "not sent (the conversion is); expected a country code such as "
                    "'US' or 'USA' or a country name such as 'United States'",
                    raw,
                    dtype,
                ),
            )
        )
    if field == HAPPENED_AT and stage is not None:
        naive = nz.naive_read_as_utc(stage, pdtype, reading, text=prepared, value=norm(field))
        out.append(
            Check(
                "happened_at_naive_utc",
                naive,
                pl.lit(f"{field}: ")
                + nz.shown(raw, dtype)
                + pl.lit(
                    " has no time zone and was read as UTC; pass timezone='Area/City' "
                    "(--timezone in the CLI) if it is a local time"
                ),
            )
        )
    return out


def _amount_message(raw: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    # Built for failing rows only: the cost of reading the text again does not matter.
    t = nz.as_text(raw, dtype).str.strip_chars()
    why = (
        pl.when(t.str.contains(r"^\s*-|^[^0-9]*-[0-9]"))
        .then(pl.lit("must not be negative"))
        .when(t.str.contains(r"[.,][0-9]{3,}\D*$"))
        .then(pl.lit("at most 2 decimal places"))
        .otherwise(pl.lit(f"expected {EXPECTED[AMOUNT]}"))
    )
    return pl.lit(f"{AMOUNT}: ") + why + pl.lit(", got ") + nz.shown(raw, dtype)


def row_checks(
    fields: dict[str, str],
    schema: dict[str, pl.DataType],
    *,
    now_ms: int,
    has_default_conversion: bool,
    moat_dropped: str | None = None,
    api_version: str = "",
    present: Mapping[str, pl.Expr] | None = None,
    placeholders: Mapping[str, pl.Expr] | None = None,
    reading: nz.Reading | None = None,
) -> list[Check]:
    """Cross-field checks: conversion fallback, time present and not in the future, money
    pairing, identifiers.

    ``fields`` maps canonical names to input names for the present fields (without an
    ``ORACLE_MOAT_ID`` column the version does not send: ``moat_dropped`` names it, so a
    row left with no identifier says why). ``present`` gives each field's presence from
    its prepared column (default: computed from the raw column); ``placeholders`` each
    field's "a placeholder was given" flag, so that a row whose only identifier was
    ``"undefined"`` says so. ``reading``: what the chunk needs (an amount that names a
    currency needs the general reading, so without ``amount_forms`` none does).
    """
    checks: list[Check] = []

    def raw_present(field: str) -> pl.Expr:
        if field not in fields:
            return pl.lit(False)
        if present is not None and field in present:
            return present[field].fill_null(False)
        name = fields[field]
        return nz.is_present(pl.col(name), schema[name]).fill_null(False)

    if not has_default_conversion:
        checks.append(
            Check(
                "conversion_missing",
                ~raw_present(CONVERSION),
                pl.lit(
                    f"{CONVERSION}: missing; put a rule id in the row or pass conversion=<rule>"
                ),
            )
        )
    checks.append(
        Check(
            "happened_at_missing",
            ~raw_present(HAPPENED_AT),
            pl.lit(f"{HAPPENED_AT}: missing; every event needs its time"),
        )
    )
    t = norm(HAPPENED_AT)
    checks.append(
        Check(
            "happened_at_future",
            t > now_ms,
            pl.lit(f"{HAPPENED_AT}: in the future (")
            + nz.iso_from_ms(t)
            + pl.lit(" is after now, ")
            + nz.iso_from_ms(pl.lit(now_ms))
            + pl.lit(")"),
        )
    )
    has_currency, has_amount = raw_present(CURRENCY_CODE), raw_present(AMOUNT)
    checks.append(
        Check(
            "amount_without_currency",
            has_amount & ~has_currency,
            pl.lit(f"{CURRENCY_CODE}: required when {AMOUNT} is given"),
        )
    )
    checks.append(
        Check(
            "currency_without_amount",
            has_currency & ~has_amount,
            pl.lit(f"{AMOUNT}: required when {CURRENCY_CODE} is given"),
        )
    )
    amount_forms = reading is None or reading.amount_forms
    if AMOUNT in fields and CURRENCY_CODE in fields and amount_forms:
        amount_type = schema[fields[AMOUNT]]
        if amount_type == pl.String or isinstance(amount_type, pl.Categorical | pl.Enum):
            # "USD 10" with currencyCode EUR: sending 10 EUR would change the value silently.
            written = _amounts.written_currency(pl.col(fields[AMOUNT]).cast(pl.String))
            currency = norm(CURRENCY_CODE)
            checks.append(
                Check(
                    "amount_currency_mismatch",
                    # Null (either absent) passes: written is computed once, not three times.
                    written != currency,
                    pl.lit(f"{AMOUNT}: written in ")
                    + written
                    + pl.lit(f" but {CURRENCY_CODE} is ")
                    + currency
                    + pl.lit("; correct one of them"),
                )
            )
    first = raw_present(FIRST_NAME) | raw_present(HASHED_FIRST_NAME)
    last = raw_present(LAST_NAME) | raw_present(HASHED_LAST_NAME)
    sent_ids = [f for f in ID_TYPES if f in fields]
    identified = pl.any_horizontal(
        *(raw_present(f) for f in sent_ids),
        raw_present(LEAD),
        raw_present(EXTERNAL_IDS),
        first & last,
    )
    moat_gone = moat_dropped is not None or (api_version[:6] >= MOAT_DROPPED_FROM)
    offered = [f for f in ID_TYPES if f != ORACLE_MOAT_ID or not moat_gone]
    message = pl.lit(
        f"user: no identifier; give {', '.join(offered)}, {LEAD}, {EXTERNAL_IDS}, "
        f"or both {FIRST_NAME} and {LAST_NAME}"
    )
    if moat_dropped is not None:
        moat = pl.col(moat_dropped)
        has_moat = nz.is_present(moat, schema[moat_dropped]).fill_null(False)
        message = (
            pl.when(has_moat)
            .then(
                pl.lit(
                    f"user: no identifier LinkedIn-Version {api_version} accepts; "
                    f"{ORACLE_MOAT_ID} is not sent (dropped from the schema in 202609); give "
                    f"{', '.join(offered)}, {LEAD}, {EXTERNAL_IDS}, or both names"
                )
            )
            .otherwise(message)
        )
    given = [
        (f, placeholders[f])
        for f in (*sent_ids, LEAD, EXTERNAL_IDS)
        if placeholders is not None and f in placeholders
    ]
    if given:
        which = pl.concat_str(
            [
                pl.when(flag.fill_null(False)).then(
                    pl.lit(f"{f} ") + nz.shown(pl.col(fields[f]), schema[fields[f]])
                )
                for f, flag in given
            ],
            separator=", ",
            ignore_nulls=True,
        )
        message = (
            pl.when(pl.any_horizontal(*(flag.fill_null(False) for _f, flag in given)))
            .then(
                pl.lit("user: no identifier; ")
                + which
                + pl.lit(
                    f" is a placeholder for no value (counted as absent); give "
                    f"{', '.join(offered)}, {LEAD}, {EXTERNAL_IDS}, or both names"
                )
            )
            .otherwise(message)
        )
    checks.append(Check("has_identifier", ~identified, message))
    return checks
