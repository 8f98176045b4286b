"""Valid, invalid and skipped rows of a validation run: built at once, or on first access.

:func:`linkedin_capi.engine.validate.validate_chunk` hands this module the per-row
expressions of a run (:class:`RowExprs`: normalized values and checks). Two ways out:

- :func:`split_now` evaluates them once over the frame and builds every part (a streaming
  export's chunk, small and used at once);
- :meth:`LazySplits.run` evaluates them slice by slice (the status pass) and keeps one
  status byte per row (plus counts), the normalized ``conversionHappenedAt`` (epoch
  milliseconds, 8 bytes), country and currency codes (1 byte each) and, per text column,
  whether normalizing left every value as it was; :class:`LazySplits` then builds each
  part from the input on first use (the second pass, over that part's rows only), reading
  the kept values instead of computing them again and the unchanged columns as they are.
  A report of a million rows holds the input and about ten megabytes, not the normalized
  frame (hex digests and rule URNs weigh about twice the input).

Neither pass does what it does not need (Polars prunes every expression whose result is
not selected): the status pass computes no SHA-256, because the e-mail check reads whether
the normalized address can be hashed (:func:`~linkedin_capi.engine.hashing.normalized_email_ok`)
rather than the digest; the valid rows' pass computes no check, parses no time and
normalizes no column that was already in LinkedIn's form. So ``validate()`` then every
body parses each time and hashes each e-mail once, as :func:`split_now` does; only the
cheaper normalizations of columns that needed them run in both passes.

Every check reads its own row only, so evaluating any subset of rows gives those rows the
same values, statuses and messages as evaluating the whole frame.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import polars as pl
import polars.selectors as cs

from linkedin_capi._constants import (
    ACXIOM_ID,
    AMOUNT,
    COMPANY_NAME,
    COUNTRY_CODE,
    CURRENCY_CODE,
    EVENT_ID,
    FIRST_NAME,
    GOOGLE_AID,
    HAPPENED_AT,
    HASHED_FIRST_NAME,
    HASHED_LAST_NAME,
    LAST_NAME,
    LEAD,
    LI_FAT_ID,
    ORACLE_MOAT_ID,
    PLAINTEXT_IP,
    ROW,
    TITLE,
    WINDOW_DAYS,
)
from linkedin_capi.engine import checks as ck
from linkedin_capi.engine import normalize as nz
from linkedin_capi.engine._masking import mask_expr
from linkedin_capi.engine.report import FAILURE_SCHEMA

__all__ = ["FIELD_WARNING", "SLICE_ROWS", "LazySplits", "RowExprs", "Split", "split_now"]

#: Rows evaluated at a time by a lazy run: bounds the normalized values held at once.
SLICE_ROWS = 100_000

_VALID, _INVALID, _SKIPPED = 0, 1, 2
_FAILED = "__capi_failed"
_PROBLEMS = "__capi_problems"
_STALE = "__capi_stale"
_STATUS = "__capi_status"
#: Fields whose normalized value the status pass keeps for every row: parsing a text time
#: is the dearest normalization after the e-mail's hash, and its result is 8 bytes a row;
#: a country or currency code is kept as its Enum code, 1 byte (looking a code up costs
#: more than decoding it). A hex digest would be 64: the hash is computed again instead.
_KEPT_FIELDS = (HAPPENED_AT, COUNTRY_CODE, CURRENCY_CODE)
#: Text fields whose normalized value is text computed by the status pass anyway (no
#: digest): where it equals the input in every row of the run (names, identifiers and
#: amounts already in LinkedIn's form, the common case), the parts read the input column
#: as it is. One flag per column instead of a column (a kept code is then not kept).
_AS_GIVEN_FIELDS = (
    EVENT_ID,
    LI_FAT_ID,
    ACXIOM_ID,
    PLAINTEXT_IP,
    GOOGLE_AID,
    ORACLE_MOAT_ID,
    FIRST_NAME,
    LAST_NAME,
    COMPANY_NAME,
    TITLE,
    COUNTRY_CODE,
    LEAD,
    CURRENCY_CODE,
    AMOUNT,
)
#: Warning kinds counted per valid row (bits 2.. of the status byte), for ``warnings``.
_WARNING_KINDS = ("only_first", "only_last", "orphans", "moat")
#: Characters of a value kept in ``report.failures`` (then an ellipsis).
_VALUE_MAX = 80
#: Valid columns the warning rows of ``report.failures`` read.
_WARNING_FIELDS = (FIRST_NAME, LAST_NAME, COMPANY_NAME, TITLE, COUNTRY_CODE, ORACLE_MOAT_ID)


class RowExprs(NamedTuple):
    """What validation computes per row, under one plan."""

    prepared: dict[str, pl.Expr]
    #: Stored first stages of fields that have one (times, string e-mails).
    staged: dict[str, pl.Expr]
    normalized: dict[str, pl.Expr]
    second_stage: dict[str, pl.Expr]
    checks: list[ck.Check]
    #: Per-field warnings (placeholders, a dropped countryCode, times read as UTC).
    warns: list[ck.Check]
    fields: dict[str, str]
    schema: dict[str, pl.DataType]
    #: Canonical columns of ``report.valid`` (after ``_row``), in payload order.
    valid_fields: list[str]
    window_start: int


class Split(NamedTuple):
    """The parts of a run, built at once (:func:`split_now`)."""

    valid: pl.DataFrame
    invalid: pl.DataFrame
    skipped: pl.DataFrame
    failures: pl.DataFrame
    warning_counts: dict[str, int]
    #: Each row's status byte (see :func:`_status`), for a report joined from slices.
    status: pl.Series


def _kept(field: str) -> str:
    """The column a kept normalized value is read from on the input's rows."""
    return f"__capi_k_{field}"


