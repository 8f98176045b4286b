"""The fault matrix: every fault, then re-runs with the same journal until done.

Each cell asserts, counted at the sandbox by eventId, that no event is lost and none is
accepted twice, and that the local count agrees (the runs' ``sent`` add up to the rows).

Two kinds of cells:

* **unambiguous** faults (LinkedIn answered and ingested nothing: 429, 5xx before
  processing, a reset before processing, 401 expiry, 426, 422): the sandbox keeps every
  copy it receives (no dedup), so a single re-send of an accepted event would show.
* **ambiguous** faults (the answer is lost after LinkedIn ingested the batch: 5xx after
  processing, a reset after processing, a response slower than the client's timeout, a
  process killed mid-request — see test_kill_resume.py): the client cannot know, so the
  batch is re-sent with the same eventIds and the sandbox emulates eventId dedup
  (``dedup_event_ids=True``); re-sends must be confined to those batches.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _support.scale_helpers import NOW, assert_exactly_once, conn, frame

from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.delivery.export import export
from linkedin_capi.delivery.journal import Journal
from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.errors import CapiError, VersionError
from linkedin_capi.sandbox import Sandbox

N, BATCH = 120, 10


def run_until_done(
    sb: Sandbox,
    journal: Path,
    *,
    progress: Callable[[int], Any] | None = None,
    max_runs: int = 4,
    **kwargs: Any,
) -> list[ExportResult]:
    """Export, and re-run with the same journal (fault cleared) until nothing is left."""
    results: list[ExportResult] = []
    df = frame(N)
    for attempt in range(max_runs):
        try:
            result = export(
                df.lazy(),
                conn(sb, **kwargs),
                sb.rule_id,
                now=NOW,
                batch_size=BATCH,
                journal=journal,
                progress=progress if attempt == 0 and progress else False,
                max_in_flight=2,
            )
        except CapiError as exc:
            assert exc.result is not None
            result = exc.result
        results.append(result)
        if result.failed == 0 and result.stopped is None:
            break
        sb.clear_faults()  # LinkedIn recovered; the user re-runs the same export
    return results


def check(sb: Sandbox, journal: Path, results: list[ExportResult]) -> None:
    ids = [f"evt-{i}" for i in range(N)]
    assert_exactly_once(sb, ids)
    last = results[-1]
    assert last.failed == 0 and last.stopped is None
    assert last.sent + last.already_sent == N
    assert sum(r.sent for r in results) == N  # no event counted twice locally
    with Journal(journal) as book:
        assert book.counts() == {"sent": N}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(now=NOW) as sandbox:
        yield sandbox


@pytest.fixture
def dedup_sb() -> Iterator[Sandbox]:
    with Sandbox(now=NOW, dedup_event_ids=True) as sandbox:
        yield sandbox


# -- unambiguous faults: the sandbox keeps every copy ----------------------------------


def test_429_storm(sb: Sandbox, tmp_path: Path) -> None:
    sb.fail_next(429, n=50, path="conversionEvents")
    results = run_until_done(sb, tmp_path / "j.db")
    assert len(results) == 2 and "429" in (results[0].stopped or "")
    assert results[0].resume_at is not None and results[
        0
    ].resume_at.date() == NOW.date() + dt.timedelta(days=1)
    assert results[0].requests <= 2 * 3  # two batches in flight, three attempts each: stop
    check(sb, tmp_path / "j.db", results)


def test_5xx_burst_before_processing(sb: Sandbox, tmp_path: Path) -> None:
    sb.fail_next(503, n=7, path="conversionEvents")
    results = run_until_done(sb, tmp_path / "j.db")
    assert results[0].failed > 0  # some batches exhausted their retries: unknown
    check(sb, tmp_path / "j.db", results)


def test_connection_reset_before_processing(sb: Sandbox, tmp_path: Path) -> None:
    sb.drop_next(7, path="conversionEvents")
    results = run_until_done(sb, tmp_path / "j.db")
    check(sb, tmp_path / "j.db", results)


def test_token_expiry_mid_run(sb: Sandbox, tmp_path: Path) -> None:
    fired: list[int] = []

    def expire(n: int) -> None:
        if not fired:
            fired.append(n)
            sb.expire_tokens()

    results = run_until_done(sb, tmp_path / "j.db", progress=expire)
    assert fired and len(results) == 1  # refreshed once, no run lost
    assert sum(1 for r in sb.requests if r.path.endswith("accessToken")) >= 2
    check(sb, tmp_path / "j.db", results)


def test_426_mid_run(sb: Sandbox, tmp_path: Path) -> None:
    fired: list[int] = []

    def sunset(n: int) -> None:
        if not fired:
            fired.append(n)
            sb.fail_next(426, n=3, path="conversionEvents")

    results = run_until_done(sb, tmp_path / "j.db", progress=sunset)
    assert len(results) >= 2 and "VersionError" in (results[0].stopped or "")
    check(sb, tmp_path / "j.db", results)


def test_426_raises_with_partial_result(sb: Sandbox, tmp_path: Path) -> None:
    sb.fail_next(426, path="conversionEvents")
    with pytest.raises(VersionError) as info:
        export(
            frame(30).lazy(),
            conn(sb),
            sb.rule_id,
            now=NOW,
            batch_size=10,
            journal=tmp_path / "j.db",
            max_in_flight=1,
            progress=False,
        )
    assert info.value.result is not None and info.value.result.sent == 0
    assert info.value.result.rows.height == 30


def test_422_partial_batches(sb: Sandbox, tmp_path: Path) -> None:
    message = (
        "Index: 2, ERROR :: /user/userIds/0/idValue :: bad value\nIndex: 7, ERROR :: /x :: y\n"
    )
    sb.fail_next(422, n=2, path="conversionEvents", body={"status": 422, "message": message})
    results = run_until_done(sb, tmp_path / "j.db")
    assert results[0].failed == 4  # indices 2 and 7 of the two rejected batches
    assert results[1].sent == 4 and results[1].already_sent == N - 4
    check(sb, tmp_path / "j.db", results)


# -- ambiguous faults: eventId dedup (emulated) resolves the re-sends ------------------


def test_5xx_after_processing(dedup_sb: Sandbox, tmp_path: Path) -> None:
    dedup_sb.fail_next(504, n=7, path="conversionEvents", after_processing=True)
    results = run_until_done(dedup_sb, tmp_path / "j.db")
    assert dedup_sb.redelivered_event_ids  # the client did re-send ingested batches ...
    check(dedup_sb, tmp_path / "j.db", results)  # ... and LinkedIn-side dedup absorbed them


def test_connection_reset_after_processing(dedup_sb: Sandbox, tmp_path: Path) -> None:
    dedup_sb.drop_next(7, path="conversionEvents", after_processing=True)
    results = run_until_done(dedup_sb, tmp_path / "j.db")
    assert dedup_sb.redelivered_event_ids
    check(dedup_sb, tmp_path / "j.db", results)


def test_slow_responses_past_the_timeout(tmp_path: Path) -> None:
    # The sandbox holds every answer until released; the client gives up after 0.3 s.
    gate = threading.Event()
    with Sandbox(now=NOW, dedup_event_ids=True, sleep=lambda s: gate.wait(10)) as sb:
        sb.set_latency(1.0, path="conversionEvents")
        journal = tmp_path / "j.db"
        first = export(
            frame(N).lazy(),
            conn(sb, timeout=(1.0, 0.3), retry=RetryPolicy(attempts=2)),
            sb.rule_id,
            now=NOW,
            batch_size=BATCH,
            journal=journal,
            max_in_flight=2,
            progress=False,
        )
        assert first.sent == 0 and first.stopped is not None  # three unanswered batches: stop
        with Journal(journal) as book:
            unknown = book.counts().get("unknown", 0)
        assert unknown == 2 * BATCH or unknown >= 3 * BATCH  # the batches that went out
        sb.clear_faults()
        gate.set()  # the held requests are processed now (ingested, answers long gone)
        results = [first, *run_until_done(sb, journal)]
        check(sb, journal, results)
