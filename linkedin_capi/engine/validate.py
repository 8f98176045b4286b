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
import difflib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
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
from linkedin_capi.engine import _amounts
from linkedin_capi.engine import checks as ck
from linkedin_capi.engine import hashing as hs
from linkedin_capi.engine import normalize as nz
from linkedin_capi.engine._splits import (
    FIELD_WARNING,
    LazySplits,
    RowExprs,
    field_warning_lines,
    split_now,
    warnings_of,
)
from linkedin_capi.engine.columns import conform_columns, require_columns
from linkedin_capi.engine.hashing import hash_normalized_email, normalize_email
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.errors import ConfigError, SchemaError

__all__ = [
    "ExprCache",
    "Plan",
    "make_plan",
    "report_of",
    "row_exprs",
    "rule_urn_of",
    "validate",
    "validate_chunk",
]

Normalizer = Callable[[pl.Expr, pl.DataType, nz.Reading], pl.Expr]

#: :func:`row_exprs`' expressions for one plan, by reading (see its ``cache``).
ExprCache = dict[nz.Reading, RowExprs]


def _text(p: pl.Expr, d: pl.DataType, r: nz.Reading) -> pl.Expr:
    return nz.text(p, d, prepared=True)


def _trimmed(fn: Callable[..., pl.Expr]) -> Normalizer:
    return lambda p, d, r: fn(nz.text(p, d, prepared=True), trimmed=True)


# In payload order; every field's prepared column (:func:`normalize.prepare`) → its
# normalized value. Text conversionHappenedAt and every e-mail go through a stored stage
# first (``_staged``): Polars does not share subexpressions inside when/then.
_NORMALIZERS: dict[str, Normalizer | None] = {
    CONVERSION: lambda p, d, r: nz.rule_urn(p, d, prepared=True),
    HAPPENED_AT: lambda p, d, r: nz.happened_at_from_prepared(p, d, r, text=p),
    EVENT_ID: _text,
    SHA256_EMAIL: None,  # always staged (``_staged``)
    LI_FAT_ID: _text,
    ACXIOM_ID: _text,
    PLAINTEXT_IP: _trimmed(hs.plaintext_ip),
    SHA256_IP: _trimmed(hs.sha256_ip),
    GOOGLE_AID: _trimmed(hs.google_aid),
    ORACLE_MOAT_ID: _text,
    FIRST_NAME: _text,
    LAST_NAME: _text,
    HASHED_FIRST_NAME: _trimmed(hs.hashed_name),
    HASHED_LAST_NAME: _trimmed(hs.hashed_name),
    COMPANY_NAME: _text,
    TITLE: _text,
    COUNTRY_CODE: lambda p, d, r: nz.country_code(p, d, r, prepared=True),
    LEAD: lambda p, d, r: nz.lead_urn(p, d, prepared=True),
    EXTERNAL_IDS: lambda p, d, r: nz.external_ids(p, d, prepared=True),
    CURRENCY_CODE: lambda p, d, r: nz.currency_code(p, d, prepared=True),
    AMOUNT: lambda p, d, r: nz.amount(p, d, r, prepared=True),
}


def _staged(
    field: str, p: pl.Expr, dtype: pl.DataType, reading: nz.Reading
) -> tuple[pl.Expr, Callable[[pl.Expr], pl.Expr]] | None:
    """The stored first stage of a field that has one, and how to finish from it."""
    if field == SHA256_EMAIL:
        # Any dtype (numbers, dates, ... read as text): inlined into every expression that
        # reads it, the general reading took Polars 5 s to plan even for one Int64 row.
        text = dtype == pl.String
        address = p if text else nz.text(p, dtype, prepared=True)
        stage = normalize_email(address, hygiene=reading.email_forms, trimmed=text)
        return stage, hash_normalized_email
    if field == HAPPENED_AT and dtype == pl.String:
        stage = nz.prepare_happened_at(p, dtype, reading, prepared=True)
        return stage, lambda q: nz.happened_at_from_prepared(q, dtype, reading, text=p)
    return None


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
    timezone: str | None = None,
    date_format: str | None = None,
    decimal_comma: bool | None = None,
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
    timezone
        The IANA time zone (``"America/New_York"``) of ``conversionHappenedAt`` values
        without an offset: text without a zone and naive ``Datetime``/``Date`` columns.
        Default UTC; then ``report.warnings`` counts the times read as UTC and
        ``report.failures`` has a warning row (``conversionHappenedAt.naive_read_as_utc``)
        for each.
    date_format
        A strptime format (``"%m/%d/%Y %I:%M %p"``) for ``conversionHappenedAt`` text,
        tried before the ISO-8601 forms and epoch milliseconds.
    decimal_comma
        How to read an amount that reads two ways, such as ``1,250`` or ``1.250``:
        ``True`` when the comma is the decimal separator, ``False`` when it separates
        thousands. Left ``None``, such values are invalid (``amount.ambiguous_separator``);
        unambiguous forms (``$1,250.00``, ``1250,50``, ``1 250,50 €``) are read either way.

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
        ``conversion=``, ``now=``, ``timezone=``, ``date_format=`` or ``decimal_comma=`` has
        the wrong form; ``hash_names=True`` under a version older than 202609
        (hashed-name *columns* there are a ``SchemaError``).
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
        timezone=timezone,
        date_format=date_format,
        decimal_comma=decimal_comma,
    )
    return validate_chunk(df, plan=plan, row_offset=0)


