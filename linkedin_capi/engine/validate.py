"""``validate``: split a frame of conversions into valid, invalid and skipped rows.

The whole job is one Polars query: conform column names, add a ``_row`` index, compute the
normalized value of every field (:mod:`linkedin_capi.engine.normalize`,
:mod:`linkedin_capi.engine.hashing`), evaluate every check (:mod:`linkedin_capi.engine.checks`) and
collect the messages of the failing ones, then split the result once. No Python runs per
row.

Examples
--------
>>> import datetime as dt
>>> import polars as pl
>>> now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
>>> df = pl.DataFrame({
...     "ConversionHappenedAt": ["2026-11-27T10:00:00Z", "2026-12-01", "2020-05-29"],
...     "sha256_email": ["User@Example.com", "nope", "a@b.co"],
... })
>>> report = validate(df, conversion=123, now=now)
>>> report.counts
{'total': 3, 'valid': 1, 'invalid': 1, 'skipped': 1}
>>> [e[:30] for e in report.invalid["errors"].item()]
['SHA256_EMAIL: expected an e-ma', 'conversionHappenedAt: in the f']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
import polars.selectors as cs

from linkedin_capi._constants import (
    ACXIOM_ID,
    AMOUNT,
    COMPANY_NAME,
    CONVERSION,
    COUNTRY_CODE,
    CURRENCY_CODE,
    EVENT_ID,
    EXTERNAL_IDS,
    FIRST_NAME,
    HAPPENED_AT,
    LAST_NAME,
    LEAD,
    LI_FAT_ID,
    ORACLE_MOAT_ID,
    ROW,
    RULE_URN_PREFIX,
    SHA256_EMAIL,
    TITLE,
    WINDOW_DAYS,
)
from linkedin_capi.engine import checks as ck
from linkedin_capi.engine import normalize as nz
from linkedin_capi.engine.columns import conform_columns, require_columns
from linkedin_capi.engine.hashing import hash_normalized_email, normalize_email, sha256_email
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.errors import ConfigError

__all__ = ["Plan", "make_plan", "rule_urn_of", "validate", "validate_chunk"]

_FAILED = "__capi_failed"
_STALE = "__capi_stale"

# Two fields reuse an expensive intermediate several times; it is stored as a column
# first (Polars does not share subexpressions inside when/then).
_PREPARE = {
    HAPPENED_AT: (nz.prepare_happened_at, nz.happened_at_from_prepared),
    SHA256_EMAIL: (
        lambda e, d: normalize_email(e),
        lambda p, d: hash_normalized_email(p),
    ),
}

# In payload order; every field's raw column → its normalized value.
_NORMALIZERS = {
    CONVERSION: nz.rule_urn,
    HAPPENED_AT: nz.happened_at_ms,
    EVENT_ID: nz.text,
    SHA256_EMAIL: lambda e, d: sha256_email(nz.text(e, d)),
    LI_FAT_ID: nz.text,
    ACXIOM_ID: nz.text,
    ORACLE_MOAT_ID: nz.text,
    FIRST_NAME: nz.text,
    LAST_NAME: nz.text,
    COMPANY_NAME: nz.text,
    TITLE: nz.text,
    COUNTRY_CODE: nz.country_code,
    LEAD: nz.lead_urn,
    EXTERNAL_IDS: nz.external_ids,
    CURRENCY_CODE: nz.currency_code,
    AMOUNT: nz.amount,
}


def rule_urn_of(conversion: Any) -> str | None:
    """The rule URN for a ``conversion=`` argument (id, digit string, URN, or rule object).

    Examples
    --------
    >>> rule_urn_of(456)
    'urn:lla:llaPartnerConversion:456'
    >>> rule_urn_of("urn:lla:llaPartnerConversion:456")
    'urn:lla:llaPartnerConversion:456'
    """
    if conversion is None:
        return None
    urn = getattr(conversion, "urn", None)
    if isinstance(urn, str):
        # Checked like a string: the URN goes into the JSON body unescaped.
        conversion = urn
    if isinstance(conversion, bool):
        pass
    elif isinstance(conversion, int) and conversion > 0:
        return f"{RULE_URN_PREFIX}{conversion}"
    elif isinstance(conversion, str):
        value = conversion.strip().removeprefix(RULE_URN_PREFIX)
        if value.isascii() and value.isdigit() and not value.startswith("0"):
            return f"{RULE_URN_PREFIX}{value}"
    raise ConfigError(
        f"conversion= expects a rule id (e.g. 123), '{RULE_URN_PREFIX}<id>' or a "
        f"ConversionRule, got {conversion!r:.60}"
    )


def _now_ms(now: dt.datetime | None) -> int:
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif not isinstance(now, dt.datetime):
        raise ConfigError(f"now= expects a datetime, got {type(now).__name__}")
    elif now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)  # naive means UTC, as for the data
    return int(now.timestamp() * 1000)


def validate(
    data: pl.DataFrame | pl.LazyFrame,
    conversion: Any = None,
    *,
    now: dt.datetime | None = None,
) -> ValidationReport:
    """Check a frame of conversion events against LinkedIn's rules.

    Parameters
    ----------
    data
        The events, one per row, with LinkedIn's field names in any letter case. A LazyFrame
        is collected first.
    conversion
        The rule for rows whose ``conversion`` is null or absent: a rule id, a digit string,
        ``"urn:lla:llaPartnerConversion:<id>"`` or a ``ConversionRule``.
    now
        The reference time for the 90-day window and the future check (default: now, UTC;
        naive means UTC). One value serves every row.

    Returns
    -------
    ValidationReport
        ``valid`` (normalized, ready to send), ``invalid`` (with ``errors``), ``skipped``
        (older than 90 days, with ``reason``); all three keyed by ``_row``.

    Raises
    ------
    SchemaError
        No ``conversionHappenedAt`` column, no identifier column, no conversion at all,
        or two columns with the same name in different case.
    ConfigError
        ``conversion=`` or ``now=`` has the wrong form.
    """
    df = data.collect() if isinstance(data, pl.LazyFrame) else data
    if not isinstance(df, pl.DataFrame):
        raise ConfigError(f"validate() expects a Polars DataFrame or LazyFrame, got {type(df)}")
    plan = make_plan(df.schema, conversion, now=now, nulls=df)
    return validate_chunk(df, plan=plan, row_offset=0)


@dataclass(frozen=True)
class Plan:
    """Dataset-level decisions, taken once: which columns are which fields, the defaults.

    :func:`validate` takes them from the whole frame; a streaming export takes them from the
    schema alone (``lf.collect_schema()``), then validates chunk by chunk with
    :func:`validate_chunk`.
    """

    schema: dict[str, pl.DataType]
    ignored: list[str]
    all_fields: dict[str, str]
    fields: dict[str, str]
    default_urn: str | None
    now_ms: int


def make_plan(
    schema: Mapping[str, pl.DataType],
    conversion: Any,
    *,
    now: dt.datetime | None,
    nulls: pl.DataFrame | None = None,
) -> Plan:
    """Decide the dataset-level rules from ``schema``.

    ``nulls``: the whole frame, to drop columns that are entirely null (they count as
    absent). Without it (streaming) only columns of dtype ``Null`` count as absent; a typed
    column that happens to be all null is then judged row by row.

    Raises
    ------
    SchemaError
        Required columns are missing (see :func:`validate`).
    """
    default_urn = rule_urn_of(conversion)
    now_ms = _now_ms(now)
    schema = dict(schema)
    conformed = conform_columns(schema)
    if nulls is not None:
        fields = _non_null_fields(nulls, conformed.fields)
    else:
        fields = {f: n for f, n in conformed.fields.items() if schema[n] != pl.Null}
    require_columns(fields, list(schema), has_default_conversion=default_urn is not None)
    return Plan(schema, conformed.ignored, dict(conformed.fields), fields, default_urn, now_ms)


def validate_chunk(df: pl.DataFrame, *, plan: Plan, row_offset: int) -> ValidationReport:
    """Validate one chunk of a larger input under ``plan``; ``_row`` starts at ``row_offset``."""
    schema, fields, default_urn, now_ms = plan.schema, plan.fields, plan.default_urn, plan.now_ms
    prepared: dict[str, pl.Expr] = {}
    normalized: dict[str, pl.Expr] = {}
    checks: list[ck.Check] = []
    for field in _NORMALIZERS:  # canonical order, so messages come in a stable order
        if field not in fields:
            continue
        name = fields[field]
        raw, dtype = pl.col(name), schema[name]
        if field in _PREPARE and (field != SHA256_EMAIL or dtype == pl.String):
            prepare, finish = _PREPARE[field]
            prepared[f"__capi_p_{field}"] = prepare(raw, dtype)
            normalized[f"__capi_n_{field}"] = finish(pl.col(f"__capi_p_{field}"), dtype)
        else:
            normalized[f"__capi_n_{field}"] = _NORMALIZERS[field](raw, dtype)
        stage = f"__capi_p_{field}"
        first = pl.col(stage) if stage in prepared else None
        checks.extend(ck.field_checks(field, raw, dtype, prepared=first))
    second_stage: dict[str, pl.Expr] = {}
    if default_urn is not None:
        # The row's own rule wins; the argument fills rows where it is absent.
        fallback: pl.Expr = pl.lit(default_urn)
        if CONVERSION in fields:
            name = fields[CONVERSION]
            present = nz.is_present(pl.col(name), schema[name]).fill_null(False)
            fallback = pl.when(present).then(ck.norm(CONVERSION)).otherwise(fallback)
        second_stage[f"__capi_n_{CONVERSION}"] = fallback
    checks.extend(
        ck.row_checks(fields, schema, now_ms=now_ms, has_default_conversion=default_urn is not None)
    )
    window_start = now_ms - WINDOW_DAYS * 86_400_000
    # Flags first, messages later: messages are built only for the rows that fail.
    flags = [f"__capi_f_{i}" for i in range(len(checks))]
    out = (
        df.lazy()
        .with_row_index(ROW, offset=row_offset)
        .with_columns(**prepared)
        .with_columns(**normalized)
        .with_columns(**second_stage)
        .with_columns(
            *(c.failed.fill_null(False).alias(f) for c, f in zip(checks, flags, strict=True)),
            (ck.norm(HAPPENED_AT) < window_start).fill_null(False).alias(_STALE),
        )
        .drop(*prepared)  # intermediates: not kept in memory past the checks
        .with_columns(pl.any_horizontal(*flags).alias(_FAILED))
        .collect()
    )
    # by_name, not plain strings: select() reads a name like "^.*$" as a regex.
    inputs = cs.by_name(ROW, *schema)
    stale, failed = pl.col(_STALE), pl.col(_FAILED)
    any_stale, any_failed = out.select(stale.any(), failed.any()).row(0)
    valid_fields = [f for f in _NORMALIZERS if f in fields or f == CONVERSION]
    valid_columns = [pl.col(ROW), *(ck.norm(f).alias(f) for f in valid_fields)]
    # Clean data (the common case) needs no filtering; otherwise filter lazily so that
    # only the columns each part keeps are copied.
    rest = out.lazy()
    if any_stale or any_failed:
        rest = rest.filter(~stale & ~failed)
    valid = rest.select(valid_columns).collect()
    skipped = (
        out.lazy()
        .filter(stale)
        .select(
            inputs,
            reason=pl.lit(f"{HAPPENED_AT}: older than {WINDOW_DAYS} days (")
            + nz.iso_from_ms(ck.norm(HAPPENED_AT))
            + pl.lit(" is before ")
            + nz.iso_from_ms(pl.lit(window_start))
            + pl.lit("); LinkedIn only accepts the last 90 days"),
        )
        .collect()
    )
    errors = pl.concat_list(
        [pl.when(pl.col(f)).then(c.message) for c, f in zip(checks, flags, strict=True)]
    ).list.drop_nulls()
    invalid = out.lazy().filter(~stale & failed).select(inputs, errors.alias("errors")).collect()
    return ValidationReport(
        valid=valid,
        invalid=invalid,
        skipped=skipped,
        ignored_columns=plan.ignored,
        warnings=_warnings(valid, schema, plan.all_fields, fields),
        now=dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC),
    )


def _non_null_fields(df: pl.DataFrame, fields: dict[str, str]) -> dict[str, str]:
    """Drop fields whose column is entirely null (they count as absent)."""
    if df.height == 0 or not fields:
        return dict(fields)
    alive = df.select(pl.col(n).is_not_null().any().alias(f) for f, n in fields.items()).row(0)
    return {f: n for (f, n), keep in zip(fields.items(), alive, strict=True) if keep}


def _warnings(
    valid: pl.DataFrame,
    schema: dict[str, pl.DataType],
    all_fields: dict[str, str],
    fields: dict[str, str],
) -> list[str]:
    """Aggregated, one line per kind: what valid rows will not send and why."""
    out = [
        f"column {name!r} ({field}) is entirely null and was ignored"
        for field, name in all_fields.items()
        if field not in fields
    ]
    if valid.height == 0:
        return out

    def has(field: str) -> pl.Expr:
        return pl.col(field).is_not_null() if field in valid.columns else pl.lit(False)

    first, last = has(FIRST_NAME), has(LAST_NAME)
    extras = pl.any_horizontal(has(COMPANY_NAME), has(TITLE), has(COUNTRY_CODE))
    counts = valid.select(
        only_first=(first & ~last).sum(),
        only_last=(~first & last).sum(),
        orphans=(extras & ~(first & last)).sum(),
        moat=has(ORACLE_MOAT_ID).sum(),
    ).row(0, named=True)
    if counts["only_first"]:
        out.append(f"{counts['only_first']} rows: userInfo omitted, {LAST_NAME} missing")
    if counts["only_last"]:
        out.append(f"{counts['only_last']} rows: userInfo omitted, {FIRST_NAME} missing")
    if counts["orphans"]:
        out.append(
            f"{counts['orphans']} rows: {COMPANY_NAME}/{TITLE}/{COUNTRY_CODE} not sent, "
            f"userInfo needs both {FIRST_NAME} and {LAST_NAME}"
        )
    if counts["moat"]:
        out.append(
            f"{counts['moat']} rows: {ORACLE_MOAT_ID} is reported as removed from recent "
            "LinkedIn-Versions and may be rejected (HTTP 422)"
        )
    return out
