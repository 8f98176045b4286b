"""Peak RSS of ``validate()`` and an eager ``export()`` against the input frame (issue 16).

``uv run python tests/benchmarks/bench_memory.py --rows 1000000 5000000``

Jobs: ``validate``; ``dry_run`` (an eager ``export(..., dry_run=True)``: validate and render
every body, nothing sent); ``export`` (the same frame sent to the benchmark sink).

The parent writes ``_frames.make_frame(n)`` to Parquet once per size and starts the
benchmark sink (``bench_export._sink``). Each measurement runs in a fresh child process:
read the Parquet file, ``gc.collect()``, reset the kernel's peak-RSS mark
(``/proc/self/clear_refs`` ← ``5``), note the RSS, run the job once, and read the peak
(``VmHWM`` in ``/proc/self/status``). "Above baseline" is that peak minus the RSS noted
before the job; the ratio divides it by the frame's ``estimated_size()``. The result object
is kept alive until the peak is read (a caller holds it too).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from _frames import NOW, make_frame


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _child(job: str, parquet: str, port: int, out: Any) -> None:
    from linkedin_capi import Connection
    from linkedin_capi.delivery.export import export
    from linkedin_capi.engine.validate import validate

    df = pl.read_parquet(parquet)
    conn = Connection(
        access_token="benchmark-token",
        api_version="202607",
        base_url=f"http://127.0.0.1:{port}/rest",
    )
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS mark := current RSS
    base = _status_kib("VmRSS")
    if job == "validate":
        kept: Any = validate(df, now=NOW)
        counts = kept.counts
    elif job == "dry_run":  # validate + render, nothing sent: the export's own share
        kept = export(df, None, now=NOW, progress=False, dry_run=True)
        counts = kept.counts
    else:
        kept = export(df, conn, now=NOW, progress=False, rate_limit=None)
        counts = kept.counts
    peak = _status_kib("VmHWM")
    out.put(
        {
            "frame": df.estimated_size(),
            "extra": (peak - base) * 1024,
            "counts": counts,
        }
    )
    del kept


def main() -> None:
    from bench_export import _sink

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    ap.add_argument("--jobs", nargs="+", default=["validate", "dry_run", "export"])
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    port_q, counter = ctx.Queue(), ctx.Value("q", 0)
    sink = ctx.Process(target=_sink, args=(port_q, counter), daemon=True)
    sink.start()
    port = port_q.get(timeout=60)
    print(f"load average {os.getloadavg()[0]:.2f} (2 CPUs shared)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in args.rows:
                path = os.path.join(tmp, f"frame-{n}.parquet")
                make_frame(n).write_parquet(path)
                for job in args.jobs:
                    out = ctx.Queue()
                    proc = ctx.Process(target=_child, args=(job, path, port, out))
                    proc.start()
                    got = out.get()
                    proc.join()
                    mb = got["extra"] / 1e6
                    ratio = got["extra"] / got["frame"]
                    target = 1.5 if job == "validate" else 2.0
                    print(
                        f"{n:>11,} rows  {job:8s}  frame {got['frame'] / 1e6:7.1f} MB  "
                        f"peak above baseline {mb:7.1f} MB  = {ratio:4.2f}x  (target <= {target})"
                    )
    finally:
        sink.terminate()


if __name__ == "__main__":
    main()
