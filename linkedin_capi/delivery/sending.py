"""Sending one batch: pacing and counting every attempt, proof of acknowledgement, splits.

The one set of rules both kinds of export follow (:func:`linkedin_capi.delivery.streaming.deliver`
is the pipeline that calls :func:`send_batch`):

* A batch is ``sent`` only when the answer is LinkedIn's ``BATCH_CREATE`` answer: JSON with
  one ``elements`` entry per event (2xx each, or a per-element error that fails that row).
  Any other 2xx (an HTML page, an empty body, fewer entries) is an *unacknowledged* answer:
  its rows are not sent, and the message says what arrived. A 3xx is never followed.
* A rejection (400/413/422) naming elements fails those rows and re-sends the rest (never an
  empty batch). One naming none is halved while halving can still isolate rows: when both
  halves are rejected the same way, the fault is not a row's, so every row of the piece fails
  with LinkedIn's message (and the export stops when the message says the rule or the
  request is wrong). One bad row costs about 2·log2(n) extra requests, never n.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import polars as pl

from linkedin_capi._constants import BATCH_REJECT_STATUSES
from linkedin_capi.delivery.ratelimit import DailyQuotaSpent, Limiter, RateLimit
from linkedin_capi.delivery.rejections import failing_indices, split_halves
from linkedin_capi.engine.payload import Batch, body
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

    from linkedin_capi.client.session import AttemptHooks

__all__ = [
    "BatchOutcome",
    "Gate",
    "Halted",
    "Progress",
    "Sender",
    "acknowledgement",
    "check_stream_options",
    "prefetched",
    "progress_bar",
    "send_batch",
]

log = logging.getLogger("linkedin_capi.delivery.export")

Progress = bool | Callable[[int], Any] | None
_T = TypeVar("_T")
_TRANSIENT = (RateLimitError, ServerError, APIConnectionError)

#: A rejection of a whole piece whose text says the rule or the request itself is wrong:
#: splitting cannot help and every further batch would fail the same way.
_REQUEST_IS_WRONG = re.compile(
    r"marked as deleted|enabled should be true|disabled|method should be|"
    r"conversion(?:'s)? method|invalid urn|does not exist|not found",
    re.IGNORECASE,
)


class Bar(Protocol):
    """The part of a tqdm bar the export uses."""

    def update(self, n: int) -> Any: ...
    def set_postfix(self, **kwargs: Any) -> Any: ...
    def close(self) -> Any: ...


class NoBar:
    """A progress bar that shows nothing."""

    def update(self, n: int) -> None:
        pass

    def set_postfix(self, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass


class CallbackBar(NoBar):
    """Reports each acknowledged chunk to a user callable (``progress=callable``)."""

    def __init__(self, callback: Callable[[int], Any]) -> None:
        self._callback = callback

    def update(self, n: int) -> None:
        self._callback(n)


#: Off a terminal, the default progress logs one line per this many batches.
LOG_EVERY_BATCHES = 10


class LogBar(NoBar):
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


def progress_bar(progress: Progress, total: int | None, batches: int) -> Bar:
    """``True``: a bar; ``False``: nothing; a callable: called per acknowledged chunk.

    ``None`` (the default): a bar only in a notebook or on a terminal, and only for more
    than one batch; elsewhere (cron, CI, a log file) a log line every few batches.
    """
    if callable(progress) and not isinstance(progress, bool):
        return CallbackBar(progress)
    if progress is False or (progress is None and batches <= 1):
        return NoBar()
    if progress is None and not _interactive():
        return LogBar()
    from tqdm.auto import tqdm  # imported late: picks the notebook bar inside Jupyter

    bar: Bar = tqdm(total=total, unit="event", desc="LinkedIn CAPI", leave=True)
    return bar


def shrink_total(bar: Bar, rows: int) -> None:
    """Take ``rows`` that will never be sent (invalid, skipped) off a bar's total.

    A DataFrame export validates as it sends, so its bar starts at every row and learns
    of the invalid ones slice by slice; bars without a total are left alone.
    """
    total = getattr(bar, "total", None)
    if rows and isinstance(total, int):
        bar.total = max(0, total - rows)  # type: ignore[attr-defined]
        refresh = getattr(bar, "refresh", None)
        if callable(refresh):
            refresh()


class Sender(Protocol):
    """What sending needs from a connection."""

    def send_events(
        self, body: bytes, *, hooks: AttemptHooks | None = None
    ) -> requests.Response: ...


class Halted(Exception):
    """Internal: the export is stopping (Ctrl-C or a stop decided by another batch)."""


@dataclass
class BatchOutcome:
    """What happened to one batch's rows; filled by a sender thread, applied by the caller."""

    sent: list[list[int]] = field(default_factory=list)
    failed_rows: list[int] = field(default_factory=list)
    failed_errors: list[str] = field(default_factory=list)
    #: Rows that went on the wire without a usable answer: LinkedIn may have them.
    unknown: list[tuple[list[int], str]] = field(default_factory=list)
    throttled: RateLimitError | None = None
    quota: DailyQuotaSpent | None = None
    fatal: CapiError | None = None
    #: LinkedIn said the rule or the request is wrong: stop the export with this reason.
    request_wrong: str | None = None
    requests: int = 0
    #: Events put on the wire again after an ambiguous failure (possible duplicates).
    resent: int = 0
    wired: bool = False

    def fail(self, rows: list[int], error: str) -> None:
        self.failed_rows.extend(rows)
        self.failed_errors.extend([error] * len(rows))

    @property
    def stops(self) -> bool:
        """Whether this outcome stops the export."""
        return any(
            x is not None for x in (self.throttled, self.quota, self.fatal, self.request_wrong)
        )


