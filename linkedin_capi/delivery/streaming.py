"""The one export pipeline: chunks → validation → rendered batches → senders → outcomes.

:func:`deliver` is what :func:`linkedin_capi.delivery.export.export` runs for a DataFrame
(validated slice by slice as it is sent, :class:`~linkedin_capi.engine.sliced.SlicedValidation`,
each row evaluated once; its :class:`~linkedin_capi.engine.report.ValidationReport` joined
from the slices and kept on the result; with a journal or ``skip_invalid_records=False``
every row's status first) and for a LazyFrame (``chunk_size`` rows at a time; memory
holds one chunk, at most ``max_in_flight`` batches on the wire, and the per-row outcome of
every row seen so far — about 40 bytes a row; the result's ``report`` is then ``None``).

Threads: the calling thread pulls chunks (validated one ahead in a thread), renders, and
applies outcomes (result rows, journal); ``max_in_flight`` sender threads only send, via
:func:`~linkedin_capi.delivery.sending.send_batch` (the one set of rules for
acknowledgement, splitting and retrying).

One stop rule (:meth:`_Run.settle`): a persistent 429, a spent daily budget, an error that
stops every batch (auth, permissions, a redirect, the rule itself wrong), three batches in a
row without a usable answer, or Ctrl-C. After a stop nothing more is sent; every later row
still gets its true status (``invalid``/``skipped`` stay so; valid rows are ``failed`` with
"not sent: <why>").

Journal (write-ahead): a batch is recorded ``unsent`` when queued and ``unknown`` right
before its bytes go on the wire, then ``sent``/``rejected`` from LinkedIn's answer. A re-run
skips ``sent`` ids (``already_sent``) and re-sends ``unknown`` ones with the same
``eventId`` (counted in ``result.resent``: LinkedIn documents deduplication only between the
Insight Tag and CAPI, so a re-send may count twice).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import logging
import os
import re
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

import polars as pl

from linkedin_capi._constants import (
    CONVERSION,
    EVENT_ID,
    EXPORT_GIVE_UP_AFTER_BATCHES,
    EXPORT_STATUSES,
    ROW,
    STREAM_CHUNK_ROWS,
)
from linkedin_capi.delivery.journal import CLAIMED, Journal, KnownIds, event_digests, id_keys
from linkedin_capi.delivery.ratelimit import RateLimit, limiter_for, next_utc_midnight
from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.delivery.sending import (
    Bar,
    BatchOutcome,
    CallbackBar,
    Gate,
    Progress,
    prefetched,
    progress_bar,
    send_batch,
    shrink_total,
)
from linkedin_capi.engine.payload import Batch, batch_bodies, event_json, rule_groups
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.engine.sliced import SlicedValidation
from linkedin_capi.engine.validate import ExprCache, Plan, make_plan, validate_chunk
from linkedin_capi.errors import (
    APIConnectionError,
    CapiError,
    ConfigError,
    ExportInterrupted,
    JournalError,
    RateLimitError,
    SchemaError,
    ServerError,
    ValidationFailed,
)

if TYPE_CHECKING:
    from linkedin_capi.client.session import Client as Connection

__all__ = ["STATUS_DTYPE", "deliver", "with_derived_event_ids"]

log = logging.getLogger("linkedin_capi.delivery.export")

#: ``ExportResult.rows["status"]`` of a streaming export: one byte a row, not a string.
STATUS_DTYPE = pl.Enum(EXPORT_STATUSES)
#: Prefix of the canonical text a derived eventId hashes (bump if the rendering changes).
_DERIVED_ID_VERSION = "capi-v1:"
_RENDER_BATCHES = 4
#: Rows validated at a time at most, whatever ``chunk_size`` asks (memory stays flat).
MAX_CHUNK_ROWS = STREAM_CHUNK_ROWS
#: Valid rows of a DataFrame export normalized and rendered at a time (rounded to whole
#: render steps): bounds the memory an eager export needs beyond its input.
_PART_ROWS = 50_000
#: Rows of a DataFrame an export validates at a time (rounded to whole render steps).
#: Memory against time: one slice is validated while the one before is sent, and Polars
#: needs about 1 KB a row of the slice while it evaluates. 40,000-row slices kept an
#: eager export of 1M rows at 2.0x the frame instead of 3.0x, but each evaluation has
#: ~27 ms of fixed cost, which made that export ~15 % slower (tests/benchmarks/README.md).
_SLICE_ROWS = 100_000
#: Seconds the batches in flight get to be answered after Ctrl-C.
INTERRUPT_GRACE = 1.0
#: How often the calling thread looks for Ctrl-C while it waits for a batch.
_POLL = 0.1
#: Seconds senders get to end after their connections were cut (they fail at once).
_ABORT_WAIT = 5.0


def with_derived_event_ids(valid: pl.DataFrame) -> pl.DataFrame:
    """Fill null/absent ``eventId`` with SHA-256 of the row's rendered event (64 hex chars).

    The event JSON is built from normalized values (hashed e-mail, epoch ms, rule URN),
    so the same conversion gives the same id however the input was spelled, and the id
    fits LinkedIn's 64-character limit. Two identical rows get the same id: they are the
    same event.
    """
    import polars_hash  # noqa: F401  (registers ``chash``; on first use, see engine.hashing)

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
    resends: int = 0  # rows an earlier run left 'unknown' (a re-send may duplicate them)
    digests: list[int] | None = None  # the journal's ledger: what each event rendered to
    journal_batch: int | None = None
    out: BatchOutcome = field(default_factory=BatchOutcome)


def _gave_up(batches: int) -> str:
    return (
        f"{batches} batches in a row got no usable answer after every retry "
        "(LinkedIn down, or something between answering in its place?); re-run later "
        "with the same journal"
    )


def _unsettled(rows: list[int], out: BatchOutcome) -> list[int]:
    """The rows of a batch that ``out`` does not settle (a stop came first).

    Sent, failed and unknown are disjoint parts of the batch: when their sizes add up to
    it (the common case), no set of its 5,000 row numbers is built.
    """
    parts = [*out.sent, out.failed_rows, *(part for part, _ in out.unknown)]
    if sum(map(len, parts)) >= len(rows):
        return []
    settled = {r for part in parts for r in part}
    return [r for r in rows if r not in settled]


@dataclass
class _Run:
    """The calling thread's bookkeeping for one export."""

    journal: Journal | None
    bar: Bar
    clock: Callable[[], float] = time.time
    row_dtype: pl.DataType = field(default_factory=pl.UInt32)
    groups: dict[tuple[str, str | None], list[pl.Series]] = field(default_factory=dict)
    frames: list[pl.DataFrame] = field(default_factory=list)
    requests: int = 0
    resent: int = 0
    failed: int = 0
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

    def add_report(self, report: ValidationReport) -> None:
        """The invalid and skipped rows of a chunk (never sent, whatever happens later)."""
        if report.invalid.height:
            self.add_frame(
                report.invalid.select(
                    ROW,
                    pl.lit("invalid").alias("status"),
                    pl.col("errors").list.join("; ").alias("error"),
                )
            )
        if report.skipped.height:
            self.add_frame(
                report.skipped.select(
                    ROW, pl.lit("skipped").alias("status"), pl.col("reason").alias("error")
                )
            )

    def settle(self, job: _Job, out: BatchOutcome) -> None:
        """Apply one batch's outcome: result rows, journal, and the one stop rule."""
        self.requests += out.requests
        self.resent += out.resent + (job.resends if out.wired else 0)
        journal = self.journal
        id_of = dict(zip(job.rows, job.ids, strict=True)) if job.ids is not None else {}
        whole = len(out.sent) == 1 and len(out.sent[0]) == len(job.rows)
        for rows in out.sent:
            self.add(rows, "sent")
            self.bar.update(len(rows))
            if journal is not None and job.journal_batch is not None:
                if whole:  # the common case: one row of the journal updated
                    journal.finish(job.journal_batch, "sent")
                else:
                    sums = None
                    if job.digests is not None:
                        sum_of = dict(zip(job.rows, job.digests, strict=True))
                        sums = [sum_of[r] for r in rows]
                    journal.record([id_of[r] for r in rows], "sent", digests=sums)
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
            self.failed += len(out.failed_rows)
            if not isinstance(self.bar, CallbackBar):  # the callable hears of acks only
                self.bar.update(len(out.failed_rows))
                self.bar.set_postfix(failed=self.failed)
            if journal is not None and id_of:
                by_error: dict[str, list[str]] = {}
                for row, error in zip(out.failed_rows, out.failed_errors, strict=True):
                    by_error.setdefault(error, []).append(id_of[row])
                for error, ids in by_error.items():
                    journal.record(ids, "rejected", error)
        for rows, error in out.unknown:
            note = (
                f"not acknowledged: {error}; LinkedIn may have ingested these events: "
                "re-run with the same journal to resolve"
                if journal is not None
                else f"not acknowledged: {error}; LinkedIn may have ingested these events"
            )
            self.add(rows, "failed", note)  # the journal keeps them 'unknown'
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
        if out.request_wrong is not None and self.stop is None:
            self.stop = out.request_wrong
        if out.fatal is not None and self.fatal is None:
            self.fatal = out.fatal
            self.stop = self.stop or f"{type(out.fatal).__name__}: {out.fatal}"
        left = _unsettled(job.rows, out)
        if left:
            self.add(left, "failed", f"not sent: {self.stop or 'the export stopped early'}")
            if journal is not None and job.journal_batch is not None:
                if len(left) == len(job.rows):
                    journal.finish(job.journal_batch, "unsent")
                else:
                    journal.record([id_of[r] for r in left], "unsent")
        self.streak = self.streak + 1 if out.unknown else 0
        if self.streak >= EXPORT_GIVE_UP_AFTER_BATCHES and self.stop is None:
            self.stop = _gave_up(self.streak)

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


