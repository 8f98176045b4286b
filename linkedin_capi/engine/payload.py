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
import math
from collections.abc import Iterator, Sequence
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
    HASHED_FIRST_NAME,
    HASHED_LAST_NAME,
    ID_TYPES,
    LAST_NAME,
    LEAD,
    MAX_BATCH_SIZE,
    MAX_RULES_PER_BATCH,
    ROW,
    TITLE,
)
from linkedin_capi.errors import ConfigError

__all__ = ["Batch", "batch_bodies", "body", "event_expr", "event_json", "events", "rule_groups"]

_USER_ID = pl.Struct({"idType": pl.String, "idValue": pl.String})
_INFO_EXTRAS = (COMPANY_NAME, TITLE, COUNTRY_CODE)


def _parts(columns: Sequence[str]) -> dict[str, pl.Expr]:
    """Optional event parts that exist in ``columns``, each with its "is present" test."""
    has = {c: pl.col(c).is_not_null() for c in columns}
    parts: dict[str, pl.Expr] = {}
    if CURRENCY_CODE in has and AMOUNT in has:
        parts["conversionValue"] = has[CURRENCY_CODE] & has[AMOUNT]
    for field in (EVENT_ID, *ID_TYPES, LEAD, EXTERNAL_IDS):
        if field in has:
            parts[field] = has[field]
    firsts = [has[f] for f in (FIRST_NAME, HASHED_FIRST_NAME) if f in has]
    lasts = [has[f] for f in (LAST_NAME, HASHED_LAST_NAME) if f in has]
    if firsts and lasts:
        # From 202609 each name may be plain or hashed (audit D10); a hashed one wins.
        names = pl.any_horizontal(firsts) & pl.any_horizontal(lasts)
        parts["userInfo"] = names
        for plain, hashed in ((FIRST_NAME, HASHED_FIRST_NAME), (LAST_NAME, HASHED_LAST_NAME)):
            if hashed in has:
                parts[hashed] = names & has[hashed]
            if plain in has:
                parts[plain] = names & has[plain] & ~has.get(hashed, pl.lit(False))
        for field in _INFO_EXTRAS:
            if field in has:
                parts[field] = names & has[field]
    return parts


def event_expr(present: Sequence[str]) -> pl.Expr:
    """The event struct for rows where exactly the optional parts in ``present`` exist.

    ``json_encode`` of this struct is the event's JSON: Polars writes (and escapes) it
    natively. Rows are grouped by which parts they have (see :func:`event_json`), so the
    struct never holds a null and nothing is sent as ``null``.
    """
    ids = [pl.struct(idType=pl.lit(t), idValue=pl.col(t)) for t in ID_TYPES if t in present]
    user = [
        pl.concat_list(ids).alias("userIds")
        if ids
        else pl.lit([], pl.List(_USER_ID)).alias("userIds")
    ]
    if "userInfo" in present:
        info = [
            *(f for f in (FIRST_NAME, HASHED_FIRST_NAME) if f in present),
            *(f for f in (LAST_NAME, HASHED_LAST_NAME) if f in present),
            *(f for f in _INFO_EXTRAS if f in present),
        ]
        user.append(pl.struct(info).alias("userInfo"))
    user.extend(pl.col(f) for f in (LEAD, EXTERNAL_IDS) if f in present)
    event = [pl.col(CONVERSION), pl.col(HAPPENED_AT)]
    if "conversionValue" in present:
        event.append(pl.struct(CURRENCY_CODE, AMOUNT).alias("conversionValue"))
    if EVENT_ID in present:
        event.append(pl.col(EVENT_ID))
    event.append(pl.struct(user).alias("user"))
    return pl.struct(event)


_SHAPE = "__capi_shape"