class Gate:
    """Whether batches may still go on the wire; closed once by a stop or Ctrl-C.

    A batch becomes *wired* (journaled ``unknown``) under the gate's lock, so once
    :meth:`close` returns no batch that was not wired yet ever will be.
    """

    def __init__(self) -> None:
        self.halt = threading.Event()
        self._lock = threading.Lock()

    def close(self) -> None:
        """No new attempt starts after this; retry and pacing waits wake up."""
        with self._lock:
            self.halt.set()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self.halt.is_set()

    def wire(self, out: BatchOutcome, on_wire: Callable[[], None] | None) -> None:
        """Mark ``out``'s batch wired (once), or raise :class:`Halted` if the gate closed."""
        with self._lock:
            if self.halt.is_set():
                raise Halted
            if not out.wired:
                if on_wire is not None:
                    on_wire()  # the journal says 'unknown' before the bytes leave
                out.wired = True


class _Attempts:
    """The hooks of one batch's HTTP attempts (``client.session.AttemptHooks``)."""

    def __init__(
        self,
        out: BatchOutcome,
        limiter: Limiter | None,
        gate: Gate,
        on_wire: Callable[[], None] | None,
    ) -> None:
        self.out, self.limiter, self.gate, self.on_wire = out, limiter, gate, on_wire
        self.size = 0
        #: Whether an attempt of the current piece may have been processed by LinkedIn
        #: (an ambiguous failure): a stop after only 503s or 429s leaves it not sent.
        self.landed = False
        #: The connection's own sleep when it is not the real one (tests inject a fake
        #: clock); the real one is replaced by a wait that Ctrl-C and stops interrupt.
        self.injected: Callable[[float], None] | None = None

    def before_attempt(self, resend: bool) -> None:
        if self.gate.closed:
            raise Halted
        if self.limiter is not None:
            self.limiter.acquire(sleep=self.sleep)
        self.gate.wire(self.out, self.on_wire)
        self.out.requests += 1
        if resend:
            self.out.resent += self.size

    def retrying(self, ambiguous: bool) -> None:
        self.landed = self.landed or ambiguous

    def sleep(self, seconds: float) -> None:
        if self.injected is not None:
            self.injected(seconds)
            if self.gate.closed:
                raise Halted
        elif self.gate.halt.wait(seconds):
            raise Halted


_OK_ANSWERS: dict[int, bytes] = {}


def _ok_answer(size: int) -> bytes:
    """LinkedIn's answer when every element was created, as it writes it."""
    answer = _OK_ANSWERS.get(size)
    if answer is None:
        answer = b'{"elements":[' + b",".join([b'{"status":201}'] * size) + b"]}"
        if len(_OK_ANSWERS) < 64:
            _OK_ANSWERS[size] = answer
    return answer


class Unacknowledged(Exception):
    """Internal: a 2xx that is not LinkedIn's BATCH_CREATE answer (message says what came)."""


