"""How results look in Jupyter: the HTML behind each ``_repr_html_``.

The objects keep their data and logic; this module only lays them out (compact, escaped,
e-mail addresses masked, capped row counts). Text forms live beside the objects.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from linkedin_capi._constants import API_VERSIONS, ROW, WINDOW_DAYS
from linkedin_capi.display.html import (
    COLORS,
    badge,
    esc,
    mask,
    meter,
    panel,
    section,
    short,
    table,
    text_table,
)

if TYPE_CHECKING:
    from linkedin_capi.engine.report import ValidationReport

__all__ = [
    "accounts_html",
    "accounts_text",
    "connection_html",
    "error_html",
    "label",
    "message_html",
    "report_html",
    "result_html",
    "result_text",
    "rule_html",
    "rule_text",
    "rules_html",
    "rules_text",
    "stacked_bar",
]

#: Invalid rows shown in the HTML report; every row is in ``report.invalid``.
SHOWN_ROWS = 5
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
    """The HTML of a :class:`~linkedin_capi.engine.report.ValidationReport`."""
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
            (
                rule,
                str(n),
                meter(n / c["invalid"], COLORS["invalid"], 80),
                ", ".join(f"<code>{esc(v)}</code>" for v in sample),
            )
            for _field, rule, n, sample in report.error_counts().iter_rows()
        ]
        by_field = section(
            "Invalid rows by rule",
            table(["rule", "rows", "of invalid", "sample values"], rows, right=[1], raw=[2, 3]),
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
        "<code>.skipped</code> — keyed by <code>_row</code>; one row per problem: "
        "<code>.failures</code>; charts: <code>.plot()</code>"
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


# -- rules, accounts, results, errors (duck-typed: the objects only need their fields) -----


def label(value: object) -> str:
    """A readable label for one of LinkedIn's enum values: ``ADD_TO_CART`` → ``Add to cart``.

    Examples
    --------
    >>> label("LAST_TOUCH_BY_CAMPAIGN"), label(None)
    ('Last touch by campaign', '–')
    """
    if value is None:
        return "–"
    return str(value).replace("_", " ").capitalize()


def _days(value: object) -> str:
    return "–" if value is None else f"{value} days"


def _flag(value: object) -> str:
    if value is True:
        return "yes"
    return "no" if value is False else "–"


def rule_fields(rule: Any) -> list[tuple[str, str]]:
    """``(name, text)`` pairs describing a conversion rule, in reading order."""
    campaigns = getattr(rule, "campaigns", None) or []
    return [
        ("id", str(rule.id)),
        ("name", str(getattr(rule, "name", "") or "")),
        ("URN", str(rule.urn)),
        ("type", label(getattr(rule, "type", None))),
        ("post-click window", _days(getattr(rule, "post_click_window", None))),
        ("view-through window", _days(getattr(rule, "view_through_window", None))),
        ("attribution", label(getattr(rule, "attribution_type", None))),
        ("enabled", _flag(getattr(rule, "enabled", None))),
        ("method", str(getattr(rule, "conversion_method", None) or "–")),
        ("account", str(getattr(rule, "account", None) or "–")),
        ("shared", _flag(getattr(rule, "shared", None))),
        ("campaigns", str(len(campaigns))),
    ]


def rule_html(rule: Any, *, title: str = "ConversionRule") -> str:
    """A conversion rule as a two-column table (the URN is what events use)."""
    rows = [(k, esc(v) if k != "URN" else f"<code>{esc(v)}</code>") for k, v in rule_fields(rule)]
    return panel(title, table(["", ""], rows, raw=[1]), subtitle=str(rule.name or ""))


_RULE_COLUMNS = ["id", "name", "type", "post-click", "view-through", "attribution", "enabled"]


def rule_rows(rules: Iterable[Any]) -> list[list[str]]:
    """One row of :data:`_RULE_COLUMNS` per rule (for the HTML and text tables)."""
    return [
        [
            str(r.id),
            str(r.name or ""),
            label(r.type),
            _days(r.post_click_window),
            _days(r.view_through_window),
            label(r.attribution_type),
            _flag(r.enabled),
        ]
        for r in rules
    ]


def rules_html(rules: Sequence[Any], *, title: str = "Conversion rules") -> str:
    """A list of rules as a table; rules that cannot take API events are marked."""
    rows = rule_rows(rules)
    for row, rule in zip(rows, rules, strict=True):
        if not getattr(rule, "streamable", True):
            row[1] += f" (method {rule.conversion_method}: not for the Conversions API)"
    body = table(_RULE_COLUMNS, rows, right=[0]) if rows else "<div>no rules</div>"
    return panel(title, body, subtitle=f"{len(rows)} rules")


def rules_text(rules: Sequence[Any]) -> str:
    """A list of rules as a plain-text table."""
    return text_table(_RULE_COLUMNS, rule_rows(rules))


_ACCOUNT_COLUMNS = ["id", "name", "role", "usable", "status", "currency", "test"]


def account_rows(accounts: Iterable[Any]) -> list[list[str]]:
    """One row of :data:`_ACCOUNT_COLUMNS` per ad account."""
    return [
        [
            str(a.id),
            str(a.name or "–"),
            str(a.role),
            _flag(a.usable),
            str(a.status or "–"),
            str(a.currency or "–"),
            _flag(a.test),
        ]
        for a in accounts
    ]


def accounts_html(accounts: Sequence[Any], *, title: str = "Ad accounts") -> str:
    """Ad accounts as a table (VIEWER accounts cannot upload: ``usable`` no)."""
    body = table(_ACCOUNT_COLUMNS, account_rows(accounts), right=[0])
    return panel(title, body, subtitle=f"{len(accounts)} accounts")


def error_html(exc: BaseException, *, title: str | None = None) -> str:
    """An exception as a red panel: its class, message and, for API errors, the details."""
    details = []
    for attr in ("status", "code", "request_id", "hint"):
        value = getattr(exc, attr, None)
        if value not in (None, ""):
            details.append((attr.replace("_", " "), esc(value)))
    body = (
        f"<div style='color:{COLORS['invalid']};white-space:pre-wrap'>"
        f"{html.escape(short(str(exc), 2000))}</div>"
    )
    if details:
        body += table(["", ""], details, raw=[1])
    return panel(title or type(exc).__name__, body)


def message_html(text: str, *, color: str = COLORS["muted"]) -> str:
    """A one-line status message."""
    return f"<div style='color:{color}'>{html.escape(text)}</div>"


def _expandable(message: str) -> str:
    """A message, shortened, that opens to its whole (masked) text: no JavaScript needed."""
    whole = html.escape(mask(message))
    if len(message) <= 60:
        return whole
    return f"<details><summary>{html.escape(short(message, 60))}</summary>{whole}</details>"


def result_html(result: Any) -> str:
    """An ``ExportResult``: counts and the most frequent errors."""
    counts: dict[str, int] = result.counts
    statuses = [s for s in ("sent", "failed", "invalid", "skipped", "dry_run") if counts.get(s)]
    colors = {s: COLORS.get(s, COLORS["skipped"]) for s in statuses}
    head = "".join(badge(s.replace("_", " "), counts[s], colors[s]) for s in statuses)
    head += stacked_bar([(counts[s], colors[s], s) for s in statuses])
    body = head or "<div>no rows</div>"
    if result.failures.height:
        top = result.reasons().head(SHOWN_ROWS)
        rows = [(s, _expandable(example), str(n)) for s, _reason, n, example in top.iter_rows()]
        body += section(
            "Most frequent problems (numbers ignored when grouping)",
            table(["status", "error", "rows"], rows, right=[2], raw=[1]),
        )
    requests = getattr(result, "requests", None)
    note = f"{requests} requests · " if requests is not None else ""
    body += (
        f"<div style='margin-top:6px;color:{COLORS['muted']};font-size:11px'>{note}"
        "every row: <code>.rows</code> (<code>_row</code>, <code>status</code>, "
        "<code>error</code>); your frame with outcomes: <code>.join(df)</code></div>"
    )
    state = "ok" if result.ok else "needs attention"
    return panel("ExportResult", body, subtitle=f"{counts.get('total', 0)} rows · {state}")


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "unknown"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def connection_fields(conn: Any) -> list[tuple[str, str]]:
    """``(name, text)`` pairs describing a connection; secrets are never read here."""
    token = getattr(conn, "_token", None)
    if token is None or getattr(token, "access_token", None) is None:
        access = "none yet (fetched with the refresh token on first use)"
    else:
        access = f"set, valid until {_when(token.expires_at)}"
    has_refresh = token is not None and getattr(token, "refresh_token", None) is not None
    refresh = "none"
    if has_refresh:
        refresh = f"set, valid until {_when(getattr(token, 'refresh_token_expires_at', None))}"
    version = str(getattr(conn, "api_version", None) or "–")
    sunset = API_VERSIONS.get(version)
    if sunset is not None:
        version += f" (sunset {sunset:%Y-%m-%d})"
    return [
        ("client id", str(getattr(conn, "client_id", None) or "–")),
        ("ad account", str(getattr(conn, "ad_account_id", None) or "– (chosen on first use)")),
        ("LinkedIn-Version", version),
        ("base URL", str(getattr(conn, "base_url", None) or "–")),
        ("access token", access),
        ("refresh token", refresh),
    ]


def connection_html(conn: Any) -> str:
    """A connection's settings and token state (never a token or secret)."""
    rows = [(k, esc(v)) for k, v in connection_fields(conn)]
    return panel("Connection", table(["", ""], rows, raw=[1]))


