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
from linkedin_capi.engine import normalize as nz

__all__ = [
    "EXPECTED",
    "PLAIN_TEXT",
    "RULE_CODES",
    "Check",
    "field_checks",
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
}


def rule_code(name: str) -> str:
    """The stable code ``"<field>.<rule>"`` of the check called ``name``.

    Examples
    --------
    >>> rule_code("amount_format"), rule_code("happened_at_future")
    ('amount.format', 'conversionHappenedAt.future')
    """
    if name in RULE_CODES:
        return RULE_CODES[name]
    if name.endswith("_format"):
        return f"{name.removesuffix('_format')}.format"
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
    field: str, raw: pl.Expr, dtype: pl.DataType, *, prepared: pl.Expr | None = None
) -> list[Check]:
    """The checks of one input column, given its raw expression and dtype.

    ``prepared`` is the column's first normalization stage where validation stored one
    (trimmed ``conversionHappenedAt`` strings): conditions read it instead of redoing it.

    Examples
    --------
    >>> import polars as pl
    >>> [c.name for c in field_checks("amount", pl.col("amount"), pl.String)]
    ['amount_format']
    """
    if prepared is not None and dtype == pl.String:
        present = prepared.is_not_null() & (prepared != "")
    else:
        present = nz.is_present(raw, dtype)
    value = norm(field)
    expected = EXPECTED.get(field, "text")
    generic = Check(
        f"{field}_format",
        present & value.is_null(),
        _got(field, f"expected {expected}", raw, dtype),
    )
    if field in PLAIN_TEXT and dtype == pl.String and field != EVENT_ID:
        return []
    if field == HAPPENED_AT:
        # Conditions may read the stored first stage; messages are built later, for the
        # failing rows only, from the raw column.
        as_int = nz.epoch_integer(raw if prepared is None else prepared, dtype)
        seconds = (as_int >= 1_000_000_000) & (as_int < nz.SECONDS_CEILING)
        return [
            Check(
                "happened_at_seconds",
                seconds,
                pl.lit(f"{field}: ")
                + nz.epoch_integer(raw, dtype).cast(pl.String)
                + pl.lit(
                    " looks like epoch seconds; LinkedIn wants milliseconds (multiply by 1000)"
                ),
            ),
            generic._replace(failed=generic.failed & ~seconds.fill_null(False)),
        ]
    if field == AMOUNT:
        return [generic._replace(message=_amount_message(raw, dtype))]
    if field == EXTERNAL_IDS:
        n = nz.external_id_items(raw, dtype).list.len()
        return [
            Check(
                "external_ids_at_most_one",
                n > 1,
                pl.lit(f"{field}: at most 1 item, got ")
                + n.cast(pl.String)
                + pl.lit(" (")
                + nz.shown(raw, dtype)
                + pl.lit(")"),
            ),
            generic._replace(failed=generic.failed & ~(n > 1).fill_null(False)),
        ]
    if field == EVENT_ID:
        length = value.str.len_chars()
        return [
            *([] if dtype == pl.String else [generic]),
            Check(
                "event_id_length",
                length > EVENT_ID_MAX_LEN,
                pl.lit(f"{field}: at most {EVENT_ID_MAX_LEN} characters, got ")
                + length.cast(pl.String),
            ),
        ]
    return [generic]


def _amount_message(raw: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    t = nz.as_text(raw, dtype).str.strip_chars()
    why = (
        pl.when(t.str.contains(r"^-"))
        .then(pl.lit("must not be negative"))
        .when(t.str.contains(r"^\d{1,3}(,\d{3})+(\.\d*)?$"))
        .then(pl.lit("no thousands separators allowed"))
        .when(t.str.contains(r"^\d+\.\d{3,}$"))
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
) -> list[Check]:
    """Cross-field checks: conversion fallback, time present and not in the future, money
    pairing, identifiers.

    ``fields`` maps canonical names to input names for the present fields (without an
    ``ORACLE_MOAT_ID`` column the version does not send: ``moat_dropped`` names it, so a
    row left with no identifier says why).
    """
    checks: list[Check] = []

    def raw_present(field: str) -> pl.Expr:
        if field not in fields:
            return pl.lit(False)
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
    checks.append(Check("has_identifier", ~identified, message))
    return checks
