"""The ValidationReport as people see it: HTML in Jupyter, text in a terminal, charts."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
import re
from pathlib import Path

import polars as pl
import pytest

import linkedin_capi as capi
from linkedin_capi.display import html as _html
from linkedin_capi.display import views as _views
from linkedin_capi.engine.report import ValidationReport

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def days_ago(d: float) -> str:
    return (NOW - dt.timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_report() -> ValidationReport:
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [
                days_ago(0.5),  # 0: valid, email + names
                days_ago(1.5),  # 1: valid, email only
                days_ago(10.2),  # 2: valid, acxiom + first name only (no userInfo)
                days_ago(-3),  # 3: invalid, future
                days_ago(120),  # 4: skipped
                "1764000000",  # 5: invalid, epoch seconds
                days_ago(2),  # 6: invalid, bad email + bad amount
            ],
            "SHA256_EMAIL": [
                "Jane.Doe@Example.com",
                "bob@corp.io",
                None,
                "x@y.zz",
                "old@y.zz",
                "q@y.zz",
                "jane.doe@example",
            ],
            "ACXIOM_ID": [None, None, "ax-1", None, None, None, None],
            "firstName": ["Jane", None, "Al", None, None, None, None],
            "lastName": ["Doe", None, None, None, None, None, None],
            "currencyCode": ["USD", None, None, None, None, None, "USD"],
            "amount": ["10", None, None, None, None, None, "1.234"],
            "notes": ["<script>alert(1)</script>", None, None, None, None, None, "<b>x</b>"],
        }
    )
    return capi.validate(df, conversion=42, now=NOW)


def test_identifier_coverage_counts_valid_rows_and_needs_both_names() -> None:
    cov = make_report().identifier_coverage()
    got = {name: (rows, share) for name, rows, share in cov.iter_rows()}
    assert got["SHA256_EMAIL"] == (2, pytest.approx(2 / 3))
    assert got["ACXIOM_ID"] == (1, pytest.approx(1 / 3))
    # Row 2 has a first name only: no userInfo is sent, so it does not count.
    assert got["first + last name"] == (1, pytest.approx(1 / 3))
    assert got["LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"] == (0, 0.0)
    assert cov.columns == ["identifier", "rows", "share"]


def test_identifier_coverage_of_no_valid_rows_is_null() -> None:
    df = pl.DataFrame({"conversionHappenedAt": ["soon"], "ACXIOM_ID": ["a"]})
    cov = capi.validate(df, conversion=1, now=NOW).identifier_coverage()
    assert cov["rows"].to_list() == [0] * cov.height
    assert cov["share"].null_count() == cov.height


def test_event_days_and_future_rows() -> None:
    r = make_report()
    days = r.event_days()
    assert len(days) == 91
    assert (days[0], days[1], days[10]) == (1, 1, 1)
    assert sum(days) == r.counts["valid"] == 3
    assert r.future_rows() == 1


def test_html_repr_has_counts_breakdown_coverage_and_rows() -> None:
    r = make_report()
    page = r._repr_html_()
    assert "3 valid" in page and "3 invalid" in page and "1 skipped" in page
    assert "Invalid rows by rule" in page
    # Grouped by rule code, with masked sample values.
    assert re.search(r"conversionHappenedAt.epoch_seconds</td><td[^>]*>1</td>", page)
    assert "<code>j***@example</code>" in page
    assert "Identifier coverage" in page and "67%" in page and "33%" in page
    assert "First 3 of 3 invalid rows" in page
    assert "ignored columns" in page and "notes" in page


def test_html_repr_escapes_and_masks() -> None:
    page = make_report()._repr_html_()
    assert "<script>" not in page and "<b>x</b>" not in page
    assert "jane.doe@example" not in page.lower()
    assert "j***@example" in page


def test_html_repr_caps_the_rows_shown() -> None:
    n = _views.SHOWN_ROWS + 7
    df = pl.DataFrame({"conversionHappenedAt": ["soon"] * n, "ACXIOM_ID": ["a"] * n})
    page = capi.validate(df, conversion=1, now=NOW)._repr_html_()
    assert f"First {_views.SHOWN_ROWS} of {n} invalid rows" in page
    assert page.count("expected") == _views.SHOWN_ROWS


def test_empty_report_renders() -> None:
    df = pl.DataFrame(
        {"conversionHappenedAt": [], "ACXIOM_ID": []},
        schema={"conversionHappenedAt": pl.String, "ACXIOM_ID": pl.String},
    )
    r = capi.validate(df, conversion=1, now=NOW)
    assert "0 valid" in r._repr_html_()
    assert r.summary().startswith("ValidationReport: 0 rows")
    assert "nothing to show" in repr(r.plot())


def test_summary_stays_the_cli_text_and_masks() -> None:
    r = make_report()
    text = r.summary()
    assert text.splitlines()[0] == (
        "ValidationReport: 7 rows — 3 valid, 3 invalid, 1 skipped (older than 90 days)"
    )
    assert "  errors by rule:\n    SHA256_EMAIL.format 1 (e.g. 'j***@example')\n" in text
    assert "    conversionHappenedAt.epoch_seconds 1 (e.g. '1764000000')\n" in text
    assert "identifiers (share of valid rows): SHA256_EMAIL 67%, ACXIOM_ID 33%" in text
    assert "jane.doe@example" not in text.lower()
    assert repr(r) == text


def test_plot_draws_errors_by_field_and_the_window() -> None:
    r = make_report()
    charts = r.plot()
    assert len(charts) == 2
    by_field, window = charts[0], charts[1]
    assert "<title>conversionHappenedAt: 2</title>" in by_field.svg
    assert "<title>older than 90 days: 1</title>" in window.svg
    assert "<title>in the future: 1</title>" in window.svg
    assert "<title>0 days ago: 1</title>" in window.svg
    assert "<title>10 days ago: 1</title>" in window.svg
    assert "conversionHappenedAt  " in repr(by_field)
    assert "older than 90 days" in repr(charts)
    assert charts._repr_html_().count("<svg") == 2


def test_chart_save_writes_svg(tmp_path: Path) -> None:
    out = make_report().plot()[0].save(tmp_path / "errors.svg")
    assert out.read_text().startswith("<svg")


def test_text_table_aligns_numbers_right() -> None:
    lines = _html.text_table(["name", "rows"], [["a", 5], ["bb", 120]]).splitlines()
    assert lines[2] == "a        5"
    assert lines[3] == "bb     120"


@pytest.mark.parametrize(
    "name",
    ["display.html", "display.charts", "display.views", "display._registry", "widgets._common"],
)
def test_module_examples(name: str) -> None:
    module = importlib.import_module(f"linkedin_capi.{name}")
    failed, tried = doctest.testmod(module, verbose=False)
    assert tried > 0 and failed == 0


def test_report_examples() -> None:
    import linkedin_capi.engine.report as report

    failed, tried = doctest.testmod(report)
    assert tried > 0 and failed == 0
