"""Benchmark: streaming export of a Parquet file through a LazyFrame to a local sink.

Run: ``uv run python tests/benchmarks/bench_scale.py --rows 10000000 --in-flight 1 4``

* The Parquet file is written by a lazy query (the generator never holds the frame), with
  the same columns as ``bench_export.py`` (every field filled, messy e-mails to hash).
* The sink is a separate process on 127.0.0.1 answering every ``BATCH_CREATE`` like
  LinkedIn (``200 {"elements":[{"status":201}, ...]}``) and counting the events.
* Each measured export runs in a fresh child process:
  ``export(pl.scan_parquet(path), conn, rate_limit=None, max_in_flight=k)``. The rate
  limiter is off because the sink has no quota (with LinkedIn's 600 requests/minute a
  5,000-event batch size caps an export at 50,000 events/s anyway).
* Reported: events/s and the child's peak RSS (``ru_maxrss``, absolute: interpreter,
  Polars, the streaming chunk, the batches in flight and the per-row result).

Targets (issue 7): >= 250,000 events/s on loopback with 2 cores; peak RSS < 1 GB,
independent of the row count (compare ``--rows 1000000`` with ``--rows 10000000``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import _sink  # the same LinkedIn-shaped sink


def _slow_sink(port_out: Any, counter: Any, latency: float) -> None:
    """``_sink`` that waits ``latency`` seconds before each answer (LinkedIn's round trip)."""
    import bench_export

    handler_sleep = time.sleep
    original = bench_export.BaseHTTPRequestHandler.handle_one_request

    def handle_one_request(self: Any) -> None:
        if latency:
            handler_sleep(latency)
        original(self)

    # Each request on a connection waits ``latency`` before it is read (the client sends
    # the next request as soon as it has the previous answer, so every request waits).
    bench_export.BaseHTTPRequestHandler.handle_one_request = handle_one_request  # type: ignore[method-assign]
    _sink(port_out, counter)


NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def write_parquet(n: int, path: str) -> None:
    """The ``bench_export`` frame, written by a lazy query (never held whole)."""
    now_ms = int(NOW.timestamp() * 1000)
    i = pl.col("i")
    ts = pl.from_epoch(now_ms - (i * 7_777 % (80 * 86_400_000)), time_unit="ms")
    (
        pl.LazyFrame()
        .select(pl.int_range(0, n, dtype=pl.Int64).alias("i"))
        .select(
            pl.lit("104012").alias("conversion"),
            ts.dt.to_string("%Y-%m-%dT%H:%M:%S%.3fZ").alias("conversionHappenedAt"),
            ("order-" + i.cast(pl.String)).alias("eventId"),
            ("  User." + i.cast(pl.String) + "@Example.COM ").alias("SHA256_EMAIL"),
            pl.lit("Mike").alias("firstName"),
            pl.lit("Smith").alias("lastName"),
            pl.lit("Microsoft").alias("companyName"),
            pl.lit("Software Engineer").alias("title"),
            pl.lit("us").alias("countryCode"),
            pl.lit("USD").alias("currencyCode"),
            ((i % 100_000).cast(pl.String) + ".50").alias("amount"),
        )
        .sink_parquet(path, row_group_size=100_000)
    )


def _rss_now() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _child(
    parquet: str, port: int, in_flight: int, chunk: int, journal: str | None, out: Any
) -> None:
    from linkedin_capi import Connection
    from linkedin_capi.delivery.export import export

    conn = Connection(
        access_token="benchmark-token",
        api_version="202607",
        base_url=f"http://127.0.0.1:{port}/rest",
    )
    base = _rss_now()
    t0 = time.perf_counter()
    result = export(
        pl.scan_parquet(parquet),
        conn,
        now=NOW,
        progress=False,
        rate_limit=None,
        max_in_flight=in_flight,
        chunk_size=chunk,
        journal=journal,
    )
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    rows_bytes = result.rows.estimated_size()
    out.put(
        {
            "time": elapsed,
            "peak": peak,
            "base": base,
            "counts": result.counts,
            "rows_bytes": rows_bytes,
        }
    )


def _run(
    parquet: str, port: int, in_flight: int, chunk: int, journal: str | None
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_child, args=(parquet, port, in_flight, chunk, journal, out))
    proc.start()
    answer: dict[str, Any] = out.get()
    proc.join()
    return answer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--in-flight", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--chunk", type=int, default=None, help="chunk_size (default: the SDK's)")
    ap.add_argument("--journal", action="store_true", help="export with a (fresh) journal")
    ap.add_argument(
        "--sink-latency", type=float, default=0.0, help="seconds the sink waits per request"
    )
    args = ap.parse_args()
    from linkedin_capi._constants import STREAM_CHUNK_ROWS

    chunk = args.chunk or STREAM_CHUNK_ROWS
    ctx = mp.get_context("spawn")
    ports, counter = ctx.Queue(), ctx.Value("q", 0)
    sink = ctx.Process(target=_slow_sink, args=(ports, counter, args.sink_latency), daemon=True)
    sink.start()
    port = ports.get()
    mb = 1024 * 1024
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python "
        f"{platform.python_version()}, polars {pl.__version__}; chunk_size {chunk:,}; "
        f"sink latency {args.sink_latency * 1000:.0f} ms; journal {args.journal}"
    )
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            parquet = str(Path(tmp) / f"events-{rows}.parquet")
            write_parquet(rows, parquet)
            size = os.path.getsize(parquet)
            for k in args.in_flight:
                before = counter.value
                journal = str(Path(tmp) / f"j-{rows}-{k}.db") if args.journal else None
                r = _run(parquet, port, k, chunk, journal)
                assert r["counts"]["sent"] == rows, r["counts"]
                assert counter.value - before == rows, (counter.value, before)  # all arrived
                rate = rows / r["time"]
                print(
                    f"rows {rows:>12,} (parquet {size / mb:5,.0f} MB)  in-flight {k}: "
                    f"{r['time']:7.2f} s {rate:12,.0f} events/s  peak RSS "
                    f"{r['peak'] / mb:6,.0f} MB (start {r['base'] / mb:4,.0f} MB; "
                    f"result.rows {r['rows_bytes'] / mb:5,.0f} MB)"
                )
                records.append({"rows": rows, "in_flight": k, **r})
                if journal is not None:  # the same export again: everything already sent
                    before = counter.value
                    again = _run(parquet, port, k, chunk, journal)
                    assert again["counts"]["already_sent"] == rows, again["counts"]
                    assert counter.value == before  # nothing sent twice
                    print(
                        f"   re-run with the journal: {again['time']:7.2f} s "
                        f"{rows / again['time']:12,.0f} rows/s (all already sent)  peak RSS "
                        f"{again['peak'] / mb:6,.0f} MB"
                    )
                    records.append({"rows": rows, "in_flight": k, "rerun": True, **again})
            os.unlink(parquet)
    sink.terminate()
    print(json.dumps([{k: v for k, v in r.items() if k != "counts"} for r in records]))


if __name__ == "__main__":
    main()
