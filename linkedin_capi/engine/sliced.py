"""``SlicedValidation``: a frame validated slice by slice, each row evaluated once.

What an eager export uses so that sending starts after the first slice, not after the
whole frame: each slice is validated with every part built from one evaluation
(``validate_chunk(lazy=False)``), its valid rows go out, and at the end the slices' status
bytes make the same lazy :class:`~linkedin_capi.engine.report.ValidationReport` that
:func:`~linkedin_capi.engine.validate.validate` gives, without evaluating any row again.

Examples
--------
>>> import datetime as dt, polars as pl
>>> from linkedin_capi.engine.validate import make_plan
>>> now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
>>> df = pl.DataFrame({"conversionHappenedAt": ["2026-11-27", "x", "2026-11-26"],
...                    "ACXIOM_ID": ["a", "b", "c"]})
>>> sliced = SlicedValidation(df, make_plan(df.schema, 1, now=now, nulls=df))
>>> [part.counts["valid"] for part in sliced.slices(2)]
[1, 1]
>>> sliced.report().counts
{'total': 3, 'valid': 2, 'invalid': 1, 'skipped': 0}
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import NamedTuple

import polars as pl

from linkedin_capi._constants import CONVERSION
from linkedin_capi.engine._splits import FIELD_WARNING, LazySplits, split_now
from linkedin_capi.engine.checks import norm
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.engine.validate import ExprCache, Plan, report_of, row_exprs

__all__ = ["SlicedValidation"]


class _Slice(NamedTuple):
    start: int
    status: pl.Series
    #: Field warnings per flag (the other warning kinds are bits of ``status``).
    field_counts: dict[str, int]
    #: invalid, skipped, failures, when built (``None`` for a lazily validated rest).
    built: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None


class SlicedValidation:
    """Validate ``df`` under ``plan`` a slice at a time; :meth:`report` joins the slices.

    Parameters
    ----------
    df
        The whole frame (kept, as :func:`~linkedin_capi.engine.validate.validate` keeps it).
    plan
        Taken from the whole frame (``make_plan(df.schema, ..., nulls=df)``).

    Notes
    -----
    :meth:`slices` may run in another thread than :meth:`rest` and :meth:`report` (an
    export validates ahead of its senders): a lock keeps the slices in order, and once
    :meth:`rest` ran, :meth:`slices` yields nothing more.
    """

    def __init__(self, df: pl.DataFrame, plan: Plan) -> None:
        self.df = df
        self.plan = plan
        self._slices: list[_Slice] = []
        self._done = 0
        self._closed = False
        self._lock = threading.Lock()
        self._exprs: ExprCache = {}  # one plan: built once per reading

    def rules(self) -> list[str]:
        """Every rule URN a row may be sent under, valid rows or not (nothing is sliced).

        A superset of the valid rows' rules, from the distinct ``conversion`` values only:
        what an export can check before its first event without validating everything.

        Examples
        --------
        >>> import datetime as dt, polars as pl
        >>> from linkedin_capi.engine.validate import make_plan
        >>> df = pl.DataFrame({"conversionHappenedAt": ["2026-11-27"] * 3,
        ...                    "ACXIOM_ID": ["a", "b", "c"], "conversion": [5, None, 5]})
        >>> plan = make_plan(df.schema, 4, now=dt.datetime(2026, 11, 28), nulls=df)
        >>> SlicedValidation(df, plan).rules()
        ['urn:lla:llaPartnerConversion:4', 'urn:lla:llaPartnerConversion:5']
        """
        name = self.plan.fields.get(CONVERSION)
        if name is None:
            return [self.plan.default_urn] if self.plan.default_urn else []
        values = self.df.select(pl.col(name).unique())
        rx = row_exprs(values, replace(self.plan, fields={CONVERSION: name}))
        rules = (
            values.lazy()
            .with_columns(**rx.prepared)
            .with_columns(**rx.normalized)
            .with_columns(**rx.second_stage)
            .select(norm(CONVERSION))
            .collect()
            .to_series()
        )
        return sorted(rules.drop_nulls().unique().to_list())

    def slices(self, rows: int) -> Iterator[ValidationReport]:
        """Reports of the next ``rows`` rows at a time, until the frame is done.

        Each report has every part built (``valid`` to send, ``invalid``, ``skipped``);
        an empty frame gives one empty report, so the caller always sees the schema.
        """
        first = True
        while True:
            with self._lock:
                if self._closed or (self._done >= self.df.height and not first):
                    return
                first = False
                report = self._take(min(rows, self.df.height - self._done))
            yield report

    def _take(self, n: int) -> ValidationReport:
        part = self.df.slice(self._done, n)
        rx = row_exprs(part, self.plan, self._exprs)
        split = split_now(part, rx, self._done)
        built = (split.invalid, split.skipped, split.failures)
        self._slices.append(_Slice(self._done, split.status, _fields(split.warning_counts), built))
        self._done += n
        return report_of(
            part,
            self.plan,
            rx,
            split.warning_counts,
            valid=split.valid,
            invalid=split.invalid,
            skipped=split.skipped,
            failures=split.failures,
        )

    def rest(self, start: int) -> ValidationReport:
        """The report of rows ``start`` onwards (after a stop), built lazily like
        :func:`~linkedin_capi.engine.validate.validate`'s.

        ``start``: the first row whose slice the caller did not use (a slice validated
        ahead but never used is validated again). :meth:`slices` stops.
        """
        with self._lock:
            self._closed = True
            self._slices = [s for s in self._slices if s.start < start]
            part = self.df.slice(start)
            rx = row_exprs(part, self.plan)
            splits = LazySplits.run(part, rx, start)
            self._slices.append(_Slice(start, splits.status, _fields(splits.warning_counts), None))
            self._done = self.df.height
        return report_of(part, self.plan, rx, splits.warning_counts, source=splits)

    def report(self) -> ValidationReport:
        """The whole frame's report (lazy, as ``validate()``'s); validates what is left."""
        if self._done < self.df.height:
            self.rest(self._done)
        with self._lock:
            slices = list(self._slices)
        rx = row_exprs(self.df, self.plan)
        status = (
            pl.concat([s.status for s in slices], rechunk=True)
            if slices
            else pl.Series(dtype=pl.UInt8)
        )
        splits = LazySplits(self.df, rx, 0, status)
        for s in slices:
            for key, count in s.field_counts.items():
                splits.warning_counts[key] = splits.warning_counts.get(key, 0) + count
        parts: dict[str, pl.DataFrame] = {}
        if slices and all(s.built is not None for s in slices):
            # Every slice built its invalid, skipped and failure rows already: keep them.
            built = [s.built for s in slices if s.built is not None]
            invalid, skipped, failures = (pl.concat(p) for p in zip(*built, strict=True))
            parts = {"invalid": invalid, "skipped": skipped, "failures": failures}
        return report_of(self.df, self.plan, rx, splits.warning_counts, source=splits, **parts)


def _fields(counts: dict[str, int]) -> dict[str, int]:
    """The field warnings' counts (the other kinds are bits of the status byte)."""
    return {k: v for k, v in counts.items() if k.startswith(FIELD_WARNING)}
