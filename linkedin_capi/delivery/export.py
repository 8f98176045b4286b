"""``export``: validate a frame, send its events in batches, and account for every row.

Flow: :func:`~linkedin_capi.engine.validate.validate` →
:func:`~linkedin_capi.engine.payload.batch_bodies`
→ :meth:`Connection.send_events` → :class:`~linkedin_capi.delivery.result.ExportResult`.

A DataFrame and a LazyFrame go through the same pipeline
(:func:`~linkedin_capi.delivery.streaming.deliver`) under the same rules
(:mod:`~linkedin_capi.delivery.sending`): a batch is ``sent`` only on LinkedIn's
``BATCH_CREATE`` answer with one entry per event; rejected events fail with LinkedIn's
message and the rest is re-sent (a rejected batch records nothing at LinkedIn, so this never
duplicates an event); a rejection naming no event is halved only while halving can still
isolate rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from linkedin_capi._constants import MAX_BATCH_SIZE, MAX_IN_FLIGHT, STREAM_CHUNK_ROWS
from linkedin_capi.delivery.ratelimit import RateLimit
from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.delivery.sending import Progress, check_stream_options
from linkedin_capi.delivery.streaming import deliver
from linkedin_capi.errors import ConfigError

if TYPE_CHECKING:
    import os

    from linkedin_capi.client.session import Client as Connection
    from linkedin_capi.delivery.journal import Journal

__all__ = ["export"]

log = logging.getLogger("linkedin_capi.delivery.export")


def export(
    data: pl.DataFrame | pl.LazyFrame,
    conn: Connection | None,
    conversion: Any = None,
    *,
    skip_invalid_records: bool = True,
    dry_run: bool = False,
    batch_size: int = MAX_BATCH_SIZE,
    now: dt.datetime | None = None,
    progress: Progress = None,
    journal: str | os.PathLike[str] | Journal | None = None,
    derive_event_ids: bool = False,
    max_in_flight: int | None = None,
    rate_limit: RateLimit | None = RateLimit(),  # noqa: B008 - frozen, safe to share
    chunk_size: int = STREAM_CHUNK_ROWS,
    resend_unknown: bool = True,
    hash_names: bool = False,
    mapping: Mapping[str, str] | None = None,
    timezone: str | None = None,
    date_format: str | None = None,
    decimal_comma: bool | None = None,
) -> ExportResult:
    """Validate ``data`` and upload its valid rows to LinkedIn; one outcome per input row.

    Parameters
    ----------
    data : pl.DataFrame or pl.LazyFrame
        Conversion events (column names as in the connector, any case).
    conn : Connection
        Credentials and session (may be ``None`` only with ``dry_run=True``).
    conversion : int, str or ConversionRule, optional
        Rule for rows without a ``conversion`` value; default ``conn.conversion``.
    skip_invalid_records : bool
        ``True``: send the valid rows and report the rest. ``False``: send nothing when any
        row is invalid (raises :class:`~linkedin_capi.errors.ValidationFailed`).
    dry_run : bool
        Validate and build every request body, send nothing (status ``dry_run``).
    batch_size : int
        Events per request, 1 to 5000.
    now : datetime, optional
        Reference time for the 90-day window (default: now, UTC).
    progress : bool, callable or None
        ``None``: a bar (tqdm) when there is more than one batch; ``True``/``False``: always/
        never; a callable receives the number of events LinkedIn acknowledged after each
        successful request.
    journal : str, path or Journal, optional
        A SQLite file recording every event's outcome by ``eventId``. Re-running the same
        export with it sends only what LinkedIn has not acknowledged yet (status
        ``already_sent`` for the rest), after a crash, a kill or a partial failure. Needs an
        ``eventId`` column or ``derive_event_ids=True``.
    derive_event_ids : bool
        Give rows without an ``eventId`` one derived from their content (SHA-256 of the
        normalized event) and send it, so re-sends can be recognised.
    max_in_flight : int, optional
        Batches on the wire at once (default 2).
    rate_limit : RateLimit or None
        Client-side pacing of every HTTP attempt (retries included): default 600
        requests/minute and 500,000 requests/day, LinkedIn's documented limits per member
        token. ``None`` disables it (local sinks, benchmarks).
    chunk_size : int
        Rows pulled from a LazyFrame and validated at a time (streaming exports); at most
        100,000 (the default) are validated at once, so memory stays flat at a larger value.
    resend_unknown : bool
        With a journal: re-send events whose batch got no usable answer in an earlier run
        (same ``eventId``) rather than leave them ``failed``. LinkedIn documents eventId
        deduplication only between the Insight Tag and CAPI, so such a re-send may count
        twice; ``result.resent`` counts them.
    hash_names : bool
        Send ``firstName``/``lastName`` hashed as ``hashedFirstName``/``hashedLastName``
        (needs the connection's ``api_version`` to be 202609 or newer).
    mapping : dict, optional
        ``{input column: field}`` for columns whose names are not LinkedIn's (see
        :func:`linkedin_capi.engine.validate.validate`).
    timezone, date_format, decimal_comma : optional
        How to read times without an offset (an IANA name; default UTC, warned), time text
        in another format (a strptime format), and amounts such as ``1,250`` that read two
        ways (see :func:`linkedin_capi.engine.validate.validate`).

    Returns
    -------
    ExportResult
        ``rows`` has one row per input row (``_row``, ``status``, ``error``).

    Raises
    ------
    ValidationFailed
        ``skip_invalid_records=False`` and some rows are invalid (nothing was sent).
    JournalError
        The journal is held by another export, records other events, or cannot be written.
    ExportInterrupted
        Ctrl-C (a ``KeyboardInterrupt``); ``.result`` holds the partial ExportResult.
    AuthError, VersionError, PermissionDeniedError, NotFoundError, APIError
        An error that stops the export; ``err.result`` holds the partial ExportResult.

    Notes
    -----
    A DataFrame is validated slice by slice as it is sent (each row once) and keeps its
    ``ValidationReport`` of the whole frame on the result; a LazyFrame
    is validated and sent ``chunk_size`` rows at a time (memory bounded by the chunk, except
    for ``result.rows``; ``report`` is ``None``). A persistent HTTP 429 or a spent daily
    budget stops either cleanly: ``result.stopped`` says why and ``result.resume_at`` when
    the quota resets. Ctrl-C stops within about a second and raises
    :class:`~linkedin_capi.errors.ExportInterrupted` carrying ``.result``.

    Validation applies the rules of the connection's ``api_version``. Before the first
    event is sent, every rule the rows use is fetched once per connection and must exist
    and be an enabled Conversions API rule of the connection's ad account, else a
    ``ConfigError`` with the fix (nothing is sent).

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> df = pl.DataFrame({"conversionHappenedAt": ["2026-11-27T10:00:00Z"],
    ...                    "email": [" Mike@Example.com"], "SHA256_EMAIL": ["mike@example.com"]})
    >>> result = export(df, None, 123, dry_run=True, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
    >>> result.rows.get_column("status").to_list()
    ['dry_run']
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise ConfigError(
            f"batch_size must be an integer from 1 to {MAX_BATCH_SIZE}, got {batch_size!r}"
        )
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ConfigError(
            f"batch_size must be from 1 to {MAX_BATCH_SIZE} (LinkedIn's limit per request), "
            f"got {batch_size}"
        )
    if conn is None and not dry_run:
        raise ConfigError("export needs a Connection (or dry_run=True to send nothing)")
    if conversion is None and conn is not None:
        conversion = conn.conversion
    check_stream_options(max_in_flight, chunk_size, rate_limit)
    if not isinstance(data, pl.DataFrame | pl.LazyFrame):
        raise ConfigError(f"export() expects a Polars DataFrame or LazyFrame, got {type(data)}")
    return deliver(
        data,
        conn,
        conversion,
        skip_invalid_records=skip_invalid_records,
        dry_run=dry_run,
        batch_size=batch_size,
        now=now,
        progress=progress,
        chunk_size=chunk_size,
        journal=journal,
        derive_event_ids=derive_event_ids,
        max_in_flight=max_in_flight or MAX_IN_FLIGHT,
        rate_limit=rate_limit,
        resend_unknown=resend_unknown,
        hash_names=hash_names,
        mapping=mapping,
        timezone=timezone,
        date_format=date_format,
        decimal_comma=decimal_comma,
    )
