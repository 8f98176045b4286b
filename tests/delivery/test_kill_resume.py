"""A scheduled export killed with SIGKILL mid-run, then re-run with the same journal.

Counted at the sandbox by eventId, every event is accepted exactly once. The batches that
were on the wire when the process died are ``unknown`` in the journal; they are the only
ones re-sent, and the sandbox's emulated eventId dedup absorbs the copies LinkedIn may
already have ingested (see docs_scale.md for why no client can do better).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from _support.scale_helpers import assert_exactly_once, frame

from linkedin_capi.delivery.journal import Journal
from linkedin_capi.sandbox import Sandbox

N = 3000
ROOT = Path(__file__).resolve().parents[2]


def child(sb: Sandbox, parquet: Path, journal: Path, now: dt.datetime) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKEDIN_CAPI_")}
    env.update(
        LINKEDIN_CAPI_CLIENT_ID=sb.client_id,
        LINKEDIN_CAPI_CLIENT_SECRET=sb.client_secret,
        LINKEDIN_CAPI_REFRESH_TOKEN=sb.refresh_token,
        LINKEDIN_CAPI_API_VERSION=sb.api_version,
        LINKEDIN_CAPI_BASE_URL=sb.base_url,
        LINKEDIN_CAPI_TOKEN_URL=sb.token_url,
        PYTHONPATH=str(ROOT),
    )
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "_support" / "kill_child.py"),
            str(parquet),
            str(journal),
            str(sb.rule_id),
            now.isoformat(),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_sigkill_mid_export_then_resume(tmp_path: Path) -> None:
    parquet, journal = tmp_path / "events.parquet", tmp_path / "journal.db"
    # Real time on both sides: the child's Connection uses the real clock (token expiry,
    # version sunset), so the sandbox and the events follow it too.
    now = dt.datetime.now(dt.UTC)
    frame(N, now_ms=int(now.timestamp() * 1000)).write_parquet(parquet)
    with Sandbox(dedup_event_ids=True) as sb:
        sb.set_latency(0.02, path="conversionEvents")  # slow enough to die mid-run
        proc = child(sb, parquet, journal, now)
        deadline = time.monotonic() + 120
        while sb.event_count < N // 3:
            assert proc.poll() is None, f"child ended before the kill: {proc.communicate()}"
            assert time.monotonic() < deadline, "child made no progress"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)  # reaps it and closes the pipes
        assert proc.returncode == -signal.SIGKILL
        killed_at = sb.event_count
        assert killed_at < N  # it really died mid-export

        with Journal(journal) as book:
            states = dict(book.states().select("event_id", pl.col("status").cast(pl.String)).rows())
        unknown = {k for k, v in states.items() if v == "unknown"}
        sent = {k for k, v in states.items() if v == "sent"}
        assert sent and set(sb.event_ids) >= sent  # what the journal calls sent, arrived
        assert unknown  # batches were on the wire (written ahead) when the process died

        sb.set_latency(0)
        again = child(sb, parquet, journal, now)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        counts = json.loads(out)
        assert counts["already_sent"] == len(sent)
        assert counts["sent"] == N - len(sent) and counts["failed"] == 0
        assert counts["stopped"] is None
        assert_exactly_once(sb, [f"evt-{i}" for i in range(N)])
        # Only the batches in flight at the kill were sent a second time.
        assert set(sb.redelivered_event_ids) <= unknown
        with Journal(journal) as book:
            assert book.counts() == {"sent": N}
