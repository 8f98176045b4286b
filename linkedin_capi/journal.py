"""``Journal``: a small SQLite file that remembers which events LinkedIn accepted.

An export given ``journal="path.db"`` records the outcome of every batch, keyed by the
event's ``eventId``, and commits after each one. Re-running the same export after a crash,
a ``kill -9`` or a partial failure sends only what was not accepted yet.

States of an event id:

``unknown``
    Written *before* its batch is sent (write-ahead), and left as is when the batch got no
    usable answer (timeout, dropped connection, 5xx after every retry, process killed).
    LinkedIn may or may not have ingested it. A re-run sends it again with the same
    ``eventId`` (``resend_unknown=True``, the default) or leaves it alone.
``sent``
    LinkedIn acknowledged it. Never sent again, never downgraded.
``rejected``
    LinkedIn refused it (400/422 for this element): nothing was ingested; a re-run retries.
``unsent``
    Not ingested (HTTP 429 stop, or the run stopped before an answer said so); a re-run
    sends it.

The file is in WAL mode with ``synchronous=NORMAL``: a committed outcome survives the
process being killed (not necessarily a power cut, which is not this file's job).

Examples
--------
>>> journal = Journal(":memory:")
>>> journal.record(["a", "b"], "unknown")
>>> journal.record(["a"], "sent")
>>> journal.lookup(["a", "b", "c"])
{'a': 'sent', 'b': 'unknown'}
>>> journal.counts()
{'sent': 1, 'unknown': 1}
>>> journal.close()
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence

from linkedin_capi.errors import ConfigError

__all__ = ["JOURNAL_STATES", "Journal"]

JOURNAL_STATES = ("unknown", "sent", "rejected", "unsent")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    error TEXT,
    updated REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stops (
    at REAL NOT NULL,
    reason TEXT NOT NULL,
    resume_at TEXT
);
"""

# A 'sent' event stays 'sent': a late answer about an older attempt never undoes it.
_UPSERT = (
    "INSERT INTO events (event_id, status, error, updated) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(event_id) DO UPDATE SET status = excluded.status, error = excluded.error, "
    "updated = excluded.updated WHERE events.status != 'sent'"
)


class Journal:
    """Per-event outcomes of exports, in a SQLite file (one writer at a time).

    Parameters
    ----------
    path : str or os.PathLike
        The database file (created if absent); ``":memory:"`` for tests.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS probe (event_id TEXT PRIMARY KEY)")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"journal={self.path!r} cannot be used as an export journal ({exc}); pass the "
                "path of a journal file written by an earlier export, or a new path"
            ) from None

    def record(self, event_ids: Sequence[str], status: str, error: str | None = None) -> None:
        """Set ``status`` for these ids and commit (``sent`` is never overwritten)."""
        if status not in JOURNAL_STATES:
            raise ValueError(f"status must be one of {JOURNAL_STATES}, got {status!r}")
        now = time.time()
        with self._db:  # one transaction, committed on exit
            self._db.executemany(_UPSERT, ((i, status, error, now) for i in event_ids))

    def lookup(self, event_ids: Sequence[str]) -> dict[str, str]:
        """``{event_id: status}`` for the ids the journal knows (others are absent)."""
        with self._db:
            self._db.execute("DELETE FROM probe")
            self._db.executemany(
                "INSERT OR IGNORE INTO probe (event_id) VALUES (?)", ((i,) for i in event_ids)
            )
            rows = self._db.execute(
                "SELECT e.event_id, e.status FROM probe p JOIN events e USING (event_id)"
            ).fetchall()
        return dict(rows)

    def counts(self) -> dict[str, int]:
        """Event ids per state (states with none are left out)."""
        rows = self._db.execute("SELECT status, count(*) FROM events GROUP BY status").fetchall()
        return {status: n for status, n in sorted(rows, key=lambda r: JOURNAL_STATES.index(r[0]))}

    def record_stop(self, reason: str, resume_at: str | None) -> None:
        """Note why an export stopped early and when it can go on (UTC ISO time)."""
        with self._db:
            self._db.execute(
                "INSERT INTO stops (at, reason, resume_at) VALUES (?, ?, ?)",
                (time.time(), reason, resume_at),
            )

    def last_stop(self) -> tuple[str, str | None] | None:
        """``(reason, resume_at)`` of the latest early stop, or ``None``."""
        row = self._db.execute(
            "SELECT reason, resume_at FROM stops ORDER BY at DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({self.path!r})"
