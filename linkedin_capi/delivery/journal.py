"""``Journal``: a small SQLite file that remembers which events LinkedIn accepted.

An export given ``journal="path.db"`` records the outcome of every batch, keyed by the
events' ``eventId``, and commits after each one. Re-running the same export after a
crash, a ``kill -9`` or a partial failure sends only what was not accepted yet.

States of an event id:

``unsent``
    Queued: written when the batch is rendered and handed to a sender; also a batch that
    was never sent (HTTP 429 stop, the run stopped before sending it). A re-run sends it.
``unknown``
    Written right *before* its bytes go on the wire (write-ahead), and left as is when the
    batch got no usable answer (timeout, dropped connection, 5xx after every retry, an
    answer that is not LinkedIn's, process killed or interrupted while it was in flight).
    LinkedIn may or may not have ingested it. A re-run sends it again with the same
    ``eventId`` (``resend_unknown=True``, the default) or leaves it alone.
``sent``
    LinkedIn acknowledged it. Never sent again; a later record never undoes it.
``rejected``
    LinkedIn refused it (400/422 for this element): nothing was ingested; a re-run retries.

The journal is a *lease*: one export at a time holds it (an exclusive lock on
``<path>.lock``, which names the holder); a second process or kernel gets a
:class:`~linkedin_capi.errors.JournalError`. It is also *bound* to what it records: the
ad account, the base URL and the conversion rules of its first export; using it for other
events is refused (start a new journal file for them). A SQLite file with other tables is
never written to.

Layout: one row per *batch* (its ids as a JSON array, its status), appended in order;
a batch's acknowledgement updates one row. That keeps the write cost per batch, not per
event (a keyed per-event table ran at ~30,000 events/s here, below LinkedIn's own limit).
An id's state is ``sent`` if any record says so, else the latest record's. Reading the
journal back (:meth:`known`) hashes ids to 128 bits, 16 bytes an id in memory.

The file is in WAL mode with ``synchronous=NORMAL``: a committed outcome survives the
process being killed (not necessarily a power cut, which is not this file's job).

Examples
--------
>>> journal = Journal(":memory:")
>>> journal.bind(account="urn:li:sponsoredAccount:1", base_url="https://api.linkedin.com/rest")
>>> batch = journal.begin(["a", "b"])
>>> journal.finish(batch, "sent")
>>> journal.record(["b"], "rejected", "HTTP 422: bad")  # does not undo 'sent'
>>> journal.record(["c"], "unknown")
>>> journal.lookup(["a", "b", "c", "d"])
{'a': 'sent', 'b': 'sent', 'c': 'unknown'}
>>> journal.counts()
{'unknown': 1, 'sent': 2}
>>> journal.close()
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

import polars as pl

from linkedin_capi.errors import JournalError

__all__ = ["JOURNAL_STATES", "Journal", "KnownIds", "id_keys"]

JOURNAL_STATES = ("unknown", "sent", "rejected", "unsent")
_TABLES = frozenset({"batches", "stops", "binding"})
_STATE = pl.Enum(JOURNAL_STATES)
#: Batches read back per query when loading the journal (bounds the Python strings held).
_PAGE = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    error TEXT,
    updated REAL NOT NULL,
    ids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stops (
    at REAL NOT NULL,
    reason TEXT NOT NULL,
    resume_at TEXT
);
CREATE TABLE IF NOT EXISTS binding (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (key, value)
);
"""
_NEW_JOURNAL = (
    "pass a new file name as journal= to start a new journal for these events (keep the old "
    "one: it is the record of what that export delivered)"
)


