"""One export in one process, for timing two checkouts against each other from outside.

``bench_export.py`` and ``bench_scale.py`` build their frame and sink in every run; to
compare two checkouts pair by pair (A B A B ..., each a fresh process, timed from outside
with ``/usr/bin/time -v`` or any whole-process timer), start one sink, write one frame,
then run the export in each checkout in turn:

    cd tests/benchmarks
    python bench_once.py sink &        # the LinkedIn-shaped sink; prints its port, say 18555
    python bench_once.py frame /tmp/frame.parquet 1000000
    export PYTHONPATH=<checkout>; PY=<checkout>/.venv/bin/python
    $PY bench_once.py export 18555 /tmp/frame.parquet                          # DataFrame
    $PY bench_once.py export 18555 /tmp/frame.parquet --lazy --in-flight 4     # streaming

``export`` prints the seconds of the ``export()`` call alone (a DataFrame read from the
Parquet file first; ``--lazy``: ``pl.scan_parquet`` streamed, rate limit off) and checks
that every row was sent. Set ``PYTHONPATH`` to the checkout: without it the package
installed in the venv is imported, whichever script runs.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import threading
import time
from typing import Any

import polars as pl
from _frames import NOW, make_frame


def _serve() -> None:
    """Run ``bench_export``'s sink in this process and print the port it listens on."""
    import bench_export

    ports: queue.Queue[int] = queue.Queue()
    sink = threading.Thread(target=bench_export._sink, args=(ports, mp.Value("q", 0)))
    sink.start()
    print(ports.get(timeout=30), flush=True)
    sink.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="job", required=True)
    sub.add_parser("sink")
    frame = sub.add_parser("frame")
    frame.add_argument("path")
    frame.add_argument("rows", type=int)
    run = sub.add_parser("export")
    run.add_argument("port", type=int)
    run.add_argument("path")
    run.add_argument("--lazy", action="store_true")
    run.add_argument("--in-flight", type=int, default=None)
    args = ap.parse_args()
    if args.job == "sink":
        _serve()
    elif args.job == "frame":
        make_frame(args.rows).write_parquet(args.path)
    else:
        from linkedin_capi import Connection
        from linkedin_capi.delivery.export import export

        conn = Connection(
            access_token="benchmark-token",
            api_version="202607",
            base_url=f"http://127.0.0.1:{args.port}/rest",
        )
        data: Any = pl.scan_parquet(args.path) if args.lazy else pl.read_parquet(args.path)
        rows = pl.scan_parquet(args.path).select(pl.len()).collect().item()
        options: dict[str, Any] = {"now": NOW, "progress": False}
        if args.lazy:
            options["rate_limit"] = None
        if args.in_flight is not None:
            options["max_in_flight"] = args.in_flight
        t0 = time.perf_counter()
        result = export(data, conn, **options)
        seconds = time.perf_counter() - t0
        assert result.counts["sent"] == rows, result.counts
        print(f"{seconds:.3f}")


if __name__ == "__main__":
    main()
