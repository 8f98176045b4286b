"""ValidationReport: counts, partition, payload order, warnings, summaries."""

from __future__ import annotations

import polars as pl
from _support.engine import T, partition_ok, run

from linkedin_capi.engine.report import ValidationReport

FRAME = {
    "conversionHappenedAt": [T, "soon", "2020-01-01", T, T, "2099-01-01", T],
    "ACXIOM_ID": ["a", "b", "c", None, "e", "f", "g"],
    "ORACLE_MOAT_ID": [None, None, None, None, "m", None, None],
    "firstName": ["F", None, None, None, None, None, "<b>"],
    "crm": [1, 2, 3, 4, 5, 6, 7],
    "notes": ["x"] * 7,
}


def report() -> ValidationReport:
    return run(FRAME)


def test_counts_add_up_and_rows_partition() -> None:
    r = report()
    partition_ok(r, 7)
    assert r.counts == {"total": 7, "valid": 3, "invalid": 3, "skipped": 1}
    assert r.valid["_row"].to_list() == [0, 4, 6]
    assert r.invalid["_row"].to_list() == [1, 3, 5]
    assert r.skipped["_row"].to_list() == [2]
    assert not r.ok


def test_row_column_is_first_and_unsigned_in_all_three_frames() -> None:
    r = report()
    for frame in (r.valid, r.invalid, r.skipped):
        assert frame.columns[0] == "_row"
        assert frame.schema["_row"].is_integer()
        assert frame["_row"].is_sorted()
        assert frame["_row"].null_count() == 0


def test_payloads_follow_the_valid_frame_order() -> None:
    r = report()
    ids = [p["user"]["userIds"][0]["idValue"] for p in r.payloads()]
    assert ids == r.valid["ACXIOM_ID"].to_list() == ["a", "e", "g"]


def test_ok_ignores_skipped_rows() -> None:
    r = run({"conversionHappenedAt": ["2020-01-01", T], "ACXIOM_ID": ["a", "b"]})
    assert r.ok
    assert r.counts["skipped"] == 1


def test_ignored_columns_and_warnings() -> None:
    r = report()
    assert r.ignored_columns == ["crm", "notes"]
    assert r.warnings == [
        "2 rows: userInfo omitted, lastName missing",
        "1 rows: ORACLE_MOAT_ID is reported as removed from recent LinkedIn-Versions and may "
        "be rejected (HTTP 422)",
        # "2099-01-01": a bare date, read as midnight UTC (the skipped 2020 row is not counted)
        "1 rows: conversionHappenedAt had no time zone and was read as UTC; pass "
        "timezone='Area/City' (--timezone in the CLI) if these are local times",
    ]


def test_error_counts_and_summary() -> None:
    r = report()
    counts = r.error_counts()
    assert counts.to_dicts() == [
        {
            "field": "conversionHappenedAt",
            "rule": "conversionHappenedAt.format",
            "rows": 1,
            "sample": ["soon"],
        },
        {
            "field": "conversionHappenedAt",
            "rule": "conversionHappenedAt.future",
            "rows": 1,
            "sample": ["2099-01-01"],
        },
        {"field": "user", "rule": "user.no_identifier", "rows": 1, "sample": []},
    ]
    assert r.error_counts(by="field").to_dicts() == [
        {"field": "conversionHappenedAt", "rows": 2},
        {"field": "user", "rows": 1},
    ]
    text = r.summary()
    assert text.splitlines()[0] == (
        "ValidationReport: 7 rows — 3 valid, 3 invalid, 1 skipped (older than 90 days)"
    )
    assert "    conversionHappenedAt.format 1 (e.g. 'soon')" in text
    assert "    user.no_identifier 1\n" in text
    assert "  row 1: conversionHappenedAt: expected epoch milliseconds" in text
    assert "ignored columns (not sent): crm, notes" in text
    assert "warning: 2 rows: userInfo omitted, lastName missing" in text
    assert repr(r) == text


def test_summary_shows_at_most_five_invalid_rows() -> None:
    r = run({"conversionHappenedAt": ["soon"] * 8, "ACXIOM_ID": ["a"] * 8})
    lines = [line for line in r.summary().splitlines() if line.startswith("  row ")]
    assert len(lines) == 5
    assert "… and 3 more invalid rows" in r.summary()


def test_html_repr_escapes_values() -> None:
    r = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"], "lead": ["<script>"]})
    html = r._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "1 invalid" in html


def test_empty_frame_report() -> None:
    r = run(
        {"conversionHappenedAt": [], "ACXIOM_ID": []},
        schema={"conversionHappenedAt": pl.String, "ACXIOM_ID": pl.String},
    )
    assert r.counts == {"total": 0, "valid": 0, "invalid": 0, "skipped": 0}
    assert r.ok
    assert r.payloads() == []
    assert r.error_counts().height == 0
    assert r.valid.columns == ["_row", "conversion", "conversionHappenedAt", "ACXIOM_ID"]
