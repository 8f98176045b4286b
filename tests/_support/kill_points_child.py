"""Child process of test_kill_points: an export that SIGKILLs itself at a journal point.

argv: ``parquet journal marker point k lazy``. Credentials and URLs come from
``LINKEDIN_CAPI_*`` environment variables (never argv). ``point`` is where the process
dies, on the ``k``-th occurrence (1-based); before dying it writes the eventIds of the
batch concerned to ``marker`` (JSON), so the test knows exactly which batch it was:

``queued``
    right after the batch was recorded ``unsent`` (queued, not yet on the wire);
``before-sent``
    LinkedIn acknowledged the batch, the journal has not recorded ``sent`` yet;
``commit``
    inside the SQLite statement that records ``sent`` (a progress handler fires
    mid-statement, before its transaction commits);
``after-sent``
    right after ``sent`` was committed.
``none``
    no self-kill: the test's server kills this process (``received``/``answered``).

Prints the result's counts as JSON if it ever finishes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from linkedin_capi.connection import Connection
from linkedin_capi.delivery import journal as journal_module
from linkedin_capi.delivery.export import export

NOW = dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)  # scale_helpers.NOW


def _die(marker: Path, ids: Sequence[str]) -> None:
    with open(marker, "w", encoding="utf-8") as out:
        json.dump(list(ids), out)
        out.flush()
        os.fsync(out.fileno())
    os.kill(os.getpid(), signal.SIGKILL)


def _install(point: str, k: int, marker: Path) -> None:
    journal = journal_module.Journal
    seen = [0]

    def ids_of(book: Any, batch: int) -> list[str]:
        row = book._db.execute("SELECT ids FROM batches WHERE id = ?", (batch,)).fetchone()
        return list(json.loads(row[0]))

    if point == "queued":
        begin = journal.begin

        def begin_then_die(self: Any, ids: Sequence[str], status: str = "unknown",
                           digests: Any = None) -> int:  # fmt: skip
            number = begin(self, ids, status, digests)
            if status == "unsent":
                seen[0] += 1
                if seen[0] == k:
                    _die(marker, ids)
            return number

        journal.begin = begin_then_die  # type: ignore[method-assign]
        return

    finish = journal.finish

    def finish_with_death(self: Any, batch: int, status: str, error: str | None = None) -> None:
        if status != "sent":
            finish(self, batch, status, error)
            return
        seen[0] += 1
        if seen[0] != k:
            finish(self, batch, status, error)
            return
        ids = ids_of(self, batch)
        if point == "before-sent":
            _die(marker, ids)
        if point == "commit":
            with open(marker, "w", encoding="utf-8") as out:
                json.dump(ids, out)
            # Dies inside the UPDATE's virtual machine, before the statement commits.
            self._db.set_progress_handler(lambda: os.kill(os.getpid(), signal.SIGKILL), 1)
        finish(self, batch, status, error)
        if point == "after-sent":
            _die(marker, ids)

    journal.finish = finish_with_death  # type: ignore[method-assign]


def main() -> None:
    parquet, journal, marker, point, k, lazy = sys.argv[1:7]
    if point != "none":
        _install(point, int(k), Path(marker))
    conn = Connection.from_env()
    data: pl.DataFrame | pl.LazyFrame = (
        pl.scan_parquet(parquet) if lazy == "1" else pl.read_parquet(parquet)
    )
    result = export(
        data,
        conn,
        5,
        now=NOW,
        journal=journal,
        batch_size=10,
        chunk_size=30,
        max_in_flight=2,
        rate_limit=None,
        progress=False,
    )
    print(json.dumps({**result.counts, "stopped": result.stopped}))


if __name__ == "__main__":
    main()
