"""The streaming export: chunks of a LazyFrame → validation → batches in flight → journal.

Used by :func:`linkedin_capi.delivery.export.export` for a LazyFrame, or when ``journal=``,
``max_in_flight=`` or ``rate_limit=`` is given. Memory holds one chunk (its validation and
rendered JSON), at most ``max_in_flight`` batches on the wire, and the per-row outcome
(``_row``, ``status``, ``error``) of every row seen so far — the :class:`ExportResult`
contract, about 40 bytes a row. ``report.valid`` is never held for the whole dataset, so the
result's ``report`` is ``None``; invalid and skipped rows carry their messages in ``rows``.

Threads: the calling thread pulls chunks, validates, renders and writes the journal (one
SQLite writer); ``max_in_flight`` worker threads only send. Polars and sockets release the
GIL, so validating the next chunk overlaps the requests of the previous one.

Exactly-once (see ``docs_scale.md``): every batch is journaled ``unknown`` before it is
sent and ``sent`` once LinkedIn acknowledged it. A re-run skips ``sent`` ids
(``already_sent``) and re-sends ``unknown`` ones with the same ``eventId`` — the only way
to neither lose nor double an event whose batch got no answer, given that only LinkedIn
knows whether it ingested it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
import polars_hash  # noqa: F401  (registers the ``chash`` expression namespace)

from linkedin_capi._constants import (
    EVENT_ID,
    EXPORT_GIVE_UP_AFTER_BATCHES,
    EXPORT_STATUSES,
    ROW,
)
from linkedin_capi.delivery._batches import (
    _Bar,
    _CallbackBar,
    _deliver,
    _NoBar,
    _Outcomes,
    _prefetched,
    _progress_bar,
)
from linkedin_capi.delivery.journal import Journal, KnownIds, id_keys
from linkedin_capi.delivery.ratelimit import (
    DailyQuotaSpent,
    Paced,
    RateLimit,
    limiter_for,
    next_utc_midnight,
)
from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.engine.payload import Batch, batch_bodies, event_json
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.engine.validate import _Plan, _plan, _validate_chunk
from linkedin_capi.errors import CapiError, ConfigError, RateLimitError, ValidationFailed

if TYPE_CHECKING:
    from linkedin_capi.client.session import Client as Connection

log = logging.getLogger("linkedin_capi.delivery.export")

#: ``ExportResult.rows["status"]`` of a streaming export: one byte a row, not a string.
STATUS_DTYPE = pl.Enum(EXPORT_STATUSES)
#: Prefix of the canonical text a derived eventId hashes (bump if the rendering changes).
_DERIVED_ID_VERSION = "capi-v1:"
_RENDER_BATCHES = 4


def with_derived_event_ids(valid: pl.DataFrame) -> pl.DataFrame:
    """Fill null/absent ``eventId`` with SHA-256 of the row's rendered event (64 hex chars).

    The event JSON is built from normalized values (hashed e-mail, epoch ms, rule URN),
    so the same conversion gives the same id however the input was spelled, and the id
    fits LinkedIn's 64-character limit. Two identical rows get the same id: they are the
    same event.
    """
    content = valid.drop(EVENT_ID) if EVENT_ID in valid.columns else valid
    texts = event_json(content)
    derived = (
        pl.DataFrame({"t": texts})
        .select((pl.lit(_DERIVED_ID_VERSION) + pl.col("t")).chash.sha2_256())  # type: ignore[attr-defined]
        .to_series()
    )
    if EVENT_ID in valid.columns:
        return valid.with_columns(pl.coalesce(pl.col(EVENT_ID), derived).alias(EVENT_ID))
    # eventId goes where the validator would have put it (before the identifiers).
    return content.with_columns(derived.alias(EVENT_ID))


@dataclass
class _Job:
    rows: list[int]
    ids: list[str] | None
    batch: Batch
    journal_batch: int | None = None


class _Collected(_Outcomes):
    """One batch's outcomes, gathered in a worker and applied by the calling thread."""

    def __init__(self) -> None:
        super().__init__(_NoBar())
        self.unknown: list[tuple[list[int], str]] = []
        self.throttled: RateLimitError | None = None
        self.quota: DailyQuotaSpent | None = None
        self.fatal: CapiError | None = None

    def mark_transient(self, rows: list[int], error: CapiError) -> None:
        if isinstance(error, RateLimitError):
            # A 429 ingested nothing: these rows stay unsettled and are journaled 'unsent'.
            self.throttled = error
        else:
            self.unknown.append((rows, str(error)))