_PLAIN_READING = nz.Reading()


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
    #: timezone=, date_format=, decimal_comma=.
    reading: nz.Reading = _PLAIN_READING

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
    timezone: str | None = None,
    date_format: str | None = None,
    decimal_comma: bool | None = None,
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
        Hashed names asked for under a version older than 202609; a ``timezone=``,
        ``date_format=`` or ``decimal_comma=`` of the wrong form.
    """
    reading = reading_of(timezone=timezone, date_format=date_format, decimal_comma=decimal_comma)
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
        reading=reading,
    )


def reading_of(
    *, timezone: str | None, date_format: str | None, decimal_comma: bool | None
) -> nz.Reading:
    """The reading options, checked: a ConfigError says what was expected.

    Examples
    --------
    >>> reading_of(timezone="Europe/Paris", date_format=None, decimal_comma=True).timezone
    'Europe/Paris'
    >>> reading_of(timezone="Europe/Pariss", date_format=None, decimal_comma=None)
    Traceback (most recent call last):
    ...
    linkedin_capi.errors.ConfigError: timezone= expects an IANA time zone name ...
    """
    if decimal_comma is not None and not isinstance(decimal_comma, bool):
        raise ConfigError(f"decimal_comma= expects True, False or None, got {decimal_comma!r:.40}")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise ConfigError(
            "date_format= expects a strptime format such as '%m/%d/%Y %I:%M %p', "
            f"got {date_format!r:.60}"
        )
    zone = None if timezone is None else _checked_zone(timezone)
    return nz.Reading(timezone=zone, date_format=date_format, decimal_comma=decimal_comma)


def _checked_zone(timezone: object) -> str:
    """An IANA name Polars accepts (``"UTC"`` for any spelling of UTC)."""
    name = timezone.strip() if isinstance(timezone, str) else None
    if name and name.upper() in {"UTC", "Z", "ETC/UTC"}:
        return "UTC"  # given: nothing to convert, nothing guessed
    try:
        if not name:
            raise ValueError
        pl.select(pl.lit(None, pl.Datetime("ms")).dt.replace_time_zone(name))
    except (ValueError, pl.exceptions.PolarsError):
        known = sorted(zoneinfo.available_timezones())
        close = difflib.get_close_matches(name or "", known, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ConfigError(
            "timezone= expects an IANA time zone name such as 'America/New_York' or "
            f"'Europe/Paris', got {timezone!r:.60}{hint} (the full list: "
            "python -c 'import zoneinfo; print(sorted(zoneinfo.available_timezones()))', "
            "or https://en.wikipedia.org/wiki/List_of_tz_database_time_zones)"
        ) from None
    return name


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
    df: pl.DataFrame,
    *,
    plan: Plan,
    row_offset: int,
    lazy: bool = True,
    exprs: ExprCache | None = None,
) -> ValidationReport:
    """Validate one chunk of a larger input under ``plan``; ``_row`` starts at ``row_offset``.

    ``lazy=True`` (what :func:`validate` does): the report keeps ``df`` and one status byte
    per row, and builds ``valid``/``invalid``/``skipped``/``failures`` on first access.
    ``lazy=False`` builds them all now from one evaluation (a streaming export's chunk,
    used at once). ``exprs``: the cache :func:`row_exprs` keeps for ``plan`` across chunks.
    """
    rx = row_exprs(df, plan, exprs)
    if lazy:
        splits = LazySplits.run(df, rx, row_offset)
        return report_of(df, plan, rx, splits.warning_counts, source=splits)
    now = split_now(df, rx, row_offset)
    return report_of(
        df,
        plan,
        rx,
        now.warning_counts,
        valid=now.valid,
        invalid=now.invalid,
        skipped=now.skipped,
        failures=now.failures,
    )


def report_of(
    df: pl.DataFrame, plan: Plan, rx: RowExprs, counts: dict[str, int], **parts: Any
) -> ValidationReport:
    """The report of ``df`` under ``plan``: its warning lines from ``counts`` (valid rows per
    warning kind and field warning), and ``parts`` (built parts, or ``source=``)."""
    warnings_for = (
        plan.fields
        if plan.moat_dropped is None
        else {**plan.fields, ORACLE_MOAT_ID: plan.moat_dropped}
    )
    warnings = [
        *plan.notes,
        *warnings_of(counts, plan.all_fields, warnings_for),
        *field_warning_lines(rx, counts),
        *_moat_warning(df, plan),
    ]
    return ValidationReport(
        ignored_columns=plan.ignored,
        warnings=warnings,
        now=dt.datetime.fromtimestamp(plan.now_ms / 1000, dt.UTC),
        mapping=dict(plan.mapping),
        **parts,
    )


def row_exprs(df: pl.DataFrame, plan: Plan, cache: ExprCache | None = None) -> RowExprs:
    """The normalized value of every field, every check and every warning, as expressions.

    ``df`` only decides which slow readings are needed at all (:func:`_chunk_reading`);
    the expressions then hold for any of its rows. ``cache``: expressions already built
    for this ``plan``, by reading (slices of one frame mostly read alike, and building
    the expressions costs about 25 ms of Python each time).
    """
    reading = _chunk_reading(df, plan)
    if cache is not None:
        rx = cache.get(reading)
        if rx is None:
            rx = cache[reading] = _row_exprs(plan, reading)
        return rx
    return _row_exprs(plan, reading)


def _row_exprs(plan: Plan, reading: nz.Reading) -> RowExprs:
    schema, fields, default_urn, now_ms = plan.schema, plan.fields, plan.default_urn, plan.now_ms
    prepared: dict[str, pl.Expr] = {}
    staged: dict[str, pl.Expr] = {}
    normalized: dict[str, pl.Expr] = {}
    present: dict[str, pl.Expr] = {}
    checks: list[ck.Check] = []
    warns: list[ck.Check] = []
    placeholders: dict[str, pl.Expr] = {}
    for field in _NORMALIZERS:  # canonical order, so messages come in a stable order
        if field not in fields:
            continue
        name = fields[field]
        raw, dtype = pl.col(name), schema[name]
        # Each raw column is trimmed/cast once; everything after reads that one value.
        expr, pdtype = nz.prepare(raw, dtype)
        prepared[f"__capi_p_{field}"] = expr
        p = pl.col(f"__capi_p_{field}")
        present[field] = nz.is_present(p, pdtype, prepared=True)
        stage = _staged(field, p, pdtype, reading)
        q = None
        if stage is None:
            normalize = _NORMALIZERS[field]
            assert normalize is not None  # only a field _staged always stages has none
            normalized[f"__capi_n_{field}"] = normalize(p, pdtype, reading)
        else:
            staged[f"__capi_q_{field}"] = stage[0]
            q = pl.col(f"__capi_q_{field}")
            normalized[f"__capi_n_{field}"] = stage[1](q)
        checks.extend(
            ck.field_checks(field, raw, dtype, prepared=p, stage=q, reading=reading, now_ms=now_ms)
        )
        for w in ck.field_warnings(
            field, raw, dtype, prepared=p, stage=q if q is not None else p, reading=reading
        ):
            if w.name.endswith("_placeholder"):
                placeholders[field] = pl.col(f"{FIELD_WARNING}{len(warns)}")
            warns.append(w)
    second_stage: dict[str, pl.Expr] = {}
    if default_urn is not None:
        # The row's own rule wins; the argument fills rows where it is absent.
        fallback: pl.Expr = pl.lit(default_urn)
        if CONVERSION in fields:
            fallback = (
                pl.when(present[CONVERSION].fill_null(False))
                .then(ck.norm(CONVERSION))
                .otherwise(fallback)
            )
        second_stage[f"__capi_n_{CONVERSION}"] = fallback
    checks.extend(
        ck.row_checks(
            fields,
            schema,
            now_ms=now_ms,
            has_default_conversion=default_urn is not None,
            moat_dropped=plan.moat_dropped,
            api_version=plan.api_version,
            present=present,
            placeholders=placeholders,
            reading=reading,
        )
    )
    valid_fields = [f for f in _NORMALIZERS if f in fields or f == CONVERSION]
    window_start = now_ms - WINDOW_DAYS * 86_400_000
    return RowExprs(
        prepared,
        staged,
        normalized,
        second_stage,
        checks,
        warns,
        fields,
        schema,
        valid_fields,
        window_start,
    )


def _chunk_reading(df: pl.DataFrame, plan: Plan) -> nz.Reading:
    """The plan's reading, with the slow general forms switched off for fields in which
    no value of this chunk needs them (one cheap pre-test per field, on the chunk)."""
    tests: dict[str, pl.Expr] = {}
    for field, test in (
        (SHA256_EMAIL, hs.needs_email_hygiene),
        (AMOUNT, _amounts.needs_reading),
        (COUNTRY_CODE, nz.country_needs_lookup),
        (HAPPENED_AT, nz.time_needs_preparing),
    ):
        name = plan.fields.get(field)
        if name is None:
            continue
        dtype = plan.schema[name]
        if isinstance(dtype, pl.Categorical | pl.Enum):
            tests[field] = test(pl.col(name).cast(pl.String)).any()
        elif dtype == pl.String:
            tests[field] = test(pl.col(name)).any()
    if not tests or df.height == 0:
        return plan.reading
    need = df.select(**tests).row(0, named=True)
    return replace(
        plan.reading,
        email_forms=bool(need.get(SHA256_EMAIL, True)),
        amount_forms=bool(need.get(AMOUNT, True)),
        country_forms=bool(need.get(COUNTRY_CODE, True)),
        time_forms=bool(need.get(HAPPENED_AT, True)),
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