def _lock_exclusive(handle: IO[str]) -> bool:
    """Take an exclusive, non-blocking lock on ``handle``; False if someone holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _writing(path: str) -> Iterator[None]:
    """Turn SQLite failures of a write (disk full, locked, corrupt) into JournalError."""
    try:
        yield
    except sqlite3.Error as exc:
        raise JournalError(
            f"could not write the journal {path!r} ({type(exc).__name__}: {exc}); nothing "
            "after the last committed batch is recorded — free disk space or fix the file, then "
            "re-run the same command: batches not recorded as sent are sent again"
        ) from None


def id_keys(ids: pl.Expr) -> list[pl.Expr]:
    """Two independent 64-bit hashes of an eventId (``k1``, ``k2``): a 128-bit key."""
    import polars_hash  # noqa: F401  (registers ``nchash``; on first use, see engine.hashing)

    return [
        ids.nchash.xxh3_64().alias("k1"),  # type: ignore[attr-defined]
        ids.nchash.xxhash64().alias("k2"),  # type: ignore[attr-defined]
    ]


class KnownIds:
    """What a journal knows, held as a sorted key array (about 17 bytes an id).

    Lookups are a binary search per id (``search_sorted``), not a hash join: the table is
    built once per export and probed once per chunk.
    """

    def __init__(self, records: pl.DataFrame) -> None:
        # Per key, 'sent' first, then the latest record: the first match is the state.
        rank = pl.when(pl.col("status") == "sent").then(pl.lit(-(2**40))).otherwise(-pl.col("seq"))
        # One permutation, then one column at a time: peak memory stays near the table's.
        order = records.select(pl.arg_sort_by(pl.col("k1"), rank)).to_series()
        self._k1 = records.get_column("k1").gather(order)
        self._k2 = records.get_column("k2").gather(order)
        self._status = records.get_column("status").gather(order)

    def __len__(self) -> int:
        return self._k1.len()

    def status(self, keys: pl.DataFrame) -> pl.Series:
        """The state of each row of ``keys`` (``k1``, ``k2``), null when unknown.

        A 64-bit collision of ``k1`` between two different ids can only make an id look
        unknown (it is sent again), never make an unsent id look sent.
        """
        if not len(self):
            return pl.Series("status", [None] * keys.height, dtype=_STATE)
        k1, k2 = keys.get_column("k1"), keys.get_column("k2")
        at = self._k1.search_sorted(k1, side="left").clip(0, len(self) - 1)
        hit = (self._k1.gather(at) == k1) & (self._k2.gather(at) == k2)
        found = self._status.gather(at)
        return (
            pl.DataFrame({"hit": hit, "found": found})
            .select(pl.when(pl.col("hit")).then(pl.col("found")).alias("status"))
            .to_series()
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
        self._write_lock = threading.Lock()  # sender threads mark batches 'unknown'
        self._lease: IO[str] | None = None
        if self.path != ":memory:":
            self._take_lease()
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            tables = {
                row[0]
                for row in self._db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                ).fetchall()
            }
            foreign = sorted(tables - _TABLES)
            if foreign:
                self._db.close()
                raise JournalError(
                    f"journal={self.path!r} is a SQLite database of something else (tables "
                    f"{', '.join(foreign[:5])}); an export never writes into it — {_NEW_JOURNAL}"
                )
            if "batches" in tables:
                columns = {r[1] for r in self._db.execute("PRAGMA table_info(batches)")}
                if columns != {"id", "status", "error", "updated", "ids"}:
                    self._db.close()
                    raise JournalError(
                        f"journal={self.path!r} has a 'batches' table that is not an export "
                        f"journal's (columns {sorted(columns)}) — {_NEW_JOURNAL}"
                    )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._release()
            raise JournalError(
                f"journal={self.path!r} cannot be used as an export journal ({exc}); pass the "
                "path of a journal file written by an earlier export, or a new path"
            ) from None
        except JournalError:
            self._release()
            raise

    # -- the lease -------------------------------------------------------------------------

    def _take_lease(self) -> None:
        lock_path = self.path + ".lock"
        try:
            handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held open
        except OSError as exc:
            raise JournalError(
                f"cannot create the journal's lock file {lock_path!r}: {exc}"
            ) from None
        if not _lock_exclusive(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise JournalError(
                f"journal={self.path!r} is in use by {holder}: one export at a time may use a "
                "journal. Wait for that export to finish (or stop it), then re-run; two exports "
                "on one journal would both send every event"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"process {os.getpid()} on {socket.gethostname()} since "
            f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}\n"
        )
        handle.flush()
        self._lease = handle

    def _release(self) -> None:
        if self._lease is not None:
            with contextlib.suppress(OSError):
                self._lease.seek(0)
                self._lease.truncate()
            self._lease.close()  # closing the file drops the lock
            self._lease = None

    # -- what the journal records -----------------------------------------------------------

    def bind(self, *, account: str | None, base_url: str | None, rules: Iterable[str] = ()) -> None:
        """Check (and on first use, record) what this journal is for.

        Raises
        ------
        JournalError
            The journal records another ad account or base URL, or only other rules.
        """
        rows = self._db.execute("SELECT key, value FROM binding").fetchall()
        bound: dict[str, set[str]] = {}
        for key, value in rows:
            bound.setdefault(key, set()).add(value)
        has_records = self._db.execute("SELECT 1 FROM batches LIMIT 1").fetchone() is not None
        wanted = {"account": account or "", "base_url": base_url or ""}
        for key, value in wanted.items():
            if key in bound and value not in bound[key]:
                raise JournalError(
                    f"journal={self.path!r} records the events of {key.replace('_', ' ')} "
                    f"{sorted(bound[key])[0]!r}, not {value!r}; its eventIds would be taken "
                    f"as already sent — {_NEW_JOURNAL}"
                )
        new_rules = set(rules)
        old_rules = bound.get("rule", set())
        if has_records and old_rules and new_rules and not new_rules & old_rules:
            raise JournalError(
                f"journal={self.path!r} records events of conversion rule(s) "
                f"{', '.join(sorted(old_rules)[:3])}, not {', '.join(sorted(new_rules)[:3])}; "
                f"its eventIds would be taken as already sent — {_NEW_JOURNAL}"
            )
        with self._write_lock, _writing(self.path), self._db:
            for key, value in wanted.items():
                self._db.execute(
                    "INSERT OR IGNORE INTO binding (key, value) VALUES (?, ?)", (key, value)
                )
            for rule in new_rules - old_rules:
                self._db.execute(
                    "INSERT OR IGNORE INTO binding (key, value) VALUES ('rule', ?)", (rule,)
                )

    # -- writing ---------------------------------------------------------------------------

    def _insert(self, event_ids: Sequence[str], status: str, error: str | None) -> int:
        if status not in JOURNAL_STATES:
            raise ValueError(f"status must be one of {JOURNAL_STATES}, got {status!r}")
        with self._write_lock, _writing(self.path), self._db:  # one committed transaction
            cursor = self._db.execute(
                "INSERT INTO batches (status, error, updated, ids) VALUES (?, ?, ?, ?)",
                (status, error, time.time(), json.dumps(list(event_ids))),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def begin(self, event_ids: Sequence[str], status: str = "unknown") -> int:
        """Record a batch (default ``unknown``: about to be sent); the batch's number.

        The export records a batch ``unsent`` when it is queued and marks it ``unknown``
        (:meth:`finish`) right before its bytes go on the wire.
        """
        return self._insert(event_ids, status, None)

    def finish(self, batch: int, status: str, error: str | None = None) -> None:
        """The outcome of a whole batch from :meth:`begin` (one row updated)."""
        if status not in JOURNAL_STATES:
            raise ValueError(f"status must be one of {JOURNAL_STATES}, got {status!r}")
        with self._write_lock, _writing(self.path), self._db:
            self._db.execute(
                "UPDATE batches SET status = ?, error = ?, updated = ? WHERE id = ?",
                (status, error, time.time(), batch),
            )

    def record(self, event_ids: Sequence[str], status: str, error: str | None = None) -> None:
        """The outcome of some ids on their own (part of a batch); ``sent`` always wins."""
        if event_ids:
            self._insert(event_ids, status, error)

    def record_stop(self, reason: str, resume_at: str | None) -> None:
        """Note why an export stopped early and when it can go on (UTC ISO time)."""
        with self._write_lock, _writing(self.path), self._db:
            self._db.execute(
                "INSERT INTO stops (at, reason, resume_at) VALUES (?, ?, ?)",
                (time.time(), reason, resume_at),
            )

    # -- reading ---------------------------------------------------------------------------

    def _records(self, *, keyed: bool) -> pl.DataFrame:
        """Every (id or key, status) record in write order, read a page of batches at a time."""
        parts: list[pl.DataFrame] = []
        last = 0
        while True:
            page = self._db.execute(
                "SELECT id, status, ids FROM batches WHERE id > ? ORDER BY id LIMIT ?",
                (last, _PAGE),
            ).fetchall()
            if not page:
                break
            last = page[-1][0]
            frame = (
                pl.DataFrame(
                    {
                        "seq": [r[0] for r in page],
                        "status": pl.Series([r[1] for r in page], dtype=_STATE),
                        "ids": [r[2] for r in page],
                    }
                )
                .with_columns(pl.col("ids").str.json_decode(pl.List(pl.String)))
                .explode("ids")
                .drop_nulls("ids")
            )
            key = id_keys(pl.col("ids")) if keyed else [pl.col("ids").alias("event_id")]
            parts.append(frame.select(*key, "seq", "status"))
        if not parts:
            cols = ["k1", "k2"] if keyed else ["event_id"]
            dtype = pl.UInt64 if keyed else pl.String
            return pl.DataFrame(
                schema={**dict.fromkeys(cols, dtype), "seq": pl.Int64, "status": _STATE}
            )
        return pl.concat(parts, rechunk=False)  # chunks linked, not copied

    @staticmethod
    def _final(records: pl.DataFrame, by: list[str]) -> pl.DataFrame:
        """One state per id: ``sent`` if any record says so, else the latest one."""
        return (
            records.sort("seq")
            .group_by(by, maintain_order=True)
            .agg(
                pl.when((pl.col("status") == "sent").any())
                .then(pl.lit("sent", _STATE))
                .otherwise(pl.col("status").last())
                .alias("status")
            )
        )

    def known(self) -> KnownIds:
        """Every id's state, as 128-bit keys sorted for lookups (see :class:`KnownIds`)."""
        return KnownIds(self._records(keyed=True))

    def states(self) -> pl.DataFrame:
        """Every id's state as ``event_id``, ``status`` (for inspection; holds the ids)."""
        return self._final(self._records(keyed=False), ["event_id"])

    def lookup(self, event_ids: Sequence[str]) -> dict[str, str]:
        """``{event_id: status}`` for the ids the journal knows (others are absent)."""
        states = self.states().filter(pl.col("event_id").is_in(list(event_ids)))
        return dict(states.select("event_id", pl.col("status").cast(pl.String)).iter_rows())

    def counts(self) -> dict[str, int]:
        """Event ids per state (states with none are left out)."""
        counts = self.states().get_column("status").value_counts()
        found = dict(counts.select(pl.col("status").cast(pl.String), "count").iter_rows())
        return {s: found[s] for s in JOURNAL_STATES if found.get(s)}

    def last_stop(self) -> tuple[str, str | None] | None:
        """``(reason, resume_at)`` of the latest early stop, or ``None``."""
        row = self._db.execute(
            "SELECT reason, resume_at FROM stops ORDER BY at DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def close(self) -> None:
        """Close the database and give up the lease."""
        self._db.close()
        self._release()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({self.path!r})"
