"""Small building blocks for the HTML and text reprs (Jupyter and terminals).

Everything here escapes what it is given: values come from users' frames and LinkedIn's
answers, and Jupyter does not escape ``_repr_html_`` output for us. Only inline CSS is used
(no ``<script>``, no classes): untrusted notebooks sanitise HTML and run no JavaScript, and
the output must read the same in JupyterLab's light and dark themes, VS Code and GitHub.

Examples
--------
>>> mask("mail jane.doe@example.com now")
'mail j***@example.com now'
>>> print(text_table(["field", "rows"], [["amount", 3], ["SHA256_EMAIL", 12]]))
field         rows
------------  ----
amount           3
SHA256_EMAIL    12
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from linkedin_capi.engine._masking import mask

__all__ = [
    "COLORS",
    "badge",
    "cell",
    "esc",
    "mask",
    "meter",
    "panel",
    "percent",
    "section",
    "short",
    "table",
    "text_table",
]

#: Mid-tone colours that read on light and dark backgrounds.
COLORS = {
    "valid": "#2e7d32",
    "invalid": "#c62828",
    "skipped": "#757575",
    "sent": "#2e7d32",
    "failed": "#c62828",
    "dry_run": "#1565c0",
    "accent": "#0a66c2",  # LinkedIn blue
    "muted": "#8a8a8a",
}

_MAX_CHARS = 48

_FONT = "font-family:var(--jp-ui-font-family, sans-serif);font-size:13px;line-height:1.4"
_BORDER = "1px solid rgba(128,128,128,0.35)"


def short(value: object, limit: int = _MAX_CHARS) -> str:
    """``value`` as masked text, cut to ``limit`` characters with an ellipsis.

    Examples
    --------
    >>> short("x" * 60, 10), short(None)
    ('xxxxxxxxx…', '')
    """
    if value is None:
        return ""
    text = mask(value if isinstance(value, str) else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def esc(value: object) -> str:
    """Masked, shortened and HTML-escaped text of ``value``."""
    return html.escape(short(value))


def percent(share: float | None) -> str:
    """``0.934`` → ``'93%'``; ``None`` → ``'–'``; never rounds a non-zero share to 0 or 100.

    Examples
    --------
    >>> percent(0.934), percent(0.001), percent(0.999), percent(None)
    ('93%', '<1%', '>99%', '–')
    """
    if share is None:
        return "–"
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{share:.0%}"


def cell(text: str, *, right: bool = False, header: bool = False, raw: bool = False) -> str:
    """One ``<td>``/``<th>``; ``text`` is escaped unless ``raw`` (already-built HTML)."""
    tag = "th" if header else "td"
    align = "right" if right else "left"
    body = text if raw else html.escape(text)
    style = f"text-align:{align};padding:2px 8px;border-bottom:{_BORDER};vertical-align:top"
    return f"<{tag} style='{style}'>{body}</{tag}>"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    right: Sequence[int] = (),
    raw: Sequence[int] = (),
) -> str:
    """An HTML table; ``right`` and ``raw`` are column positions (numbers, prebuilt HTML)."""
    head = "".join(cell(h, header=True, right=i in right) for i, h in enumerate(headers))
    # A key/value table has no header row: blank headers would draw an empty stripe.
    thead = f"<thead><tr>{head}</tr></thead>" if any(headers) else ""
    body = "".join(
        "<tr>"
        + "".join(cell(v, right=i in right, raw=i in raw) for i, v in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return (
        "<table style='border-collapse:collapse;margin:4px 0;"
        f"font-size:12px'>{thead}<tbody>{body}</tbody></table>"
    )


def badge(label: str, value: object, color: str) -> str:
    """A coloured count such as ``140 valid``."""
    return (
        f"<span style='display:inline-block;margin-right:6px;padding:1px 8px;"
        f"border-radius:10px;border:1px solid {color};color:{color};font-weight:600'>"
        f"{html.escape(str(value))} {html.escape(label)}</span>"
    )


def meter(share: float | None, color: str = COLORS["accent"], width: int = 120) -> str:
    """A horizontal bar filled to ``share`` (0..1), followed by the percentage."""
    filled = 0 if share is None else round(max(0.0, min(1.0, share)) * width)
    return (
        f"<span style='display:inline-block;width:{width}px;height:9px;"
        f"background:rgba(128,128,128,0.2);vertical-align:middle'>"
        f"<span style='display:block;width:{filled}px;height:9px;background:{color}'></span>"
        f"</span> {html.escape(percent(share))}"
    )


def section(title: str, body: str) -> str:
    """A titled block inside a panel."""
    return (
        f"<div style='margin-top:8px'><div style='font-weight:600;margin-bottom:2px'>"
        f"{html.escape(title)}</div>{body}</div>"
    )


def panel(title: str, body: str, *, subtitle: str = "") -> str:
    """The outer frame of every repr: a bordered box with a bold title line."""
    sub = (
        f" <span style='color:{COLORS['muted']}'>{html.escape(subtitle)}</span>" if subtitle else ""
    )
    return (
        f"<div style='{_FONT};border:{_BORDER};border-left:4px solid {COLORS['accent']};"
        f"padding:6px 10px;margin:2px 0;max-width:980px;overflow-x:auto'>"
        f"<div><b>{html.escape(title)}</b>{sub}</div>{body}</div>"
    )


def text_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain-text table with aligned columns; numbers are right-aligned.

    Values are masked and shortened like in the HTML reprs.
    """
    cells = [[short(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(v))
    right = [
        all(_is_number(row[i]) or row[i] == "–" for row in cells)
        and any(_is_number(row[i]) for row in cells)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(widths[i]) if right[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[<>]?-?[\d,]+(\.\d+)?%?", text))
