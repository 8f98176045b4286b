"""Registers the display room's renderers into :mod:`linkedin_capi._render`.

One place that says which view draws which object; importing :mod:`linkedin_capi.display`
runs it.

Examples
--------
>>> import polars as pl, linkedin_capi as capi
>>> from linkedin_capi._render import as_text
>>> report = capi.validate(pl.DataFrame({"conversionHappenedAt": ["x"], "SHA256_EMAIL": ["x"]}),
...                        conversion=1)
>>> as_text(report) == report.summary() and report.summary().startswith("ValidationReport: 1")
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linkedin_capi._constants import WINDOW_DAYS
from linkedin_capi._render import as_chart, as_html, as_text, register_named
from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.display import views
from linkedin_capi.display.charts import Charts, bar_chart, window_chart
from linkedin_capi.display.html import mask, percent, short
from linkedin_capi.display.safe import MAX_LINE_CHARS, listed, safe_text
from linkedin_capi.engine.report import ValidationReport

_SHOWN_ROWS = 5


@as_text.register
def report_text(report: ValidationReport, where: Callable[[int], str] | None = None) -> str:
    """A few lines of text: counts, errors by field, warnings, first invalid rows.

    ``where`` names a row for a person (the CLI passes ``"line 12"`` for a file's rows);
    by default ``"row 10"``, the ``_row`` index.
    """
    name = where if where is not None else (lambda row: f"row {row}")
    c = report.counts
    lines = [
        f"ValidationReport: {c['total']} rows — {c['valid']} valid, "
        f"{c['invalid']} invalid, {c['skipped']} skipped (older than {WINDOW_DAYS} days)"
    ]
    if c["invalid"]:
        lines.append("  errors by rule:")
        for _field, rule, n, sample in report.error_counts().iter_rows():
            values = ", ".join(repr(short(v, 40)) for v in sample)
            lines.append(f"    {rule} {n}" + (f" (e.g. {values})" if values else ""))
        for row, errors in report.invalid.select("_row", "errors").head(_SHOWN_ROWS).iter_rows():
            lines.append(f"  {name(row)}: " + safe_text(mask("; ".join(errors)), MAX_LINE_CHARS))
        if c["invalid"] > _SHOWN_ROWS:
            lines.append(f"  … and {c['invalid'] - _SHOWN_ROWS} more invalid rows")
    lines.extend(f"  warning: {safe_text(w, MAX_LINE_CHARS)}" for w in report.warnings)
    if c["valid"]:
        covered = [
            f"{name} {percent(share)}"
            for name, rows, share in report.identifier_coverage().iter_rows()
            if rows
        ]
        lines.append(f"  identifiers (share of valid rows): {', '.join(covered)}")
    if report.ignored_columns:
        ignored = listed(report.ignored_columns, 20, quote=False)
        lines.append(f"  ignored columns (not sent): {ignored}")
    return "\n".join(lines)


@as_chart.register
def report_charts(report: ValidationReport) -> Charts:
    """Invalid rows by field, and event times against the window."""
    by_field = [(f, n) for f, n in report.error_counts(by="field").iter_rows()]
    return Charts(
        (
            bar_chart("Invalid rows by field", by_field),
            window_chart(
                f"Event times against the {WINDOW_DAYS}-day window",
                report.event_days(),
                older=report.skipped.height,
                future=report.future_rows(),
                window_days=WINDOW_DAYS,
            ),
        )
    )


#: Which view draws which object: (type or dotted class name, HTML view, text view or None).
#: The HTTP side's classes are named, not imported: ``import linkedin_capi`` does not load
#: requests and pydantic, and their views are found by name when such an object shows itself.
_VIEWS: tuple[tuple[type | str, Callable[[Any], str], Callable[[Any], str] | None], ...] = (
    (ValidationReport, views.report_html, None),
    (ExportResult, views.result_html, views.result_text),
    ("linkedin_capi.resources.rules.ConversionRule", views.rule_html, views.rule_text),
    ("linkedin_capi.resources.rules.RuleList", views.rules_html, views.rules_text),
    (
        "linkedin_capi.resources.accounts.AdAccount",
        lambda account: views.accounts_html([account], title="AdAccount"),
        None,
    ),
    ("linkedin_capi.resources.accounts.AccountList", views.accounts_html, views.accounts_text),
    ("linkedin_capi.connection.Connection", views.connection_html, None),
    ("linkedin_capi.resources.campaigns.Campaign", views.campaign_html, views.campaign_text),
)

for _cls, _html_view, _text_view in _VIEWS:
    for _dispatcher, _view in ((as_html, _html_view), (as_text, _text_view)):
        if _view is None:
            continue
        if isinstance(_cls, str):
            register_named(_dispatcher, _cls, _view)
        else:
            _dispatcher.register(_cls, _view)