@dataclass
class _Run:
    """The calling thread's bookkeeping for one streaming export."""

    journal: Journal | None
    bar: _Bar
    clock: Callable[[], float] = time.time
    row_dtype: pl.DataType = field(default_factory=pl.UInt32)
    groups: dict[tuple[str, str | None], list[pl.Series]] = field(default_factory=dict)
    frames: list[pl.DataFrame] = field(default_factory=list)
    requests: int = 0
    stop: str | None = None
    resume_at: dt.datetime | None = None
    fatal: CapiError | None = None
    streak: int = 0

    def add(self, rows: list[int] | pl.Series, status: str, error: str | None = None) -> None:
        """Rows sharing one outcome: kept as a ``_row`` array per (status, error)."""
        if not len(rows):
            return
        series = rows if isinstance(rows, pl.Series) else pl.Series(rows, dtype=self.row_dtype)
        self.groups.setdefault((status, error), []).append(series)

    def add_frame(self, frame: pl.DataFrame) -> None:
        """Rows with a message each (``_row``, ``status``, ``error``)."""
        self.frames.append(
            frame.select(
                pl.col(ROW).cast(self.row_dtype),
                pl.col("status").cast(STATUS_DTYPE),
                pl.col("error").cast(pl.Categorical),
            )
        )

    def settle(self, job: _Job, out: _Collected) -> None:
        """Apply one batch's outcome: result rows, journal, stop decisions."""
        self.requests += out.requests
        journal = self.journal
        id_of = dict(zip(job.rows, job.ids, strict=True)) if job.ids is not None else {}
        whole = len(out.sent) == 1 and len(out.sent[0]) == len(job.rows)
        settled: set[int] = set()
        for rows in out.sent:
            self.add(rows, "sent")
            self.bar.update(len(rows))
            if isinstance(self.bar, _CallbackBar):
                self.bar.acknowledged(len(rows))
            settled.update(rows)
            if journal is not None and job.journal_batch is not None:
                if whole:  # the common case: one row of the journal updated
                    journal.finish(job.journal_batch, "sent")
                else:
                    journal.record([id_of[r] for r in rows], "sent")
        if out.failed_rows:
            self.add_frame(
                pl.DataFrame(
                    {
                        ROW: pl.Series(out.failed_rows, dtype=self.row_dtype),
                        "status": ["failed"] * len(out.failed_rows),
                        "error": out.failed_errors,
                    }
                )
            )
            settled.update(out.failed_rows)
            if journal is not None:
                by_error: dict[str, list[str]] = {}
                for row, error in zip(out.failed_rows, out.failed_errors, strict=True):
                    by_error.setdefault(error, []).append(id_of[row])
                for error, ids in by_error.items():
                    journal.record(ids, "rejected", error)
        for rows, error in out.unknown:
            note = (
                f"no usable answer ({error}); LinkedIn may have ingested these events: "
                "re-run with the same journal to resolve"
                if journal is not None
                else f"no usable answer ({error}); LinkedIn may have ingested these events"
            )
            self.add(rows, "failed", note)
            settled.update(rows)  # journal keeps them 'unknown' (written before sending)
        if out.quota is not None and self.stop is None:
            self.resume_at = out.quota.resume_at
            self.stop = (
                f"the daily request budget of this export's rate_limit is spent; "
                f"it resets at {out.quota.resume_at:%Y-%m-%d %H:%M} UTC"
            )
        if out.throttled is not None and self.stop is None:
            self.resume_at = next_utc_midnight(self.clock())
            self.stop = (
                f"LinkedIn kept answering HTTP 429 after every retry ({out.throttled.message}); "
                f"its daily quotas reset at midnight UTC ({self.resume_at:%Y-%m-%d %H:%M})"
            )
        if out.fatal is not None and self.fatal is None:
            self.fatal = out.fatal
            self.stop = self.stop or f"{type(out.fatal).__name__}: {out.fatal}"
        left = [r for r in job.rows if r not in settled]
        if left:
            self.add(left, "failed", f"not sent: {self.stop or 'the export stopped early'}")
            if journal is not None and job.journal_batch is not None:
                if len(left) == len(job.rows):
                    journal.finish(job.journal_batch, "unsent")
                else:
                    journal.record([id_of[r] for r in left], "unsent")
        self.streak = self.streak + 1 if out.unknown else 0
        if self.streak >= EXPORT_GIVE_UP_AFTER_BATCHES and self.stop is None:
            self.stop = (
                f"{self.streak} batches in a row got no usable answer after every retry "
                "(LinkedIn down?); re-run later with the same journal"
            )

    def frame(self) -> pl.DataFrame:
        """The per-row outcomes, sorted by ``_row`` (status Enum, error Categorical)."""
        parts = list(self.frames)
        for (status, error), chunks in self.groups.items():
            parts.append(
                pl.DataFrame({ROW: pl.concat(chunks)}).with_columns(
                    pl.lit(status, STATUS_DTYPE).alias("status"),
                    pl.lit(error, pl.Categorical).alias("error"),
                )
            )
        self.groups.clear()
        if not parts:
            return pl.DataFrame(
                schema={ROW: self.row_dtype, "status": STATUS_DTYPE, "error": pl.Categorical}
            )
        return pl.concat(parts).sort(ROW)


