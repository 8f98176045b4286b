"""``--sql QUERY --db URI`` against real engines: SQLite and DuckDB files made here, and a
PostgreSQL server (tests marked ``postgres``: ``bash .ci/start-postgres`` starts one and
prints the URI to put in ``LINKEDIN_CAPI_TEST_POSTGRES``)."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import socket
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from linkedin_capi.cli import _sql, app
from linkedin_capi.cli.readers import read_input
from linkedin_capi.sandbox import Sandbox

runner = CliRunner()
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
WHEN = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
WHEN_MS = int(NOW.timestamp() * 1000)


def one_line_error(result: object, *needles: str) -> str:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return str(lines[0])


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A sandbox that keeps the events it accepts (``env`` points the CLI at it)."""
    with Sandbox(store_events=True) as sandbox:
        yield sandbox


def sqlite_db(path: Path, rows: int = 2) -> Path:
    with sqlite3.connect(path) as con:
        con.execute(
            "CREATE TABLE leads (event_id TEXT, happened_at TEXT, email TEXT, amount REAL, "
            "crm_id INTEGER)"
        )
        con.executemany(
            "INSERT INTO leads VALUES (?, ?, ?, ?, ?)",
            [(f"{i:06d}", WHEN, f"u{i}@example.com", 1250.5 + i, i) for i in range(rows)],
        )
    con.close()
    return path


def test_sqlite_columns_arrive_as_text(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path / "crm.db")
    src = read_input(None, sql="SELECT * FROM leads -- a comment at the end", db=str(db))
    assert isinstance(src.data, pl.DataFrame) and src.first_line is None
    assert set(src.data.schema.values()) == {pl.String}
    assert src.data.rows() == [
        ("000000", WHEN, "u0@example.com", "1250.5", "0"),
        ("000001", WHEN, "u1@example.com", "1251.5", "1"),
    ]


