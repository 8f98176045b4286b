"""Issue 11, "Delivery you can trust": one cell per fault of the issue's "Why".

Each cell asserts per-row outcomes and, where a server is involved, which events it holds.
The older fault matrix (test_fault_matrix.py) and kill tests (test_kill_resume.py) keep
covering retries and resumes; these are the faults the old code got wrong.
"""

from __future__ import annotations

import _thread
import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from _support.fake_linkedin import FakeClock, FakeLinkedIn, Reply, Seen, batch_ok, make_conn
from _support.scale_helpers import NOW, assert_exactly_once, conn, frame

import linkedin_capi as capi
from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.delivery.export import export
from linkedin_capi.delivery.journal import Journal
from linkedin_capi.delivery.ratelimit import Limiter, RateLimit
from linkedin_capi.errors import (
    ConfigError,
    ExportInterrupted,
    JournalError,
    SchemaError,
)
from linkedin_capi.sandbox import Sandbox

N, BATCH = 30, 10


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    server = FakeLinkedIn().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(store_events=True) as box:
        yield box


# -- acknowledgement is proof ------------------------------------------------------------

NOT_ANSWERS = {
    "html": (Reply(200, "<html>Welcome to the proxy</html>", {"Content-Type": "text/html"}),
             "text/html that is not JSON, not LinkedIn's answer"),
    "empty": (Reply(200, b"", {"Content-Type": "application/json"}), "empty body"),
    "short": (None, "with 3 entries in 'elements' for 10 events"),
    "no-elements": (Reply(200, {"ok": True}), "without an 'elements' list"),
    "no-status": (None, "has no status"),
}  # fmt: skip


@pytest.mark.parametrize("form", sorted(NOT_ANSWERS))
def test_a_2xx_that_is_not_linkedins_answer_sends_nothing(
    fake: FakeLinkedIn, clock: FakeClock, tmp_path: Path, form: str
) -> None:
    reply, needle = NOT_ANSWERS[form]

    def answer(seen: Seen) -> Reply:
        if reply is not None:
            return reply
        if form == "short":
            return Reply(200, {"elements": [{"status": 201}] * 3})
        return Reply(200, {"elements": [{}] * len(seen.json()["elements"])})

    fake.api = answer
    journal = tmp_path / "j.db"
    df = frame(N)
    result = export(df, make_conn(fake, clock), 5, now=NOW, batch_size=BATCH, journal=journal,
                    progress=False)  # fmt: skip
    assert result.sent == 0 and not result.ok
    errors = set(result.rows.get_column("error").to_list())
    assert any(needle in e for e in errors if e), errors
    assert result.stopped is not None and "no usable answer" in result.stopped
    with Journal(journal) as book:
        assert book.counts() == {"unknown": N}  # retryable, never 'sent'
    fake.api = batch_ok  # the real LinkedIn again: the re-run sends every event
    again = export(df, make_conn(fake, clock), 5, now=NOW, batch_size=BATCH, journal=journal,
                   progress=False)  # fmt: skip
    assert again.sent == N and again.ok and again.resent == N
    with Journal(journal) as book:
        assert book.counts() == {"sent": N}


def test_a_redirect_answer_is_not_sent_and_stops() -> None:
    from linkedin_capi.delivery.sending import BatchOutcome, send_batch
    from linkedin_capi.engine.payload import Batch, body

    class Redirecting:
        calls = 0

        def send_events(self, data: bytes, hooks: Any = None) -> Any:
            self.calls += 1
            response = type("R", (), {})()
            response.status_code = 307
            response.headers = {"Location": "http://127.0.0.2/rest/conversionEvents"}
            response.content = b""
            return response

    texts = pl.Series([json.dumps({"id": i}) for i in range(3)])
    out = BatchOutcome()
    send_batch(Redirecting(), Batch([0, 1, 2], body(texts), texts=texts), out)  # type: ignore[arg-type]
    assert out.sent == [] and out.unknown == [] and out.fatal is not None
    assert "127.0.0.2" in str(out.fatal) and "never followed" in str(out.fatal)


# -- the journal is a lease and a ledger -------------------------------------------------