class _Interrupts:
    """Ctrl-C while an export runs: close the gate now, raise at a safe point.

    In the main thread the SIGINT handler only records the interrupt and wakes a small
    thread that closes the gate, so no journal write or outcome is torn apart by a
    ``KeyboardInterrupt`` landing in the middle; the calling thread polls and stops.
    Elsewhere (no handler can be installed) the ``KeyboardInterrupt`` arrives as usual and
    is handled the same way.

    The handler takes no lock: it runs between two bytecodes of the main thread, which may
    hold the journal's lock while a sender, holding the gate's lock to journal its batch
    ``unknown``, waits for it. Closing the gate there deadlocked the export (seen once in
    the test suite); the handler writes a byte to a pipe instead, which is safe in a signal
    handler, and the closing thread does the rest.
    """

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.count = 0
        self._previous: Any = None
        self._installed = False
        self._pipe: tuple[int, int] | None = None
        self._closer: threading.Thread | None = None

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self._pipe is not None:
            with contextlib.suppress(OSError):  # a full pipe: the gate is closing already
                os.write(self._pipe[1], b"!")

    def _close_on_signal(self, read_end: int) -> None:
        while True:
            byte = os.read(read_end, 1)
            if byte != b"!":  # b"" or b"q": the export is over
                return
            self.gate.close()

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            pipe = os.pipe()
            os.set_blocking(pipe[1], False)  # the handler never waits
            try:
                self._previous = signal.signal(signal.SIGINT, self._handler)
                self._installed = True
            except (ValueError, OSError):  # pragma: no cover - embedded interpreters
                os.close(pipe[0])
                os.close(pipe[1])
                return self
            self._pipe = pipe
            self._closer = threading.Thread(
                target=self._close_on_signal,
                args=(pipe[0],),
                name="linkedin-capi-interrupts",
                daemon=True,
            )
            self._closer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
        if self._pipe is not None:
            read_end, write_end = self._pipe
            self._pipe = None
            os.write(write_end, b"q")
            if self._closer is not None:
                self._closer.join(timeout=5)
            os.close(write_end)
            os.close(read_end)

    @property
    def pending(self) -> bool:
        """Whether Ctrl-C was pressed."""
        return self.count > 0


