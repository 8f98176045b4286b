"""Column conform: map an analyst's column names onto LinkedIn's canonical field names.

Names match case-insensitively (``CONVERSIONHAPPENEDAT`` → ``conversionHappenedAt``), as the
connector this SDK replaces does. Two input columns that fold to the same canonical name are
a :class:`~linkedin_capi.errors.SchemaError`; columns that are not LinkedIn fields are
reported as ignored and never sent; a column whose values are all null counts as absent.

Examples
--------
>>> import polars as pl
>>> c = conform_columns(pl.DataFrame({"EMAIL": ["a@b.c"], "ConversionHappenedAt": [1]}).schema)
>>> c.renames
{'ConversionHappenedAt': 'conversionHappenedAt'}
>>> c.ignored
['EMAIL']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from linkedin_capi._constants import (
    CANONICAL_COLUMNS,
    CONVERSION,
    EXTERNAL_IDS,
    FIRST_NAME,
    HAPPENED_AT,
    ID_TYPES,
    LAST_NAME,
    ROW,
)
from linkedin_capi.errors import SchemaError

__all__ = ["Conformed", "conform_columns", "require_columns"]

_FOLDED = {name.lower(): name for name in CANONICAL_COLUMNS}
_REPORT_COLUMNS = frozenset({"errors", "reason"})  # ValidationReport.invalid / .skipped


@dataclass(frozen=True)
class Conformed:
    """The result of matching input column names to canonical fields.

    Attributes
    ----------
    renames : dict[str, str]
        Input name → canonical name, only for names that differ in case.
    fields : dict[str, str]
        Canonical name → input name, for every canonical field present.
    ignored : list[str]
        Input columns that are not LinkedIn fields (never sent), in input order.
    """

    renames: dict[str, str]
    fields: dict[str, str]
    ignored: list[str]


def conform_columns(schema: Mapping[str, pl.DataType]) -> Conformed:
    """Match ``schema``'s column names to canonical LinkedIn field names.

    Parameters
    ----------
    schema
        The input frame's schema (``df.schema`` or ``lf.collect_schema()``).

    Raises
    ------
    SchemaError
        When two columns fold to the same canonical name, when a column is called ``_row``
        (reserved for the row index), ``errors`` or ``reason`` (the report's columns), or when
        a column has the Python ``Object`` dtype.
    """
    fields: dict[str, str] = {}
    renames: dict[str, str] = {}
    ignored: list[str] = []
    for name, dtype in schema.items():
        if name == ROW:
            raise SchemaError(
                f"a column is called {ROW!r}, a name reserved for the row index; "
                f"drop or rename it first (columns found: {_found(list(schema))})"
            )
        if name in _REPORT_COLUMNS or name.startswith("__capi_"):
            # The report adds these next to the input columns (and uses __capi_* inside).
            raise SchemaError(
                f"a column is called {name!r}, a name the validation report uses for its own "
                f"column; drop or rename it first (columns found: {_found(list(schema))})"
            )
        canonical = _FOLDED.get(name.strip().lower())
        if canonical is None:
            ignored.append(name)
            continue
        if canonical in fields:
            raise SchemaError(
                f"columns {fields[canonical]!r} and {name!r} both mean {canonical!r} "
                "(names match case-insensitively); keep one "
                f"(columns found: {_found(list(schema))})"
            )
        if dtype == pl.Object:
            raise SchemaError(
                f"column {name!r} holds Python objects; convert it to strings or numbers "
                f"first (columns found: {_found(list(schema))})"
            )
        fields[canonical] = name
        if name != canonical:
            renames[name] = canonical
    return Conformed(renames=renames, fields=fields, ignored=ignored)


def _found(names: list[str], limit: int = 10) -> str:
    """A list of column names for a message: the first ``limit``, then how many more.

    Examples
    --------
    >>> _found(["a", "b"])
    "['a', 'b']"
    >>> _found([f"c{i}" for i in range(10_000)], 2)
    "['c0', 'c1', ... and 9,998 more]"
    """
    shown = [n if len(n) <= 100 else n[:100] + "…" for n in names[:limit]]
    if len(names) <= limit:
        return repr(shown)
    return repr(shown)[:-1] + f", ... and {len(names) - limit:,} more]"


def require_columns(
    present: Iterable[str], columns_found: list[str], *, has_default_conversion: bool
) -> None:
    """Raise :class:`SchemaError` for the dataset-level rules of the connector.

    ``present`` holds the canonical fields that exist and are not entirely null.

    Examples
    --------
    >>> require_columns(["conversionHappenedAt"], ["ts"], has_default_conversion=True)
    Traceback (most recent call last):
    ...
    linkedin_capi.errors.SchemaError: no identifier column: ...
    """
    have = set(present)
    if HAPPENED_AT not in have:
        raise SchemaError(
            f"no {HAPPENED_AT!r} column (or every value in it is null); every event needs "
            f"its time (columns found: {_found(columns_found)})"
        )
    identifiers = have & {*ID_TYPES, EXTERNAL_IDS}
    if not identifiers and not {FIRST_NAME, LAST_NAME} <= have:
        raise SchemaError(
            "no identifier column: give at least one of "
            f"{', '.join(ID_TYPES)}, {EXTERNAL_IDS}, or both {FIRST_NAME} and {LAST_NAME} "
            f"(columns found: {_found(columns_found)})"
        )
    if CONVERSION not in have and not has_default_conversion:
        raise SchemaError(
            f"no {CONVERSION!r} column and no conversion= rule given; pass "
            f"conversion=<rule id or URN> or add a {CONVERSION!r} column "
            f"(columns found: {_found(columns_found)})"
        )