def test_a_second_holder_of_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    with Journal(path):
        with pytest.raises(JournalError, match=r"in use by process \d+"):
            Journal(path)
        code = textwrap.dedent(f"""
            import sys
            from linkedin_capi.delivery.journal import Journal
            from linkedin_capi.errors import JournalError
            try:
                Journal({str(path)!r})
            except JournalError as exc:
                print(exc); sys.exit(2)
        """)
        child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=60)  # fmt: skip
        assert child.returncode == 2 and "in use by process" in child.stdout
    with Journal(path):  # released on close
        pass


def test_two_exports_on_one_journal_send_once(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    holder = Journal(path)  # another kernel's export, mid-way
    try:
        with pytest.raises(JournalError, match="in use"):
            export(frame(N).lazy(), conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    finally:
        holder.close()
    assert sb.event_count == 0


def test_a_journal_of_other_events_is_refused(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    df = frame(N)
    first = export(df, conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    assert first.sent == N
    other = conn(sb).rules.create("another", type="PURCHASE")
    with pytest.raises(JournalError, match="new file name"):
        export(df, conn(sb), other.id, now=NOW, journal=path, progress=False)
    with pytest.raises(JournalError, match="account"):
        export(df, conn(sb, ad_account_id=999), sb.rule_id, now=NOW, journal=path,
               progress=False)  # fmt: skip
    assert sb.event_count == N  # nothing reported already_sent that was not


def test_a_foreign_sqlite_file_is_never_written(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER)")
    before = path.read_bytes()
    with pytest.raises(JournalError, match="customers"):
        Journal(path)
    assert path.read_bytes() == before


def test_queued_but_unsent_batches_are_unsent_not_unknown(sb: Sandbox, tmp_path: Path) -> None:
    """A 429 stop: batches that never went on the wire are 'unsent' and re-sent even with
    resend_unknown=False (they used to be 'unknown' and were then lost)."""
    path = tmp_path / "j.db"
    sb.fail_next(429, n=3, path="conversionEvents")
    df = frame(N)
    first = export(df.lazy(), conn(sb), sb.rule_id, now=NOW, batch_size=BATCH, journal=path,
                   progress=False, max_in_flight=1)  # fmt: skip
    assert first.stopped is not None and "429" in first.stopped and first.resume_at is not None
    with Journal(path) as book:
        assert "unknown" not in book.counts()
    sb.clear_faults()
    second = export(df.lazy(), conn(sb), sb.rule_id, now=NOW, batch_size=BATCH, journal=path,
                    progress=False, resend_unknown=False)  # fmt: skip
    assert second.sent == N and second.ok and second.resent == 0
    assert_exactly_once(sb, df.get_column("eventId"))


# -- stops keep statuses true ------------------------------------------------------------


@pytest.mark.parametrize("lazy", [False, True])
def test_invalid_and_skipped_rows_stay_so_after_a_stop(sb: Sandbox, lazy: bool) -> None:
    good = frame(20)
    bad = frame(4, start=20).with_columns(pl.lit("not a time").alias("conversionHappenedAt"))
    df = pl.concat([good, bad.with_columns(pl.col("conversionHappenedAt"))], how="vertical_relaxed")
    sb.fail_next(429, n=10, path="conversionEvents")
    result = export(df.lazy() if lazy else df, conn(sb), sb.rule_id, now=NOW, batch_size=5,
                    progress=False, chunk_size=10)  # fmt: skip
    statuses = result.rows.get_column("status").cast(pl.String).to_list()
    assert statuses == ["failed"] * 20 + ["invalid"] * 4
    assert result.stopped is not None and "429" in result.stopped
    assert (result.report is None) is lazy
    assert sb.event_count == 0


# -- ambiguous failures are bounded and visible ------------------------------------------


def test_a_read_timeout_is_retried_once_not_five_times(
    fake: FakeLinkedIn, clock: FakeClock
) -> None:
    from _support.fake_linkedin import HANG

    fake.hang_seconds = 0.3
    fake.queue(Reply(action=HANG), Reply(action=HANG), Reply(action=HANG))
    c = make_conn(fake, clock, timeout=(1.0, 0.05))
    result = export(frame(4), c, 5, now=NOW, progress=False, max_in_flight=1)
    assert len(fake.api_requests) == 2  # the first attempt and one retry, then given up
    assert result.failed == 4 and result.resent == 4
    assert "may have ingested" in result.rows.get_column("error")[0]


# -- Ctrl-C ------------------------------------------------------------------------------


def _interrupt_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, _thread.interrupt_main)
    timer.start()
    return timer


def test_ctrl_c_with_a_slow_server_stops_and_resumes_without_duplicates(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.db"
    df = frame(200)
    calls = [0]

    def slow(seconds: float) -> None:  # the sandbox's latency hook, once per request
        calls[0] += 1
        if calls[0] == 5:  # Ctrl-C while the fifth batch is on the wire
            _thread.interrupt_main()
        time.sleep(seconds)

    with Sandbox(store_events=True, sleep=slow) as sb:
        sb.set_latency(0.2, path="conversionEvents")
        with pytest.raises(ExportInterrupted) as info:
            export(df, conn(sb), sb.rule_id, now=NOW, batch_size=10, journal=path,
                   progress=False)  # fmt: skip
        _check_interrupted(sb, df, path, info)


def _check_interrupted(
    sb: Sandbox, df: pl.DataFrame, path: Path, info: pytest.ExceptionInfo[ExportInterrupted]
) -> None:
    result = info.value.result
    assert isinstance(info.value, KeyboardInterrupt) and result is not None
    assert 0 < result.sent < 200 and result.sent + result.failed == 200
    assert "interrupted after" in str(info.value)
    senders = [t for t in threading.enumerate() if t.name.startswith("linkedin-capi-send")]
    for t in senders:  # none keeps sending: each ends with its last request, if any
        t.join(timeout=10)
    assert not any(t.is_alive() for t in senders)
    held = sb.event_count
    assert held >= result.sent  # acknowledged ones are at LinkedIn (maybe one more in flight)
    sb.clear_faults()
    again = export(df, conn(sb), sb.rule_id, now=NOW, batch_size=10, journal=path,
                   progress=False)  # fmt: skip
    assert again.sent + again.already_sent == 200 and again.ok
    assert again.already_sent == result.sent  # no acknowledged batch is sent twice
    counts = sb.event_ids
    assert set(counts) == set(df.get_column("eventId"))
    # Re-sends only within the in-flight window (2 batches of 10).
    assert len(counts) - 200 <= 20


def test_the_ctrl_c_handler_takes_no_lock() -> None:
    """The SIGINT handler runs between two bytecodes of the main thread, which may hold the
    journal's lock while a sender holds the gate's lock waiting for it: a handler that
    closed the gate itself deadlocked the export. It returns at once; the gate closes as
    soon as the sender lets go."""
    import signal

    from linkedin_capi.delivery import streaming
    from linkedin_capi.delivery.sending import Gate

    gate = Gate()
    interrupts = streaming._Interrupts(gate)
    with interrupts:
        gate._lock.acquire()  # a sender journaling its batch 'unknown' (wire())
        try:
            returned = threading.Event()

            def press() -> None:
                interrupts._handler(signal.SIGINT, None)
                returned.set()

            presser = threading.Thread(target=press, daemon=True)
            presser.start()
            assert returned.wait(2), "the handler waited for the gate's lock"
            assert interrupts.pending and not gate.closed
        finally:
            gate._lock.release()
        assert gate.halt.wait(2)  # closed once the sender let go
    assert not any(t.name == "linkedin-capi-interrupts" for t in threading.enumerate())


def test_ctrl_c_during_retry_after_wakes_the_wait(fake: FakeLinkedIn) -> None:
    timers: list[threading.Timer] = []

    def busy(seen: Seen) -> Reply:  # Ctrl-C lands 0.3 s into the 20 s Retry-After wait
        if not timers:
            timers.append(_interrupt_after(0.3))
        return Reply(503, {"message": "busy"}, {"Retry-After": "20"})

    fake.api = busy
    policy = RetryPolicy(attempts=3, base=1.0, cap=30.0, retry_after_cap=30.0)
    c = make_conn(fake, FakeClock(), sleep=time.sleep, retry=policy)
    try:
        with pytest.raises(ExportInterrupted) as info:
            export(frame(20), c, 5, now=NOW, batch_size=10, progress=False, max_in_flight=1)
    finally:
        for timer in timers:
            timer.cancel()
    # Woken in the 20 s wait: no second attempt, no other batch.
    assert len(fake.api_requests) == 1
    assert info.value.result.sent == 0 and info.value.result.failed == 20
    # A 503 ingested nothing: the batch is not sent, not "may have ingested".
    errors = set(info.value.result.rows.get_column("error").to_list())
    assert not any("may have ingested" in e for e in errors), errors


def test_a_stop_after_503s_leaves_the_batch_unsent_and_after_a_timeout_unknown(
    fake: FakeLinkedIn, tmp_path: Path
) -> None:
    """Stopped between attempts: only an attempt that may have been processed (a read
    timeout) makes a batch "maybe sent"; after 503s alone the journal has it unsent, so a
    re-run sends it even with ``resend_unknown=False``."""
    from _support.fake_linkedin import HANG

    timers: list[threading.Timer] = []
    fake.hang_seconds = 0.3

    def answers(first: Reply) -> Any:
        def api(seen: Seen) -> Reply:
            if not timers:
                timers.append(_interrupt_after(0.6))  # in the wait after the first attempt
            return first

        return api

    policy = RetryPolicy(attempts=3, base=5.0, cap=30.0, retry_after_cap=30.0)
    notes = {}
    for kind, first in (("503", Reply(503, {"message": "busy"})), ("timeout", Reply(action=HANG))):
        timers.clear()
        fake.api = answers(first)
        c = make_conn(fake, FakeClock(), sleep=time.sleep, retry=policy, timeout=(1.0, 0.05))
        path = tmp_path / f"{kind}.db"
        try:
            with pytest.raises(ExportInterrupted) as info:
                export(frame(10), c, 5, now=NOW, batch_size=10, progress=False,
                       max_in_flight=1, journal=path)  # fmt: skip
        finally:
            for timer in timers:
                timer.cancel()
        result = info.value.result
        assert result.sent == 0 and result.failed == 10
        notes[kind] = result.rows.get_column("error")[0]
        fake.api = batch_ok  # LinkedIn answers again
        again = export(frame(10), make_conn(fake, FakeClock()), 5, now=NOW, progress=False,
                       journal=path, resend_unknown=False)  # fmt: skip
        assert again.sent == (10 if kind == "503" else 0), (kind, again.counts)
    assert "may have ingested" not in notes["503"] and "not sent" in notes["503"]
    assert "may have ingested" in notes["timeout"]


# -- disk full, a CSV that breaks --------------------------------------------------------


def test_disk_full_is_a_journal_error_with_the_partial_result(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import resource, signal, sys, json
        sys.path.insert(0, {str(Path(__file__).parents[1])!r})
        from _support.scale_helpers import NOW, conn, frame
        from linkedin_capi.delivery.export import export
        from linkedin_capi.errors import JournalError
        from linkedin_capi.sandbox import Sandbox
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead
        with Sandbox() as sb:
            c = conn(sb)
            resource.setrlimit(resource.RLIMIT_FSIZE, (96 * 1024, 96 * 1024))
            try:
                export(frame(4000).lazy(), c, sb.rule_id, now=NOW, batch_size=20,
                       journal={str(tmp_path / "j.db")!r}, progress=False)
            except JournalError as exc:
                r = exc.result
                print(json.dumps({{"msg": str(exc), "sent": r.sent, "total": r.rows.height,
                                  "held": sb.event_count}}))
                sys.exit(0)
        sys.exit(1)
    """)
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120)  # fmt: skip
    assert child.returncode == 0, child.stderr[-2000:]
    out = json.loads(child.stdout.strip().splitlines()[-1])
    assert "could not write the journal" in out["msg"]
    assert out["total"] == 4000 and 0 < out["sent"] < 4000
    assert out["held"] >= out["sent"]  # nothing reported sent that LinkedIn does not have


def test_a_csv_that_breaks_mid_stream_gives_the_partial_result(sb: Sandbox, tmp_path: Path) -> None:
    n = 120_000
    path = tmp_path / "events.csv"
    df = frame(n).with_columns(pl.col("conversionHappenedAt").cast(pl.String))
    lines = df.write_csv().splitlines()
    lines[110_001] = "evt-x,not-a-number,a@example.com"  # breaks after 110,000 good rows
    path.write_text("\n".join(lines) + "\n")
    schema = {"eventId": pl.String, "conversionHappenedAt": pl.Int64, "SHA256_EMAIL": pl.String}
    with pytest.raises(SchemaError, match=r"failed after \d+ rows") as info:
        export(pl.scan_csv(path, schema=schema), conn(sb), sb.rule_id, now=NOW,
               chunk_size=20_000, progress=False)  # fmt: skip
    result = info.value.result
    assert result is not None and 0 < result.sent < n
    assert result.sent == sb.event_count  # what it says was sent, LinkedIn has
    assert result.rows.height == result.sent + result.failed  # every row read is accounted


# -- pacing --------------------------------------------------------------------------------


def test_rate_limit_rejects_non_positive_limits() -> None:
    for bad in ({"requests_per_minute": 0}, {"requests_per_minute": -5},
                {"requests_per_day": 0}, {"requests_per_minute": 0.5}):  # fmt: skip
        with pytest.raises(ConfigError):
            RateLimit(**bad)  # type: ignore[arg-type]
    assert RateLimit().requests_per_day == 500_000


def test_limiter_is_exact_across_four_senders() -> None:
    lock = threading.Lock()
    now = [0.0]
    taken: list[float] = []

    def clock() -> float:
        with lock:
            return now[0]

    def sleep(seconds: float) -> None:
        with lock:  # a simulated clock: the sleeper wakes at least `seconds` later
            now[0] += seconds / 4

    class Recording(Limiter):
        def _take(self, t: float) -> float:
            wait = super()._take(t)
            if wait <= 0:
                taken.append(self._window[-1])
            return wait

    limiter = Recording(RateLimit(5, None), clock=clock, sleep=sleep)

    def sender() -> None:
        for _ in range(10):
            limiter.acquire()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(taken) == 40
    taken.sort()
    for i, start in enumerate(taken):
        in_window = [t for t in taken[i:] if t < start + 60.0]
        assert len(in_window) <= 5, (start, in_window)


def test_every_attempt_counts_toward_pacing_and_requests(
    fake: FakeLinkedIn, clock: FakeClock
) -> None:
    fake.queue(Reply(503, {"message": "busy"}), Reply(503, {"message": "busy"}))
    result = export(frame(10), make_conn(fake, clock), 5, now=NOW, batch_size=10,
                    rate_limit=RateLimit(2, None), progress=False)  # fmt: skip
    assert result.sent == 10 and result.requests == 3 == len(fake.api_requests)
    # The third attempt (a retry) waited for the minute's window: retries are paced too.
    assert clock.sleeps[:2] == [1.0, 2.0] and clock.sleeps[2] == 60.0 - 3.0


# -- token refresh -----------------------------------------------------------------------


def test_a_failing_refresh_runs_once_for_four_senders(fake: FakeLinkedIn, clock: FakeClock) -> None:
    c = make_conn(fake, clock, retry=RetryPolicy(attempts=2, base=1.0, cap=1.0, rand=lambda: 1.0))
    fake.token_replies.extend([Reply(429, {"error": "slow down"})] * 40)
    result = export(frame(40), c, 5, now=NOW, batch_size=5, max_in_flight=4, progress=False)
    assert len(fake.token_requests) == 2  # one refresh series (2 attempts), not one per sender
    assert result.sent == 0 and result.stopped is not None and "429" in result.stopped
    assert fake.api_requests == []


def test_cli_says_interrupted_after_n_sent_in_one_line_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from linkedin_capi.cli import app
    from linkedin_capi.delivery.result import ExportResult

    rows = pl.DataFrame({"_row": [0, 1], "status": ["sent", "failed"], "error": [None, "x"]})

    def interrupted(*args: object, **kwargs: object) -> None:
        raise ExportInterrupted("interrupted", ExportResult(rows=rows, report=None))

    monkeypatch.setattr("linkedin_capi.delivery.export.export", interrupted)
    path = tmp_path / "e.csv"
    frame(2).write_csv(path)
    out = CliRunner().invoke(app, ["export", str(path), "--dry-run"])
    assert out.exit_code == 130, out.output
    assert out.stderr.strip().splitlines() == [
        "linkedin-capi: interrupted after 1 sent; re-run the same command with --journal to resume"
    ]
    assert issubclass(ExportInterrupted, KeyboardInterrupt)
    assert capi.JournalError is JournalError and issubclass(JournalError, ConfigError)
