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

It is a *ledger* of what was sent: with each id it stores a 32-bit digest of the event
as rendered for LinkedIn (:func:`event_digests`). An id recorded ``sent`` (or ``unknown``)
whose event now renders differently is not "already sent": the export refuses it (see
:func:`~linkedin_capi.delivery.export.export`) instead of reporting another event as
delivered. Records written before digests existed have none and match any content.

Layout: one row per *batch* (its ids and digests as JSON arrays, its status), appended in
order; a batch's acknowledgement updates one row. That keeps the write cost per batch, not
per event (a keyed per-event table ran at ~30,000 events/s here, below LinkedIn's own
limit). An id's state is ``sent`` if any record says so, else the latest record's. Reading
the journal back (:meth:`known`) hashes ids to 128 bits and keeps the state's digest:
about 21 bytes an id in memory.

A SQLite error while reading or writing (a corrupt file, a read-only one, disk full) is a
:class:`~linkedin_capi.errors.JournalError` with one line saying what to do; after a
failed write :attr:`Journal.broken` is true.

The file is in WAL mode with ``synchronous=NORMAL``: a committed outcome survives the
process being killed (not necessarily a power cut, which is not this file's job).

Examples
--------
>>> journal = Journal(":memory:")
>>> journal.bind(account="urn:li:sponsoredAccount:1", base_url="https://api.linkedin.com/rest")
>>> batch = journal.begin(["a", "b"], digests=[7, 8])
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

from linkedin_capi.engine.payload import event_json
from linkedin_capi.errors import JournalError

__all__ = ["JOURNAL_STATES", "Journal", "KnownIds", "event_digests", "id_keys"]

JOURNAL_STATES = ("unknown", "sent", "rejected", "unsent")
_TABLES = frozenset({"batches", "stops", "binding"})
#: The columns of ``batches`` before digests were recorded (such a journal gains the column).
_V1_COLUMNS = frozenset({"id", "status", "error", "updated", "ids"})
_COLUMNS = _V1_COLUMNS | {"digests"}
#: The states in which LinkedIn has, or may have, an event under its id.
CLAIMED = ("sent", "unknown")
_STATE = pl.Enum(JOURNAL_STATES)
#: Batches read back per query when loading the journal (bounds the Python strings held).
_PAGE = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    error TEXT,
    updated REAL NOT NULL,
    ids TEXT NOT NULL,
    digests TEXT
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


def id_keys(ids: pl.Expr) -> list[pl.Expr]:
    """Two independent 64-bit hashes of an eventId (``k1``, ``k2``): a 128-bit key."""
    import polars_hash  # noqa: F401  (registers ``nchash``; on first use, see engine.hashing)

    return [
        ids.nchash.xxh3_64().alias("k1"),  # type: ignore[attr-defined]
        ids.nchash.xxhash64().alias("k2"),  # type: ignore[attr-defined]
    ]


def event_digests(valid: pl.DataFrame) -> pl.Series:
    """A 32-bit digest of each row's event as rendered for LinkedIn (``UInt32``, same order).

    The digest is of the event's JSON (normalized values, rule URN, ``eventId``), so it is
    the same however the input was spelled, and differs when anything LinkedIn receives
    differs. 32 bits keep the journal small; two different events share a digest with
    probability 2**-32, which can only make a changed event look unchanged.

    Examples
    --------
    >>> import polars as pl
    >>> valid = pl.DataFrame({"_row": [0, 1], "conversion": ["urn:lla:llaPartnerConversion:1"] * 2,
    ...                       "conversionHappenedAt": [1, 1], "eventId": ["a", "b"]})
    >>> d = event_digests(valid)
    >>> d.dtype, d.len(), d[0] != d[1]
    (UInt32, 2, True)
    """
    import polars_hash  # noqa: F401  (registers ``nchash``; on first use, see engine.hashing)

    texts = event_json(valid)
    return (
        texts.to_frame("event")
        .select((pl.col("event").nchash.xxh3_64() & 0xFFFFFFFF).cast(pl.UInt32))  # type: ignore[attr-defined]
        .to_series()
        .alias("digest")
    )


class KnownIds:
    """What a journal knows, held as a sorted key array (about 21 bytes an id).

    Per id: its 128-bit key, its state and the digest of the event that state is about.
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
        self._digest = records.get_column("digest").gather(order)

    def __len__(self) -> int:
        return self._k1.len()

    def match(self, keys: pl.DataFrame) -> pl.DataFrame:
        """``status`` and ``digest`` of each row of ``keys`` (``k1``, ``k2``); null if unknown.

        A 64-bit collision of ``k1`` between two different ids can only make an id look
        unknown (it is sent again), never make an unsent id look sent. ``digest`` is null
        for records written before digests existed.
        """
        if not len(self):
            return pl.DataFrame(
                {
                    "status": pl.Series([None] * keys.height, dtype=_STATE),
                    "digest": pl.Series([None] * keys.height, dtype=pl.UInt32),
                }
            )
        k1, k2 = keys.get_column("k1"), keys.get_column("k2")
        at = self._k1.search_sorted(k1, side="left").clip(0, len(self) - 1)
        hit = (self._k1.gather(at) == k1) & (self._k2.gather(at) == k2)
        return pl.DataFrame(
            {"hit": hit, "found": self._status.gather(at), "d": self._digest.gather(at)}
        ).select(
            pl.when(pl.col("hit")).then(pl.col("found")).alias("status"),
            pl.when(pl.col("hit")).then(pl.col("d")).alias("digest"),
        )

    def status(self, keys: pl.DataFrame) -> pl.Series:
        """The state of each row of ``keys`` (``k1``, ``k2``), null when unknown."""
        return self.match(keys).get_column("status")

    def holds(self, keys: pl.DataFrame) -> pl.Series:
        """Per row of ``keys`` (``k1``, ``k2``, ``digest``): whether a ``sent``/``unknown``
        record of that id has this digest, or none (a record from before digests).

        :meth:`match` gives one record per id; an id sent twice with two contents (a frame
        with a repeated eventId) has more. This looks at all of them, so a true resume of
        such a frame is still ``already_sent``. It scans the table once: call it for the
        few rows whose first record disagrees, not for every row.
        """
        if not keys.height:
            return pl.Series("holds", [], dtype=pl.Boolean)
        claimed = pl.DataFrame(
            {"k1": self._k1, "k2": self._k2, "status": self._status, "d": self._digest}
        ).filter(pl.col("k1").is_in(keys.get_column("k1").implode()))
        claimed = claimed.filter(pl.col("status").is_in(CLAIMED)).select("k1", "k2", "d")
        return (
            keys.select("k1", "k2", "digest")
            .with_row_index("i")
            .join(claimed, on=["k1", "k2"], how="left")
            .group_by("i")
            .agg((pl.col("d").is_null() | (pl.col("d") == pl.col("digest"))).any().alias("h"))
            .sort("i")
            .get_column("h")
            .alias("holds")
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
        # Sender threads mark batches 'unknown' while the calling thread reads and records:
        # one sqlite3 connection must not run two statements at once (CPython's module can
        # fail with "SystemError: ... returned NULL"), so reads take the lock as well.
        self._write_lock = threading.RLock()
        self._lease: IO[str] | None = None
        #: True once a write failed (the export then stops writing to it).
        self.broken = False
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
            columns: set[str] = set()
            if "batches" in tables:
                columns = {r[1] for r in self._db.execute("PRAGMA table_info(batches)")}
                if columns not in (_V1_COLUMNS, _COLUMNS):
                    self._db.close()
                    raise JournalError(
                        f"journal={self.path!r} has a 'batches' table that is not an export "
                        f"journal's (columns {sorted(columns)}) — {_NEW_JOURNAL}"
                    )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            if columns == _V1_COLUMNS:  # a journal from before digests: its records keep none
                self._db.execute("ALTER TABLE batches ADD COLUMN digests TEXT")
        except sqlite3.Error as exc:
            self._release()
            raise JournalError(
                f"journal={self.path!r} cannot be used as an export journal "
                f"({type(exc).__name__}: {exc}); pass the path of a journal file written by "
                "an earlier export, or a new path (a read-only file cannot record outcomes)"
            ) from None
        except JournalError:
            self._release()
            raise

    # -- the lease -------------------------------------------------------------------------

    def _take_lease(self) -> None:
        # The file's real path: a journal reached through a symlink is still one journal.
        lock_path = os.path.realpath(self.path) + ".lock"
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

    # -- failures ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Turn SQLite failures of a write (disk full, locked, corrupt) into JournalError."""
        try:
            yield
        except sqlite3.Error as exc:
            self.broken = True
            raise JournalError(
                f"could not write the journal {self.path!r} ({type(exc).__name__}: {exc}); "
                "nothing after the last committed batch is recorded — free disk space or fix "
                "the file, then re-run the same command: batches not recorded as sent are sent "
                "again"
            ) from None

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn failures of a read (corrupt pages, a tampered record) into JournalError;
        holds the connection's lock (see ``_write_lock``) while the read runs."""
        try:
            with self._write_lock:
                yield
        except (sqlite3.Error, pl.exceptions.PolarsError) as exc:
            # Not ``broken``: the export still records the outcomes of batches in flight.
            detail = " ".join(str(exc).split())[:200]
            raise JournalError(
                f"could not read the journal {self.path!r} ({type(exc).__name__}: {detail}); "
                "it is damaged or not readable, so what it records cannot be used — keep it "
                "for reference, and pass a new file name as journal= to start a new journal "
                "(events the old one recorded as sent are then sent again)"
            ) from None

    # -- what the journal records -----------------------------------------------------------

    def bind(self, *, account: str | None, base_url: str | None, rules: Iterable[str] = ()) -> None:
        """Check (and on first use, record) what this journal is for.

        Raises
        ------
        JournalError
            The journal records another ad account or base URL, or only other rules.
        """
        with self._reading():
            rows = self._db.execute("SELECT key, value FROM binding").fetchall()
            has_records = self._db.execute("SELECT 1 FROM batches LIMIT 1").fetchone() is not None
        bound: dict[str, set[str]] = {}
        for key, value in rows:
            bound.setdefault(key, set()).add(value)
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
        with self._write_lock, self._writing(), self._db:
            for key, value in wanted.items():
                self._db.execute(
                    "INSERT OR IGNORE INTO binding (key, value) VALUES (?, ?)", (key, value)
                )
            for rule in new_rules - old_rules:
                self._db.execute(
                    "INSERT OR IGNORE INTO binding (key, value) VALUES ('rule', ?)", (rule,)
                )

    # -- writing ---------------------------------------------------------------------------

    def _insert(
        self,
        event_ids: Sequence[str],
        status: str,
        error: str | None,
        digests: Sequence[int] | pl.Series | None,
    ) -> int:
        if status not in JOURNAL_STATES:
            raise ValueError(f"status must be one of {JOURNAL_STATES}, got {status!r}")
        ids = list(event_ids)
        sums = None if digests is None else list(digests)
        if sums is not None and len(sums) != len(ids):
            raise ValueError(f"{len(ids)} event ids but {len(sums)} digests")
        with self._write_lock, self._writing(), self._db:  # one committed transaction
            cursor = self._db.execute(
                "INSERT INTO batches (status, error, updated, ids, digests) VALUES (?, ?, ?, ?, ?)",
                (
                    status,
                    error,
                    time.time(),
                    json.dumps(ids),
                    None if sums is None else json.dumps(sums),
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def begin(
        self,
        event_ids: Sequence[str],
        status: str = "unknown",
        digests: Sequence[int] | pl.Series | None = None,
    ) -> int:
        """Record a batch (default ``unknown``: about to be sent); the batch's number.

        The export records a batch ``unsent`` when it is queued and marks it ``unknown``
        (:meth:`finish`) right before its bytes go on the wire. ``digests`` are the
        events' :func:`event_digests`, one per id (``None``: content not checked later).
        """
        return self._insert(event_ids, status, None, digests)

    def finish(self, batch: int, status: str, error: str | None = None) -> None:
        """The outcome of a whole batch from :meth:`begin` (one row updated)."""
        if status not in JOURNAL_STATES:
            raise ValueError(f"status must be one of {JOURNAL_STATES}, got {status!r}")
        with self._write_lock, self._writing(), self._db:
            self._db.execute(
                "UPDATE batches SET status = ?, error = ?, updated = ? WHERE id = ?",
                (status, error, time.time(), batch),
            )

    def record(
        self,
        event_ids: Sequence[str],
        status: str,
        error: str | None = None,
        digests: Sequence[int] | pl.Series | None = None,
    ) -> None:
        """The outcome of some ids on their own (part of a batch); ``sent`` always wins."""
        if event_ids:
            self._insert(event_ids, status, error, digests)

    def record_stop(self, reason: str, resume_at: str | None) -> None:
        """Note why an export stopped early and when it can go on (UTC ISO time)."""
        with self._write_lock, self._writing(), self._db:
            self._db.execute(
                "INSERT INTO stops (at, reason, resume_at) VALUES (?, ?, ?)",
                (time.time(), reason, resume_at),
            )

    # -- reading ---------------------------------------------------------------------------

    def _records(self, *, keyed: bool) -> pl.DataFrame:
        """Every (id or key, status, digest) record in write order, a page of batches at a time."""
        parts: list[pl.DataFrame] = []
        last = 0
        key = id_keys(pl.col("ids")) if keyed else [pl.col("ids").alias("event_id")]
        with self._reading():
            while True:
                page = self._db.execute(
                    "SELECT id, status, ids, digests FROM batches WHERE id > ? ORDER BY id LIMIT ?",
                    (last, _PAGE),
                ).fetchall()
                if not page:
                    break
                last = page[-1][0]
                frame = pl.DataFrame(
                    {
                        "seq": [r[0] for r in page],
                        "status": pl.Series([r[1] for r in page], dtype=_STATE),
                        "ids": pl.Series([r[2] for r in page], dtype=pl.String),
                        "digest": pl.Series([r[3] for r in page], dtype=pl.String),
                    }
                ).with_columns(pl.col("ids").str.json_decode(pl.List(pl.String)))
                with_sums = frame.filter(pl.col("digest").is_not_null())
                without = frame.filter(pl.col("digest").is_null())
                exploded = [
                    with_sums.with_columns(
                        pl.col("digest").str.json_decode(pl.List(pl.UInt32))
                    ).explode("ids", "digest"),
                    without.explode("ids").with_columns(pl.lit(None, pl.UInt32).alias("digest")),
                ]
                for part in exploded:
                    if part.height:
                        parts.append(part.drop_nulls("ids").select(*key, "seq", "status", "digest"))
        if not parts:
            cols = ["k1", "k2"] if keyed else ["event_id"]
            dtype = pl.UInt64 if keyed else pl.String
            return pl.DataFrame(
                schema={
                    **dict.fromkeys(cols, dtype),
                    "seq": pl.Int64,
                    "status": _STATE,
                    "digest": pl.UInt32,
                }
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
        records = self._records(keyed=True)
        with self._reading():
            return KnownIds(records)

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
        with self._reading():
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
