"""``kill -9`` at several deterministic points of a journaled export, then a resume.

Issue 11: "kill -9 at several points (0 lost; re-sends only within the in-flight window)".
A child process exports to a loopback server with a journal and is SIGKILLed either by the
server (``received``: batch k arrived, not answered; ``answered``: batch k's answer was
written) or by itself at a journal step (``queued``, ``before-sent``, ``commit``,
``after-sent``; see ``_support/kill_points_child.py``). The test then resumes with the
same journal, in this process, and asserts by eventId at the server:

* right after the kill, the journal never calls ``sent`` what the server does not hold,
  and every event the server holds is ``sent`` or ``unknown`` (written ahead);
* the resume loses nothing, re-sends exactly the ``unknown`` events (at most the batches
  in flight: ``max_in_flight + 1`` batches) and nothing the journal had as ``sent``;
* every row's final status (``already_sent``/``sent``, or with ``resend_unknown=False``
  ``failed`` "not re-sent" for the ``unknown`` ones) and the journal's final counts.

The server counts a batch it received as ingested even when the client never hears the
answer (the worst case for duplicates). Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
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

ROOT = Path(__file__).resolve().parents[2]
BATCH, IN_FLIGHT = 10, 2  # as in kill_points_child.py
WINDOW = (IN_FLIGHT + 1) * BATCH  # senders busy + one rendered batch waiting


@dataclass
class Killed:
    """What the first run left: the journal's states and what the server holds."""

    states: dict[str, str]
    held: Counter[str]  # eventId -> times the server ingested it before the kill
    batch: list[str]  # the eventIds of batch k (the one the kill point is about)


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    yield from running()


