"""A streaming export tells what validation dropped or guessed, as ``validate()`` does.

Each chunk's ``report.warnings`` are merged by kind over every chunk ("3 rows: X" and
"2 rows: X" make "5 rows: X") into ``result.warnings``, which the CLI prints as
``WARNING:`` lines also with ``--journal`` (a streaming export has no ``result.report``).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

import linkedin_capi as capi
from linkedin_capi.delivery.export import export

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
N = 35


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "eventId": [f"{i:06d}" for i in range(N)],
            "conversionHappenedAt": ["2026-11-27T10:00:00"] * N,  # no zone: read as UTC
            "SHA256_EMAIL": [f"u{i}@example.com" for i in range(N)],
            "li_fat_id": ["undefined" if i % 3 == 0 else None for i in range(N)],
            "firstName": ["Ada"] * N,
            "lastName": ["Lovelace"] * N,
            "countryCode": ["Atlantis" if i % 4 == 0 else "USA" for i in range(N)],
        }
    )


def test_a_streaming_export_merges_the_warnings_of_its_chunks() -> None:
    df = frame()
    result = export(df.lazy(), None, 5, now=NOW, dry_run=True, chunk_size=10, progress=False)
    assert result.report is None
    whole = capi.validate(df, 5, now=NOW).warnings
    assert result.warnings == whole
    assert f"{N} rows: conversionHappenedAt had no time zone" in "\n".join(whole)
    assert any(w.startswith("12 rows: LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID") for w in whole)
    assert any(w.startswith("9 rows: countryCode not sent") for w in whole)


def test_a_dataframe_export_has_the_reports_warnings() -> None:
    df = frame()
    result = export(df, None, 5, now=NOW, dry_run=True, progress=False)
    assert result.report is not None and result.warnings == result.report.warnings
