"""Payloads: valid rows → LinkedIn event JSON → ``BATCH_CREATE`` request bodies.

Each event is rendered to its JSON text by one Polars expression (string concatenation of
JSON fragments), so building the bodies of a million events runs no Python per row.
Optional parts that are absent are omitted, never sent as ``null``; ``user.userIds`` is
always present, possibly empty.

Examples
--------
>>> import polars as pl
>>> valid = pl.DataFrame({
...     "_row": [0], "conversion": ["urn:lla:llaPartnerConversion:123"],
...     "conversionHappenedAt": [1590739275000], "currencyCode": ["USD"], "amount": ["50.00"],
...     "externalIds": [["user_id_123"]],
... })
>>> print(event_json(valid).item())
{"conversion":"urn:lla:llaPartnerConversion:123","conversionHappenedAt":1590739275000,"conversionValue":{"currencyCode":"USD","amount":"50.00"},"user":{"userIds":[],"externalIds":["user_id_123"]}}
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from linkedin_capi._constants import (
    AMOUNT,
    COMPANY_NAME,
    CONVERSION,
    COUNTRY_CODE,
    CURRENCY_CODE,
    EVENT_ID,
    EXTERNAL_IDS,
    FIRST_NAME,
    HAPPENED_AT,
    ID_TYPES,
    LAST_NAME,
    LEAD,
    MAX_BATCH_SIZE,
    ROW,
    TITLE,
)
from linkedin_capi.errors import ConfigError

__all__ = ["Batch", "batch_bodies", "body", "event_expr", "event_json", "events"]

# Fields whose values are validated to contain no character that JSON must escape.
_PLAIN = frozenset({CONVERSION, CURRENCY_CODE, AMOUNT, COUNTRY_CODE, *ID_TYPES[:1]})


def _string(frame_columns: Sequence[str], field: str) -> pl.Expr:
    """``field`` as a JSON string literal (null when absent)."""
    if field not in frame_columns:
        return pl.lit(None, pl.String)
    col = pl.col(field)
    if field in _PLAIN:
        return pl.lit('"') + col + pl.lit('"')
    # json_encode of a one-field struct gives '{"v":<escaped string>}': the one columnar
    # way to get JSON escaping right for arbitrary text (quotes, backslashes, controls).
    encoded = pl.struct(col.alias("v")).struct.json_encode()
    return pl.when(col.is_not_null()).then(encoded.str.slice(5, encoded.str.len_chars() - 6))


def _member(key: str, value: pl.Expr) -> pl.Expr:
    """``,"key":value`` or null when value is null (so concat_str can skip it)."""
    return pl.lit(f'"{key}":') + value


def _join(parts: list[pl.Expr]) -> pl.Expr:
    return pl.concat_str(parts, separator=",", ignore_nulls=True)


def event_expr(columns: Sequence[str]) -> pl.Expr:
    """The expression rendering one event's JSON from a frame with these ``columns``."""

    def s(field: str) -> pl.Expr:
        return _string(columns, field)

    user_ids = _join(
        [
            pl.lit(f'{{"idType":"{id_type}","idValue":') + s(id_type) + pl.lit("}")
            for id_type in ID_TYPES
        ]
    )
    has_names = s(FIRST_NAME).is_not_null() & s(LAST_NAME).is_not_null()
    user_info = pl.when(has_names).then(
        pl.lit("{")
        + _join(
            [
                _member(FIRST_NAME, s(FIRST_NAME)),
                _member(LAST_NAME, s(LAST_NAME)),
                _member(COMPANY_NAME, s(COMPANY_NAME)),
                _member(TITLE, s(TITLE)),
                _member(COUNTRY_CODE, s(COUNTRY_CODE)),
            ]
        )
        + pl.lit("}")
    )
    if EXTERNAL_IDS in columns:
        first_id = pl.col(EXTERNAL_IDS).list.first()
        encoded = pl.struct(first_id.alias("v")).struct.json_encode()
        external: pl.Expr = pl.when(first_id.is_not_null()).then(
            pl.lit("[") + encoded.str.slice(5, encoded.str.len_chars() - 6) + pl.lit("]")
        )
    else:
        external = pl.lit(None, pl.String)
    user = (
        pl.lit("{")
        + _join(
            [
                pl.lit('"userIds":[') + user_ids + pl.lit("]"),
                _member("userInfo", user_info),
                _member(LEAD, s(LEAD)),
                _member(EXTERNAL_IDS, external),
            ]
        )
        + pl.lit("}")
    )
    value = (
        pl.lit("{")
        + _join([_member(CURRENCY_CODE, s(CURRENCY_CODE)), _member(AMOUNT, s(AMOUNT))])
        + pl.lit("}")
    )
    has_value = s(CURRENCY_CODE).is_not_null() & s(AMOUNT).is_not_null()
    return (
        pl.lit("{")
        + _join(
            [
                _member(CONVERSION, s(CONVERSION)),
                _member(HAPPENED_AT, pl.col(HAPPENED_AT).cast(pl.String)),
                _member("conversionValue", pl.when(has_value).then(value)),
                _member(EVENT_ID, s(EVENT_ID)),
                _member("user", user),
            ]
        )
        + pl.lit("}")
    )


def event_json(valid: pl.DataFrame) -> pl.Series:
    """One JSON event per row of ``valid`` (a ``ValidationReport.valid`` frame), same order."""
    if valid.height == 0:
        return pl.Series("event", [], dtype=pl.String)
    return valid.select(event_expr(valid.columns).alias("event")).to_series()


def events(valid: pl.DataFrame) -> list[dict[str, Any]]:
    """The events as Python dicts (for inspection; sending uses the JSON text)."""
    return [json.loads(e) for e in event_json(valid)]


def body(events: Sequence[str] | pl.Series) -> bytes:
    """The ``BATCH_CREATE`` request body for these event JSON strings.

    Examples
    --------
    >>> body(['{"a":1}', '{"b":2}'])
    b'{"elements":[{"a":1},{"b":2}]}'
    """
    if isinstance(events, pl.Series):
        joined = events.str.join(",").item() if events.len() else ""
    else:
        joined = ",".join(events)
    return b'{"elements":[' + joined.encode() + b"]}"


@dataclass(frozen=True)
class Batch:
    """One request's worth of events: their ``_row`` keys, JSON texts and body bytes."""

    rows: list[int]
    events: list[str]
    body: bytes


def batch_bodies(valid: pl.DataFrame, batch_size: int = MAX_BATCH_SIZE) -> Iterator[Batch]:
    """Split ``valid`` into batches of at most ``batch_size`` events, in row order.

    Raises
    ------
    ConfigError
        ``batch_size`` is not between 1 and 5000.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise ConfigError(f"batch_size must be an integer, got {batch_size!r}")
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ConfigError(
            f"batch_size must be between 1 and {MAX_BATCH_SIZE} (LinkedIn's limit per "
            f"request), got {batch_size}"
        )
    rendered = valid.select(pl.col(ROW), event_expr(valid.columns).alias("event"))
    for chunk in rendered.iter_slices(batch_size):
        texts = chunk["event"]
        yield Batch(rows=chunk[ROW].to_list(), events=texts.to_list(), body=body(texts))
