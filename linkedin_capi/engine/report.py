"""``ValidationReport``: what :func:`linkedin_capi.engine.validate` found, as data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


@dataclass(frozen=True, repr=False)
class ValidationReport:
    """Valid, invalid and skipped rows of one validation run, each keyed by ``_row``.

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
    """

    valid: pl.DataFrame
    invalid: pl.DataFrame
    skipped: pl.DataFrame
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    failures: pl.DataFrame = field(default_factory=_no_failures)
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """``{"total", "valid", "invalid", "skipped"}`` row counts."""
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
        return self.invalid.height == 0

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
        errors = self.failures.filter(pl.col("severity") == "error")
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
        valid = self.valid
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
        return pl.DataFrame(
            {
                "identifier": list(IDENTIFIERS),
                "rows": list(rows),
                "share": [n / total if total else None for n in rows],
            },
            schema={"identifier": pl.String, "rows": pl.Int64, "share": pl.Float64},
        )

    def event_days(self) -> list[int]:
        """Valid events per whole day before :attr:`now`: ``[today, 1 day ago, …, 90]``."""
        counts = [0] * (WINDOW_DAYS + 1)
        if self.valid.height and HAPPENED_AT in self.valid.columns:
            now_ms = int(self.now.timestamp() * 1000)
            ago = ((now_ms - pl.col(HAPPENED_AT)) // _DAY_MS).clip(0, WINDOW_DAYS)
            for day, n in self.valid.select(ago.alias("d")).group_by("d").len().iter_rows():
                if day is not None:
                    counts[int(day)] += n
        return counts

    def future_rows(self) -> int:
        """Invalid rows whose only or one problem is a time after :attr:`now`."""
        if not self.invalid.height:
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
