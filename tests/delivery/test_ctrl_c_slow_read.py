"""Ctrl-C while LinkedIn stalls its answer: the export cuts the request, it does not wait.

Issue 11's leftover: threads blocked in a slow read used to end with that request (up to
the read timeout, 120 s by default) after the export had already returned, and a script
then hung at exit joining them. The server here stalls every events POST for 60 s and
triggers the interrupt itself once the first one is on the wire, so nothing depends on a
timer; the bound asserted (15 s) is about correctness (not waiting for the stall), far
from the 60 s the old code needed.
"""

from __future__ import annotations

import _thread
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support.fake_linkedin import (
    FakeClock,
    FakeLinkedIn,
    Reply,
    Seen,
    batch_ok,
    make_conn,
    running,
)
from _support.scale_helpers import NOW, frame

from linkedin_capi.delivery.export import export
from linkedin_capi.delivery.journal import Journal
from linkedin_capi.errors import ExportInterrupted

STALL = 60.0


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    yield from running()


def _senders() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("linkedin-capi-send")]


@pytest.mark.parametrize("in_flight", [1, 2])
def test_ctrl_c_cuts_requests_stalled_in_a_slow_read(
    fake: FakeLinkedIn, tmp_path: Path, in_flight: int
) -> None:
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        raise AssertionError("signals are delivered to the main thread only")
    release = threading.Event()
    arrived: list[str] = []

    def stall(seen: Seen) -> Reply:
        arrived.append(seen.path)
        if len(arrived) == in_flight:  # every sender is blocked reading: Ctrl-C now, once
            _thread.interrupt_main()
        release.wait(STALL)
        return batch_ok(seen)

    fake.api = stall
    before = set(_senders())
    # The connection's default read timeout (120 s) is longer than the stall: only the
    # interrupt can end these requests early.
    conn = make_conn(fake, FakeClock(), sleep=time.sleep, timeout=(5.0, 120.0))
    df = frame(40)
    path = tmp_path / "j.db"
    started = time.monotonic()
    try:
        with pytest.raises(ExportInterrupted) as info:
            export(df, conn, 5, now=NOW, batch_size=10, journal=path, progress=False,
                   max_in_flight=in_flight)  # fmt: skip
        returned = time.monotonic() - started
        new = [t for t in _senders() if t not in before]
        for t in new:  # bounded: they were cut, so they end at once
            t.join(timeout=5)
        alive = [t.name for t in new if t.is_alive()]
        ended = time.monotonic() - started
        acknowledged = list(fake.accepted)  # before the stalled handlers are released
    finally:
        release.set()
        conn.close()
    assert returned < 15 and ended < 15, (returned, ended)
    assert alive == []  # no sender still waits for the stalled answer
    assert len(arrived) == in_flight  # nothing new started after Ctrl-C
    result = info.value.result
    assert result is not None and result.sent == 0 and result.failed == 40
    errors = result.rows.get_column("error").to_list()
    on_wire = [e for e in errors if "may have ingested" in e]
    assert len(on_wire) == 10 * in_flight  # the batches that were on the wire: unknown
    # The journal agrees: those events are 'unknown' (maybe at LinkedIn), the rest unsent.
    with Journal(path) as book:
        states = book.lookup(df.get_column("eventId").to_list())
    assert sorted(states.values()).count("unknown") == 10 * in_flight
    assert set(states.values()) <= {"unknown", "unsent"}
    assert acknowledged == []  # no batch was answered


def test_a_connection_can_be_cut_from_another_thread(fake: FakeLinkedIn) -> None:
    """``abort_requests`` ends a request stalled in a read with a connection error."""
    release = threading.Event()
    arrived = threading.Event()

    def stall(seen: Seen) -> Reply:
        arrived.set()
        release.wait(STALL)
        return batch_ok(seen)

    fake.api = stall
    from linkedin_capi.client.retry import RetryPolicy
    from linkedin_capi.errors import APIConnectionError

    conn = make_conn(fake, FakeClock(), timeout=(5.0, 120.0), retry=RetryPolicy(attempts=1))
    outcome: list[BaseException] = []

    def send() -> None:
        try:
            conn.send_events(b'{"elements":[{"eventId":"e1"}]}')
        except BaseException as exc:  # recorded for the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=send, daemon=True)
    try:
        worker.start()
        assert arrived.wait(10)
        assert conn.abort_requests() >= 1
        worker.join(timeout=10)
        still = worker.is_alive()
    finally:
        release.set()
        conn.close()
    assert not still
    assert len(outcome) == 1 and isinstance(outcome[0], APIConnectionError), outcome
