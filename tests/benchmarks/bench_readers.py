"""The CLI's readers against the plain Polars call each one wraps, side by side in one run.

    uv run python tests/benchmarks/bench_readers.py --rows 300000 --repeat 3

Each pair runs interleaved (A, B, A, B, ...) and the best time of each is kept; read the
ratio (reader / plain), not the absolute times, on a shared machine. Not a test.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from _frames import make_frame

from linkedin_capi.cli._sql import read_query
from linkedin_capi.cli.readers import read_input


def pair(a: Callable[[], Any], b: Callable[[], Any], repeat: int) -> tuple[float, float]:
    best_a = best_b = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        a()
        best_a = min(best_a, time.perf_counter() - t)
        t = time.perf_counter()
        b()
        best_b = min(best_b, time.perf_counter() - t)
    return best_a, best_b


def report(name: str, reader: float, plain: float) -> None:
    print(f"{name:<44} reader {reader:7.3f} s   plain {plain:7.3f} s   ratio {reader / plain:5.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"rows={args.rows} repeat={args.repeat} load average at start={os.getloadavg()}")
    frame = make_frame(args.rows).with_columns(
        pl.col("eventId").str.replace("order-", "000"), externalIds=pl.concat_list("eventId")
    )
    flat = frame.drop("externalIds")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        csv = d / "in.csv"
        flat.write_csv(csv)
        report(
            "CSV, eager, as text",
            *pair(
                lambda: read_input(str(csv)).data,
                lambda: pl.read_csv(csv, infer_schema=False),
                args.repeat,
            ),
        )
        src = read_input(str(csv))
        report(
            "CSV, eager, as text + its line numbers",
            *pair(
                lambda: read_input(str(csv)).first_line,
                lambda: pl.read_csv(csv, infer_schema=False),
                args.repeat,
            ),
        )
        assert src.first_line == 2
        ndjson = d / "in.ndjson"
        frame.write_ndjson(ndjson)
        report(
            "NDJSON, eager: text (vs typed pl.read_ndjson)",
            *pair(
                lambda: read_input(str(ndjson)).data, lambda: pl.read_ndjson(ndjson), args.repeat
            ),
        )
        db = d / "in.sqlite"
        with sqlite3.connect(db) as con:
            cols = ", ".join(f'"{c}" TEXT' for c in flat.columns)
            con.execute(f"CREATE TABLE t ({cols})")
            con.executemany(
                f"INSERT INTO t VALUES ({', '.join('?' * flat.width)})", flat.iter_rows()
            )
        con.close()

        def plain_sqlite() -> pl.DataFrame:
            with sqlite3.connect(db) as c:
                out = pl.read_database("SELECT * FROM t", c)
            c.close()
            return out  # type: ignore[return-value]

        report(
            "SQLite query, eager (vs pl.read_database)",
            *pair(
                lambda: read_query("SELECT * FROM t", str(db), lazy=False),
                plain_sqlite,
                args.repeat,
            ),
        )
        report(
            "SQLite query, streamed through collect_batches",
            *pair(
                lambda: sum(
                    b.height
                    for b in read_query("SELECT * FROM t", str(db), lazy=True).collect_batches()  # type: ignore[union-attr]
                ),
                plain_sqlite,
                args.repeat,
            ),
        )
        duck = d / "in.duckdb"
        parquet = d / "in.parquet"
        frame.write_parquet(parquet)
        con2 = duckdb.connect(str(duck))
        con2.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{parquet}')")
        con2.close()

        def plain_duckdb() -> pl.DataFrame:
            c = duckdb.connect(str(duck), read_only=True)
            try:
                return pl.DataFrame(c.sql("SELECT * FROM t"))
            finally:
                c.close()

        report(
            "DuckDB query, eager (vs pl.DataFrame(relation))",
            *pair(
                lambda: read_query("SELECT * FROM t", str(duck), lazy=False),
                plain_duckdb,
                args.repeat,
            ),
        )
        report(
            "DuckDB query, streamed through collect_batches",
            *pair(
                lambda: sum(
                    b.height
                    for b in read_query("SELECT * FROM t", str(duck), lazy=True).collect_batches()  # type: ignore[union-attr]
                ),
                plain_duckdb,
                args.repeat,
            ),
        )
        xlsx = d / "in.xlsx"
        small = flat.head(min(args.rows, 50_000))
        small.write_excel(xlsx)
        report(
            f"xlsx {small.height} rows: text (vs typed read_excel)",
            *pair(
                lambda: read_input(str(xlsx)).data,
                lambda: pl.read_excel(xlsx, engine="calamine"),
                args.repeat,
            ),
        )
    print(f"load average at end={os.getloadavg()}")


if __name__ == "__main__":
    main()
