"""The outcome of an export: one status per input row, keyed by ``_row``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from linkedin_capi._constants import EXPORT_STATUSES, ROW
from linkedin_capi._render import as_html, as_text

if TYPE_CHECKING:
    from linkedin_capi.engine.report import ValidationReport

__all__ = ["ExportResult"]


@dataclass(frozen=True, repr=False)
class ExportResult:
    """What happened to every input row of an export.

    Attributes
    ----------
    rows : pl.DataFrame
        ``_row`` (the input row index), ``status`` (``sent``, ``already_sent``, ``failed``,
        ``invalid``, ``skipped`` or ``dry_run``) and ``error`` (LinkedIn's or the validator's
        message; null when sent), one row per input row, sorted by ``_row``. A streaming
        export (LazyFrame, journal) gives ``status`` as ``pl.Enum`` and ``error`` as
        ``pl.Categorical`` (a few bytes a row at 10 million rows); compare them with
        strings as usual, or ``cast(pl.String)``.
    report : ValidationReport or None
        The validation the export sent from; ``None`` for a streaming export (it never
        holds the whole validated dataset; messages are in ``rows``).
    requests : int
        HTTP requests made to ``conversionEvents`` (every attempt, retries included).
    stopped : str or None
        Why the export stopped before sending everything (persistent HTTP 429, the daily
        request budget, LinkedIn down), or ``None``. Re-run with the same ``journal=``.
    resume_at : datetime or None
        When a quota stop can be retried: the next midnight UTC, when LinkedIn's daily
        counters reset.
    resent : int
        Events put on the wire again after an ambiguous failure (a read timeout or reset
        after sending, a 504, or an earlier run's batch without an answer): LinkedIn may
        have them twice (it documents deduplication only between the Insight Tag and CAPI).
    warnings : list of str
        What validation dropped, changed or guessed (placeholders, a dropped countryCode,
        times read as UTC, ...), one line per kind with its count over every chunk: the
        same lines as ``report.warnings``, also for a streaming export.

    Examples
    --------
    >>> rows = pl.DataFrame({"_row": [0, 1], "status": ["sent", "invalid"],
    ...                      "error": [None, "amount: not a number"]})
    >>> result = ExportResult(rows=rows, report=None)
    >>> result.sent, result.invalid, result.ok
    (1, 1, False)
    """

    rows: pl.DataFrame
    report: ValidationReport | None
    requests: int = 0
    stopped: str | None = None
    resume_at: dt.datetime | None = None
    resent: int = 0
    warnings: list[str] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return int((self.rows.get_column("status") == status).sum())

    @property
    def sent(self) -> int:
        """Rows LinkedIn acknowledged."""
        return self._count("sent")

    @property
    def already_sent(self) -> int:
        """Rows an earlier run with the same journal had delivered (not sent again)."""
        return self._count("already_sent")

    @property
    def failed(self) -> int:
        """Valid rows LinkedIn rejected or that could not be delivered."""
        return self._count("failed")

    @property
    def invalid(self) -> int:
        """Rows the validator rejected (never sent)."""
        return self._count("invalid")

    @property
    def skipped(self) -> int:
        """Rows older than LinkedIn's 90-day window (never sent)."""
        return self._count("skipped")

    @property
    def counts(self) -> dict[str, int]:
        """``{"total": n, "sent": n, "already_sent": n, "failed": n, ...}`` (every status)."""
        counts = {"total": self.rows.height}
        counts.update({status: self._count(status) for status in EXPORT_STATUSES})
        return counts

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing was invalid."""
        return self.failed == 0 and self.invalid == 0

    @property
    def failures(self) -> pl.DataFrame:
        """The ``failed`` and ``invalid`` rows with their errors."""
        return self.rows.filter(pl.col("status").is_in(["failed", "invalid"]))

    def reasons(self) -> pl.DataFrame:
        """Failed and invalid rows grouped by message, numbers and indices stripped.

        ``status``, ``reason`` (the message with every number as ``#``, so "element 3" and
        "element 7" are one group), ``rows`` and ``example`` (one message in full), most
        frequent first.

        Examples
        --------
        >>> rows = pl.DataFrame({"_row": pl.Series([0, 1, 2], dtype=pl.UInt32),
        ...                      "status": ["failed"] * 3,
        ...                      "error": ["elements/0: bad", "elements/1: bad", "x"]})
        >>> ExportResult(rows=rows, report=None).reasons().select("reason", "rows").rows()
        [('elements/#: bad', 2), ('x', 1)]
        """
        error = pl.col("error").cast(pl.String).fill_null("")
        return (
            self.failures.with_columns(
                pl.col("status").cast(pl.String),
                error.str.replace_all(r"[0-9]+", "#").alias("reason"),
            )
            .group_by("status", "reason")
            .agg(pl.len().cast(pl.UInt32).alias("rows"), error.first().alias("example"))
            .sort(["rows", "reason"], descending=[True, False])
        )

    def join(self, data: pl.DataFrame) -> pl.DataFrame:
        """``data`` (the frame that was exported) with ``status`` and ``error`` columns.

        Examples
        --------
        >>> rows = pl.DataFrame({"_row": pl.Series([0, 1], dtype=pl.UInt32),
        ...                      "status": ["sent", "failed"], "error": [None, "x"]})
        >>> ExportResult(rows=rows, report=None).join(pl.DataFrame({"a": [5, 6]})).columns
        ['a', 'status', 'error']
        """
        indexed = data.with_row_index(ROW)
        keys = self.rows.with_columns(pl.col(ROW).cast(indexed.schema[ROW]))
        return indexed.join(keys, on=ROW, how="left").sort(ROW).drop(ROW)

    def summary(self) -> str:
        """One line: ``"1000 rows: 990 sent, 3 failed, 5 invalid, 2 skipped"``."""
        counts = self.counts
        parts = [f"{counts[s]} {s.replace('_', ' ')}" for s in EXPORT_STATUSES if counts[s]]
        line = f"{counts['total']} rows: " + (", ".join(parts) or "nothing to send")
        if self.resent:
            line += f"; {self.resent} re-sent after an ambiguous failure (possible duplicates)"
        return f"{line}; stopped: {self.stopped}" if self.stopped else line

    def __repr__(self) -> str:
        return f"ExportResult({self.summary()}, ok={self.ok})"

    def __str__(self) -> str:
        return as_text(self)

    def _repr_html_(self) -> str:
        return as_html(self)
