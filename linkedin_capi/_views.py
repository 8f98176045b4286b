"""How results look in Jupyter: the HTML behind each ``_repr_html_``.

The objects keep their data and logic; this module only lays them out (compact, escaped,
e-mail addresses masked, capped row counts). Text forms live beside the objects.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from linkedin_capi._constants import ROW, WINDOW_DAYS
from linkedin_capi._html import (
    COLORS,
    badge,
    esc,
    meter,
    panel,
    section,
    short,
    table,
)

if TYPE_CHECKING:
    from linkedin_capi.report import ValidationReport

__all__ = ["report_html", "stacked_bar"]

#: Invalid rows shown in the HTML report; every row is in ``report.invalid``.
SHOWN_ROWS = 10
#: Input columns shown next to the errors of an invalid row.
SHOWN_COLUMNS = 8


def stacked_bar(parts: list[tuple[int, str, str]], width: int = 360) -> str:
    """One bar split into coloured parts ``(count, colour, label)``, proportional."""
    total = sum(n for n, _, _ in parts)
    if not total:
        return ""
    spans = "".join(
        f"<span title='{html.escape(label)}: {n}' style='display:inline-block;height:10px;"
        f"width:{n / total * width:.1f}px;background:{color}'></span>"
        for n, color, label in parts
        if n
    )
    return f"<div style='margin:4px 0;line-height:0;font-size:0'>{spans}</div>"


def _flex(*blocks: str) -> str:
    inner = "".join(f"<div style='margin-right:28px'>{b}</div>" for b in blocks if b)
    return f"<div style='display:flex;flex-wrap:wrap;align-items:flex-start'>{inner}</div>"


def report_html(report: ValidationReport) -> str:
    """The HTML of a :class:`~linkedin_capi.report.ValidationReport`."""
    c = report.counts
    head = (
        badge("valid", c["valid"], COLORS["valid"])
        + badge("invalid", c["invalid"], COLORS["invalid"])
        + badge(f"skipped (older than {WINDOW_DAYS} days)", c["skipped"], COLORS["skipped"])
        + stacked_bar(
            [
                (c["valid"], COLORS["valid"], "valid"),
                (c["invalid"], COLORS["invalid"], "invalid"),
                (c["skipped"], COLORS["skipped"], "skipped"),
            ]
        )
    )

    by_field = ""
    if c["invalid"]:
        rows = [
            (field, str(n), meter(n / c["invalid"], COLORS["invalid"], 80))
            for field, n in report.error_counts().iter_rows()
        ]
        by_field = section(
            "Invalid rows by field",
            table(["field", "rows", "of invalid"], rows, right=[1], raw=[2]),
        )
    coverage = ""
    if c["valid"]:
        cov = [
            (name, str(n), meter(share, COLORS["accent"], 80))
            for name, n, share in report.identifier_coverage().iter_rows()
        ]
        coverage = section(
            "Identifier coverage (valid rows)",
            table(["identifier", "rows", "share"], cov, right=[1], raw=[2]),
        )

    body = head + _flex(by_field, coverage)
    if c["invalid"]:
        body += section(
            f"First {min(SHOWN_ROWS, c['invalid'])} of {c['invalid']} invalid rows",
            _invalid_rows(report),
        )
    notes = [html.escape(w) for w in report.warnings]
    if report.ignored_columns:
        names = ", ".join(f"<code>{esc(n)}</code>" for n in report.ignored_columns)
        notes.append(f"ignored columns (not LinkedIn fields, never sent): {names}")
    if notes:
        items = "".join(f"<li>{n}</li>" for n in notes)
        body += section("Notes", f"<ul style='margin:2px 0 0 18px;padding:0'>{items}</ul>")
    body += (
        f"<div style='margin-top:6px;color:{COLORS['muted']};font-size:11px'>"
        "every row: <code>.valid</code>, <code>.invalid</code> (with <code>errors</code>), "
        "<code>.skipped</code> — keyed by <code>_row</code>; charts: <code>.plot()</code>"
        "</div>"
    )
    when = report.now.strftime("%Y-%m-%d %H:%M UTC")
    return panel("ValidationReport", body, subtitle=f"{c['total']} rows · now = {when}")


def _invalid_rows(report: ValidationReport) -> str:
    shown = report.invalid.head(SHOWN_ROWS)
    ignored = set(report.ignored_columns)
    inputs = [n for n in shown.columns if n not in (ROW, "errors") and n not in ignored]
    more = len(inputs) - SHOWN_COLUMNS
    inputs = inputs[:SHOWN_COLUMNS]
    rows = []
    for record in shown.iter_rows(named=True):
        errors = (
            "<div style='min-width:280px'>"
            + "<br>".join(
                f"<span style='color:{COLORS['invalid']}'>{html.escape(short(e, 160))}</span>"
                for e in record["errors"]
            )
            + "</div>"
        )
        rows.append([str(record[ROW]), errors, *(esc(record[n]) for n in inputs)])
    headers = [ROW, "errors", *inputs]
    note = (
        f"<div style='color:{COLORS['muted']};font-size:11px'>{more} more columns not shown; "
        "e-mail addresses are masked</div>"
        if more > 0
        else f"<div style='color:{COLORS['muted']};font-size:11px'>e-mail addresses are masked"
        "</div>"
    )
    return table(headers, rows, right=[0], raw=range(1, len(headers))) + note
