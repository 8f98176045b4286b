"""Benchmark: export() of 1,000,000 rows to a local LinkedIn-like sink vs validate() alone.

Run: ``uv run python tests/benchmarks/bench_export.py [--rows 1000000] [--repeat 3]``

In one run, on the same frame:

* the sink is a separate process on 127.0.0.1 that answers every ``BATCH_CREATE`` like
  LinkedIn (``200 {"elements":[{"status":201}, ...]}``) and counts the events it received;
* ``validate`` alone (best of ``--repeat``) and ``export`` (best of ``--repeat``; validate,
  batch bodies, HTTP, per-row outcomes) each run in a fresh child process that reads the
  frame from Parquet, so each peak RSS (``ru_maxrss``) is measured from the same baseline.

Targets: export row rate >= 40% of validate's; export's peak extra memory < 2x the frame's
``estimated_size()``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import polars as pl
from _frames import NOW, make_frame

# -- the sink (its own process, so it does not share the exporter's GIL) -------------------


def _sink(port_out: Any, counter: Any) -> None:
    marker = b'"conversionHappenedAt"'

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers["Content-Length"]))
            n = data.count(marker)  # one per event; cheaper than parsing 2 MB of JSON
            with counter.get_lock():
                counter.value += n
            answer = b'{"elements":[' + b",".join([b'{"status":201}'] * n) + b"]}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


# -- the measured work (fresh child processes) -------------------------------------------


def _rss_now() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _child(job: str, parquet: str, port: int, repeat: int, out: Any) -> None:
    from linkedin_capi import Connection
    from linkedin_capi.delivery.export import export
    from linkedin_capi.engine.validate import validate

    df = pl.read_parquet(parquet)
    base = _rss_now()
    times = []
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        if job == "validate":
            result = validate(df, now=NOW).counts
        else:
            conn = Connection(
                access_token="benchmark-token",
                api_version="202607",
                base_url=f"http://127.0.0.1:{port}/rest",
            )
            result = export(df, conn, now=NOW, progress=False).counts
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    out.put({"time": min(times), "times": times, "peak_extra": peak - base, "counts": result})


def _run(job: str, parquet: str, port: int, repeat: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_child, args=(job, parquet, port, repeat, out))
    proc.start()
    answer: dict[str, Any] = out.get()
    proc.join()
    return answer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    df = make_frame(args.rows)
    frame_bytes = df.estimated_size()
    ctx = mp.get_context("spawn")
    ports, counter = ctx.Queue(), ctx.Value("q", 0)
    sink = ctx.Process(target=_sink, args=(ports, counter), daemon=True)
    sink.start()
    port = ports.get()
    with tempfile.TemporaryDirectory() as tmp:
        parquet = str(Path(tmp) / "frame.parquet")
        df.write_parquet(parquet)
        del df
        v = _run("validate", parquet, port, args.repeat)
        e = _run("export", parquet, port, args.repeat)
    sink.terminate()

    sent = e["counts"]["sent"]
    assert sent == args.rows, e["counts"]
    assert counter.value == args.rows * args.repeat, counter.value  # every event arrived
    v_rate, e_rate = args.rows / v["time"], args.rows / e["time"]
    mb = 1024 * 1024
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python "
        f"{platform.python_version()}, polars {pl.__version__}"
    )
    print(
        f"rows: {args.rows:,}; frame estimated_size {frame_bytes / mb:,.0f} MB; "
        f"best of {args.repeat}"
    )
    print(
        f"validate only : {v['time']:7.2f} s  {v_rate:12,.0f} rows/s   "
        f"peak extra RSS {v['peak_extra'] / mb:6,.0f} MB"
    )
    print(
        f"export        : {e['time']:7.2f} s  {e_rate:12,.0f} events/s "
        f"peak extra RSS {e['peak_extra'] / mb:6,.0f} MB"
    )
    print(f"export rate / validate rate : {e_rate / v_rate:6.1%}  (target >= 40%)")
    print(f"export peak extra / frame   : {e['peak_extra'] / frame_bytes:6.2f}x (target < 2x)")
    over = e["peak_extra"] - v["peak_extra"]
    print(f"export peak over validate's : {over / mb:6,.0f} MB = {over / frame_bytes:.2f}x frame")
    print(json.dumps({"validate_s": v["times"], "export_s": e["times"]}))


if __name__ == "__main__":
    main()
