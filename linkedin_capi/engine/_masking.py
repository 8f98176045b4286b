"""E-mail masking, for every place that shows a user's value (reports, reprs, the CLI).

An address keeps its first character and its domain: enough to recognise a typo'd domain,
not enough to identify a person. :func:`mask` works on Python strings (summaries),
:func:`mask_expr` on a Polars column (``report.failures``), with the same pattern.

Examples
--------
>>> mask("mail jane.doe@example.com now")
'mail j***@example.com now'
>>> import polars as pl
>>> pl.select(mask_expr(pl.lit("got 'Bob@x.org'"))).item()
"got 'B***@x.org'"
"""

from __future__ import annotations

import re

import polars as pl

__all__ = ["EMAIL_PATTERN", "mask", "mask_expr"]

#: An address; group 1 is its first character, group 2 its domain.
EMAIL_PATTERN = r"([^\s@'\"<>,;:()\[\]])[^\s@'\"<>,;:()\[\]]*@([\w-]+(?:\.[\w-]+)*)"
_EMAIL = re.compile(EMAIL_PATTERN)


def mask(text: str) -> str:
    """Replace every e-mail address in ``text`` by its first character and domain.

    Examples
    --------
    >>> mask("a@b.co and Bob.Smith@Example.COM, got 'jonas.garcía@exämple.de'")
    "a***@b.co and B***@Example.COM, got 'j***@exämple.de'"
    """
    return _EMAIL.sub(r"\1***@\2", text)


def mask_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`mask` as a Polars expression on a String column."""
    return expr.str.replace_all(EMAIL_PATTERN, "${1}***@${2}")