def _kept_type(field: str) -> pl.DataType | None:
    """What a kept normalized value is stored as (``None``: as it is)."""
    if field == COUNTRY_CODE:
        return nz.country_codes()
    if field == CURRENCY_CODE:
        return nz.currency_codes()
    return None


def _keep(field: str) -> pl.Expr:
    """The status pass's expression for a kept value (its normalized value, stored)."""
    kept_type = _kept_type(field)
    value = ck.norm(field) if kept_type is None else ck.norm(field).cast(kept_type)
    return value.alias(_kept(field))


def _read_kept(field: str) -> pl.Expr:
    """A part's expression for a kept value: the normalized value again."""
    value = pl.col(_kept(field))
    return value if _kept_type(field) is None else value.cast(pl.String)


def _same(field: str) -> str:
    """The status pass's column: is the normalized value of ``field`` its input value?"""
    return f"__capi_s_{field}"


def _flags(rx: RowExprs) -> list[str]:
    return [f"__capi_f_{i}" for i in range(len(rx.checks))]


#: Prefix of the field warnings' flags (and of their keys in ``warning_counts``).
FIELD_WARNING = "__capi_w_"


def _wflags(rx: RowExprs) -> list[str]:
    # The names the checks' placeholder messages read (validate.row_exprs).
    return [f"{FIELD_WARNING}{i}" for i in range(len(rx.warns))]


def evaluated(lf: pl.LazyFrame, rx: RowExprs) -> pl.LazyFrame:
    """``lf`` + normalized values, one flag per check, ``stale`` and ``failed`` (lazy).

    Columns nobody selects afterwards are pruned by Polars (a valid part computes no check).
    """
    flags, wflags = _flags(rx), _wflags(rx)
    return (
        lf.with_columns(**rx.prepared)
        .with_columns(**rx.staged)
        .with_columns(**rx.normalized)
        .with_columns(**rx.second_stage)
        .with_columns(
            *(c.failed.fill_null(False).alias(f) for c, f in zip(rx.checks, flags, strict=True)),
            *(w.failed.fill_null(False).alias(f) for w, f in zip(rx.warns, wflags, strict=True)),
            (ck.norm(HAPPENED_AT) < rx.window_start).fill_null(False).alias(_STALE),
        )
        .drop(*rx.prepared, *rx.staged)  # intermediates: not kept past the checks
        .with_columns(pl.any_horizontal(*flags).alias(_FAILED))
    )


