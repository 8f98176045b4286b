"""Column conform: map an analyst's column names onto LinkedIn's canonical field names.

Three ways a column feeds a field, strongest first:

1. its name is the field's, in any letter case (``CONVERSIONHAPPENEDAT``), as the connector
   this SDK replaces does, or a ``mapping={input: field}`` entry names it;
2. its name is a built-in alias: the field spelled snake_case, kebab-case or with spaces
   (``conversion_happened_at``), or a common synonym (``email``, ``li_fat_id``, ``country``).

An alias never beats a column of rank 1 (the alias column is then ignored, with a warning);
two columns of equal rank for one field are a :class:`~linkedin_capi.errors.SchemaError`
naming both. Other columns are reported as ignored and never sent; an ignored column whose
name is a near miss of a field (a typo, look-alike letters, invisible characters) gets a
"did you mean" warning. A column whose values are all null counts as absent.

Examples
--------
>>> import polars as pl
>>> c = conform_columns(pl.DataFrame({"EMAIL": ["a@b.c"], "ConversionHappenedAt": [1],
...                                   "crm": [0]}).schema)
>>> c.renames
{'EMAIL': 'SHA256_EMAIL', 'ConversionHappenedAt': 'conversionHappenedAt'}
>>> c.ignored
['crm']
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from linkedin_capi._constants import (
    AMOUNT,
    CANONICAL_COLUMNS,
    COMPANY_NAME,
    CONVERSION,
    COUNTRY_CODE,
    CURRENCY_CODE,
    EXTERNAL_IDS,
    FIRST_NAME,
    HAPPENED_AT,
    HASHED_FIRST_NAME,
    HASHED_LAST_NAME,
    ID_TYPES,
    LAST_NAME,
    LEAD,
    LI_FAT_ID,
    ROW,
    SHA256_EMAIL,
    TITLE,
)
from linkedin_capi.errors import ConfigError, SchemaError

__all__ = ["ALIASES", "Conformed", "alias_key", "conform_columns", "require_columns"]

_FOLDED = {name.lower(): name for name in CANONICAL_COLUMNS}


def alias_key(name: str) -> str:
    """``name`` lower-cased with everything but letters and digits removed.

    Examples
    --------
    >>> alias_key("Conversion-Happened At"), alias_key("li_fat_id")
    ('conversionhappenedat', 'lifatid')
    """
    return "".join(ch for ch in name.lower() if ch.isalnum())


#: Unambiguous synonyms (by :func:`alias_key`) → field. Names that could mean something else
#: in a CRM or warehouse export (``value``, ``created_at``, ``id``, ``name``) are left out.
_SYNONYMS: dict[str, str] = {
    "email": SHA256_EMAIL,
    "emailaddress": SHA256_EMAIL,
    "mail": SHA256_EMAIL,
    "hashedemail": SHA256_EMAIL,
    "emailsha256": SHA256_EMAIL,
    "emailhash": SHA256_EMAIL,
    "lifatid": LI_FAT_ID,
    "linkedinfirstpartyadstrackingid": LI_FAT_ID,
    "ipaddress": "PLAINTEXT_IP_ADDRESS",
    "clientipaddress": "PLAINTEXT_IP_ADDRESS",
    "googleadvertisingid": "GOOGLE_AID",
    "eventtime": HAPPENED_AT,
    "eventtimestamp": HAPPENED_AT,
    "conversiontime": HAPPENED_AT,
    "conversiontimestamp": HAPPENED_AT,
    "happenedat": HAPPENED_AT,
    "conversionrule": CONVERSION,
    "conversionruleid": CONVERSION,
    "conversionid": CONVERSION,
    "firstname": FIRST_NAME,
    "givenname": FIRST_NAME,
    "lastname": LAST_NAME,
    "surname": LAST_NAME,
    "familyname": LAST_NAME,
    "company": COMPANY_NAME,
    "jobtitle": TITLE,
    "country": COUNTRY_CODE,
    "currency": CURRENCY_CODE,
    "conversionvalue": AMOUNT,
    "externalid": EXTERNAL_IDS,
}

#: Built-in aliases by :func:`alias_key`: every field's own spelling and the synonyms of
#: fields this version knows.
ALIASES: dict[str, str] = {
    **{k: v for k, v in _SYNONYMS.items() if v in CANONICAL_COLUMNS},
    **{alias_key(name): name for name in CANONICAL_COLUMNS},
}

#: Latin look-alikes NFKC leaves alone (Cyrillic and Greek capitals and small letters).
_CONFUSABLES = str.maketrans(
    "АВСЕНІЈКМОРЅТХУаеіјорсѕхуԁһӏΑΒΕΗΙΚΜΝΟΡΤΥΧΖοαικνρτυχ",
    "ABCEHIJKMOPSTXYaeijopcsxydhlABEHIKMNOPTYXZoaiknptux",
)


def _skeleton(name: str) -> str:
    """``name`` with compatibility forms folded, look-alikes made Latin, invisibles removed."""
    folded = unicodedata.normalize("NFKC", name).translate(_CONFUSABLES)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in {"Cf", "Cc", "Zs"})


def _near_miss(name: str) -> tuple[str, str] | None:
    """The field ``name`` almost names, and how (``None`` when it names none)."""
    skeleton = _skeleton(name)
    if skeleton != name:
        field_ = _FOLDED.get(skeleton.lower()) or ALIASES.get(alias_key(skeleton))
        if field_ is not None:
            return field_, "it contains look-alike or invisible characters"
    key = alias_key(skeleton)
    if len(key) < 4:
        return None
    close = difflib.get_close_matches(key, list(ALIASES), n=1, cutoff=0.85)
    if close:
        return ALIASES[close[0]], "a near miss of its name"
    return None


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
    notes : list[str]
        Warnings: alias columns that lost to a column naming the field, near misses.
    """

    renames: dict[str, str]
    fields: dict[str, str]
    ignored: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def mapping(self) -> dict[str, str]:
        """Input name → the field it feeds, for every column used."""
        return {name: canonical for canonical, name in self.fields.items()}


