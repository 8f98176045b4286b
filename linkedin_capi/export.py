"""``export``: validate a frame, send its events in batches, and account for every row.

Flow: :func:`~linkedin_capi.validate.validate` → :func:`~linkedin_capi.payload.batch_bodies`
→ :meth:`Connection.send_events` → :class:`~linkedin_capi.result.ExportResult`.

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
import queue
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import polars as pl

from linkedin_capi._constants import (
    BATCH_REJECT_STATUSES,
    EXPORT_GIVE_UP_AFTER_BATCHES,
    MAX_BATCH_SIZE,
    MAX_IN_FLIGHT,
    ROW,
    STREAM_CHUNK_ROWS,
)
from linkedin_capi._ratelimit import DailyQuotaSpent, Paced, RateLimit, limiter_for
from linkedin_capi._rejections import failing_indices, split_halves
from linkedin_capi.errors import (
    APIConnectionError,
    APIError,
    CapiError,
    ConfigError,
    RateLimitError,
    ServerError,
    ValidationFailed,
)
from linkedin_capi.payload import Batch, batch_bodies, body
from linkedin_capi.result import ExportResult
from linkedin_capi.validate import validate

if TYPE_CHECKING:
    import os

    import requests

    from linkedin_capi.connection import Connection
    from linkedin_capi.journal import Journal
    from linkedin_capi.report import ValidationReport

__all__ = ["export"]

log = logging.getLogger("linkedin_capi.export")

Progress = bool | Callable[[int], Any] | None
_T = TypeVar("_T")
_TRANSIENT = (RateLimitError, ServerError, APIConnectionError)


class _Bar(Protocol):
    def update(self, n: int) -> Any: ...
    def set_postfix(self, **kwargs: Any) -> Any: ...
    def close(self) -> Any: ...


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def set_postfix(self, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass


class _CallbackBar(_NoBar):
    """Reports each acknowledged chunk to a user callable (``progress=callable``)."""

    def __init__(self, callback: Callable[[int], Any]) -> None:
        self._callback = callback

    def acknowledged(self, n: int) -> None:
        self._callback(n)


def _progress_bar(progress: Progress, total: int, batches: int) -> _Bar:
    if callable(progress) and not isinstance(progress, bool):
        return _CallbackBar(progress)
    if progress is False or (progress is None and batches <= 1):
        return _NoBar()
    from tqdm.auto import tqdm  # imported late: picks the notebook bar inside Jupyter

    bar: _Bar = tqdm(total=total, unit="event", desc="LinkedIn CAPI", leave=True)
    return bar


class _Sender(Protocol):
    def send_events(self, body: bytes) -> requests.Response: ...


class _Outcomes:
    """Per-row outcomes of the valid rows, collected in chunks (no per-row Python dict)."""

    def __init__(self, bar: _Bar) -> None:
        self.sent: list[list[int]] = []
        self.dry: list[list[int]] = []
        self.failed_rows: list[int] = []
        self.failed_errors: list[str] = []
        self.requests = 0
        self.bar = bar

    def mark_sent(self, rows: list[int]) -> None:
        self.sent.append(rows)
        if isinstance(self.bar, _CallbackBar):
            self.bar.acknowledged(len(rows))
        self.bar.update(len(rows))

    def mark_failed(self, rows: Iterable[int], error: str) -> None:
        rows = list(rows)
        self.failed_rows.extend(rows)
        self.failed_errors.extend([error] * len(rows))
        self.bar.update(len(rows))
        self.bar.set_postfix(failed=len(self.failed_rows))

    def mark_transient(self, rows: list[int], error: CapiError) -> None:
        """Rows of a request that failed transiently after every retry (429/5xx/no answer)."""
        self.mark_failed(rows, str(error))

    def frame(self, report: ValidationReport, stopped: str | None) -> pl.DataFrame:
        dtype = report.valid.schema[ROW]

        def chunk(rows: list[int], status: str, errors: list[str] | None) -> pl.DataFrame:
            return pl.DataFrame(
                {
                    ROW: pl.Series(rows, dtype=dtype),
                    "status": pl.Series([status] * len(rows), dtype=pl.String),
                    "error": pl.Series(errors or [None] * len(rows), dtype=pl.String),
                }
            )

        parts = [
            chunk([r for rows in self.sent for r in rows], "sent", None),
            chunk([r for rows in self.dry for r in rows], "dry_run", None),
            chunk(self.failed_rows, "failed", self.failed_errors),
        ]
        settled = pl.concat(parts)
        unsettled = report.valid.select(ROW).join(settled.select(ROW), on=ROW, how="anti")
        if unsettled.height:
            # Only an export stopped by an error leaves valid rows without an outcome.
            note = f"not sent: the export stopped early ({stopped or 'interrupted'})"
            parts.append(
                chunk(unsettled.get_column(ROW).to_list(), "failed", None).with_columns(
                    pl.lit(note).alias("error")
                )
            )
        invalid = report.invalid.select(
            pl.col(ROW).cast(dtype),
            pl.lit("invalid").alias("status"),
            pl.col("errors").list.join("; ").alias("error"),
        )
        skipped = report.skipped.select(
            pl.col(ROW).cast(dtype),
            pl.lit("skipped").alias("status"),
            pl.col("reason").cast(pl.String).alias("error"),
        )
        return pl.concat([*parts, invalid, skipped]).sort(ROW)


def _element_failures(response: requests.Response, size: int) -> dict[int, str]:
    """Per-element errors inside a 2xx BATCH_CREATE answer (Rest.li allows them)."""
    content = response.content
    if b'"error' not in content and b'"status":4' not in content.replace(b" ", b""):
        return {}  # fast path: every element 201
    try:
        elements = response.json().get("elements", [])
    except (ValueError, AttributeError):
        return {}
    failures: dict[int, str] = {}
    for index, element in enumerate(elements[:size]):
        status = element.get("status") if isinstance(element, dict) else None
        if isinstance(status, int) and status >= 400:
            error = element.get("error") or {}
            message = error.get("message") if isinstance(error, dict) else str(error)
            failures[index] = f"HTTP {status}: {message or 'rejected by LinkedIn'}"
    return failures


def _deliver(conn: _Sender, batch: Batch, out: _Outcomes) -> bool:
    """Send one batch, splitting out the rows LinkedIn blames; True if it ended transiently.

    Raises
    ------
    CapiError
        Errors that stop the whole export (auth, version, permissions, not found, ...).
    """
    # The first piece is the whole batch: its body is ready and its per-event texts are
    # rendered only if LinkedIn blames some events and the rest must be re-sent.
    pieces: deque[tuple[list[int], pl.Series | None, bytes | None]] = deque(
        [(batch.rows, None, batch.body)]
    )
    transient = False
    while pieces:
        rows, texts, payload = pieces.popleft()
        out.requests += 1
        try:
            if payload is None:
                assert texts is not None
                payload = body(texts)
            response = conn.send_events(payload)
        except _TRANSIENT as err:
            # Retried already (connection policy); these rows are lost for this run.
            out.mark_transient(rows, err)
            transient = True
            continue
        except APIError as err:
            if type(err) is not APIError or err.status not in BATCH_REJECT_STATUSES:
                raise
            blamed = failing_indices(err.message, len(rows))
            if blamed:
                for index, message in blamed.items():
                    out.mark_failed([rows[index]], message)
                keep = [i for i in range(len(rows)) if i not in blamed]
                log.info(
                    "LinkedIn rejected %d of %d events; re-sending the rest", len(blamed), len(rows)
                )
                pieces.append(_take(rows, batch.texts if texts is None else texts, keep))
            elif len(rows) == 1:
                out.mark_failed(rows, err.message)
            else:
                log.info(
                    "HTTP %s without element indices; bisecting %d events", err.status, len(rows)
                )
                every = batch.texts if texts is None else texts
                pieces.extend(_take(rows, every, list(half)) for half in split_halves(len(rows)))
            continue
        failures = _element_failures(response, len(rows))
        for index, message in failures.items():
            out.mark_failed([rows[index]], message)
        out.mark_sent([r for i, r in enumerate(rows) if i not in failures] if failures else rows)
    return transient


#: Events rendered per slice of the valid frame: bounds the JSON held in memory at once.
_RENDER_BATCHES = 20
_DONE = object()


def _batches(valid: pl.DataFrame, batch_size: int) -> Iterator[Batch]:
    """Batches of ``valid``, rendered a slice at a time (not the whole frame's JSON at once)."""
    step = batch_size * _RENDER_BATCHES
    for start in range(0, valid.height, step):
        yield from batch_bodies(valid.slice(start, step), batch_size)


def _prefetched(batches: Iterator[_T], depth: int = 2) -> Generator[_T, None, None]:
    """Render the next batches in a thread while the current one is on the wire.

    Polars renders without the GIL and sockets send without it, so the two overlap. The
    queue is bounded (``depth`` batches) and the thread stops when the consumer does.
    """
    box: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        """Put ``item`` unless the consumer has gone; False when it has."""
        while not stop.is_set():
            try:
                box.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in batches:
                if not offer(item):
                    return
            offer(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            offer(exc)

    worker = threading.Thread(target=produce, name="linkedin-capi-render", daemon=True)
    worker.start()
    try:
        while True:
            item = box.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def _take(
    rows: list[int], texts: pl.Series, keep: list[int]
) -> tuple[list[int], pl.Series, bytes | None]:
    return [rows[i] for i in keep], texts.gather(keep), None


def _check_stream_options(
    max_in_flight: int | None, chunk_size: int, rate_limit: RateLimit | None
) -> None:
    for name, value in (("max_in_flight", max_in_flight), ("chunk_size", chunk_size)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    if max_in_flight is not None and max_in_flight > 16:
        raise ConfigError(
            f"max_in_flight={max_in_flight} is more than 16; LinkedIn's quota, not bandwidth, "
            "limits an export, and many parallel batches only hit 429 sooner"
        )
    if rate_limit is not None and not isinstance(rate_limit, RateLimit):
        raise ConfigError(
            "rate_limit= expects linkedin_capi.RateLimit(requests_per_minute=..., "
            f"requests_per_day=...) or None, got {rate_limit!r:.60}"
        )


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

    Streaming: a LazyFrame (or any use of ``journal``/``derive_event_ids``/
    ``max_in_flight``) is validated and sent ``chunk_size`` rows at a time; memory is
    bounded by the chunk, not the dataset, except for ``result.rows`` (one small row per
    input row). The result's ``report`` is then ``None`` (invalid/skipped messages are in
    ``rows``). A persistent HTTP 429 or a spent daily budget stops the export cleanly:
    ``result.stopped`` says why and ``result.resume_at`` when the quota resets.

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
        from linkedin_capi._stream import stream_export  # late: it imports this module

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
        )
    report = validate(data, conversion, now=now)
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
