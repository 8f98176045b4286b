"""Machinery both export paths share: progress bars, outcome bookkeeping, sending one batch
with its splits, batching and prefetching, and the checks of the streaming options.

:mod:`~linkedin_capi.delivery.export` (a DataFrame) and
:mod:`~linkedin_capi.delivery.streaming` (a LazyFrame) import from here; neither imports
the other's private names.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import polars as pl

from linkedin_capi._constants import (
    BATCH_REJECT_STATUSES,
    ROW,
)
from linkedin_capi.delivery.ratelimit import RateLimit
from linkedin_capi.delivery.rejections import failing_indices, split_halves
from linkedin_capi.engine.payload import Batch, batch_bodies, body
from linkedin_capi.errors import (
    APIConnectionError,
    APIError,
    CapiError,
    ConfigError,
    RateLimitError,
    ServerError,
)

if TYPE_CHECKING:
    import requests

    from linkedin_capi.engine.report import ValidationReport


log = logging.getLogger("linkedin_capi.delivery.export")

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


#: Off a terminal, the default progress logs one line per this many batches.
LOG_EVERY_BATCHES = 10


class _LogBar(_NoBar):
    """Progress for logs (cron, CI): one INFO line per ``every`` batches and one at the end.

    A carriage-return bar in a log file is noise; a line now and then says the job is alive.
    """

    def __init__(self, every: int = LOG_EVERY_BATCHES) -> None:
        self.every = every
        self.batches = 0
        self.events = 0
        self.failed = 0

    def update(self, n: int) -> None:
        self.batches += 1
        self.events += n
        if self.batches % self.every == 0:
            self._line()

    def set_postfix(self, **kwargs: Any) -> None:
        failed = kwargs.get("failed")
        if isinstance(failed, int):
            self.failed = failed

    def close(self) -> None:
        if self.batches % self.every:
            self._line()

    def _line(self) -> None:
        log.info(
            "LinkedIn CAPI: %d events settled in %d batches (%d failed)",
            self.events,
            self.batches,
            self.failed,
        )


def _interactive() -> bool:
    """True in a Jupyter kernel or when stderr is a terminal (where a bar can be seen)."""
    if "ipykernel" in sys.modules:
        shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
        if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
            return True
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def _progress_bar(progress: Progress, total: int, batches: int) -> _Bar:
    """``True``: a bar; ``False``: nothing; a callable: called per acknowledged chunk.

    ``None`` (the default): a bar only in a notebook or on a terminal, and only for more
    than one batch; elsewhere (cron, CI, a log file) a log line every few batches.
    """
    if callable(progress) and not isinstance(progress, bool):
        return _CallbackBar(progress)
    if progress is False or (progress is None and batches <= 1):
        return _NoBar()
    if progress is None and not _interactive():
        return _LogBar()
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
