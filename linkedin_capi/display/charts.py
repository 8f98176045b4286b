"""Hand-drawn SVG charts for ``report.plot()``: no plotting library needed.

Two charts are all the reports need (bars by field, and event times against the 90-day
window), so a few dozen lines of SVG beat a dependency on matplotlib or altair: the output
is static markup that renders in untrusted notebooks, on GitHub and in the HTML export, and
tests can read it as text. Each chart also prints as text bars in a terminal.

Examples
--------
>>> c = bar_chart("Invalid rows by field", [("amount", 3), ("SHA256_EMAIL", 1)])
>>> c.svg.startswith("<svg")
True
>>> print(c)
Invalid rows by field
  amount        ██████████████████████████████ 3
  SHA256_EMAIL  ██████████ 1
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from linkedin_capi.display.html import COLORS

__all__ = ["Chart", "Charts", "bar_chart", "window_chart"]

_TEXT_BAR = 30  # characters for the longest bar in a terminal
_EDGE = 6  # width of the older/future bars, in day slots
_W, _ROW_H, _LABEL_W = 420, 20, 150
_SVG_FONT = "font-family:sans-serif;font-size:11px"


@dataclass(frozen=True)
class Chart:
    """One chart: ``svg`` markup and ``text`` bars; shows itself in Jupyter and terminals."""

    title: str
    svg: str
    text: str

    def _repr_html_(self) -> str:
        return f"<div>{self.svg}</div>"

    def __repr__(self) -> str:
        return self.text

    def save(self, path: str | Path) -> Path:
        """Write the SVG to ``path`` (``.svg``); returns the path."""
        out = Path(path)
        out.write_text(self.svg, encoding="utf-8")
        return out


@dataclass(frozen=True)
class Charts:
    """Several charts shown side by side (``report.plot()`` returns one)."""

    charts: tuple[Chart, ...]

    def __getitem__(self, index: int) -> Chart:
        return self.charts[index]

    def __len__(self) -> int:
        return len(self.charts)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<div style='flex:0 0 auto;margin:0 16px 8px 0'>{c.svg}</div>" for c in self.charts
        )
        return f"<div style='display:flex;flex-wrap:wrap;align-items:flex-start'>{cells}</div>"

    def __repr__(self) -> str:
        return "\n\n".join(c.text for c in self.charts)


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{html.escape(title)}' "
        f"style='{_SVG_FONT}'><title>{html.escape(title)}</title>"
        f"<text x='0' y='13' style='font-weight:bold;font-size:12px' fill='currentColor'>"
        f"{html.escape(title)}</text>{body}</svg>"
    )


def _text_bars(title: str, items: Sequence[tuple[str, int]]) -> str:
    if not items:
        return f"{title}\n  (nothing to show)"
    top = max(v for _, v in items) or 1
    width = max(len(label) for label, _ in items)
    lines = [title]
    for label, value in items:
        bar = "█" * max(1 if value else 0, round(value / top * _TEXT_BAR))
        lines.append(f"  {label.ljust(width)}  {bar} {value}".rstrip())
    return "\n".join(lines)


def bar_chart(
    title: str, items: Sequence[tuple[str, int]], color: str = COLORS["invalid"]
) -> Chart:
    """Horizontal bars, one per ``(label, value)``, longest first as given."""
    top = max((v for _, v in items), default=0) or 1
    span = _W - _LABEL_W - 50
    parts = []
    for i, (label, value) in enumerate(items):
        y = 22 + i * _ROW_H
        w = max(1 if value else 0, round(value / top * span))
        parts.append(
            f"<text x='{_LABEL_W - 6}' y='{y + 13}' text-anchor='end' fill='currentColor'>"
            f"{html.escape(label[:24])}</text>"
            f"<rect x='{_LABEL_W}' y='{y + 3}' width='{w}' height='{_ROW_H - 6}' fill='{color}'>"
            f"<title>{html.escape(label)}: {value}</title></rect>"
            f"<text x='{_LABEL_W + w + 4}' y='{y + 13}' fill='currentColor'>{value}</text>"
        )
    if not items:
        parts.append("<text x='0' y='36' fill='currentColor'>nothing to show</text>")
    height = 30 + max(len(items), 1) * _ROW_H
    return Chart(title, _svg(_W, height, title, "".join(parts)), _text_bars(title, items))


def window_chart(
    title: str,
    days_ago: Sequence[int],
    *,
    older: int,
    future: int,
    window_days: int,
) -> Chart:
    """Events per day across the window, with the rows outside it at both ends.

    Parameters
    ----------
    days_ago
        ``days_ago[d]`` = events ``d`` whole days before ``now`` (``d`` from 0 to
        ``window_days``).
    older, future
        Rows before the window (skipped) and after ``now`` (invalid), drawn as the first
        and last bar in grey and red.
    """
    n = window_days + 1
    counts = [days_ago[d] if d < len(days_ago) else 0 for d in range(n)][::-1]  # oldest first
    top = max([older, future, *counts]) or 1
    width, plot_h, left, base = 560, 120, 8, 140
    # Slots: the "older" bar is _EDGE slots wide, a gap, one slot per day, a gap, "future".
    slots = 2 * _EDGE + 2 + n
    step = (width - left - 8) / slots
    bars = [(0.0, _EDGE * step, older, COLORS["skipped"], f"older than {window_days} days")]
    first_day = (_EDGE + 1) * step
    bars += [
        (first_day + i * step, step, c, COLORS["valid"], f"{window_days - i} days ago")
        for i, c in enumerate(counts)
    ]
    bars.append(
        (first_day + (n + 1) * step, _EDGE * step, future, COLORS["invalid"], "in the future")
    )
    parts = [
        f"<line x1='{left}' y1='{base}' x2='{width - 8}' y2='{base}' stroke='currentColor' "
        "stroke-opacity='0.5'/>"
    ]
    for x, w, count, color, tip in bars:
        h = 0 if not count else max(1, round(count / top * plot_h))
        parts.append(
            f"<rect x='{left + x + 0.15:.1f}' y='{base - h}' width='{max(w - 0.3, 0.6):.1f}' "
            f"height='{h}' fill='{color}'><title>{tip}: {count}</title></rect>"
        )
    # Window edges: dashed lines where the window starts and at "now"; labels below.
    marks = [
        (first_day - step / 2, f"−{window_days} d", True),
        (first_day + (n - 0.5) * step, "now", True),
        (first_day + (window_days - 60 + 0.5) * step, "−60 d", False),
        (first_day + (window_days - 30 + 0.5) * step, "−30 d", False),
    ]
    for x, text, edge in marks:
        x += left
        if edge:
            parts.append(
                f"<line x1='{x:.1f}' y1='22' x2='{x:.1f}' y2='{base}' stroke='currentColor' "
                "stroke-dasharray='3,3' stroke-opacity='0.6'/>"
            )
        parts.append(
            f"<text x='{x:.1f}' y='{base + 14}' text-anchor='middle' fill='currentColor'>"
            f"{text}</text>"
        )
    parts.append(
        f"<text x='{left}' y='{base + 30}' fill='currentColor' fill-opacity='0.8'>"
        f"grey: {older} older than {window_days} days (skipped) · green: {sum(counts)} in "
        f"the window · red: {future} in the future (invalid)</text>"
    )
    svg = _svg(width, base + 36, title, "".join(parts))
    items = [(f"older than {window_days} days", older)]
    for start in range(0, n, 7):  # 7-day groups, oldest first
        hi, lo = window_days - start, max(0, window_days - start - 6)
        items.append((f"{hi}–{lo} days ago", sum(counts[start : start + 7])))
    items.append(("in the future", future))
    text = _text_bars(title, items)
    return Chart(title, svg, text)