def _chunks(lf: pl.LazyFrame, chunk_size: int) -> Iterator[pl.DataFrame]:
    """The LazyFrame ``chunk_size`` rows at a time, in order (the query runs as pulled)."""
    for chunk in lf.collect_batches(chunk_size=chunk_size, maintain_order=True):
        if chunk.height:
            yield chunk


def _jobs(valid: pl.DataFrame, batch_size: int, journaled: bool) -> Iterator[_Job]:
    step = batch_size * _RENDER_BATCHES
    for start in range(0, valid.height, step):
        part = valid.slice(start, step)
        subs = part.iter_slices(batch_size)
        for batch, sub in zip(batch_bodies(part, batch_size), subs, strict=True):
            ids = sub.get_column(EVENT_ID).to_list() if journaled else None
            yield _Job(batch.rows, ids, batch)


def _precheck(lf: pl.LazyFrame, plan: _Plan, chunk_size: int) -> None:
    """``skip_invalid_records=False``: a validation-only pass before anything is sent."""
    invalid, total = [], 0
    for chunk in _chunks(lf, chunk_size):
        report = _validate_chunk(chunk, plan=plan, row_offset=total)
        total += chunk.height
        if report.invalid.height:
            invalid.append(report.invalid)
    if not invalid:
        return
    bad = pl.concat(invalid, how="diagonal_relaxed")
    empty = bad.head(0).select(ROW)
    report = ValidationReport(valid=empty, invalid=bad, skipped=empty)
    fields = bad.get_column("errors").explode().str.extract(r"^([^:]+):").unique()
    raise ValidationFailed(
        f"{bad.height} of {total} rows are invalid and skip_invalid_records=False, so nothing "
        f"was sent (fields with problems: {', '.join(sorted(f for f in fields if f))}). See "
        "err.report.invalid, fix them, or pass skip_invalid_records=True",
        report,
    )