def _mapping_fields(
    schema: Mapping[str, pl.DataType], mapping: Mapping[str, str] | None
) -> dict[str, str]:
    """``mapping=`` checked: input name → canonical field."""
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise ConfigError(
            f"mapping= expects a dict {{input column: field}}, got {type(mapping).__name__}"
        )
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, target in mapping.items():
        if not isinstance(name, str) or not isinstance(target, str):
            raise ConfigError(f"mapping= entries are column name → field name, got {name!r}")
        if name not in schema:
            raise SchemaError(
                f"mapping= names column {name!r}, which is not in the data "
                f"(columns found: {list(schema)})"
            )
        canonical = _FOLDED.get(target.strip().lower()) or ALIASES.get(alias_key(target))
        if canonical is None:
            raise ConfigError(
                f"mapping= maps {name!r} to {target!r}, which is not a LinkedIn field; "
                f"fields: {', '.join(CANONICAL_COLUMNS)}"
            )
        if canonical in seen:
            raise SchemaError(
                f"mapping= maps both {seen[canonical]!r} and {name!r} to {canonical!r}; keep one"
            )
        seen[canonical] = name
        out[name] = canonical
    return out


def conform_columns(
    schema: Mapping[str, pl.DataType], mapping: Mapping[str, str] | None = None
) -> Conformed:
    """Match ``schema``'s column names to canonical LinkedIn field names.

    Parameters
    ----------
    schema
        The input frame's schema (``df.schema`` or ``lf.collect_schema()``).
    mapping
        ``{input column: field}`` for columns whose names say nothing (``{"Email":
        "SHA256_EMAIL"}``); the field may be spelled in any case or as an alias.

    Raises
    ------
    SchemaError
        When two columns claim one field with equal right (two names that fold to it, two
        aliases, a ``mapping=`` entry and a column named for the field), when ``mapping=``
        names a column that is not there, when a column is called ``_row`` (reserved for
        the row index), ``errors`` or ``reason`` (the report's columns), or when a column
        has the Python ``Object`` dtype.
    ConfigError
        ``mapping=`` is not a dict of names, or maps to something that is not a field.
    """
    mapped = _mapping_fields(schema, mapping)
    strong: dict[str, tuple[str, str]] = {}  # field → (input name, how)
    weak: dict[str, str] = {}  # field → input name (an alias)
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
        how = "mapping=" if name in mapped else "name"
        canonical = mapped.get(name) or _FOLDED.get(name.strip().lower())
        alias = None if canonical is not None else ALIASES.get(alias_key(name))
        if canonical is None and alias is None:
            ignored.append(name)
            continue
        if dtype == pl.Object:
            raise SchemaError(
                f"column {name!r} holds Python objects; convert it to strings or numbers "
                f"first (columns found: {_found(list(schema))})"
            )
        if canonical is not None:
            if canonical in strong:
                other, other_how = strong[canonical]
                why = (
                    "names match case-insensitively"
                    if how == other_how == "name"
                    else "a mapping= entry and a column named for the field have equal right"
                )
                raise SchemaError(
                    f"columns {other!r} and {name!r} both mean {canonical!r} ({why}); "
                    f"keep one (columns found: {list(schema)})"
                )
            strong[canonical] = (name, how)
        else:
            assert alias is not None
            if alias in weak:
                raise SchemaError(
                    f"columns {weak[alias]!r} and {name!r} both mean {alias!r} (both are "
                    f"aliases of it); keep one, or say which with mapping= "
                    f"(columns found: {list(schema)})"
                )
            weak[alias] = name
    notes: list[str] = []
    fields = {f: n for f, (n, _how) in strong.items()}
    for alias, name in weak.items():
        if alias in fields:
            ignored.append(name)
            notes.append(
                f"column {name!r} was ignored: it is an alias of {alias!r}, and column "
                f"{fields[alias]!r} names that field itself"
            )
        else:
            fields[alias] = name
    # Input order, as the report lists them.
    order = {n: i for i, n in enumerate(schema)}
    ignored.sort(key=order.__getitem__)
    fields = dict(sorted(fields.items(), key=lambda item: order[item[1]]))
    for name in ignored:
        miss = _near_miss(name)
        if miss is not None and miss[0] not in fields:
            notes.append(
                f"column {name!r} was ignored; did you mean {miss[0]!r}? ({miss[1]}; map it "
                f"with mapping={{{name!r}: {miss[0]!r}}}, or --map '{name}={miss[0]}' in the CLI)"
            )
    renames = {n: f for f, n in fields.items() if n != f}
    return Conformed(renames=renames, fields=fields, ignored=ignored, notes=notes)


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
    identifiers = have & {*ID_TYPES, LEAD, EXTERNAL_IDS}
    names = bool(have & {FIRST_NAME, HASHED_FIRST_NAME}) and bool(
        have & {LAST_NAME, HASHED_LAST_NAME}
    )
    if not identifiers and not names:
        raise SchemaError(
            "no identifier column: give at least one of "
            f"{', '.join(ID_TYPES)}, {LEAD}, {EXTERNAL_IDS}, or both {FIRST_NAME} and "
            f"{LAST_NAME} "
            f"(columns found: {_found(columns_found)})"
        )
    if CONVERSION not in have and not has_default_conversion:
        raise SchemaError(
            f"no {CONVERSION!r} column and no conversion= rule given; pass "
            f"conversion=<rule id or URN> or add a {CONVERSION!r} column "
            f"(columns found: {_found(columns_found)})"
        )
