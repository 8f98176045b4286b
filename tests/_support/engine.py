"""Shared helpers for the validation-engine tests (kept out of conftest.py on purpose)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import polars as pl

import linkedin_capi as capi
from linkedin_capi.engine.report import ValidationReport

#: One pinned reference time: the seed document's 2024 examples fall inside its window.
NOW = dt.datetime(2024, 9, 1, tzinfo=dt.UTC)
NOW_MS = 1_725_148_800_000
DAY_MS = 86_400_000
#: A time comfortably inside the window (the seed's '2024-08-28T15:30:00Z').
T = "2024-08-28T15:30:00Z"
T_MS = 1_724_859_000_000
URN = "urn:lla:llaPartnerConversion:"


def sha(text: str) -> str:
    """The reference digest LinkedIn matches on (hashlib, not the engine's plugin)."""
    return hashlib.sha256(text.encode()).hexdigest()


def run(columns: dict[str, Any], conversion: Any = 1, **frame_kwargs: Any) -> ValidationReport:
    """Validate a frame built from ``columns`` at the pinned ``NOW``."""
    return capi.validate(pl.DataFrame(columns, **frame_kwargs), conversion, now=NOW)


def one(column: str, values: list[Any], dtype: Any = None, **extra: list[Any]) -> ValidationReport:
    """Validate one field's ``values`` in rows that are otherwise valid (ACXIOM_ID, time T)."""
    n = len(values)
    series = [pl.Series(column, values, dtype=dtype)]
    base = {"conversionHappenedAt": [T] * n, "ACXIOM_ID": ["acx"] * n, **extra}
    base = {k: v for k, v in base.items() if k.lower() != column.lower()}
    df = pl.DataFrame(base).with_columns(series)
    return capi.validate(df, 1, now=NOW)


def errors_by_row(report: ValidationReport) -> dict[int, list[str]]:
    return dict(
        zip(report.invalid["_row"].to_list(), report.invalid["errors"].to_list(), strict=True)
    )


def valid_values(report: ValidationReport, field: str) -> dict[int, Any]:
    return dict(zip(report.valid["_row"].to_list(), report.valid[field].to_list(), strict=True))


def partition_ok(report: ValidationReport, n: int) -> None:
    """Every input row is in exactly one of valid / invalid / skipped."""
    rows = [
        *report.valid["_row"].to_list(),
        *report.invalid["_row"].to_list(),
        *report.skipped["_row"].to_list(),
    ]
    assert sorted(rows) == list(range(n)), rows
    assert report.counts == {
        "total": n,
        "valid": report.valid.height,
        "invalid": report.invalid.height,
        "skipped": report.skipped.height,
    }
