"""``--sql QUERY --db URI``: a query's rows as a frame, streamed in batches.

Three engines, each opened read-only, each behind one lazy scan that runs the query again
whenever the frame is collected (an export reads its input more than once: the schema,
the rows in chunks, the count of rows never reached):

* SQLite (the standard library): every column as text, cast by SQLite itself, since a
  SQLite column has no reliable type (the validator parses text, as for CSV);
* DuckDB (the ``duckdb`` extra: duckdb and nanoarrow): the declared types through Arrow
  (Decimal, timestamps with time zone, lists), without pyarrow;
* PostgreSQL (the ``postgres`` extra, psycopg): a server-side cursor; booleans, integers,
  floats, text, text arrays, dates and timestamps keep their types, everything else
  (``numeric`` amounts, uuid, json) arrives as PostgreSQL's own text, exact.

A password in the URI never appears in a message: :func:`redact` hides it, and every
error is cleaned of it before it is raised.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import urllib.parse
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import polars as pl
from polars.io.plugins import register_io_source

from linkedin_capi.errors import ConfigError

__all__ = ["BATCH_ROWS", "INSTALL", "engine_of", "read_query", "redact"]

#: Rows fetched per batch (and the most a batch holds in memory before the export takes it).
BATCH_ROWS = 50_000

#: What to install for each optional engine.
INSTALL = {
    "duckdb": "pip install 'linkedin-capi[duckdb]'",
    "postgresql": "pip install 'linkedin-capi[postgres]'",
}

_SQLITE_MAGIC = b"SQLite format 3\x00"
_DUCKDB_MAGIC = b"DUCK"  # at byte 8 of a DuckDB database file

# PostgreSQL type OIDs that keep their type; any other column is loaded as text.
_PG_TYPES: dict[int, pl.DataType] = {
    16: pl.Boolean(),
    20: pl.Int64(),
    21: pl.Int64(),
    23: pl.Int64(),
    700: pl.Float64(),
    701: pl.Float64(),
    19: pl.String(),
    25: pl.String(),
    1042: pl.String(),
    1043: pl.String(),
    1009: pl.List(pl.String()),
    1015: pl.List(pl.String()),
    1082: pl.Date(),
    1114: pl.Datetime("us"),
    1184: pl.Datetime("us", "UTC"),
}


def redact(uri: str) -> str:
    """``uri`` with its password (and any ``password=`` parameter) replaced by ``***``.

    Examples
    --------
    >>> redact("postgresql://ana:s3cret@127.0.0.1:5432/crm")
    'postgresql://ana:***@127.0.0.1:5432/crm'
    >>> redact("postgresql://127.0.0.1/crm?user=ana&password=s3cret")
    'postgresql://127.0.0.1/crm?user=ana&password=***'
    >>> redact("sqlite:///data/crm.db")
    'sqlite:///data/crm.db'
    """
    out = uri
    for secret in _secrets(uri):
        out = out.replace(secret, "***")
    return out


def _secrets(uri: str) -> list[str]:
    """The password in ``uri`` as written and decoded, longest first (empty when none)."""
    try:
        parts = urllib.parse.urlsplit(uri)
        params = urllib.parse.parse_qsl(parts.query)
    except ValueError:  # not a URI: nothing parsable to hide
        return []
    written = [parts.netloc.rpartition("@")[0].partition(":")[2]]
    written += [v for k, v in params if k.lower() == "password"]
    spelled = {s for s in written if s} | {urllib.parse.unquote(s) for s in written if s}
    spelled |= {urllib.parse.quote(s, safe="") for s in spelled}
    return sorted(spelled, key=len, reverse=True)


def engine_of(db: str) -> tuple[str, str]:
    """``(engine, target)`` for ``--db``: a URI, or a database file recognised by its header.

    ``sqlite:PATH`` and ``duckdb:PATH`` (``sqlite:///data/crm.db`` and SQLAlchemy's
    ``sqlite:////data/crm.db`` both name ``/data/crm.db``; ``sqlite:crm.db`` is relative),
    ``postgresql://…``/``postgres://…``, or the path of a SQLite or DuckDB file.

    Examples
    --------
    >>> engine_of("sqlite:///data/crm.db"), engine_of("sqlite:////data/crm.db")
    (('sqlite', '/data/crm.db'), ('sqlite', '/data/crm.db'))
    >>> engine_of("duckdb:events.duckdb")
    ('duckdb', 'events.duckdb')
    >>> engine_of("postgres://ana@127.0.0.1/crm")[0]
    'postgresql'
    """
    scheme, sep, rest = db.partition(":")
    scheme = scheme.lower()
    if sep and scheme in {"postgresql", "postgres"}:
        return "postgresql", db
    if sep and scheme in {"sqlite", "sqlite3", "duckdb"}:
        path = rest[2:] if rest.startswith("//") else rest
        if path.startswith("//"):  # SQLAlchemy's absolute form, sqlite:////data/crm.db
            path = "/" + path.lstrip("/")
        return ("duckdb" if scheme == "duckdb" else "sqlite"), path
    p = Path(db).expanduser()
    if p.is_file():
        with p.open("rb") as fh:
            head = fh.read(16)
        if head.startswith(_SQLITE_MAGIC):
            return "sqlite", str(p)
        if head[8:12] == _DUCKDB_MAGIC:
            return "duckdb", str(p)
        raise ConfigError(
            f"--db: {db} is neither a SQLite nor a DuckDB database file; expected such a "
            "file, sqlite:PATH, duckdb:PATH or postgresql://user@host:port/database"
        )
    if sep and "/" in rest and not Path(db).parent.exists():
        raise ConfigError(
            f"--db: unknown database kind {scheme!r} in {redact(db)}; expected a SQLite or "
            "DuckDB file, sqlite:PATH, duckdb:PATH or postgresql://user@host:port/database"
        )
    raise ConfigError(
        f"--db: no such database file {db}; expected a SQLite or DuckDB file, sqlite:PATH, "
        "duckdb:PATH or postgresql://user@host:port/database"
    )


def read_query(query: str, db: str, *, lazy: bool) -> pl.DataFrame | pl.LazyFrame:
    """The rows of ``query`` on ``db``: a LazyFrame streamed in batches, or collected.

    Raises
    ------
    ConfigError
        An unknown or missing database, a missing driver, a query that fails, no rows;
        never with the URI's password in the message.
    """
    if not query.strip():
        raise ConfigError("--sql: the query is empty; expected e.g. --sql 'SELECT * FROM leads'")
    engine, target = engine_of(db)
    needs = {"sqlite": [], "duckdb": ["duckdb", "nanoarrow"], "postgresql": ["psycopg"]}[engine]
    if any(importlib.util.find_spec(name) is None for name in needs):
        raise ConfigError(f"--db: reading {engine} needs its driver: {INSTALL[engine]}")
    if engine != "postgresql" and not Path(target).expanduser().is_file():
        raise ConfigError(f"--db: no such {engine} database file {target}")
    batches = {"sqlite": _sqlite, "duckdb": _duckdb, "postgresql": _postgres}[engine]
    where = redact(db)
    failures = _errors(engine)
    try:
        if lazy:
            probe = batches(query, target, 0)  # the columns and their types only
            try:
                schema = next(probe).schema
            finally:
                probe.close()
            scan = register_io_source(_source(batches, query, target), schema=schema)
            first = scan.head(1).collect()  # a broken query fails here, not mid-export
            data: pl.DataFrame | pl.LazyFrame = scan
        else:
            whole = batches(query, target, -1)
            try:
                frames = list(whole)
            finally:
                whole.close()
            data = first = pl.concat(frames, how="vertical")
    except failures as exc:  # the driver's own errors: the query or the database is input
        raise ConfigError(_message(exc, where, db)) from None
    if first.height == 0:
        raise ConfigError(f"--sql: the query returned no rows (columns: {first.columns})")
    return data


def _errors(engine: str) -> tuple[type[BaseException], ...]:
    """What a broken database, query or connection raises with ``engine`` (never ours)."""
    found: list[type[BaseException]] = [pl.exceptions.PolarsError, OSError, sqlite3.Error]
    if engine == "duckdb":
        import duckdb

        found.append(duckdb.Error)
    if engine == "postgresql":
        import psycopg

        found.append(psycopg.Error)
    return tuple(found)


Batches = Callable[[str, str, int], Generator[pl.DataFrame, None, None]]


def _source(
    batches: Batches, query: str, target: str
) -> Callable[[list[str] | None, pl.Expr | None, int | None, int | None], Iterator[pl.DataFrame]]:
    """A Polars IO source: each scan runs the query again and yields its batches."""

    def scan(
        with_columns: list[str] | None,
        predicate: pl.Expr | None,
        n_rows: int | None,
        batch_size: int | None,
    ) -> Iterator[pl.DataFrame]:
        left = n_rows
        for batch in batches(query, target, min(batch_size or BATCH_ROWS, BATCH_ROWS)):
            part = batch if with_columns is None else batch.select(with_columns)
            if predicate is not None:
                part = part.filter(predicate)
            if left is not None:
                part = part.head(left)
                left -= part.height
            yield part
            if left is not None and left <= 0:
                return

    return scan


def _message(exc: BaseException, where: str, db: str) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    for secret in _secrets(db):
        text = text.replace(secret, "***")
    return f"--sql on {where}: {text[:300]}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unique(names: list[str]) -> list[str]:
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise ConfigError(
            f"--sql: the query returns two columns named {sorted(seen)[0]!r}; give one an "
            "alias (… AS other_name)"
        )
    return names


def _frames(cursor: Any, schema: dict[str, Any], size: int) -> Iterator[pl.DataFrame]:
    """A DB-API cursor's rows, ``size`` at a time (at least one frame, maybe empty)."""
    empty = True
    while rows := cursor.fetchmany(size if size > 0 else BATCH_ROWS):
        empty = False
        yield pl.DataFrame(rows, schema=schema, orient="row")
    if empty:
        yield pl.DataFrame(schema=schema)


def _sqlite(query: str, path: str, size: int) -> Generator[pl.DataFrame, None, None]:
    """SQLite, read-only, every column cast to text by SQLite (``size`` 0: none, the schema)."""
    uri = "file:" + urllib.parse.quote(str(Path(path).expanduser())) + "?mode=ro"
    # Polars may resume this generator on another thread (never two at once).
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        inner = query.strip().rstrip(";")
        # The newline ends a trailing `-- comment` inside the query.
        probe = con.execute(f"SELECT * FROM ({inner}\n) LIMIT 0")
        names = _unique([d[0] for d in probe.description])
        schema = dict.fromkeys(names, pl.String())
        if size == 0:
            yield pl.DataFrame(schema=schema)
            return
        casts = ", ".join(f"CAST({_quoted(n)} AS TEXT)" for n in names)
        cur = con.execute(f"SELECT {casts} FROM ({inner}\n)")
        yield from _frames(cur, schema, size)
    finally:
        con.close()


def _duckdb(query: str, path: str, size: int) -> Generator[pl.DataFrame, None, None]:
    """DuckDB, read-only, the declared types through Arrow's C stream (no pyarrow)."""
    import duckdb
    import nanoarrow

    con = duckdb.connect(str(Path(path).expanduser()), read_only=True)
    try:
        relation = con.sql(query)
        if relation is None:
            raise ConfigError("--sql: the statement returns no rows; expected a SELECT query")
        _unique(relation.columns)
        if size <= 0:  # 0: the schema only; below: the whole result in one frame
            yield pl.DataFrame(relation.limit(0) if size == 0 else relation)
            return
        # nanoarrow reads DuckDB's Arrow stream one record batch at a time, in this thread:
        # stopping early (a head(1) probe) lets the stream go at once.
        stream = nanoarrow.ArrayStream(relation)
        try:
            for batch in stream:
                yield from pl.DataFrame(batch).iter_slices(size)
        finally:
            stream.close()
    finally:
        con.close()


def _postgres(query: str, uri: str, size: int) -> Generator[pl.DataFrame, None, None]:
    """PostgreSQL in a read-only transaction, through a server-side cursor."""
    import psycopg
    from psycopg.types.string import TextLoader

    with psycopg.connect(uri, connect_timeout=10) as con:
        con.read_only = True
        with con.cursor() as probe:
            inner = query.strip().rstrip(";")
            probe.execute(f"SELECT * FROM ({inner}\n) AS q LIMIT 0")  # type: ignore[call-overload]
            described = [(d.name, d.type_code) for d in probe.description or []]
        _unique([n for n, _ in described])
        for _, oid in described:
            if oid not in _PG_TYPES:  # numeric, uuid, json…: PostgreSQL's own exact text
                con.adapters.register_loader(oid, TextLoader)
        schema: dict[str, Any] = {n: _PG_TYPES.get(oid, pl.String()) for n, oid in described}
        if size == 0:
            yield pl.DataFrame(schema=schema)
            return
        with con.cursor(name="linkedin_capi_sql") as cur:
            cur.execute(inner)  # type: ignore[call-overload]
            yield from _frames(cur, schema, size)