class _Stopped(Exception):
    """Internal: Ctrl-C was seen at a safe point."""


class _Warnings:
    """``report.warnings`` of every chunk, merged: ``"3 rows: X"`` + ``"2 rows: X"`` is
    ``"5 rows: X"``; a line without a count is kept once."""

    _COUNTED = re.compile(r"^(\d+) rows: (.*)$", re.S)

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}  # in order of first appearance

    def add(self, lines: list[str]) -> None:
        for line in lines:
            m = self._COUNTED.match(line)
            key, n = (m.group(2), int(m.group(1))) if m else (line, 0)
            self._counts[key] = self._counts.get(key, 0) + n

    def lines(self) -> list[str]:
        return [f"{n} rows: {k}" if n else k for k, n in self._counts.items()]


def _chunks(lf: pl.LazyFrame, chunk_size: int) -> Iterator[pl.DataFrame]:
    """The LazyFrame ``chunk_size`` rows at a time, in order (the query runs as pulled).

    At most :data:`MAX_CHUNK_ROWS` rows at a time whatever ``chunk_size`` says: a chunk is
    held several times over while it is validated (input, normalized columns, flags, the
    valid rows one chunk ahead), so memory grows with it (10M rows measured 0.64 GB at
    50,000-row chunks, 0.75 GB at 100,000 and 1.45 GB at 500,000); capped, it stays flat.
    """
    size = min(chunk_size, MAX_CHUNK_ROWS)
    for chunk in lf.collect_batches(chunk_size=size, maintain_order=True):
        # A reader may hand over more than asked; slices are views, not copies.
        for piece in chunk.iter_slices(size) if chunk.height > size else (chunk,):
            if piece.height:
                yield piece


def _whole_batches(parts: Iterator[pl.DataFrame], batch_size: int) -> Iterator[pl.DataFrame]:
    """``parts`` with each one's last partial batch moved to the front of the next.

    Every request but the last then carries ``batch_size`` events: a part of 50,000 rows
    with a few invalid ones would otherwise end in a small batch, and LinkedIn's quota
    counts requests. (Not with a journal: there a part is what the ledger checks whole.)
    """
    held: pl.DataFrame | None = None
    for part in parts:
        if held is not None:
            part = pl.concat([held, part])
            held = None
        whole = part.height - part.height % batch_size
        if 0 < whole < part.height or (whole == 0 and part.height):
            held, part = part.slice(whole), part.slice(0, whole)
        yield part
    if held is not None:
        yield held


