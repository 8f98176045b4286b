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
    GOOGLE_AID,
    HAPPENED_AT,
    HASHED_FIRST_NAME,
    HASHED_LAST_NAME,
    HASHED_NAMES_FROM,
    LAST_NAME,
    LEAD,
    LI_FAT_ID,
    MOAT_DROPPED_FROM,
    ORACLE_MOAT_ID,
    PLAINTEXT_IP,
    RULE_URN_PREFIX,
    SHA256_EMAIL,
    SHA256_IP,
    TITLE,
    WINDOW_DAYS,
    default_version,
)
from linkedin_capi.engine import checks as ck
from linkedin_capi.engine import hashing as hs
from linkedin_capi.engine import normalize as nz
from linkedin_capi.engine._splits import LazySplits, RowExprs, split_now, warnings_of
from linkedin_capi.engine.columns import conform_columns, require_columns
from linkedin_capi.engine.hashing import hash_normalized_email, normalize_email, sha256_email
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.errors import ConfigError, SchemaError

__all__ = ["Plan", "make_plan", "rule_urn_of", "validate", "validate_chunk"]

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
    PLAINTEXT_IP: lambda e, d: hs.plaintext_ip(nz.text(e, d)),
    SHA256_IP: lambda e, d: hs.sha256_ip(nz.text(e, d)),
    GOOGLE_AID: lambda e, d: hs.google_aid(nz.text(e, d)),
    ORACLE_MOAT_ID: nz.text,
    FIRST_NAME: nz.text,
    LAST_NAME: nz.text,
    HASHED_FIRST_NAME: lambda e, d: hs.hashed_name(nz.text(e, d)),
    HASHED_LAST_NAME: lambda e, d: hs.hashed_name(nz.text(e, d)),
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
    api_version: str | int | None = None,
    hash_names: bool = False,
    mapping: Mapping[str, str] | None = None,
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
    api_version
        The ``LinkedIn-Version`` the events will be sent with; it decides which rules
        apply (``ORACLE_MOAT_ID`` is not sent from 202609, hashed names need 202609).
        Default: the SDK's default version (``export`` passes the connection's).
    hash_names
        Send ``firstName``/``lastName`` as ``hashedFirstName``/``hashedLastName``
        (normalized and SHA-256 hashed here). Needs ``api_version`` 202609 or newer.
    mapping
        ``{input column: field}`` for columns whose names are not LinkedIn's, e.g.
        ``{"Email": "SHA256_EMAIL", "Created Date": "conversionHappenedAt"}``. Built-in
        aliases (``email``, ``li_fat_id``, ``event_id``, ``first_name``, ...) need no entry;
        ``report.mapping`` shows what was used.

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
        ``conversion=`` or ``now=`` has the wrong form; ``hash_names=True`` under a
        version older than 202609 (hashed-name *columns* there are a ``SchemaError``).
    """
    df = data.collect() if isinstance(data, pl.LazyFrame) else data
    if not isinstance(df, pl.DataFrame):
        raise ConfigError(f"validate() expects a Polars DataFrame or LazyFrame, got {type(df)}")
    plan = make_plan(
        df.schema,
        conversion,
        now=now,
        nulls=df,
        api_version=api_version,
        hash_names=hash_names,
        mapping=mapping,
    )
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
    api_version: str = ""
    #: Input name of an ORACLE_MOAT_ID column that this version does not send.
    moat_dropped: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def mapping(self) -> dict[str, str]:
        """Input column → field, for every column used."""
        return {name: field for field, name in self.all_fields.items()}


def make_plan(
    schema: Mapping[str, pl.DataType],
    conversion: Any,
    *,
    now: dt.datetime | None,
    nulls: pl.DataFrame | None = None,
    api_version: str | int | None = None,
    hash_names: bool = False,
    mapping: Mapping[str, str] | None = None,
) -> Plan:
    """Decide the dataset-level rules from ``schema``.

    ``nulls``: the whole frame, to drop columns that are entirely null (they count as
    absent). Without it (streaming) only columns of dtype ``Null`` count as absent; a typed
    column that happens to be all null is then judged row by row.

    Raises
    ------
    SchemaError
        Required columns are missing (see :func:`validate`).
    ConfigError
        Hashed names asked for under a version older than 202609.
    """
    default_urn = rule_urn_of(conversion)
    now_ms = _now_ms(now)
    version = _version_of(api_version, dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC).date())
    schema = dict(schema)
    conformed = conform_columns(schema, mapping)
    if nulls is not None:
        fields = _non_null_fields(nulls, conformed.fields)
    else:
        fields = {f: n for f, n in conformed.fields.items() if schema[n] != pl.Null}
    all_fields = dict(conformed.fields)
    if hash_names:
        for plain, hashed in ((FIRST_NAME, HASHED_FIRST_NAME), (LAST_NAME, HASHED_LAST_NAME)):
            if plain in all_fields and hashed in all_fields:
                raise ConfigError(
                    f"hash_names=True would turn {all_fields[plain]!r} into {hashed}, but "
                    f"column {all_fields[hashed]!r} already is {hashed}; keep one"
                )
            for table in (all_fields, fields):
                if plain in table:
                    table[hashed] = table.pop(plain)
    hashed_cols = [f for f in (HASHED_FIRST_NAME, HASHED_LAST_NAME) if f in all_fields]
    if version[:6] < HASHED_NAMES_FROM and (hash_names or hashed_cols):
        why = (
            f"hashed names are accepted by LinkedIn from LinkedIn-Version {HASHED_NAMES_FROM}, "
            f"but this run uses {version}; pass api_version={HASHED_NAMES_FROM!r} (or newer)"
        )
        if hash_names:
            raise ConfigError(f"hash_names=True: {why}, or send plain {FIRST_NAME}/{LAST_NAME}")
        raise SchemaError(
            f"column(s) {[all_fields[c] for c in hashed_cols]}: {why}, or send plain "
            f"{FIRST_NAME}/{LAST_NAME} columns instead (columns found: {list(schema)})"
        )
    require_columns(fields, list(schema), has_default_conversion=default_urn is not None)
    moat_dropped = None
    if ORACLE_MOAT_ID in fields and version[:6] >= MOAT_DROPPED_FROM:
        moat_dropped = fields.pop(ORACLE_MOAT_ID)
    return Plan(
        schema,
        conformed.ignored,
        all_fields,
        fields,
        default_urn,
        now_ms,
        api_version=version,
        moat_dropped=moat_dropped,
        notes=tuple(conformed.notes),
    )


def _version_of(api_version: str | int | None, today: dt.date) -> str:
    """The version validation applies: the given one (checked) or the SDK's default on
    ``today`` (the date of ``now=``)."""
    if api_version is None:
        return default_version(today)
    text = str(api_version).strip()
    if len(text) < 6 or not text[:6].isdigit():
        raise ConfigError(f"api_version must look like YYYYMM, got {text!r}")
    return text


def validate_chunk(
    df: pl.DataFrame, *, plan: Plan, row_offset: int, lazy: bool = True
) -> ValidationReport:
    """Validate one chunk of a larger input under ``plan``; ``_row`` starts at ``row_offset``.

    ``lazy=True`` (what :func:`validate` does): the report keeps ``df`` and one status byte
    per row, and builds ``valid``/``invalid``/``skipped``/``failures`` on first access.
    ``lazy=False`` builds them all now from one evaluation (a streaming export's chunk,
    used at once).
    """
    rx = _row_exprs(plan)
    warnings_for = (
        plan.fields
        if plan.moat_dropped is None
        else {**plan.fields, ORACLE_MOAT_ID: plan.moat_dropped}
    )
    common: dict[str, Any] = {
        "ignored_columns": plan.ignored,
        "now": dt.datetime.fromtimestamp(plan.now_ms / 1000, dt.UTC),
        "mapping": dict(plan.mapping),
    }
    if lazy:
        splits = LazySplits.run(df, rx, row_offset)
        counts = splits.warning_counts
    else:
        now = split_now(df, rx, row_offset)
        counts = now.warning_counts
    warnings = [
        *plan.notes,
        *warnings_of(counts, plan.all_fields, warnings_for),
        *_moat_warning(df, plan),
    ]
    if lazy:
        return ValidationReport(warnings=warnings, source=splits, **common)
    return ValidationReport(
        valid=now.valid,
        invalid=now.invalid,
        skipped=now.skipped,
        failures=now.failures,
        warnings=warnings,
        **common,
    )


def _row_exprs(plan: Plan) -> RowExprs:
    """The normalized value of every field and every check, as expressions."""
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
        ck.row_checks(
            fields,
            schema,
            now_ms=now_ms,
            has_default_conversion=default_urn is not None,
            moat_dropped=plan.moat_dropped,
            api_version=plan.api_version,
        )
    )
    valid_fields = [f for f in _NORMALIZERS if f in fields or f == CONVERSION]
    window_start = now_ms - WINDOW_DAYS * 86_400_000
    return RowExprs(
        prepared, normalized, second_stage, checks, fields, schema, valid_fields, window_start
    )


def _moat_warning(df: pl.DataFrame, plan: Plan) -> list[str]:
    """One line with the count of ORACLE_MOAT_ID values this version does not send."""
    if plan.moat_dropped is None:
        return []
    count = df.get_column(plan.moat_dropped).is_not_null().sum()
    if not count:
        return []
    return [
        f"{count} rows: {ORACLE_MOAT_ID} not sent; LinkedIn-Version {plan.api_version}'s "
        f"schema has no {ORACLE_MOAT_ID} (dropped from {MOAT_DROPPED_FROM}); rows with no "
        "other identifier are invalid"
    ]


def _non_null_fields(df: pl.DataFrame, fields: dict[str, str]) -> dict[str, str]:
    """Drop fields whose column is entirely null (they count as absent)."""
    if df.height == 0 or not fields:
        return dict(fields)
    alive = df.select(pl.col(n).is_not_null().any().alias(f) for f, n in fields.items()).row(0)
    return {f: n for (f, n), keep in zip(fields.items(), alive, strict=True) if keep}
