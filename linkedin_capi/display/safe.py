"""Text that is safe to print on a terminal and bounded in length.

Values in a CSV file, a column name or an answer from LinkedIn can hold terminal escape
sequences (``ESC ] 0;title BEL`` retitles the window, others rewrite what is shown) or
be a megabyte long. Everything the CLI prints from such sources passes through here:
control characters become visible escapes (``\\x1b``), long text and long lists are cut
with a count of what was left out.

Examples
--------
>>> escape_controls("red \\x1b[31mtext\\x07")
'red \\\\x1b[31mtext\\\\x07'
>>> truncate("x" * 30, 10)
'xxxxxxxxxx… (+20 more characters)'
>>> listed([f"c{i}" for i in range(10_000)], 3)
"'c0', 'c1', 'c2' ... and 9,997 more"
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["escape_controls", "listed", "safe_text", "truncate"]

#: Longest value shown whole; a longer one is cut (the count says by how much).
MAX_VALUE_CHARS = 200
#: Longest line of a message shown whole.
MAX_LINE_CHARS = 2_000

_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_TABLE = {
    code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_BIDI]
}
_TABLE.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})


def escape_controls(text: str) -> str:
    """Show every control character (C0, DEL, C1, bidi overrides) as a visible escape.

    Examples
    --------
    >>> escape_controls("a\\tb\\nc\\u202ed")
    'a\\\\tb\\\\nc\\\\u202ed'
    """
    return text.translate(_TABLE).replace("\\x09", "\\t").replace("\\x0a", "\\n")


def truncate(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit:,} more characters)"


def safe_text(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """``value`` as text, cut to ``limit`` characters, control characters escaped.

    Examples
    --------
    >>> safe_text("\\x1b]0;owned\\x07" + "y" * 500, 20)
    '\\\\x1b]0;owned\\\\x07yyyyyyyyyy… (+490 more characters)'
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return escape_controls(text)
    return f"{escape_controls(text[:limit])}… (+{len(text) - limit:,} more characters)"


def listed(items: Iterable[object], limit: int = 10, *, quote: bool = True) -> str:
    """The first ``limit`` items, then ``... and N more``; each item made safe.

    Examples
    --------
    >>> listed(["a", "b"]), listed(["a", "b", "c"], 2, quote=False)
    ("'a', 'b'", 'a, b ... and 1 more')
    """
    values: Sequence[object] = items if isinstance(items, Sequence) else list(items)
    shown = [safe_text(repr(v) if quote else v, MAX_VALUE_CHARS) for v in values[:limit]]
    text = ", ".join(shown)
    if len(values) > limit:
        text += f" ... and {len(values) - limit:,} more"
    return text