def _jobs(
    valid: pl.DataFrame,
    batch_size: int,
    journaled: bool,
    resend: pl.Series | None,
    digests: pl.Series | None = None,
) -> Iterator[_Job]:
    step = batch_size * _RENDER_BATCHES
    extra = {name: col for name, col in ((_RESEND, resend), (_DIGEST, digests)) if col is not None}
    keyed = valid.with_columns(col.alias(name) for name, col in extra.items())
    for group in rule_groups(keyed):  # at most 100 distinct rules per batch (audit C5)
        again_col = group.get_column(_RESEND) if resend is not None else None
        sum_col = group.get_column(_DIGEST) if digests is not None else None
        group = group.drop(*extra)
        for start in range(0, group.height, step):
            part = group.slice(start, step)
            subs = part.iter_slices(batch_size)
            offset = start
            for batch, sub in zip(batch_bodies(part, batch_size), subs, strict=True):
                ids = sub.get_column(EVENT_ID).to_list() if journaled else None
                again = (
                    int(again_col.slice(offset, sub.height).sum()) if again_col is not None else 0
                )
                sums = sum_col.slice(offset, sub.height).to_list() if sum_col is not None else None
                offset += sub.height
                yield _Job(batch.rows, ids, batch, resends=again, digests=sums)


_RESEND = "__capi_resend"
_DIGEST = "__capi_digest"


def _rules_of(report: ValidationReport) -> list[str]:
    """The distinct rules of ``report``'s valid rows (only that column is normalized)."""
    rules: set[str] = set()
    for part in report.valid_parts(_PART_ROWS, fields=[CONVERSION]):
        rules.update(part.get_column(CONVERSION).drop_nulls().unique().to_list())
    return sorted(rules)


def check_rules(conn: Any, valid: pl.DataFrame) -> None:
    """Before the first event goes out: the rules ``valid`` uses must accept events.

    ``conn.check_rules`` (on :class:`~linkedin_capi.connection.Connection`) fetches each
    distinct rule once per connection and raises ``ConfigError`` with the fix for a rule
    that is missing, disabled, of another method or of another ad account. A bare HTTP
    client without the method is not checked.
    """
    check = getattr(conn, "check_rules", None)
    if check is None or valid.height == 0 or CONVERSION not in valid.columns:
        return
    try:
        check(valid.get_column(CONVERSION).drop_nulls().unique().sort().to_list())
    except (RateLimitError, ServerError, APIConnectionError) as exc:
        # Transient: the sending machinery owns 429/5xx stops; nothing was cached, so the
        # next chunk checks again.
        log.warning("rule check not done (%s); LinkedIn will be asked again", exc)


def _refused_rules(conn: Any, rules: list[str]) -> dict[str, CapiError]:
    """The rules of ``rules`` (all a row may use) that do not accept events, checked now,
    each with the error that says why (every rule is fetched once per connection).

    The export then looks at the valid rows' own rules: a refused rule used only by invalid
    rows stops nothing; one a valid row uses stops the export before its first event.
    """
    refused: dict[str, CapiError] = {}
    for rule in rules:
        try:
            check_rules(conn, pl.DataFrame({CONVERSION: [rule]}, schema={CONVERSION: pl.String}))
        except ConfigError as exc:
            refused[rule] = exc
        except CapiError as exc:  # no token, say: it stops any rule; raised by _run
            refused.update(dict.fromkeys(rules, exc))
            break
    return refused


def _invalid_error(bad: pl.DataFrame, total: int) -> str:
    # Name the fields only: the validator's messages quote values (maybe raw e-mails).
    fields = bad.get_column("errors").explode().str.extract(r"^([^:]+):").unique()
    return (
        f"{bad.height} of {total} rows are invalid and skip_invalid_records=False, so nothing "
        f"was sent (fields with problems: {', '.join(sorted(f for f in fields if f))}). See "
        "err.report.invalid for every row and message, fix them, or pass "
        "skip_invalid_records=True"
    )


def _precheck(lf: pl.LazyFrame, plan: Plan, chunk_size: int) -> None:
    """``skip_invalid_records=False``: a validation-only pass before anything is sent."""
    invalid, total = [], 0
    exprs: ExprCache = {}
    for chunk in _chunks(lf, chunk_size):
        report = validate_chunk(chunk, plan=plan, row_offset=total, exprs=exprs)
        total += chunk.height
        if report.counts["invalid"]:
            invalid.append(report.invalid)
    if not invalid:
        return
    bad = pl.concat(invalid, how="diagonal_relaxed")
    empty = bad.head(0).select(ROW)
    raise ValidationFailed(
        _invalid_error(bad, total), ValidationReport(valid=empty, invalid=bad, skipped=empty)
    )