def _live_warnings(rx: RowExprs) -> list[pl.Expr]:
    """One flag per field warning, for rows that are not skipped (they are never sent)."""
    return [(pl.col(f) & ~pl.col(_STALE)).alias(f) for f in _wflags(rx)]


def _field_warning_counts(flags: pl.DataFrame, rx: RowExprs) -> dict[str, int]:
    if not rx.warns:
        return {}
    row = flags.select(pl.col(f).sum() for f in _wflags(rx)).row(0)
    return {f: int(n or 0) for f, n in zip(_wflags(rx), row, strict=True)}


def field_warning_rows(lf: pl.LazyFrame, rx: RowExprs, counts: dict[str, int]) -> pl.DataFrame:
    """``report.failures`` rows of severity warning for the field warnings of ``lf``'s rows
    (evaluated); only the warnings ``counts`` says occur are looked for."""
    empty = pl.DataFrame(schema={ROW: pl.UInt32, **FAILURE_SCHEMA})
    parts = [empty]
    for w, flag in zip(rx.warns, _wflags(rx), strict=True):
        if not counts.get(flag):
            continue
        code = ck.rule_code(w.name)
        parts.append(
            lf.filter(pl.col(flag) & ~pl.col(_STALE))
            .select(
                pl.col(ROW).cast(pl.UInt32),
                pl.lit(code.partition(".")[0]).alias("field"),
                pl.lit(code).alias("rule"),
                pl.lit("warning").alias("severity"),
                _failure_value(code, rx.fields, rx.schema).alias("value"),
                mask_expr(w.message).alias("message"),
            )
            .collect()
        )
    return pl.concat(parts) if len(parts) > 1 else empty


#: report.warnings' line per warning rule (``{n}`` rows, ``{field}``).
_WARNING_LINES = {
    "placeholder": "{n} rows: {field} was a placeholder for no value ('undefined', 'null', "
    "'n/a', ...) and counted as absent",
    "dropped": "{n} rows: {field} not sent (not a country code or name); the conversions "
    "are sent without it",
    "naive_read_as_utc": "{n} rows: {field} had no time zone and was read as UTC; pass "
    "timezone='Area/City' (--timezone in the CLI) if these are local times",
}


def field_warning_lines(rx: RowExprs, counts: dict[str, int]) -> list[str]:
    """``report.warnings``' lines for the field warnings, one per rule that occurred."""
    lines = []
    for w, flag in zip(rx.warns, _wflags(rx), strict=True):
        n = counts.get(flag, 0)
        if n:
            field, _, rule = ck.rule_code(w.name).partition(".")
            lines.append(_WARNING_LINES[rule].format(n=n, field=field))
    return lines


def _status(rx: RowExprs) -> pl.Expr:
    """One byte a row: 0 valid, 1 invalid, 2 skipped; bits 2.. the warning kinds."""

    def has(field: str) -> pl.Expr:
        return ck.norm(field).is_not_null() if field in rx.valid_fields else pl.lit(False)

    first = has(FIRST_NAME) | has(HASHED_FIRST_NAME)
    last = has(LAST_NAME) | has(HASHED_LAST_NAME)
    extras = pl.any_horizontal(has(COMPANY_NAME), has(TITLE), has(COUNTRY_CODE))
    kinds = (first & ~last, ~first & last, extras & ~(first & last), has(ORACLE_MOAT_ID))
    stale, failed = pl.col(_STALE), pl.col(_FAILED)
    kind = pl.when(stale).then(_SKIPPED).when(failed).then(_INVALID).otherwise(_VALID)
    bits = pl.sum_horizontal(
        *(k.fill_null(False).cast(pl.UInt8) * (4 << i) for i, k in enumerate(kinds))
    )
    return (kind + pl.when(~stale & ~failed).then(bits).otherwise(0)).cast(pl.UInt8)