def test_sqlite_query_is_streamed_in_batches_and_exported_with_a_journal(
    tmp_path: Path, env: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sqlite_db(tmp_path / "crm.db", rows=2500)
    monkeypatch.setattr(_sql, "BATCH_ROWS", 1000)
    lazy = read_input(None, lazy=True, sql="SELECT * FROM leads", db=f"sqlite:{db}").data
    assert isinstance(lazy, pl.LazyFrame)
    sizes = [b.height for b in lazy.collect_batches(chunk_size=1000, maintain_order=True)]
    assert sum(sizes) == 2500 and max(sizes) <= 1000
    assert lazy.select(pl.len()).collect().item() == 2500  # a second scan runs the query again
    out = runner.invoke(
        app,
        [
            "export",
            "--sql",
            "SELECT event_id, happened_at AS conversion_happened_at, email FROM leads",
            "--db",
            str(db),
            "--conversion",
            str(env.rule_id),
            "--journal",
            str(tmp_path / "run.db"),
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["counts"]["sent"] == 2500
    ids = sorted(e["eventId"] for e in env.events)
    assert ids[:2] == ["000000", "000001"] and len(set(ids)) == 2500


def test_sqlite_is_opened_read_only_and_never_created(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path / "crm.db")
    one_line_error(
        runner.invoke(app, ["validate", "--sql", "DELETE FROM leads RETURNING *", "--db", str(db)]),
        "--sql on",
    )
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM leads").fetchone() == (2,)
    con.close()
    missing = tmp_path / "nope.db"
    one_line_error(
        runner.invoke(app, ["validate", "--sql", "SELECT 1", "--db", f"sqlite:{missing}"]),
        "no such sqlite database file",
    )
    assert not missing.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--sql", "SELECT nope FROM leads", "--db", "{db}"], "no such column: nope"),
        (["--sql", "SELECT * FROM leads WHERE 0", "--db", "{db}"], "the query returned no rows"),
        (["--sql", "  ", "--db", "{db}"], "the query is empty"),
        (["--sql", "SELECT 1"], "--sql and --db go together: add --db URI"),
        (["--db", "{db}"], "--sql and --db go together: add --sql QUERY"),
        (["{dir}/in.csv", "--sql", "SELECT 1", "--db", "{db}"], "either FILE"),
        ([], "expected a FILE"),
        (["--sql", "SELECT 1", "--db", "{dir}/notes.txt"], "neither a SQLite nor a DuckDB"),
        (["--sql", "SELECT 1", "--db", "{db}", "--separator", ";"], "--separator applies to CSV"),
        (["--sql", "SELECT 1", "--db", "{db}", "--sheet", "A"], "--sheet applies to .xlsx"),
    ],
)
@pytest.mark.parametrize("command", [["validate"], ["export", "--dry-run"]])
def test_sql_input_errors_are_one_line(
    tmp_path: Path, command: list[str], args: list[str], needle: str
) -> None:
    db = sqlite_db(tmp_path / "crm.db")
    (tmp_path / "notes.txt").write_text("not a database")
    given = [a.format(db=db, dir=tmp_path) for a in args]
    one_line_error(runner.invoke(app, [*command, *given]), needle)


def duckdb_file(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE events (event_id VARCHAR, happened_at TIMESTAMPTZ, li_fat_id VARCHAR, "
        "amount DECIMAL(12, 2), currency_code VARCHAR, external_ids VARCHAR[])"
    )
    con.execute(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
        ["000123", NOW, "0a1b-2c", "1250.00", "EUR", ["00042"]],
    )
    con.close()
    return path


def test_duckdb_keeps_its_declared_types_and_lands(tmp_path: Path, env: Sandbox) -> None:
    db = duckdb_file(tmp_path / "wh.duckdb")
    frame = read_input(None, sql="SELECT * FROM events", db=f"duckdb:{db}").data
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["amount"] == pl.Decimal(12, 2)
    assert frame.schema["external_ids"] == pl.List(pl.String)
    assert isinstance(frame.schema["happened_at"], pl.Datetime)
    assert frame.schema["happened_at"].time_zone is not None  # type: ignore[union-attr]
    out = runner.invoke(
        app,
        [
            "export",
            "--sql",
            "SELECT event_id, happened_at AS conversion_happened_at, li_fat_id, amount, "
            "currency_code, external_ids[1] AS external_id FROM events",
            "--db",
            str(db),
            "--conversion",
            str(env.rule_id),
        ],
    )
    assert out.exit_code == 0, out.output
    (event,) = env.events
    assert event["eventId"] == "000123"
    assert event["conversionHappenedAt"] == WHEN_MS
    assert event["conversionValue"] == {"currencyCode": "EUR", "amount": "1250.00"}
    assert event["user"]["externalIds"] == ["00042"]
    one_line_error(
        runner.invoke(app, ["validate", "--sql", "SELEC 1", "--db", str(db)]), "syntax error"
    )


def test_duckdb_query_is_streamed_and_an_early_stop_closes_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = duckdb_file(tmp_path / "wh.duckdb")
    monkeypatch.setattr(_sql, "BATCH_ROWS", 1000)
    query = "SELECT i, lpad(i::VARCHAR, 6, '0') AS event_id FROM range(2500) t(i) ORDER BY i"
    lazy = read_input(None, lazy=True, sql=query, db=str(db)).data  # probes with head(1)
    assert isinstance(lazy, pl.LazyFrame)
    sizes = [b.height for b in lazy.collect_batches(chunk_size=1000, maintain_order=True)]
    assert sum(sizes) == 2500 and max(sizes) <= 1000
    assert lazy.head(3).collect()["event_id"].to_list() == ["000000", "000001", "000002"]
    # A big result stopped after its first batch: the stream must end before the
    # connection closes, or DuckDB refuses to close it (an "Exception ignored" at exit).
    big = "SELECT i, 'x' || i AS event_id FROM range(3000000) t(i)"
    head = read_input(None, lazy=True, sql=big, db=str(db)).data
    assert isinstance(head, pl.LazyFrame) and head.head(2).collect().height == 2
    del head, lazy
    for _ in range(40):  # Polars lets the stream go from its own thread, a moment later
        gc.collect()
        try:
            duckdb.connect(str(db)).close()  # read-write: every read-only connection is gone
            break
        except duckdb.ConnectionException:
            time.sleep(0.25)
    else:
        pytest.fail("a read-only DuckDB connection was still open 10 s after the early stop")


def test_missing_drivers_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = duckdb_file(tmp_path / "wh.duckdb")
    monkeypatch.setitem(sys.modules, "duckdb", None)
    monkeypatch.setitem(sys.modules, "psycopg", None)
    one_line_error(
        runner.invoke(app, ["validate", "--sql", "SELECT 1", "--db", str(db)]),
        "pip install 'linkedin-capi[duckdb]'",
    )
    one_line_error(
        runner.invoke(app, ["validate", "--sql", "SELECT 1", "--db", "postgresql://h/db"]),
        "pip install 'linkedin-capi[postgres]'",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "uri",
    [
        "postgresql://ana:{pw}@127.0.0.1:{port}/crm",
        "postgres://127.0.0.1:{port}/crm?user=ana&password={pw}",
        "mysql://ana:{pw}@127.0.0.1:{port}/crm",
    ],
)
def test_a_password_in_the_uri_is_never_echoed(uri: str) -> None:
    password = "S3cr%3Dt-" + uuid.uuid4().hex[:8]  # %3D: also its decoded spelling, "="
    given = uri.format(pw=password, port=free_port())  # nothing listens there
    line = one_line_error(runner.invoke(app, ["validate", "--sql", "SELECT 1", "--db", given]))
    assert password not in line and password.replace("%3D", "=") not in line
    assert "***" in line


# -- a real PostgreSQL server (bash .ci/start-postgres) --------------------------------


@pytest.fixture
def pg() -> Iterator[str]:
    uri = os.environ.get("LINKEDIN_CAPI_TEST_POSTGRES")
    if not uri:
        pytest.fail(
            "set LINKEDIN_CAPI_TEST_POSTGRES to a server's URI: "
            'export LINKEDIN_CAPI_TEST_POSTGRES="$(bash .ci/start-postgres)"'
        )
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:10]
    with psycopg.connect(uri, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")  # type: ignore[arg-type]
        con.execute(f"CREATE SEQUENCE {schema}.counter")  # type: ignore[arg-type]
        con.execute(
            f"CREATE TABLE {schema}.conversions (event_id text, converted_at timestamptz, "  # type: ignore[arg-type]
            "email text, first_name text, last_name text, country_code char(2), "
            "amount numeric(12, 2), currency_code text, external_ids text[], crm uuid)"
        )
        con.execute(
            f"INSERT INTO {schema}.conversions VALUES "  # type: ignore[arg-type]
            "(%s, %s, %s, 'Jane', 'Doe', 'US', 1250.00, 'USD', %s, gen_random_uuid())",
            ["000123", NOW, " Jane@Acme.com ", ["00042"]],
        )
    try:
        yield f"{uri}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(uri, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")  # type: ignore[arg-type]


@pytest.mark.postgres
def test_postgres_query_lands_exactly(pg: str, env: Sandbox) -> None:
    frame = read_input(None, sql="SELECT * FROM conversions", db=pg).data
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["amount"] == pl.String  # numeric: PostgreSQL's exact text
    assert frame.schema["converted_at"] == pl.Datetime("us", "UTC")
    assert frame.schema["external_ids"] == pl.List(pl.String)
    assert frame["amount"].to_list() == ["1250.00"]
    out = runner.invoke(
        app,
        [
            "export",
            "--sql",
            "SELECT event_id, converted_at AS conversion_happened_at, email, first_name, "
            "last_name, country_code, amount, currency_code, external_ids[1] AS external_id "
            "FROM conversions",
            "--db",
            pg,
            "--conversion",
            str(env.rule_id),
            "--journal",
            str(Path(os.environ.get("TMPDIR", "/tmp")) / f"pg-{uuid.uuid4().hex}.db"),
        ],
    )
    assert out.exit_code == 0, out.output
    (event,) = env.events
    assert event["eventId"] == "000123"
    assert event["conversionHappenedAt"] == WHEN_MS
    assert event["conversionValue"] == {"currencyCode": "USD", "amount": "1250.00"}
    user = event["user"]
    assert user["userIds"] == [
        {"idType": "SHA256_EMAIL", "idValue": hashlib.sha256(b"jane@acme.com").hexdigest()}
    ]
    assert user["userInfo"] == {"firstName": "Jane", "lastName": "Doe", "countryCode": "US"}
    assert user["externalIds"] == ["00042"]


@pytest.mark.postgres
def test_postgres_errors_are_one_line_and_hide_the_password(pg: str) -> None:
    one_line_error(
        runner.invoke(app, ["validate", "--sql", "SELECT nope FROM conversions", "--db", pg]),
        'column "nope" does not exist',
    )
    # The query runs in a read-only transaction: even a SELECT that writes is refused.
    one_line_error(
        runner.invoke(app, ["validate", "--sql", "SELECT nextval('counter') AS n", "--db", pg]),
        "read-only transaction",
    )
    password = pg.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
    assert password
    wrong = pg.replace(f":{password}@", ":not-the-password@", 1)
    line = one_line_error(
        runner.invoke(app, ["validate", "--sql", "SELECT 1", "--db", wrong]),
        "password authentication failed",
    )
    assert "not-the-password" not in line and password not in line
