"""``ValidationReport``: what :func:`linkedin_capi.validate` found, as data."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from linkedin_capi import payload

__all__ = ["ValidationReport"]

_SHOWN_ROWS = 5


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
    """

    valid: pl.DataFrame
    invalid: pl.DataFrame
    skipped: pl.DataFrame
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

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

    def error_counts(self) -> pl.DataFrame:
        """Invalid rows per field (``field``, ``rows``), most frequent first."""
        return (
            self.invalid.select(
                pl.col("errors")
                .list.eval(pl.element().str.extract(r"^([^:]+):"))
                .list.unique()
                .alias("field")
            )
            .explode("field")
            .drop_nulls()
            .group_by("field")
            .agg(pl.len().alias("rows"))
            .sort(["rows", "field"], descending=[True, False])
        )

    def summary(self) -> str:
        """A few lines of text: counts, errors by field, warnings, first invalid rows."""
        c = self.counts
        lines = [
            f"ValidationReport: {c['total']} rows — {c['valid']} valid, "
            f"{c['invalid']} invalid, {c['skipped']} skipped (older than 90 days)"
        ]
        if c["invalid"]:
            by_field = ", ".join(f"{f} {n}" for f, n in self.error_counts().iter_rows())
            lines.append(f"  errors by field: {by_field}")
            for row, errors in self.invalid.select("_row", "errors").head(_SHOWN_ROWS).iter_rows():
                lines.append(f"  row {row}: " + "; ".join(errors))
            if c["invalid"] > _SHOWN_ROWS:
                lines.append(f"  … and {c['invalid'] - _SHOWN_ROWS} more invalid rows")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        if self.ignored_columns:
            lines.append(f"  ignored columns (not sent): {', '.join(self.ignored_columns)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        c = self.counts
        head = (
            f"<b>ValidationReport</b>: {c['total']} rows — "
            f"<span style='color:green'>{c['valid']} valid</span>, "
            f"<span style='color:#b00'>{c['invalid']} invalid</span>, "
            f"{c['skipped']} skipped (older than 90 days)"
        )
        rows = "".join(
            f"<tr><td>{row}</td><td>{html.escape('; '.join(errors))}</td></tr>"
            for row, errors in self.invalid.select("_row", "errors").head(_SHOWN_ROWS).iter_rows()
        )
        table = f"<table><tr><th>_row</th><th>errors</th></tr>{rows}</table>" if rows else ""
        notes = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return f"<div>{head}{table}{'<ul>' + notes + '</ul>' if notes else ''}</div>"