def stream_export(
    lf: pl.LazyFrame,
    conn: Connection | None,
    conversion: Any,
    *,
    skip_invalid_records: bool,
    dry_run: bool,
    batch_size: int,
    now: dt.datetime | None,
    progress: bool | Callable[[int], Any] | None,
    chunk_size: int,
    journal: str | os.PathLike[str] | Journal | None,
    derive_event_ids: bool,
    max_in_flight: int,
    rate_limit: RateLimit | None,
    resend_unknown: bool,
    mapping: Mapping[str, str] | None = None,
) -> ExportResult:
    """See :func:`linkedin_capi.delivery.export.export` (this is its streaming path)."""
    plan = _plan(lf.collect_schema(), conversion, now=now, mapping=mapping)
    if journal is not None and EVENT_ID not in plan.fields and not derive_event_ids:
        raise ConfigError(
            "journal= keys every event by its eventId, and this frame has no eventId column; "
            "add one (an order or form-submission id) or pass derive_event_ids=True to derive "
            "a stable id from each row's content"
        )
    if not skip_invalid_records:
        _precheck(lf, plan, chunk_size)
    book: Journal | None
    if journal is None or isinstance(journal, Journal):
        book, owned = journal, False
    else:
        book, owned = Journal(journal), True
    # What earlier runs settled, as sorted 128-bit keys (~17 bytes an id).
    known = book.known() if book is not None else None
    run = _Run(
        journal=book,
        bar=_progress_bar(progress, 0, 2),
        clock=getattr(conn, "_clock", time.time),
    )
    sender = Paced(conn, limiter_for(conn, rate_limit)) if conn is not None else None
    pool = ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="linkedin-capi-send")
    in_flight: deque[tuple[_Job, Future[_Collected]]] = deque()
    halt = threading.Event()

    def work(job: _Job) -> _Collected:
        out = _Collected()
        if run.stop is not None or halt.is_set():  # stopped while this batch waited
            return out
        assert sender is not None
        try:
            _deliver(sender, job.batch, out)
        except DailyQuotaSpent as exc:
            out.quota = exc
        except CapiError as exc:
            out.fatal = exc
        if out.fatal is not None or out.throttled is not None or out.quota is not None:
            halt.set()  # queued batches must not go out before the caller hears of it
        return out

    def settle_oldest() -> None:
        job, future = in_flight.popleft()
        run.settle(job, future.result())

    def validated() -> Iterator[tuple[ValidationReport, int]]:
        """Chunks pulled and validated in a thread, one ahead of the sending."""
        start = 0
        for chunk in _chunks(lf, chunk_size):
            yield _validate_chunk(chunk, plan=plan, row_offset=start), chunk.height
            start += chunk.height

    offset = 0
    reports = _prefetched(validated(), depth=1)
    try:
        for report, height in reports:
            if run.stop is not None:
                break
            offset += height
            run.row_dtype = report.valid.schema[ROW]
            if report.invalid.height:
                run.add_frame(
                    report.invalid.select(
                        ROW,
                        pl.lit("invalid").alias("status"),
                        pl.col("errors").list.join("; ").alias("error"),
                    )
                )
            if report.skipped.height:
                run.add_frame(
                    report.skipped.select(
                        ROW, pl.lit("skipped").alias("status"), pl.col("reason").alias("error")
                    )
                )
            valid = report.valid
            del report
            if derive_event_ids:
                valid = with_derived_event_ids(valid)
            if known is not None:
                valid = _skip_done(valid, known, run, resend_unknown)
            for job in _jobs(valid, batch_size, book is not None):
                if dry_run:
                    run.add(job.rows, "dry_run")
                    continue
                if run.stop is not None:
                    run.add(job.rows, "failed", f"not sent: {run.stop}")
                    continue
                if book is not None and job.ids is not None:
                    job.journal_batch = book.begin(job.ids)  # write-ahead: in flight
                in_flight.append((job, pool.submit(work, job)))
                # One more batch than there are senders waits, rendered, in the pool's
                # queue: the next request starts the moment one ends.
                while len(in_flight) > max_in_flight:
                    settle_oldest()
        while in_flight:
            settle_oldest()
    except BaseException:
        run.stop = run.stop or "interrupted"
        raise
    finally:
        reports.close()  # stops the validating thread now
        while in_flight:  # after an exception: let sent batches finish, record them
            try:
                settle_oldest()
            except Exception:  # the first error is the one raised
                break
        pool.shutdown(wait=True)
        run.bar.close()
    if run.stop is not None:
        total = lf.select(pl.len()).collect().item()
        if total > offset:
            run.add(
                pl.Series(ROW, range(offset, total), dtype=run.row_dtype),
                "failed",
                f"not sent: {run.stop}",
            )
        if book is not None:
            book.record_stop(run.stop, run.resume_at.isoformat() if run.resume_at else None)
        log.warning("export stopped early: %s", run.stop)
    if owned and book is not None:
        book.close()
    result = ExportResult(
        rows=run.frame(),
        report=None,
        requests=run.requests,
        stopped=run.stop,
        resume_at=run.resume_at,
    )
    if run.fatal is not None:
        run.fatal.result = result
        raise run.fatal
    log.info("export finished: %s", result.summary())
    return result


def _skip_done(
    valid: pl.DataFrame, known: KnownIds, run: _Run, resend_unknown: bool
) -> pl.DataFrame:
    """Drop rows the journal has as delivered (``already_sent``); the rest goes out."""
    missing = valid.get_column(EVENT_ID).is_null()
    if missing.any():
        run.add(
            valid.filter(missing).get_column(ROW),
            "failed",
            "not sent: no eventId, and a journaled export needs one per row (fill eventId or "
            "pass derive_event_ids=True)",
        )
        valid = valid.filter(~missing)
    if not len(known):
        return valid
    state = known.status(valid.select(*id_keys(pl.col(EVENT_ID))))
    done = (state == "sent").fill_null(False)
    run.add(valid.filter(done).get_column(ROW), "already_sent")
    keep = ~done
    if not resend_unknown:
        unknown = (state == "unknown").fill_null(False)
        run.add(
            valid.filter(unknown).get_column(ROW),
            "failed",
            "not re-sent: an earlier run got no answer for its batch (LinkedIn may have "
            "ingested it); pass resend_unknown=True to send it again with the same eventId",
        )
        keep &= ~unknown
    return valid.filter(keep)
