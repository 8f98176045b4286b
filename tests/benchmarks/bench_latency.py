"""A DataFrame export against a sink that adds 150 ms per request (issue 16).

``uv run python tests/benchmarks/bench_latency.py --rows 500000 --latency 0.15``

The sink is ``bench_scale._slow_sink`` (own process, 127.0.0.1; it waits ``--latency``
before reading each request, like LinkedIn's round trip). The export is
``export(df, conn, rate_limit=None)`` with the default in-flight setting of a DataFrame
export, in this process, once. LinkedIn's quota ceiling is 600 requests/min × 5,000 events
= 50,000 events/s; the target is ≥ 55,000 events/s against the sink.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time

from _frames import NOW, make_frame
from bench_scale import _slow_sink

from linkedin_capi import Connection
from linkedin_capi.delivery.export import export


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--latency", type=float, default=0.15)
    args = ap.parse_args()
    df = make_frame(args.rows)
    ctx = mp.get_context("spawn")
    port_q, counter = ctx.Queue(), ctx.Value("q", 0)
    sink = ctx.Process(target=_slow_sink, args=(port_q, counter, args.latency), daemon=True)
    sink.start()
    port = port_q.get(timeout=60)
    try:
        conn = Connection(
            access_token="benchmark-token",
            api_version="202607",
            base_url=f"http://127.0.0.1:{port}/rest",
        )
        t0 = time.perf_counter()
        result = export(df, conn, now=NOW, progress=False, rate_limit=None)
        wall = time.perf_counter() - t0
        conn.close()
    finally:
        sink.terminate()
    assert result.counts["sent"] == args.rows, result.counts
    print(f"load average {os.getloadavg()[0]:.2f} (2 CPUs shared)")
    print(
        f"{args.rows:,} events, sink latency {args.latency * 1000:.0f} ms: {wall:.2f} s, "
        f"{args.rows / wall:,.0f} events/s (target >= 55,000)"
    )


if __name__ == "__main__":
    main()
