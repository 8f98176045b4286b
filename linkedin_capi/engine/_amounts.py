"""Reading amounts as people write them: currency signs, thousands separators, decimal commas.

LinkedIn wants a non-negative decimal with at most two places, as text (``"1250.50"``).
Text that already is one passes as written. Otherwise the amount is read once, in pure
Polars expressions:

1. spaces (also no-break and thin spaces, used as thousands separators) and apostrophes
   (Swiss ``1'250.50``) are removed; one currency sign or three-letter code before or
   after the number is removed (``$1,250.00``, ``1 250,50 €``, ``USD 10``);
2. what is left must be digits with ``,`` and ``.`` in a pattern that has **one** reading:
   ``1,250.00`` (comma thousands, point decimal), ``1.250,00``, ``1250,50`` (a comma
   followed by one or two digits can only be a decimal comma), ``1,250,000``;
3. ``1,250`` and ``1.250`` read two ways (a thousands separator, or a decimal separator
   with three places). ``decimal_comma`` decides them: ``True`` (the comma is the decimal
   separator, the point separates thousands), ``False`` (the other way round); left
   ``None`` they are errors that name the option (rule ``amount.ambiguous_separator``).

Examples
--------
>>> import polars as pl
>>> s = pl.Series(["$1,250.00", "1 250,50 €", "USD 10", "1,250", "1250,50"])
>>> pl.select(amount_text(s, None)).to_series().to_list()
['1250.00', '1250.50', '10', None, '1250.50']
>>> pl.select(amount_text(s, False)).to_series().to_list()[3]
'1250'
"""

from __future__ import annotations

import polars as pl

__all__ = ["PLAIN", "ambiguous", "amount_text", "needs_reading", "written_currency"]

#: An amount LinkedIn accepts as written ([0-9], not \d: Polars regexes are Unicode-aware).
PLAIN = r"^[0-9]+(\.[0-9]{1,2})?$"
# Not the plain form, even allowing for surrounding whitespace: the pre-test of a chunk.
_PLAIN_PADDED = r"^\s*[0-9]+(\.[0-9]{1,2})?\s*$"

_SPACES = r"[\s\x{00A0}\x{202F}\x{2009}']"
_PREFIX = r"^(?:[A-Za-z]{3}|[A-Za-z]{0,2}\p{Sc})"
_SUFFIX = r"(?:\p{Sc}|[A-Za-z]{3})$"

_POINT_DECIMAL = r"^[0-9]+\.[0-9]+$"
_COMMA_DECIMAL = r"^[0-9]+,[0-9]{1,2}$"
_COMMA_THOUSANDS_POINT = r"^[1-9][0-9]{0,2}(,[0-9]{3})+\.[0-9]+$"
_POINT_THOUSANDS_COMMA = r"^[1-9][0-9]{0,2}(\.[0-9]{3})+,[0-9]+$"
_COMMA_THOUSANDS = r"^[1-9][0-9]{0,2}(,[0-9]{3}){2,}$"
_POINT_THOUSANDS = r"^[1-9][0-9]{0,2}(\.[0-9]{3}){2,}$"
_ONE_COMMA_GROUP = r"^[1-9][0-9]{0,2},[0-9]{3}$"
_ONE_POINT_GROUP = r"^[1-9][0-9]{0,2}\.[0-9]{3}$"


def needs_reading(text: pl.Expr) -> pl.Expr:
    """True where a raw text amount is not already in LinkedIn's form (a chunk pre-test)."""
    return text.is_not_null() & ~text.str.contains(_PLAIN_PADDED)


def written_currency(text: pl.Expr) -> pl.Expr:
    """The currency an amount's text names itself, upper-cased, or null.

    A three-letter code before or after the number, or a sign that names one currency
    (``€``, ``£``); ``$`` and ``¥`` name several, so they say nothing.

    Examples
    --------
    >>> s = pl.Series(["USD 10", "1.250,50 eur", "€5", "£ 3", "$1,250.00", "10", None])
    >>> pl.select(written_currency(pl.lit(s))).to_series().to_list()
    ['USD', 'EUR', 'EUR', 'GBP', None, None, None]
    """
    bare = text.str.replace_all(_SPACES, "")
    return pl.coalesce(
        bare.str.extract(r"^([A-Za-z]{3})[-+]?[0-9]", 1),
        bare.str.extract(r"[0-9]([A-Za-z]{3})$", 1),
        pl.when(bare.str.contains("€", literal=True)).then(pl.lit("EUR")),
        pl.when(bare.str.contains("£", literal=True)).then(pl.lit("GBP")),
    ).str.to_uppercase()


def _core(text: pl.Expr) -> pl.Expr:
    """The number without spaces and currency: ``"$ 1,250.00"`` → ``"1,250.00"``."""
    bare = text.str.replace_all(_SPACES, "")
    return bare.str.replace(_PREFIX, "").str.replace(_SUFFIX, "")


def ambiguous(text: pl.Expr, decimal_comma: bool | None) -> pl.Expr:
    """True where the amount reads two ways and ``decimal_comma`` did not decide."""
    if decimal_comma is not None:
        return pl.lit(False)
    core = _core(text)
    return core.str.contains(_ONE_COMMA_GROUP) | core.str.contains(_ONE_POINT_GROUP)


def amount_text(text: pl.Expr, decimal_comma: bool | None) -> pl.Expr:
    """Trimmed text → the amount in LinkedIn's form, or null (invalid or ambiguous)."""
    core = _core(text)
    no_commas = core.str.replace_all(",", "", literal=True)
    no_points = core.str.replace_all(".", "", literal=True)
    comma_as_point = no_points.str.replace(",", ".", literal=True)
    one_comma = core.str.contains(_ONE_COMMA_GROUP)
    one_point = core.str.contains(_ONE_POINT_GROUP)
    number = (
        pl.when(core.str.contains(r"^[0-9]+$") | core.str.contains(_POINT_DECIMAL) & ~one_point)
        .then(core)
        .when(core.str.contains(_COMMA_DECIMAL))
        .then(comma_as_point)
        .when(core.str.contains(_COMMA_THOUSANDS_POINT) | core.str.contains(_COMMA_THOUSANDS))
        .then(no_commas)
        .when(core.str.contains(_POINT_THOUSANDS_COMMA) | core.str.contains(_POINT_THOUSANDS))
        .then(comma_as_point)
    )
    if decimal_comma is True:
        number = number.when(one_comma).then(comma_as_point).when(one_point).then(no_points)
    elif decimal_comma is False:
        number = number.when(one_comma).then(no_commas).when(one_point).then(core)
    value = number.otherwise(pl.lit(None, pl.String))
    return pl.when(value.str.contains(PLAIN)).then(value)
