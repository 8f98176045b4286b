"""``ValidationReport``: what :func:`linkedin_capi.engine.validate` found, as data."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from linkedin_capi._constants import (
    EXTERNAL_IDS,
    FIRST_NAME,
    HAPPENED_AT,
    HASHED_FIRST_NAME,
    HASHED_LAST_NAME,
    ID_TYPES,
    LAST_NAME,
    LEAD,
    ROW,
    WINDOW_DAYS,
)
from linkedin_capi._render import as_chart, as_html, as_text
from linkedin_capi.engine import payload

if TYPE_CHECKING:
    from linkedin_capi.display.charts import Charts

__all__ = ["FAILURE_SCHEMA", "ValidationReport"]

#: ``report.failures``' columns after ``_row``.
FAILURE_SCHEMA: dict[str, pl.DataType] = {
    "field": pl.String(),
    "rule": pl.String(),
    "severity": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
}


def _no_failures() -> pl.DataFrame:
    return pl.DataFrame(schema={"_row": pl.UInt32(), **FAILURE_SCHEMA})


_DAY_MS = 86_400_000
_FUTURE = f"{HAPPENED_AT}: in the future"

#: The coverage row of the names (``userInfo``), plain, hashed or one of each.
NAME_PAIR = "first + last name"

#: What LinkedIn can match a member on: every slot (a tuple of interchangeable columns)
#: must be filled. ``userInfo`` is sent only with both names, so it counts only then; from
#: 202609 each name may be plain or hashed and LinkedIn accepts mixed pairs (audit D10), as
#: the validator and the payload do, so any pairing counts.
IDENTIFIERS: dict[str, tuple[tuple[str, ...], ...]] = {
    **{id_type: ((id_type,),) for id_type in ID_TYPES},
    NAME_PAIR: ((FIRST_NAME, HASHED_FIRST_NAME), (LAST_NAME, HASHED_LAST_NAME)),
    LEAD: ((LEAD,),),
    EXTERNAL_IDS: ((EXTERNAL_IDS,),),
}


class _Source(Protocol):
    """Where a lazy report builds its parts (``engine._splits.LazySplits``)."""

    def counts(self) -> dict[str, int]: ...
    def valid(self, fields: Sequence[str] | None = None) -> pl.DataFrame: ...
    def valid_parts(
        self, per_part: int, fields: Sequence[str] | None = None
    ) -> Iterator[pl.DataFrame]: ...
    def invalid(self) -> tuple[pl.DataFrame, pl.DataFrame]: ...
    def skipped(self) -> pl.DataFrame: ...
    def failures(self, errors: pl.DataFrame, valid: pl.DataFrame | None) -> pl.DataFrame: ...


class ValidationReport:
    """Valid, invalid and skipped rows of one validation run, each keyed by ``_row``.

    :func:`~linkedin_capi.engine.validate.validate` keeps the input and one status byte per
    row; ``valid``, ``invalid``, ``skipped`` and ``failures`` are built on first access and
    then kept (``counts``, ``ok``, ``warnings`` and the text summary need none of them but
    ``invalid``). A report can also be made from the parts themselves.

    Attributes
    ----------
    valid : pl.DataFrame
        ``_row`` + canonical columns, normalized and hashed, ready to send.
    invalid : pl.DataFrame
        ``_row`` + the input columns as given + ``errors`` (``list[str]``, every problem).
    skipped : pl.DataFrame
        ``_row`` + the input columns as given + ``reason`` (older than 90 days).
    ignored_columns : list[str]
        Input columns that are not LinkedIn fields; they are never sent.
    warnings : list[str]
        Aggregated notes about valid rows ("12 rows: userInfo omitted, lastName missing").
    now : datetime
        The reference time the window was computed against (UTC).
    failures : pl.DataFrame
        One row per problem: ``_row``, ``field``, ``rule`` (a stable code
        ``"<field>.<rule>"``), ``severity`` (``"error"`` makes the row invalid,
        ``"warning"`` notes what a valid row will not send), ``value`` (as given, as text,
        e-mails masked, truncated; null for rules about the whole row) and ``message``.
    mapping : dict[str, str]
        Every input column used → the field it fed (names as given, case folds,
        aliases and ``mapping=`` entries alike).

    Examples
    --------
    >>> import polars as pl
    >>> empty = pl.DataFrame(schema={"_row": pl.UInt32})
    >>> ValidationReport(valid=empty, invalid=empty, skipped=empty).counts
    {'total': 0, 'valid': 0, 'invalid': 0, 'skipped': 0}
    """

    def __init__(
        self,
        valid: pl.DataFrame | None = None,
        invalid: pl.DataFrame | None = None,
        skipped: pl.DataFrame | None = None,
        ignored_columns: list[str] | None = None,
        warnings: list[str] | None = None,
        now: dt.datetime | None = None,
        failures: pl.DataFrame | None = None,
        mapping: dict[str, str] | None = None,
        *,
        source: _Source | None = None,
    ) -> None:
        if source is None and (valid is None or invalid is None or skipped is None):
            raise ValueError("ValidationReport needs valid=, invalid= and skipped=")
        self.ignored_columns = list(ignored_columns or [])
        self.warnings = list(warnings or [])
        self.now = now if now is not None else dt.datetime.now(dt.UTC)
        self.mapping = dict(mapping or {})
        self._source = source
        # Given parts go where the cached properties keep what they build.
        given = {"valid": valid, "invalid": invalid, "skipped": skipped, "failures": failures}
        self.__dict__.update({k: v for k, v in given.items() if v is not None})
        if source is None and failures is None:
            self.__dict__["failures"] = _no_failures()

    @functools.cached_property
    def valid(self) -> pl.DataFrame:
        """``_row`` + canonical columns, normalized and hashed, ready to send."""
        assert self._source is not None
        return self._source.valid()

    @functools.cached_property
    def invalid(self) -> pl.DataFrame:
        """``_row`` + the input columns as given + ``errors`` (every problem)."""
        assert self._source is not None
        invalid, self._errors = self._source.invalid()
        return invalid

    @functools.cached_property
    def skipped(self) -> pl.DataFrame:
        """``_row`` + the input columns as given + ``reason`` (older than 90 days)."""
        assert self._source is not None
        return self._source.skipped()

    @functools.cached_property
    def failures(self) -> pl.DataFrame:
        """One row per problem (errors and warnings), see the class docstring."""
        assert self._source is not None
        return self._source.failures(self._error_rows(), self.__dict__.get("valid"))

    def _error_rows(self) -> pl.DataFrame:
        """``failures`` of severity ``"error"`` (built with ``invalid``, no valid rows)."""
        if "failures" in self.__dict__:
            return self.failures.filter(pl.col("severity") == "error")
        self.invalid  # noqa: B018 - builds the error rows with it
        return self._errors

    def _valid_columns(self, fields: Sequence[str]) -> pl.DataFrame:
        """``_row`` + the valid ``fields`` (from ``valid`` if built, else only those)."""
        if self._source is None or "valid" in self.__dict__:
            return self.valid.select(ROW, *(f for f in fields if f in self.valid.columns))
        return self._source.valid(fields)

    def valid_parts(self, rows: int, fields: Sequence[str] | None = None) -> Iterator[pl.DataFrame]:
        """:attr:`valid`, ``rows`` rows at a time, in order, without building all of it.

        What an eager export renders from: each part is normalized from the input when
        reached (or sliced from :attr:`valid` when that is built already). ``fields``:
        only ``_row`` and these columns (the others are not computed).

        Examples
        --------
        >>> import datetime as dt, polars as pl
        >>> from linkedin_capi import validate
        >>> df = pl.DataFrame({"conversionHappenedAt": ["2026-11-27"] * 5,
        ...                    "ACXIOM_ID": list("abcde")})
        >>> report = validate(df, conversion=1, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
        >>> [part["ACXIOM_ID"].to_list() for part in report.valid_parts(2)]
        [['a', 'b'], ['c', 'd'], ['e']]
        """
        if self._source is None or "valid" in self.__dict__:
            valid = self._valid_columns(fields) if fields is not None else self.valid
            yield from valid.iter_slices(rows) if valid.height else [valid]
            return
        yield from self._source.valid_parts(rows, fields)

    @property
    def counts(self) -> dict[str, int]:
        """``{"total", "valid", "invalid", "skipped"}`` row counts."""
        if self._source is not None:
            return self._source.counts()
        valid, invalid, skipped = self.valid.height, self.invalid.height, self.skipped.height
        return {
            "total": valid + invalid + skipped,
            "valid": valid,
            "invalid": invalid,
            "skipped": skipped,
        }

    @property
    def ok(self) -> bool:
        """True when no row is invalid (skipped rows are not errors)."""
        return self.counts["invalid"] == 0

    def payloads(self) -> list[dict[str, Any]]:
        """One LinkedIn event object per row of :attr:`valid`, in the same order."""
        return payload.events(self.valid)

    def error_counts(self, by: str = "rule") -> pl.DataFrame:
        """Invalid rows per field and rule, most frequent first.

        Parameters
        ----------
        by
            ``"rule"`` (default): columns ``field``, ``rule``, ``rows``, ``sample`` (up to
            three distinct values, masked). ``"field"``: ``field`` and ``rows`` (invalid
            rows with at least one error in that field).

        Examples
        --------
        >>> import datetime as dt, polars as pl
        >>> from linkedin_capi import validate
        >>> df = pl.DataFrame({"conversionHappenedAt": [1764000000, 1764000001, "x"],
        ...                    "ACXIOM_ID": ["a", "b", "c"]}, strict=False)
        >>> r = validate(df.cast(pl.String), conversion=1,
        ...              now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
        >>> r.error_counts().select("rule", "rows").rows()
        [('conversionHappenedAt.epoch_seconds', 2), ('conversionHappenedAt.format', 1)]
        """
        errors = self._error_rows()
        if by == "field":
            return (
                errors.group_by("field")
                .agg(pl.col("_row").n_unique().cast(pl.UInt32).alias("rows"))
                .sort(["rows", "field"], descending=[True, False])
            )
        if by != "rule":
            raise ValueError(f"by= is 'rule' or 'field', got {by!r}")
        return (
            errors.group_by("field", "rule")
            .agg(
                pl.col("_row").n_unique().cast(pl.UInt32).alias("rows"),
                pl.col("value").drop_nulls().unique(maintain_order=True).head(3).alias("sample"),
            )
            .sort(["rows", "rule"], descending=[True, False])
        )

    def identifier_coverage(self) -> pl.DataFrame:
        """Share of valid rows carrying each identifier (``identifier``, ``rows``, ``share``).

        Match rates on LinkedIn depend mostly on which identifiers an event carries, so this
        is the number to watch: a hashed e-mail on every row matches far better than names
        alone. ``share`` is null when no row is valid.

        Examples
        --------
        >>> import datetime as dt, polars as pl
        >>> from linkedin_capi import validate
        >>> now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
        >>> df = pl.DataFrame({"conversionHappenedAt": ["2026-11-27", "2026-11-26"],
        ...                    "SHA256_EMAIL": ["a@b.co", None], "ACXIOM_ID": [None, "x1"]})
        >>> cov = validate(df, conversion=1, now=now).identifier_coverage()
        >>> cov.filter(pl.col("rows") > 0).rows()
        [('SHA256_EMAIL', 1, 0.5), ('ACXIOM_ID', 1, 0.5)]
        """
        if "_coverage" in self.__dict__:  # a notebook redraws the report often
            coverage: pl.DataFrame = self.__dict__["_coverage"]
            return coverage
        valid = self._valid_columns(
            [c for slots in IDENTIFIERS.values() for slot in slots for c in slot]
        )
        exprs = []
        for name, slots in IDENTIFIERS.items():
            filled = [
                pl.any_horizontal(pl.col(c).is_not_null() for c in given)
                for given in ([c for c in slot if c in valid.columns] for slot in slots)
                if given
            ]
            has = pl.all_horizontal(filled) if len(filled) == len(slots) else pl.lit(False)
            exprs.append(has.sum().cast(pl.Int64).alias(name))
        rows = valid.select(exprs).row(0) if exprs else ()
        total = valid.height
        coverage = pl.DataFrame(
            {
                "identifier": list(IDENTIFIERS),
                "rows": list(rows),
                "share": [n / total if total else None for n in rows],
            },
            schema={"identifier": pl.String, "rows": pl.Int64, "share": pl.Float64},
        )
        self.__dict__["_coverage"] = coverage
        return coverage

    def event_days(self) -> list[int]:
        """Valid events per whole day before :attr:`now`: ``[today, 1 day ago, …, 90]``."""
        if "_days" in self.__dict__:
            return list(self.__dict__["_days"])
        counts = [0] * (WINDOW_DAYS + 1)
        valid = self._valid_columns([HAPPENED_AT]) if self.counts["valid"] else None
        if valid is not None and HAPPENED_AT in valid.columns:
            now_ms = int(self.now.timestamp() * 1000)
            ago = ((now_ms - pl.col(HAPPENED_AT)) // _DAY_MS).clip(0, WINDOW_DAYS)
            for day, n in valid.select(ago.alias("d")).group_by("d").len().iter_rows():
                if day is not None:
                    counts[int(day)] += n
        self.__dict__["_days"] = counts
        return list(counts)

    def future_rows(self) -> int:
        """Invalid rows whose only or one problem is a time after :attr:`now`."""
        if not self.counts["invalid"]:
            return 0
        hit = pl.col("errors").list.eval(pl.element().str.starts_with(_FUTURE)).list.any()
        return int(self.invalid.select(hit.sum()).item())

    def plot(self) -> Charts:
        """Charts of invalid rows by field and of event times against the 90-day window.

        Returns an object that draws itself as SVG in Jupyter (``.save("x.svg")`` per
        chart) and as text bars in a terminal; no plotting library is needed.

        Examples
        --------
        >>> report.plot()               # doctest: +SKIP
        """
        charts: Charts = as_chart(self)
        return charts

    def summary(self) -> str:
        """A few lines of text: counts, errors by field, warnings, first invalid rows."""
        return as_text(self)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return as_html(self)