def acknowledgement(response: requests.Response, size: int) -> dict[int, str]:
    """Per-element failures of LinkedIn's BATCH_CREATE answer, or raise :class:`Unacknowledged`.

    Proof of delivery is an answer with one entry per element, each a 2xx status or an
    error for that element; anything else proves nothing.
    """
    status = response.status_code
    ctype = (response.headers.get("Content-Type") or "no content type").split(";")[0].strip()
    content = response.content or b""
    what = f"HTTP {status} {ctype}"
    if content == _ok_answer(size):
        return {}  # fast path: every element 201, in LinkedIn's own spelling
    if not content.strip():
        raise Unacknowledged(f"HTTP {status} with an empty body, not LinkedIn's answer")
    if "json" not in ctype.lower():
        raise Unacknowledged(f"{what}, not LinkedIn's answer")
    try:
        data = json.loads(content)
    except ValueError:
        raise Unacknowledged(f"{what} that is not JSON, not LinkedIn's answer") from None
    elements = data.get("elements") if isinstance(data, dict) else None
    if not isinstance(elements, list):
        raise Unacknowledged(f"{what} without an 'elements' list, not LinkedIn's answer")
    if len(elements) != size:
        raise Unacknowledged(
            f"{what} with {len(elements)} entries in 'elements' for {size} events, not "
            "LinkedIn's answer"
        )
    failures: dict[int, str] = {}
    for index, element in enumerate(elements):
        code = element.get("status") if isinstance(element, dict) else None
        if not isinstance(code, int) or isinstance(code, bool):
            raise Unacknowledged(
                f"{what}: entry {index} of 'elements' has no status, not LinkedIn's answer"
            )
        if code >= 400:
            error = element.get("error") or {}
            message = error.get("message") if isinstance(error, dict) else str(error)
            failures[index] = f"HTTP {code}: {message or 'rejected by LinkedIn'}"
        elif not 200 <= code < 300:
            raise Unacknowledged(
                f"{what}: entry {index} of 'elements' has status {code}, not LinkedIn's answer"
            )
    return failures


@dataclass
class _Piece:
    rows: list[int]
    texts: pl.Series | None
    payload: bytes | None

    def take(self, full: Callable[[], pl.Series], keep: list[int]) -> _Piece:
        texts = full() if self.texts is None else self.texts
        return _Piece([self.rows[i] for i in keep], texts.gather(keep), None)


@dataclass
class _Rejected:
    message: str
    status: int | None


def send_batch(
    conn: Sender,
    batch: Batch,
    out: BatchOutcome,
    *,
    limiter: Limiter | None = None,
    gate: Gate | None = None,
    on_wire: Callable[[], None] | None = None,
) -> None:
    """Send one batch with its splits; every row ends in ``out`` (or is left unsettled).

    Rows left in none of ``out``'s lists were not sent (a stop came first).
    """
    _BatchSend(conn, batch, out, _Attempts(out, limiter, gate or Gate(), on_wire)).run()