def _dead(pid: int) -> bool:
    """True once ``pid`` is gone or a zombie (killed, not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):  # reaped (by communicate()) meanwhile
        return True


def _kill_and_wait(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not _dead(pid) and time.monotonic() < deadline:
        time.sleep(0.001)


def _run_child(fake: FakeLinkedIn, tmp: Path, n: int, point: str, k: int, lazy: bool) -> Killed:
    parquet, journal, marker = tmp / "events.parquet", tmp / "j.db", tmp / "batch.json"
    frame(n).write_parquet(parquet)
    env = {key: v for key, v in os.environ.items() if not key.startswith("LINKEDIN_CAPI_")}
    env.update(
        LINKEDIN_CAPI_CLIENT_ID="app-id",
        LINKEDIN_CAPI_CLIENT_SECRET="client-secret-value",
        LINKEDIN_CAPI_REFRESH_TOKEN="RT-initial-secret",
        LINKEDIN_CAPI_API_VERSION="202607",
        LINKEDIN_CAPI_AD_ACCOUNT_ID="1",
        LINKEDIN_CAPI_BASE_URL=fake.base_url,
        LINKEDIN_CAPI_TOKEN_URL=fake.token_url,
        LINKEDIN_CAPI_TOKEN_FILE=str(tmp / "token.json"),
        PYTHONPATH=str(ROOT),
    )
    server_side = point in ("received", "answered")
    argv = [str(parquet), str(journal), str(marker), "none" if server_side else point, str(k)]
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "_support" / "kill_points_child.py"), *argv,
         "1" if lazy else "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    batches: list[list[str]] = []

    def answer(seen: Seen) -> Reply:
        ids = [e["eventId"] for e in seen.json()["elements"]]
        batches.append(ids)
        if point == "received" and len(batches) == k:
            _kill_and_wait(proc.pid)  # dies with the batch ingested, the answer unsent
        return batch_ok(seen)

    def after(seen: Seen, reply: Reply) -> None:
        # The k-th batch by its content: with batches in flight, a later one may already
        # have been received when the k-th answer is on its way.
        if (
            point == "answered"
            and seen.path.endswith("conversionEvents")
            and len(batches) >= k
            and [e["eventId"] for e in seen.json()["elements"]] == batches[k - 1]
        ):
            _kill_and_wait(proc.pid)  # the answer is on its way; the journal may not know

    fake.api, fake.after_reply = answer, after
    try:
        out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, (point, k, out, err[-3000:])
    fake.api, fake.after_reply = batch_ok, None
    batch = batches[k - 1] if server_side else json.loads(marker.read_text())
    with Journal(journal) as book:  # the lease died with the process
        states = dict(book.states().select("event_id", pl.col("status").cast(pl.String)).rows())
    return Killed(states, Counter(fake.accepted_ids()), batch)


def _check_kill(killed: Killed, point: str) -> None:
    states, held = killed.states, killed.held
    sent = {i for i, s in states.items() if s == "sent"}
    unknown = {i for i, s in states.items() if s == "unknown"}
    assert sent <= set(held), "the journal calls sent what the server does not hold"
    assert set(held) - sent <= unknown, "an event the server holds is not 'unknown' (write-ahead)"
    assert len(unknown) <= WINDOW, f"{len(unknown)} unknown: more than the in-flight window"
    assert not set(states.values()) - {"sent", "unknown", "unsent"}
    batch = set(killed.batch)
    if point == "queued":
        assert {states[i] for i in batch} == {"unsent"} and not batch & set(held)
    elif point in ("received", "before-sent", "commit"):
        assert {states[i] for i in batch} == {"unknown"} and batch <= set(held)
    elif point == "after-sent":
        assert {states[i] for i in batch} == {"sent"}
    else:  # "answered": the journal may or may not have recorded it in time
        assert batch <= set(held) and {states[i] for i in batch} <= {"sent", "unknown"}


def _resume(
    fake: FakeLinkedIn, tmp: Path, n: int, killed: Killed, lazy: bool, resend_unknown: bool
) -> None:
    df = frame(n)
    before = len(fake.api_requests)
    result = export(df.lazy() if lazy else df, make_conn(fake, FakeClock()), 5, now=NOW,
                    journal=tmp / "j.db", batch_size=BATCH, chunk_size=30,
                    max_in_flight=IN_FLIGHT, rate_limit=None, progress=False,
                    resend_unknown=resend_unknown)  # fmt: skip
    states = killed.states
    sent = {i for i, s in states.items() if s == "sent"}
    unknown = {i for i, s in states.items() if s == "unknown"}
    resent_now = [e["eventId"] for s in fake.api_requests[before:] for e in s.json()["elements"]]
    everything = set(df.get_column("eventId"))
    held = Counter(fake.accepted_ids())
    # Nothing the journal had as sent goes out again; each other event at most once.
    assert not set(resent_now) & sent
    assert max(Counter(resent_now).values(), default=1) == 1
    ids = df.get_column("eventId").to_list()
    statuses = dict(zip(ids, result.rows.get_column("status").to_list(), strict=True))
    if resend_unknown:
        assert set(resent_now) == everything - sent
        assert set(held) == everything  # 0 lost
        duplicated = {i for i, c in held.items() if c > 1}
        assert duplicated <= unknown and duplicated == unknown & set(killed.held)
        assert result.ok and result.failed == 0 and result.resent == len(unknown)
        assert statuses == {i: "already_sent" if i in sent else "sent" for i in ids}
        with Journal(tmp / "j.db") as book:
            assert book.counts() == {"sent": n}
    else:
        assert set(resent_now) == everything - sent - unknown  # unsent and new: sent
        assert not {i for i, c in held.items() if c > 1}  # no duplicate at all
        not_resent = result.rows.filter(pl.col("error").cast(pl.String).str.contains("not re-sent"))
        assert not_resent.height == len(unknown) == result.failed
        # Not lost silently: each event is at the server or reported "not re-sent".
        for i in everything - set(held):
            assert i in unknown and statuses[i] == "failed"
        assert result.resent == 0 and result.ok != bool(unknown)


CASES = {  # point -> k: batches 1..k-1 acknowledged, k the one the kill is about
    "received": 3,
    "before-sent": 2,
    "queued": 4,
}


@pytest.mark.parametrize("point", sorted(CASES))
def test_kill_at_a_point_then_resume(fake: FakeLinkedIn, tmp_path: Path, point: str) -> None:
    n = 60  # 6 batches of 10, two chunks of 30
    killed = _run_child(fake, tmp_path, n, point, CASES[point], lazy=True)
    _check_kill(killed, point)
    _resume(fake, tmp_path, n, killed, lazy=True, resend_unknown=True)


@pytest.mark.slow
@pytest.mark.parametrize("lazy", [True, False], ids=["lazy", "eager"])
@pytest.mark.parametrize("resend_unknown", [True, False], ids=["resend", "no-resend"])
@pytest.mark.parametrize(
    ("point", "k"),
    [
        ("received", 1), ("received", 7), ("answered", 2), ("answered", 9),
        ("before-sent", 1), ("before-sent", 8), ("commit", 3), ("commit", 10),
        ("after-sent", 5), ("queued", 1), ("queued", 9),
    ],
)  # fmt: skip
def test_kill_at_every_point_then_resume(
    fake: FakeLinkedIn, tmp_path: Path, point: str, k: int, lazy: bool, resend_unknown: bool
) -> None:
    n = 120  # 12 batches of 10, four chunks of 30
    killed = _run_child(fake, tmp_path, n, point, k, lazy=lazy)
    _check_kill(killed, point)
    _resume(fake, tmp_path, n, killed, lazy=lazy, resend_unknown=resend_unknown)