def valid_of(lf: pl.LazyFrame, rx: RowExprs, fields: Sequence[str] | None = None) -> pl.LazyFrame:
    """``_row`` + the normalized ``fields`` (default: every valid column) of ``lf``'s rows."""
    wanted = rx.valid_fields if fields is None else [f for f in rx.valid_fields if f in fields]
    return lf.select(pl.col(ROW), *(ck.norm(f).alias(f) for f in wanted))


def skipped_of(lf: pl.LazyFrame, rx: RowExprs) -> pl.LazyFrame:
    """``_row`` + the input columns + ``reason``, for rows older than the window."""
    return lf.select(
        cs.by_name(ROW, *rx.schema),  # by_name: select() reads a name like "^.*$" as a regex
        reason=pl.lit(f"{HAPPENED_AT}: older than {WINDOW_DAYS} days (")
        + nz.iso_from_ms(ck.norm(HAPPENED_AT))
        + pl.lit(" is before ")
        + nz.iso_from_ms(pl.lit(rx.window_start))
        + pl.lit("); LinkedIn only accepts the last 90 days"),
    )


def invalid_of(lf: pl.LazyFrame, rx: RowExprs) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The invalid rows (``_row`` + input columns + ``errors``) and their failure rows."""
    # One struct per failing check and row: its rule code, the value it read, the message.
    # Built for the failing rows only; ``errors`` and ``failures`` both come from it.
    codes = [ck.rule_code(c.name) for c in rx.checks]
    problems = pl.concat_list(
        [
            pl.when(pl.col(f)).then(
                pl.struct(
                    rule=pl.lit(code),
                    value=_failure_value(code, rx.fields, rx.schema),
                    message=c.message,
                )
            )
            for c, f, code in zip(rx.checks, _flags(rx), codes, strict=True)
        ]
    ).list.drop_nulls()
    invalid = lf.select(cs.by_name(ROW, *rx.schema), problems.alias(_PROBLEMS)).collect()
    failures = _error_rows(invalid.select(ROW, _PROBLEMS))
    invalid = invalid.with_columns(
        pl.col(_PROBLEMS).list.eval(pl.element().struct.field("message")).alias("errors")
    ).drop(_PROBLEMS)
    return invalid, failures


def with_warnings(
    errors: pl.DataFrame, valid: pl.DataFrame, field_rows: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``report.failures``: the error rows, one row per warning about a valid row's names,
    and the field warnings' rows (``field_rows``)."""
    extra = [w for w in (_warning_rows(valid), field_rows) if w is not None and w.height]
    if not extra:
        return errors
    return pl.concat([errors, *(w.cast(errors.schema) for w in extra)]).sort(
        ROW, maintain_order=True
    )


def split_now(df: pl.DataFrame, rx: RowExprs, row_offset: int) -> Split:
    """Evaluate ``df`` once and build every part (no input kept)."""
    out = evaluated(df.lazy().with_row_index(ROW, offset=row_offset), rx).collect()
    stale, failed = pl.col(_STALE), pl.col(_FAILED)
    any_stale, any_failed = out.select(stale.any(), failed.any()).row(0)
    # Clean data (the common case) needs no filtering; otherwise filter lazily so that
    # only the columns each part keeps are copied.
    rest = out.lazy()
    if any_stale or any_failed:
        rest = rest.filter(~stale & ~failed)
    valid = valid_of(rest, rx).collect()
    skipped = skipped_of(out.lazy().filter(stale), rx).collect()
    invalid, errors = invalid_of(out.lazy().filter(~stale & failed), rx)
    status = out.select(_status(rx).alias(_STATUS)).to_series()
    counts = _warning_counts(status)
    counts.update(_field_warning_counts(out.select(_live_warnings(rx)), rx))
    field_rows = field_warning_rows(out.lazy(), rx, counts)
    failures = with_warnings(errors, valid, field_rows)
    return Split(valid, invalid, skipped, failures, counts, status)