class _BatchSend:
    """One batch's requests: the first, then re-sends of the rest and bisections.

    A class, not nested functions: two closures that call each other form a reference
    cycle, which kept every sent batch (its 2 MB body, and through its rows the string
    buffers of the whole slice they came from) alive until Python's cycle collector
    happened to run: about 200 MB more at the peak of a 1M-row export.
    """

    def __init__(self, conn: Sender, batch: Batch, out: BatchOutcome, hooks: _Attempts) -> None:
        self.conn, self.batch, self.out, self.hooks = conn, batch, out, hooks
        own_sleep = getattr(conn, "_sleep", time.sleep)
        if own_sleep is not time.sleep:
            hooks.injected = own_sleep

    def run(self) -> None:
        first = self.attempt(_Piece(self.batch.rows, None, self.batch.body))
        if first is not None:
            self.rejected(_Piece(self.batch.rows, None, self.batch.body), first)

    def full(self) -> pl.Series:
        # The events one by one, only for a batch that is split (rendered on first use):
        # an accepted batch never needs them.
        return self.batch.texts

    def attempt(self, piece: _Piece) -> _Rejected | None:
        """One request (with the connection's retries); settles ``piece`` unless rejected."""
        out = self.out
        payload = piece.payload if piece.payload is not None else body(piece.texts)  # type: ignore[arg-type]
        self.hooks.size = len(piece.rows)
        self.hooks.landed = False
        try:
            response = self.conn.send_events(payload, hooks=self.hooks)
        except Halted:
            # Stopped between attempts. Unless one of them may have been processed, LinkedIn
            # has none of these events (it answered 503 or 429): they stay not sent.
            if out.wired and self.hooks.landed:
                out.unknown.append(
                    (piece.rows, "the export stopped before LinkedIn answered this batch")
                )
            return None
        except DailyQuotaSpent as exc:
            out.quota = exc
            return None
        except RateLimitError as exc:
            out.throttled = exc  # a 429 ingested nothing: the rows stay unsent
            return None
        except _TRANSIENT as exc:
            out.unknown.append((piece.rows, f"no usable answer ({exc})"))
            return None
        except APIError as exc:
            if type(exc) is APIError and exc.status in BATCH_REJECT_STATUSES:
                return _Rejected(exc.message, exc.status)
            out.fatal = exc
            return None
        except CapiError as exc:
            out.fatal = exc
            return None
        if 300 <= response.status_code < 400:
            where = response.headers.get("Location") or "nowhere"
            out.fatal = APIError(
                f"the events endpoint answered a redirect to {where}; redirects are never "
                "followed (check base_url)",
                status=response.status_code,
            )
            return None
        try:
            failures = acknowledgement(response, len(piece.rows))
        except Unacknowledged as exc:
            out.unknown.append((piece.rows, str(exc)))
            return None
        for index, message in failures.items():
            out.fail([piece.rows[index]], message)
        out.sent.append(
            [r for i, r in enumerate(piece.rows) if i not in failures] if failures else piece.rows
        )
        return None

    def rejected(self, piece: _Piece, rejection: _Rejected) -> None:
        """Settle a rejected piece: blamed rows fail, the rest is re-sent or bisected."""
        out = self.out
        while True:
            if out.stops:
                return
            blamed = failing_indices(rejection.message, len(piece.rows))
            if not blamed:
                self.bisect(piece, rejection)
                return
            for index, message in blamed.items():
                out.fail([piece.rows[index]], message)
            keep = [i for i in range(len(piece.rows)) if i not in blamed]
            if not keep:
                return  # never an empty batch
            log.info(
                "LinkedIn rejected %d of %d events; re-sending the rest", len(blamed), len(keep)
            )
            piece = piece.take(self.full, keep)
            again = self.attempt(piece)
            if again is None:
                return
            rejection = again

    def bisect(self, piece: _Piece, rejection: _Rejected) -> None:
        out = self.out
        if len(piece.rows) == 1:
            out.fail(piece.rows, _message(rejection))
            return
        log.info(
            "HTTP %s without element indices; bisecting %d events",
            rejection.status,
            len(piece.rows),
        )
        halves = [piece.take(self.full, list(half)) for half in split_halves(len(piece.rows))]
        answers: list[_Rejected | None] = []
        for half in halves:
            if out.stops:
                return
            answers.append(self.attempt(half))
        if all(a is not None and a.message == rejection.message for a in answers):
            # Both halves fail as the whole did: the fault is not any one row's.
            out.fail(piece.rows, _message(rejection))
            if _REQUEST_IS_WRONG.search(rejection.message):
                out.request_wrong = (
                    f"LinkedIn rejected every event the same way ({_message(rejection)}); the "
                    "conversion rule or the request is wrong, not the rows: fix it and re-run"
                )
            return
        for half, answer in zip(halves, answers, strict=True):
            if answer is not None:
                self.rejected(half, answer)


def _message(rejection: _Rejected) -> str:
    return " ".join(rejection.message.split())


_DONE = object()


def prefetched(items: Iterator[_T], depth: int = 2) -> Generator[_T, None, None]:
    """Produce the next items in a thread while the current one is used.

    Polars renders and validates without the GIL and sockets send without it, so the two
    overlap. The queue is bounded (``depth`` items) and the thread stops when the consumer
    does.
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
            for item in items:
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


def check_stream_options(
    max_in_flight: int | None, chunk_size: int, rate_limit: RateLimit | None
) -> None:
    """Reject bad ``max_in_flight``/``chunk_size``/``rate_limit`` with a ConfigError."""
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