def rule_text(rule: Any) -> str:
    """A conversion rule as aligned ``name  value`` lines (``print(rule)``)."""
    fields = rule_fields(rule)
    width = max(len(k) for k, _ in fields)
    return "\n".join(f"{k.ljust(width)}  {short(v, 80)}" for k, v in fields)


def accounts_text(accounts: Sequence[Any]) -> str:
    """Ad accounts as a plain-text table."""
    return text_table(_ACCOUNT_COLUMNS, account_rows(accounts))


def result_text(result: Any) -> str:
    """An export result as text: a line of counts and a table of the most frequent problems."""
    lines = [f"ExportResult: {result.summary()}"]
    if result.failures.height:
        # Whole messages: LinkedIn's fix is often at the end ("... should be CONVERSIONS_API").
        for status, _reason, n, example in result.reasons().head(SHOWN_ROWS).iter_rows():
            lines.append(f"  {n} {status}: {mask(example)}")
    return "\n".join(lines)


def campaign_fields(campaign: Any) -> list[tuple[str, str]]:
    """``(name, text)`` pairs describing a campaign."""
    return [
        ("id", str(campaign.id)),
        ("name", str(getattr(campaign, "name", "") or "")),
        ("URN", str(campaign.urn)),
        ("status", label(getattr(campaign, "status", None))),
        ("account", str(getattr(campaign, "account", None) or "–")),
    ]


def campaign_html(campaign: Any) -> str:
    """A campaign as a two-column table."""
    rows = [(k, esc(v)) for k, v in campaign_fields(campaign)]
    return panel("Campaign", table(["", ""], rows, raw=[1]), subtitle=str(campaign.name or ""))


def campaign_text(campaign: Any) -> str:
    """A campaign as one line of text."""
    return f"Campaign {campaign.id} {campaign.name!r} ({campaign.status or 'status unknown'})"