def _warning_counts(status: pl.Series) -> dict[str, int]:
    s = pl.col(status.name)
    row = (
        status.to_frame()
        .select(((s // (4 << i)) % 2 == 1).sum().alias(k) for i, k in enumerate(_WARNING_KINDS))
        .row(0, named=True)
    )
    return {k: int(v or 0) for k, v in row.items()}


class LazySplits:
    """A run's input, one status byte per row and the kept normalized values; each part is
    built when asked for.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> from linkedin_capi import validate
    >>> df = pl.DataFrame({"conversionHappenedAt": ["2026-11-27", "x"], "ACXIOM_ID": ["a", "b"]})
    >>> report = validate(df, conversion=1, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
    >>> "valid" in vars(report)          # not built yet: only counted
    False
    >>> report.counts, report.valid.height, "valid" in vars(report)
    ({'total': 2, 'valid': 1, 'invalid': 1, 'skipped': 0}, 1, True)
    """

    def __init__(
        self,
        source: pl.DataFrame,
        rx: RowExprs,
        row_offset: int,
        status: pl.Series,
        kept: pl.DataFrame | None = None,
        as_given: Sequence[str] = (),
    ) -> None:
        self.source = source
        #: Normalized values of every row of ``source`` (columns ``_kept(field)``).
        self.kept = source.select() if kept is None else kept
        #: Fields whose normalized value is the input value in every row of ``source``.
        self.as_given = tuple(as_given)
        # The parts' expressions read the kept values and the input columns instead of
        # computing them; Polars then prunes what only they needed (the staged and
        # prepared time, the prepared columns of the fields as given).
        reads = {
            ck.norm(f).meta.output_name(): _read_kept(f)
            for f in _KEPT_FIELDS
            if _kept(f) in self.kept.columns
        }
        reads.update({ck.norm(f).meta.output_name(): pl.col(rx.fields[f]) for f in as_given})
        self.rx = rx._replace(normalized={**rx.normalized, **reads})
        self.row_offset = row_offset
        self.status = status
        kinds = status.to_frame("s").select(pl.col("s") % 4).to_series()
        self.kind = kinds
        self._counts = {
            "total": status.len(),
            "valid": int((kinds == _VALID).sum()),
            "invalid": int((kinds == _INVALID).sum()),
            "skipped": int((kinds == _SKIPPED).sum()),
        }
        self.warning_counts = _warning_counts(status.rename(_STATUS))

    @classmethod
    def run(cls, df: pl.DataFrame, rx: RowExprs, row_offset: int) -> LazySplits:
        """Evaluate every check over ``df``, ``SLICE_ROWS`` rows at a time; keep the status,
        the normalized values of ``_KEPT_FIELDS`` and which ``_AS_GIVEN_FIELDS`` are."""
        kept = [f for f in _KEPT_FIELDS if ck.norm(f).meta.output_name() in rx.normalized]
        text = [
            f for f in _AS_GIVEN_FIELDS if f in rx.fields and rx.schema[rx.fields[f]] == pl.String
        ]
        exprs = [
            _status(rx).alias(_STATUS),
            *(_keep(f) for f in kept),
            *(pl.col(rx.fields[f]).eq_missing(ck.norm(f)).alias(_same(f)) for f in text),
            *_live_warnings(rx),
        ]
        slices = [
            evaluated(df.slice(start, SLICE_ROWS).lazy(), rx).select(exprs).collect()
            for start in range(0, df.height, SLICE_ROWS)
        ] or [evaluated(df.lazy(), rx).select(exprs).collect()]
        status = pl.concat([p.get_column(_STATUS) for p in slices], rechunk=True)
        values = pl.concat([p.select(_kept(f) for f in kept) for p in slices], rechunk=True)
        flags = (
            _field_warning_counts(pl.concat(p.select(_wflags(rx)) for p in slices), rx)
            if rx.warns
            else {}
        )
        same = pl.concat([p.select(_same(f) for f in text) for p in slices]).select(pl.all().all())
        as_given = [f for f in text if same.get_column(_same(f)).item()]
        values = values.drop(_kept(f) for f in as_given if f in kept)  # the input is cheaper
        splits = cls(df, rx, row_offset, status, values, as_given)
        splits.warning_counts.update(flags)
        return splits

    def _at(self, start: int, length: int) -> pl.DataFrame:
        """``length`` input rows from ``start`` with ``_row`` and their kept values."""
        part = self.source.slice(start, length)
        if self.kept.width:
            part = part.hstack(self.kept.slice(start, length))
        return part.with_row_index(ROW, offset=self.row_offset + start)

    def counts(self) -> dict[str, int]:
        """``{"total", "valid", "invalid", "skipped"}``."""
        return dict(self._counts)

    def rows(self, kind: int, per_part: int) -> Iterator[pl.LazyFrame]:
        """The input rows of one status with ``_row`` and their kept values, ``per_part``
        of them at a time.

        Always yields at least one (maybe empty) part, so every result has its schema.
        """
        positions = self.kind.to_frame("k").select(pl.arg_where(pl.col("k") == kind)).to_series()
        if positions.len() == 0:
            yield self._at(0, 0).lazy()
            return
        for first in range(0, positions.len(), per_part):
            last = min(first + per_part, positions.len()) - 1
            start, stop = int(positions[first]), int(positions[last]) + 1
            part = self._at(start, stop - start)
            if stop - start != last - first + 1:  # other rows in between: keep this kind's
                part = part.filter(self.kind.slice(start, stop - start) == kind)
            yield part.lazy()

    def valid_parts(
        self, per_part: int, fields: Sequence[str] | None = None
    ) -> Iterator[pl.DataFrame]:
        """``report.valid`` (or its ``fields``) ``per_part`` rows at a time, in row order."""
        for lf in self.rows(_VALID, per_part):
            yield valid_of(evaluated(lf, self.rx), self.rx, fields).collect()

    def valid(self, fields: Sequence[str] | None = None) -> pl.DataFrame:
        """``report.valid`` (or ``_row`` and its ``fields``)."""
        return _concat(list(self.valid_parts(SLICE_ROWS, fields)))

    def invalid(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """``report.invalid`` and the error rows of ``report.failures``."""
        parts = [
            invalid_of(evaluated(lf, self.rx), self.rx) for lf in self.rows(_INVALID, SLICE_ROWS)
        ]
        return _concat([p[0] for p in parts]), _concat([p[1] for p in parts])

    def skipped(self) -> pl.DataFrame:
        """``report.skipped``."""
        return _concat(
            [
                skipped_of(evaluated(lf, self.rx), self.rx).collect()
                for lf in self.rows(_SKIPPED, SLICE_ROWS)
            ]
        )

    def failures(self, errors: pl.DataFrame, valid: pl.DataFrame | None) -> pl.DataFrame:
        """``report.failures`` from its error rows; the warnings read ``valid`` if built."""
        field_rows = None
        if any(self.warning_counts.get(f) for f in _wflags(self.rx)):
            field_rows = _concat(
                [
                    field_warning_rows(
                        evaluated(self._at(start, SLICE_ROWS).lazy(), self.rx),
                        self.rx,
                        self.warning_counts,
                    )
                    for start in range(0, self.source.height, SLICE_ROWS)
                ]
            )
        if not set(_WARNING_FIELDS) & set(self.rx.valid_fields):
            valid = self.source.head(0).select().with_row_index(ROW)  # no column a warning reads
        elif valid is None:
            valid = self.valid(_WARNING_FIELDS)
        return with_warnings(errors, valid, field_rows)


def _failure_value(code: str, fields: dict[str, str], schema: dict[str, pl.DataType]) -> pl.Expr:
    """The input value a rule read, as text: truncated, e-mails masked; null for row rules."""
    field = code.partition(".")[0]
    if field not in fields:
        return pl.lit(None, pl.String)
    name = fields[field]
    t = nz.as_text(pl.col(name), schema[name])
    cut = pl.when(t.str.len_chars() > _VALUE_MAX).then(t.str.slice(0, _VALUE_MAX) + "…")
    return mask_expr(cut.otherwise(t))


def _error_rows(problems: pl.DataFrame) -> pl.DataFrame:
    """``_row`` + the problem structs → one row per problem, in ``FAILURE_SCHEMA`` order."""
    rows = problems.explode(_PROBLEMS).unnest(_PROBLEMS)
    return rows.select(
        ROW,
        pl.col("rule").str.split(".").list.first().alias("field"),
        pl.col("rule"),
        pl.lit("error").alias("severity"),
        pl.col("value").cast(pl.String),
        mask_expr(pl.col("message").cast(pl.String)),
    )


def _warning_rows(valid: pl.DataFrame) -> pl.DataFrame:
    """One row per warning about a valid row (it is sent, but not all of it)."""
    empty = pl.DataFrame(schema={ROW: valid.schema[ROW], **FAILURE_SCHEMA})
    if valid.height == 0:
        return empty

    def has(field: str) -> pl.Expr:
        return pl.col(field).is_not_null() if field in valid.columns else pl.lit(False)

    first, last = has(FIRST_NAME), has(LAST_NAME)
    extras = pl.any_horizontal(has(COMPANY_NAME), has(TITLE), has(COUNTRY_CODE))
    kinds = [
        (
            first & ~last,
            f"{LAST_NAME}.missing_for_user_info",
            FIRST_NAME,
            f"{LAST_NAME}: missing, so userInfo ({FIRST_NAME}, ...) is not sent",
        ),
        (
            ~first & last,
            f"{FIRST_NAME}.missing_for_user_info",
            LAST_NAME,
            f"{FIRST_NAME}: missing, so userInfo ({LAST_NAME}, ...) is not sent",
        ),
        (
            extras & ~(first & last),
            "userInfo.needs_both_names",
            None,
            f"userInfo: {COMPANY_NAME}/{TITLE}/{COUNTRY_CODE} not sent, userInfo needs both "
            f"{FIRST_NAME} and {LAST_NAME}",
        ),
        (
            has(ORACLE_MOAT_ID),
            f"{ORACLE_MOAT_ID}.may_be_rejected",
            ORACLE_MOAT_ID,
            f"{ORACLE_MOAT_ID}: reported as removed from recent LinkedIn-Versions; may be "
            "rejected (HTTP 422)",
        ),
    ]
    flags = valid.select(
        *(cond.fill_null(False).alias(f"__w{i}") for i, (cond, *_rest) in enumerate(kinds))
    )
    any_hit = flags.select(pl.all().any()).row(0)
    parts = [empty]
    for i, (_cond, code, column, message) in enumerate(kinds):
        if not any_hit[i]:
            continue
        value = (
            mask_expr(pl.col(column).cast(pl.String).str.slice(0, _VALUE_MAX))
            if column is not None and column in valid.columns
            else pl.lit(None, pl.String)
        )
        parts.append(
            valid.filter(flags.get_column(f"__w{i}")).select(
                ROW,
                pl.lit(code.partition(".")[0]).alias("field"),
                pl.lit(code).alias("rule"),
                pl.lit("warning").alias("severity"),
                value.alias("value"),
                pl.lit(message).alias("message"),
            )
        )
    return pl.concat(parts) if len(parts) > 1 else empty


def _concat(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return parts[0] if len(parts) == 1 else pl.concat(parts)


def warnings_of(
    counts: dict[str, int], all_fields: dict[str, str], fields: dict[str, str]
) -> list[str]:
    """Aggregated, one line per kind: what valid rows will not send and why."""
    out = [
        f"column {name!r} ({field}) is entirely null and was ignored"
        for field, name in all_fields.items()
        if field not in fields
    ]
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