def deliver(
    data: pl.DataFrame | pl.LazyFrame,
    conn: Connection | None,
    conversion: Any,
    *,
    skip_invalid_records: bool,
    dry_run: bool,
    batch_size: int,
    now: dt.datetime | None,
    progress: Progress,
    chunk_size: int,
    journal: str | os.PathLike[str] | Journal | None,
    derive_event_ids: bool,
    max_in_flight: int,
    rate_limit: RateLimit | None,
    resend_unknown: bool,
    hash_names: bool = False,
    mapping: Mapping[str, str] | None = None,
    timezone: str | None = None,
    date_format: str | None = None,
    decimal_comma: bool | None = None,
) -> ExportResult:
    """See :func:`linkedin_capi.delivery.export.export` (this is its one pipeline)."""
    version = getattr(conn, "api_version", None)  # validation follows the connection's
    eager = isinstance(data, pl.DataFrame)
    report: ValidationReport | None = None
    sliced: SlicedValidation | None = None
    if isinstance(data, pl.DataFrame):
        plan = make_plan(
            data.schema,
            conversion,
            now=now,
            nulls=data,
            api_version=version,
            hash_names=hash_names,
            mapping=mapping,
            timezone=timezone,
            date_format=date_format,
            decimal_comma=decimal_comma,
        )
        if skip_invalid_records and journal is None:
            # Validated slice by slice as it is sent: the first batch leaves after the
            # first slice, and each row is evaluated once.
            sliced = SlicedValidation(data, plan)
        if sliced is None:
            # Every row's status first: skip_invalid_records=False sends nothing when one
            # row is invalid, and a journal checks the whole frame before sending any.
            report = validate_chunk(data, plan=plan, row_offset=0)
            if not skip_invalid_records and report.counts["invalid"]:
                raise ValidationFailed(_invalid_error(report.invalid, data.height), report)
    else:
        plan = make_plan(
            data.collect_schema(),
            conversion,
            now=now,
            api_version=version,
            hash_names=hash_names,
            mapping=mapping,
            timezone=timezone,
            date_format=date_format,
            decimal_comma=decimal_comma,
        )
    if journal is not None and EVENT_ID not in plan.fields and not derive_event_ids:
        raise ConfigError(
            "journal= keys every event by its eventId, and this frame has no eventId column; "
            "add one (an order or form-submission id) or pass derive_event_ids=True to derive "
            "a stable id from each row's content"
        )
    if not eager and not skip_invalid_records:
        assert isinstance(data, pl.LazyFrame)
        _precheck(data, plan, chunk_size)
    book: Journal | None
    if journal is None or isinstance(journal, Journal):
        book, owned = journal, False
    else:
        book, owned = Journal(journal), True
    try:
        return _run(
            data, report, sliced, plan, conn, book, dry_run=dry_run, batch_size=batch_size,
            progress=progress, chunk_size=chunk_size, derive_event_ids=derive_event_ids,
            max_in_flight=max_in_flight, rate_limit=rate_limit, resend_unknown=resend_unknown,
        )  # fmt: skip
    finally:
        if owned and book is not None:
            book.close()