def _with_shapes(valid: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """``valid`` plus a shape column: a bit mask of the optional parts each row has."""
    parts = _parts(valid.columns)
    key = pl.sum_horizontal(
        *(cond.cast(pl.Int64) * (1 << i) for i, cond in enumerate(parts.values()))
    )
    return valid.with_columns((key if parts else pl.lit(0, pl.Int64)).alias(_SHAPE)), list(parts)


def _present(shape: int, names: list[str]) -> list[str]:
    return [n for i, n in enumerate(names) if shape >> i & 1]


def event_json(valid: pl.DataFrame) -> pl.Series:
    """One JSON event per row of ``valid`` (a ``ValidationReport.valid`` frame), same order.

    Rows are grouped by their *shape* (which optional parts they have); each shape is
    rendered with one ``json_encode``. The loop runs once per distinct shape, typically a
    handful, never once per row.
    """
    if valid.height == 0:
        return pl.Series("event", [], dtype=pl.String)
    keyed, names = _with_shapes(valid)
    shapes = keyed.get_column(_SHAPE).unique().sort().to_list()
    rendered = []
    for shape in shapes:
        rows = keyed if len(shapes) == 1 else keyed.filter(pl.col(_SHAPE) == shape)
        encoded = event_expr(_present(shape, names)).struct.json_encode()
        rendered.append(rows.select(pl.col(ROW), encoded.alias("event")))
    out = rendered[0] if len(rendered) == 1 else pl.concat(rendered).sort(ROW)
    return out.get_column("event")


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


class Batch:
    """One request's worth of events: their ``_row`` keys, the body bytes, and the rows.

    The per-event JSON texts are rendered only when asked for (to re-send a subset after
    LinkedIn rejected some events): the body of a batch is written in one piece. ``texts``
    may be given up front instead of ``frame``.
    """

    def __init__(
        self,
        rows: list[int],
        body: bytes,
        frame: pl.DataFrame | None = None,
        *,
        texts: pl.Series | None = None,
    ) -> None:
        if frame is None and texts is None:
            raise ValueError("Batch needs the valid rows (frame=) or their texts (texts=)")
        self.rows = rows
        self.body = body
        self.frame = frame
        self._texts = texts

    @property
    def texts(self) -> pl.Series:
        """The event JSON texts, same order as :attr:`rows` (rendered once, on demand)."""
        if self._texts is None:
            assert self.frame is not None
            self._texts = event_json(self.frame)
        return self._texts

    @property
    def events(self) -> list[str]:
        """The event JSON texts as a list, same order as :attr:`rows`."""
        return self.texts.to_list()

    def __repr__(self) -> str:
        return f"Batch({len(self.rows)} events, {len(self.body):,} bytes)"


def batch_bodies(valid: pl.DataFrame, batch_size: int = MAX_BATCH_SIZE) -> Iterator[Batch]:
    """Split ``valid`` into batches of at most ``batch_size`` events, in row order.

    A batch whose rows all have the same shape (the common case) is written by one
    ``json_encode`` of ``{"elements": [...]}``; a mixed batch joins its events' texts.

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
    keyed, names = _with_shapes(valid)
    keyed = keyed.with_columns((pl.int_range(pl.len()) // batch_size).alias(_BATCH))
    bodies = _uniform_bodies(keyed, names, batch_size)
    for chunk in keyed.iter_slices(batch_size):
        frame = chunk.drop(_SHAPE, _BATCH)
        data = bodies.get(chunk.item(0, _BATCH))
        if data is None:  # rows of several shapes: join the events' texts
            data = body(event_json(frame))
        yield Batch(rows=chunk.get_column(ROW).to_list(), body=data, frame=frame)


_BATCH = "__capi_batch"


def rule_groups(
    valid: pl.DataFrame, max_rules: int = MAX_RULES_PER_BATCH
) -> Iterator[pl.DataFrame]:
    """``valid`` split so that no part names more than ``max_rules`` distinct rules.

    LinkedIn limits a batch to 100 distinct conversion rules (audit C5). A frame within the
    limit is yielded whole (row order kept); otherwise rules are numbered in order of first
    appearance and every ``max_rules`` of them form one part (each part keeps row order).
    The loop runs once per part, never per row.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"_row": range(5), "conversion": ["a", "b", "c", "a", "d"]})
    >>> [p["_row"].to_list() for p in rule_groups(df, max_rules=2)]
    [[0, 1, 3], [2, 4]]
    """
    if CONVERSION not in valid.columns or valid.get_column(CONVERSION).n_unique() <= max_rules:
        yield valid
        return
    first_seen = pl.col(_GROUP).min().over(CONVERSION)
    group = (first_seen.rank("dense") - 1) // max_rules
    keyed = valid.with_columns(pl.int_range(pl.len()).alias(_GROUP)).with_columns(
        group.alias(_GROUP)
    )
    for (_,), part in keyed.group_by(_GROUP, maintain_order=True):
        yield part.drop(_GROUP)


_GROUP = "__capi_rule_group"


def _uniform_bodies(keyed: pl.DataFrame, names: list[str], batch_size: int) -> dict[int, bytes]:
    """Bodies of the batches whose rows all have one shape, keyed by batch number.

    One query per shape renders all of that shape's batches (see :func:`_render`). A batch
    is mixed when its shape changes between two of its consecutive rows; no ``group_by``.
    """
    shapes = keyed.get_column(_SHAPE)
    if shapes.n_unique() == 1:  # the common case: every row has the same parts
        return _render(keyed, _present(shapes.item(0), names), batch_size)
    shape, batch = pl.col(_SHAPE), pl.col(_BATCH)
    changed = (shape != shape.shift(1)) & (batch == batch.shift(1))
    mixed = keyed.filter(changed).get_column(_BATCH).unique()
    uniform = keyed.filter(~batch.is_in(mixed.implode()))
    bodies: dict[int, bytes] = {}
    for value in uniform.get_column(_SHAPE).unique().sort().to_list():
        rows = uniform.filter(shape == value)
        bodies.update(_render(rows, _present(value, names), batch_size))
    return bodies


def _render(rows: pl.DataFrame, present: list[str], batch_size: int) -> dict[int, bytes]:
    """``{"elements": [...]}`` for each batch in ``rows`` (all of one shape).

    ``rows`` holds whole batches, in order (only the last may be short), so the events are
    regrouped by a reshape into fixed-size arrays rather than a ``group_by``: one
    ``json_encode`` writes each body in one pass, and each becomes ``bytes`` with one copy
    (the cast to ``Binary`` shares the string buffers). ``json_encode`` runs on one thread,
    so many batches are written in up to :data:`_RENDER_PIECES` runs of whole batches side
    by side (``collect_all``): about twice as fast on two cores.
    """
    full = rows.height // batch_size * batch_size
    event = event_expr(present).alias(_ELEMENTS)
    # Small renders (an export's, a few batches at a time beside its validation) stay in
    # one piece: splitting them only adds queries.
    batches = full // batch_size
    pieces = max(1, min(_RENDER_PIECES, batches // _PIECE_BATCHES))
    per_piece = max(1, math.ceil(batches / pieces)) * batch_size  # whole batches a run
    queries = [
        rows.slice(start, min(per_piece, full - start))
        .lazy()
        .select(event.reshape((-1, batch_size)))
        for start in range(0, full, per_piece)
    ]
    if rows.height > full:
        queries.append(rows.slice(full).lazy().select(event.implode()))
    encode = pl.struct(_ELEMENTS).struct.json_encode().cast(pl.Binary)
    encoded = pl.collect_all([q.select(encode) for q in queries])
    numbers = rows.get_column(_BATCH).gather_every(batch_size).to_list()
    bodies = (b for e in encoded for b in e.to_series().to_list())
    return dict(zip(numbers, bodies, strict=True))


#: How many runs of batches one ``_render`` encodes side by side, at most, and the
#: fewest batches a run has.
_RENDER_PIECES = 4
_PIECE_BATCHES = 8


_ELEMENTS = "elements"
