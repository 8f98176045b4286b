"""``export``: validate a frame, send its events in batches, and account for every row.

Flow: :func:`~linkedin_capi.engine.validate.validate` →
:func:`~linkedin_capi.engine.payload.batch_bodies`
→ :meth:`Connection.send_events` → :class:`~linkedin_capi.delivery.result.ExportResult`.

When LinkedIn rejects a batch (400/422) it names the failing elements; only those rows
fail, with LinkedIn's message, and the rest is re-sent. When the message names no element
the batch is halved and each half re-sent, so one bad row never fails more than itself.
A rejected batch records nothing at LinkedIn (all-or-nothing), so re-sending never
duplicates an event.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from linkedin_capi._constants import (
    EXPORT_GIVE_UP_AFTER_BATCHES,
    MAX_BATCH_SIZE,
    MAX_IN_FLIGHT,
    STREAM_CHUNK_ROWS,
)
from linkedin_capi.delivery.ratelimit import DailyQuotaSpent, Paced, RateLimit, limiter_for
from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.engine.validate import validate
from linkedin_capi.errors import (
    CapiError,
    ConfigError,
    ValidationFailed,
)

if TYPE_CHECKING:
    import os

    from linkedin_capi.client.session import Client as Connection
    from linkedin_capi.delivery.journal import Journal

from linkedin_capi.delivery._batches import (
    Progress,
    _batches,
    _check_stream_options,
    _deliver,
    _Outcomes,
    _prefetched,
    _progress_bar,
)
from linkedin_capi.delivery.streaming import stream_export

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
    mapping: Mapping[str, str] | None = None,
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
        Batches on the wire at once (default 1 for a DataFrame without journal, else 2).
    rate_limit : RateLimit or None
        Client-side pacing: default 600 requests/minute and 300,000 requests/day (partner
        figures; LinkedIn publishes none). ``None`` disables it (local sinks, benchmarks).
    chunk_size : int
        Rows pulled from a LazyFrame and validated at a time (streaming exports).
    resend_unknown : bool
        With a journal: re-send events whose batch got no answer in an earlier run (same
        ``eventId``; LinkedIn may deduplicate) rather than leave them ``failed``.
    mapping : dict, optional
        ``{input column: field}`` for columns whose names are not LinkedIn's (see
        :func:`linkedin_capi.engine.validate.validate`).

    Returns
    -------
    ExportResult
        ``rows`` has one row per input row (``_row``, ``status``, ``error``).

    Raises
    ------
    ValidationFailed
        ``skip_invalid_records=False`` and some rows are invalid (nothing was sent).
    AuthError, VersionError, PermissionDeniedError, NotFoundError, APIError
        An error that stops the export; ``err.result`` holds the partial ExportResult.

    Notes
    -----
    Streaming: a LazyFrame (or any use of ``journal``/``derive_event_ids``/
    ``max_in_flight``) is validated and sent ``chunk_size`` rows at a time; memory is
    bounded by the chunk, not the dataset, except for ``result.rows`` (one small row per
    input row). The result's ``report`` is then ``None`` (invalid/skipped messages are in
    ``rows``). A persistent HTTP 429 or a spent daily budget stops the export cleanly:
    ``result.stopped`` says why and ``result.resume_at`` when the quota resets.

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
    _check_stream_options(max_in_flight, chunk_size, rate_limit)
    streaming = (
        isinstance(data, pl.LazyFrame)
        or journal is not None
        or derive_event_ids
        or (max_in_flight or 1) > 1
    )
    if streaming:
        if not isinstance(data, pl.DataFrame | pl.LazyFrame):
            raise ConfigError(f"export() expects a Polars DataFrame or LazyFrame, got {type(data)}")
        return stream_export(
            data.lazy(),
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
            mapping=mapping,
        )
    report = validate(data, conversion, now=now, mapping=mapping)
    if not skip_invalid_records and report.invalid.height:
        # Name the fields only: the validator's messages quote values (maybe raw e-mails).
        fields = report.invalid.get_column("errors").explode().str.extract(r"^([^:]+):").unique()
        raise ValidationFailed(
            f"{report.invalid.height} of {report.counts['total']} rows are invalid and "
            f"skip_invalid_records=False, so nothing was sent (fields with problems: "
            f"{', '.join(sorted(f for f in fields.to_list() if f))}). See err.report.invalid "
            "for every row and message, fix them, or pass skip_invalid_records=True",
            report,
        )
    batches = math.ceil(report.valid.height / batch_size)
    bar = _progress_bar(progress, report.valid.height, batches)
    out = _Outcomes(bar)
    failing_streak = 0
    sender = Paced(conn, limiter_for(conn, rate_limit)) if conn is not None else None
    quota_stop: str | None = None
    resume_at: dt.datetime | None = None
    stream = _prefetched(_batches(report.valid, batch_size))
    try:
        for batch in stream:
            if dry_run:
                out.dry.append(batch.rows)
                continue
            if failing_streak >= EXPORT_GIVE_UP_AFTER_BATCHES:
                out.mark_failed(
                    batch.rows,
                    f"not sent: {failing_streak} batches in a row failed after every retry "
                    "(LinkedIn down or daily quota spent); re-run later",
                )
                continue
            assert sender is not None
            try:
                failing_streak = failing_streak + 1 if _deliver(sender, batch, out) else 0
            except DailyQuotaSpent as exc:
                resume_at = exc.resume_at
                quota_stop = (
                    "the daily request budget of this export's rate_limit is spent; it resets "
                    f"at {exc.resume_at:%Y-%m-%d %H:%M} UTC"
                )
                break
    except CapiError as exc:
        exc.result = ExportResult(
            rows=out.frame(report, f"{type(exc).__name__}: {exc}"),
            report=report,
            requests=out.requests,
        )
        log.warning("export stopped: %s (%s)", type(exc).__name__, exc.result.summary())
        raise
    finally:
        stream.close()  # stops the render thread now, not when the generator is collected
        bar.close()
    result = ExportResult(
        rows=out.frame(report, quota_stop),
        report=report,
        requests=out.requests,
        stopped=quota_stop,
        resume_at=resume_at,
    )
    log.info("export finished: %s", result.summary())
    return result