def _run(
    data: pl.DataFrame | pl.LazyFrame,
    report: ValidationReport | None,
    sliced: SlicedValidation | None,
    plan: Plan,
    conn: Connection | None,
    book: Journal | None,
    *,
    dry_run: bool,
    batch_size: int,
    progress: Progress,
    chunk_size: int,
    derive_event_ids: bool,
    max_in_flight: int,
    rate_limit: RateLimit | None,
    resend_unknown: bool,
) -> ExportResult:
    if book is not None and conn is not None:
        book.bind(account=conn.ad_account_urn, base_url=conn.base_url)
    known = book.known() if book is not None else None
    if report is not None:
        n = report.counts["valid"]
        bar = progress_bar(progress, n, -(-n // batch_size))
    elif sliced is not None:  # the rows found invalid or skipped leave the total as it goes
        n = sliced.df.height
        bar = progress_bar(progress, n, -(-n // batch_size))
    else:
        bar = progress_bar(progress, None, 2)
    run = _Run(journal=book, bar=bar, clock=getattr(conn, "_clock", time.time))
    limiter = limiter_for(conn, rate_limit) if conn is not None else None
    gate = Gate()
    pool = ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="linkedin-capi-send")
    in_flight: deque[tuple[_Job, Future[None]]] = deque()

    streak, streak_lock = [0, 0], threading.Lock()  # [batches in a row unanswered, gave up at]

    def work(job: _Job) -> None:
        assert conn is not None
        journal_batch = job.journal_batch

        def on_wire() -> None:
            if book is not None and journal_batch is not None:
                book.finish(journal_batch, "unknown")

        try:
            send_batch(conn, job.batch, job.out, limiter=limiter, gate=gate, on_wire=on_wire)
        except CapiError as exc:  # the journal could not be written
            job.out.fatal = exc
        if job.out.stops:
            gate.close()  # queued batches must not go out before the caller hears of it
        with streak_lock:
            # The same count _Run.settle keeps, as batches end: the batch queued behind
            # the senders must not start while the caller settles the one that gives up.
            streak[0] = streak[0] + 1 if job.out.unknown else 0
            if streak[0] >= EXPORT_GIVE_UP_AFTER_BATCHES:
                streak[1] = max(streak[1], streak[0])
                gate.close()

    interrupts = _Interrupts(gate)

    def wait_for(future: Future[None], timeout: float | None = None) -> bool:
        """Wait for ``future``; False if Ctrl-C came (or ``timeout`` passed) first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if interrupts.pending and timeout is None:
                return False
            step = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            if step <= 0:
                return future.done()
            done, _ = concurrent.futures.wait([future], timeout=step)
            if done:
                return True

    def settle_oldest() -> None:
        job, future = in_flight[0]
        if not wait_for(future):
            raise _Stopped
        in_flight.popleft()
        future.result()
        run.settle(job, job.out)
        if run.stop is not None:
            gate.close()

    warned = _Warnings()

    def validated() -> Iterator[tuple[ValidationReport, int]]:
        """Chunks pulled and validated in a thread, one ahead of the sending."""
        if report is not None:
            yield report, report.counts["total"]
            return
        if sliced is not None:
            for part in sliced.slices(step * max(1, _SLICE_ROWS // step)):
                yield part, part.counts["total"]
            return
        assert isinstance(data, pl.LazyFrame)
        start = 0
        exprs: ExprCache = {}  # built once per reading, not per chunk
        for chunk in _chunks(data, chunk_size):
            # A chunk is used at once: every part built from one evaluation.
            chunk_report = validate_chunk(
                chunk, plan=plan, row_offset=start, lazy=False, exprs=exprs
            )
            warned.add(chunk_report.warnings)
            yield chunk_report, chunk.height
            start += chunk.height

    offset = 0
    step = batch_size * _RENDER_BATCHES
    part_rows = step * max(1, _PART_ROWS // step)

    def valid_parts() -> Iterator[pl.DataFrame]:
        """The valid rows to send: a chunk's at once, a lazy report's part by part."""
        nonlocal offset
        rules_checked = dry_run or sliced is None
        refused: dict[str, CapiError] = {}
        for chunk_report, height in reports:
            if interrupts.pending:
                raise _Stopped
            built = report is None
            if not rules_checked and chunk_report.counts["valid"]:
                # Before the first event of a sliced DataFrame: every rule any row may use
                # (cheap, from the distinct values). Should one not accept events, the
                # valid rows' own rules decide: the rest is validated first to know them.
                rules_checked = True
                assert sliced is not None
                refused = _refused_rules(conn, sliced.rules())
                if refused:
                    chunk_report = sliced.rest(offset)
                    height, built = chunk_report.counts["total"], False
            offset += height
            run.add_report(chunk_report)
            run.row_dtype = chunk_report.invalid.schema[ROW]
            if sliced is not None:
                shrink_total(run.bar, height - chunk_report.counts["valid"])
            if built:
                valid = chunk_report.valid
                del chunk_report
                yield valid
                continue
            # Normalized from the input part by part, so the valid rows are never all in
            # memory; the journal and the rule check still see every rule up front.
            rules = _rules_of(chunk_report) if book is not None or not dry_run else []
            if book is not None and conn is not None:
                book.bind(account=conn.ad_account_urn, base_url=conn.base_url, rules=rules)
            for rule in rules:
                if rule in refused:  # said when all rules were checked (not fetched again)
                    raise refused[rule]
            if not dry_run and known is None:  # (with a journal: each part, as it is sent)
                check_rules(conn, pl.DataFrame({CONVERSION: rules}, schema={CONVERSION: pl.String}))
            rows = part_rows
            if book is not None:
                # The journal's ledger refuses a whole chunk whose ids it holds with other
                # content before any of it is sent: a DataFrame stays one chunk there.
                rows = max(1, chunk_report.counts["valid"])
            yield from chunk_report.valid_parts(rows)
            if sliced is not None:
                return  # the rest was validated at once; slices validated ahead are not used

    reports = prefetched(validated(), depth=1)
    error: BaseException | None = None
    try:
        with interrupts:
            try:
                parts = (
                    valid_parts() if book is not None else _whole_batches(valid_parts(), batch_size)
                )
                for valid in parts:
                    if derive_event_ids:
                        valid = with_derived_event_ids(valid)
                    if report is None and book is not None and conn is not None:
                        rules = valid.get_column(CONVERSION).drop_nulls().unique().to_list()
                        book.bind(account=conn.ad_account_urn, base_url=conn.base_url, rules=rules)
                    resend: pl.Series | None = None
                    digests: pl.Series | None = None
                    if known is not None and book is not None:
                        valid, resend, digests = _skip_done(
                            valid, known, run, resend_unknown, book.path
                        )
                    if run.stop is not None and not dry_run:
                        # Stopped: nothing more is sent; every row keeps a true status.
                        run.add(valid.get_column(ROW), "failed", f"not sent: {run.stop}")
                        continue
                    if not dry_run:
                        check_rules(conn, valid)  # each rule fetched once per connection
                    jobs = _jobs(valid, batch_size, book is not None, resend, digests)
                    # Rendered in a thread, a render step ahead of the senders: the calling
                    # thread only queues, settles and journals, so no send waits for it.
                    for job in prefetched(jobs, depth=max_in_flight + _RENDER_BATCHES):
                        if dry_run:
                            run.add(job.rows, "dry_run")
                            continue
                        if run.stop is not None or interrupts.pending:
                            if interrupts.pending:
                                raise _Stopped
                            run.add(job.rows, "failed", f"not sent: {run.stop}")
                            continue
                        if book is not None and job.ids is not None:
                            job.journal_batch = book.begin(job.ids, "unsent", job.digests)
                        in_flight.append((job, pool.submit(work, job)))
                        # One more batch than there are senders waits, rendered, in the
                        # pool's queue: the next request starts the moment one ends.
                        while len(in_flight) > max_in_flight:
                            settle_oldest()
                while in_flight:
                    settle_oldest()
            except (_Stopped, KeyboardInterrupt) as exc:
                interrupts.count = max(interrupts.count, 1)
                gate.close()
                error = exc
                _grace(in_flight, run, interrupts, getattr(conn, "abort_requests", None))
            except pl.exceptions.PolarsError as exc:
                error = SchemaError(
                    f"reading or validating the data failed after {offset} rows "
                    f"({type(exc).__name__}: {' '.join(str(exc).split())[:300]}); the rows "
                    "before were handled as err.result says; fix the input and re-run (with "
                    "the same journal= to send only the rest)"
                )
            except CapiError as exc:  # the journal could not be written
                error = exc
            except BaseException as exc:
                error = exc
            finally:
                gate.close()
                reports.close()  # stops the validating thread now
                if error is not None and not isinstance(error, (_Stopped, KeyboardInterrupt)):
                    if isinstance(error, JournalError) and book is not None and book.broken:
                        run.journal = None  # it cannot be written; the result still can
                    _drain(in_flight, run)
                pool.shutdown(wait=not interrupts.pending, cancel_futures=True)
                run.bar.close()
    finally:
        pass  # the SIGINT handler is restored
    if interrupts.pending:
        run.stop = run.stop or "interrupted (Ctrl-C)"
    if streak[1] and run.stop is None:  # the senders gave up in an order settle did not see
        run.stop = _gave_up(streak[1])
    if error is not None and run.stop is None:
        run.stop = f"{type(error).__name__}: {error}"
    if sliced is not None:
        try:
            if offset < sliced.df.height and (run.stop is not None or run.fatal is not None):
                # Rows not reached keep true statuses: invalid and skipped ones are never
                # 'failed' (the valid ones are, by _tail: not sent).
                run.add_report(sliced.rest(offset))
            report = sliced.report()
        except pl.exceptions.PolarsError:
            pass  # the validation error is the one raised; _tail accounts for the rows
    _tail(data, report, offset, run)
    if run.stop is not None:
        if book is not None:
            try:
                book.record_stop(run.stop, run.resume_at.isoformat() if run.resume_at else None)
            except CapiError as exc:
                error = error or exc
        log.warning("export stopped early: %s", run.stop)
    rows = run.frame()
    if report is not None:  # a DataFrame export keeps plain string columns
        rows = rows.with_columns(pl.col("status", "error").cast(pl.String))
    result = ExportResult(
        rows=rows,
        report=report,
        requests=run.requests,
        stopped=run.stop,
        resume_at=run.resume_at,
        resent=run.resent,
        warnings=list(report.warnings) if report is not None else warned.lines(),
    )
    if interrupts.pending:
        raise ExportInterrupted(
            f"interrupted after {result.sent} sent; re-run the same command with --journal "
            "to resume",
            result,
        ) from None
    if isinstance(error, CapiError):
        error.result = result
        raise error
    if error is not None:
        raise error
    if run.fatal is not None:
        run.fatal.result = result
        raise run.fatal
    log.info("export finished: %s", result.summary())
    return result


def _grace(
    in_flight: deque[tuple[_Job, Future[None]]],
    run: _Run,
    interrupts: _Interrupts,
    abort: Callable[[], object] | None,
) -> None:
    """After Ctrl-C: batches in flight get :data:`INTERRUPT_GRACE` seconds to be answered.

    Then the connection's open sockets are cut (``abort``): a sender blocked in a slow
    read or write fails at once instead of after the read timeout, its batch stays
    ``unknown`` (LinkedIn may have it), and every sender thread ends within about a second.
    A second Ctrl-C cuts them without the grace.
    """
    deadline = time.monotonic() + INTERRUPT_GRACE
    futures = [future for _, future in in_flight]
    try:
        if interrupts.count < 2:
            concurrent.futures.wait(futures, timeout=max(0.0, deadline - time.monotonic()))
    except KeyboardInterrupt:  # a second Ctrl-C outside the main thread's handler
        interrupts.count += 1
    if abort is not None and not all(f.done() for f in futures):
        abort()
        try:  # the senders now fail fast (gate closed, connections cut): wait for them
            concurrent.futures.wait(futures, timeout=_ABORT_WAIT)
        except KeyboardInterrupt:
            interrupts.count += 1
    while in_flight:
        job, future = in_flight.popleft()
        if future.done():
            run.settle(job, job.out)
            continue
        # Still on the wire (or never started): it may or may not reach LinkedIn.
        note = (
            "interrupted while this batch was in flight; LinkedIn may have ingested it "
            "(re-run with the same journal to resolve)"
            if job.out.wired
            else "not sent: interrupted (Ctrl-C)"
        )
        run.add(job.rows, "failed", note)


def _drain(in_flight: deque[tuple[_Job, Future[None]]], run: _Run) -> None:
    """After an error: let sent batches finish and record them (the gate is closed)."""
    while in_flight:
        job, future = in_flight.popleft()
        try:
            future.result()
            run.settle(job, job.out)
        except Exception:  # the first error is the one raised; unsettled rows get a tail
            continue


def _tail(
    data: pl.DataFrame | pl.LazyFrame, report: ValidationReport | None, offset: int, run: _Run
) -> None:
    """Rows with no outcome yet after a stop or error: ``failed``, not sent.

    Rows of chunks never reached, and the rest of the chunk an interrupt or error cut
    short. A LazyFrame whose input broke is counted only up to where it broke.
    """
    if run.stop is None and run.fatal is None:
        return
    if isinstance(data, pl.DataFrame):
        total = data.height
    else:
        try:
            total = data.select(pl.len()).collect().item()
        except pl.exceptions.PolarsError:
            total = offset  # the input itself broke; the rows before it are accounted for
    seen = run.frame()
    run.frames = [seen]
    missing = (
        pl.DataFrame({ROW: pl.Series(range(total), dtype=run.row_dtype)})
        .join(seen.select(ROW), on=ROW, how="anti")
        .get_column(ROW)
    )
    run.add(missing, "failed", f"not sent: {run.stop or 'the export stopped early'}")


def _skip_done(
    valid: pl.DataFrame, known: KnownIds, run: _Run, resend_unknown: bool, path: str
) -> tuple[pl.DataFrame, pl.Series | None, pl.Series]:
    """Drop rows the journal has as delivered (``already_sent``); the rest goes out.

    Also returns, per remaining row, whether an earlier run left it ``unknown`` (a re-send
    that LinkedIn may count twice), and each remaining event's digest for the journal.

    Raises
    ------
    JournalError
        The journal records some of these eventIds as sent (or maybe sent) with other
        content: it is the journal of other events, or the events changed. Nothing of this
        chunk is sent; its rows are in ``err.result``.
    """
    missing = valid.get_column(EVENT_ID).is_null()
    if missing.any():
        run.add(
            valid.filter(missing).get_column(ROW),
            "failed",
            "not sent: no eventId, and a journaled export needs one per row (fill eventId or "
            "pass derive_event_ids=True)",
        )
        valid = valid.filter(~missing)
    digests = event_digests(valid)
    if not len(known):
        return valid, None, digests
    keys = valid.select(*id_keys(pl.col(EVENT_ID)))
    found = known.match(keys)
    state = found.get_column("status")
    other = (
        found.select(
            pl.col("status").is_in(CLAIMED)
            & pl.col("digest").is_not_null()
            & (pl.col("digest") != digests)
        )
        .to_series()
        .fill_null(False)
    )
    if other.any():  # an id recorded with two contents: does any record match this one?
        held = known.holds(keys.filter(other).with_columns(digests.filter(other)))
        other = other.scatter(other.arg_true(), ~held)
    done = (state == "sent").fill_null(False) & ~other
    if other.any():
        _refuse_other_events(valid, other, done, run, path)
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
    again = (state == "unknown").fill_null(False).filter(keep)
    return valid.filter(keep), again, digests.filter(keep)


def _refuse_other_events(
    valid: pl.DataFrame, other: pl.Series, done: pl.Series, run: _Run, path: str
) -> None:
    """Some eventIds are in the journal with other content: stop before sending this chunk."""
    clash = valid.filter(other)
    example = clash.item(0, EVENT_ID)
    run.add(valid.filter(done).get_column(ROW), "already_sent")  # these are true
    run.add(
        clash.get_column(ROW),
        "failed",
        "not sent: the journal records this eventId as sent (or maybe sent) with other "
        "content; use a new journal file for other events, or a new eventId for a changed event",
    )
    run.stop = (
        f"journal={path!r} records {clash.height:,} of these eventIds (e.g. {example!r}) as "
        "sent, or maybe sent, with other content: it is the journal of other events, or these "
        "events changed after they were sent. Nothing more was sent. For other events, pass a "
        "new file name as journal= (keep the old one: it is the record of what that export "
        "delivered); for events you changed on purpose, give them new eventIds (LinkedIn "
        "already holds the old content under these)"
    )
    raise JournalError(run.stop)
