"""validate + bodies and export, each against floors measured in the same run (issue 16).

``uv run python tests/benchmarks/bench_floors.py --rows 1000000 --repeat 3``

On one frame (``_frames.make_frame``), best of ``--repeat`` each, in this order:

- **validate + all bodies**: ``validate()`` then every ``BATCH_CREATE`` body as bytes;
- its **stage floors**, each the least the job must do once: polars-hash SHA-256 of the
  e-mail column; ``strip_chars`` of every string column plus ``to_lowercase`` of the e-mail;
  one ``%+`` parse of the event time; ``json_encode`` of all rows as structs; one copy of as
  many bytes as the bodies hold (``bytearray``, i.e. a memcpy);
- a **bare SHA-256** of the e-mail column (the first floor alone).

With ``--export`` it also starts the benchmark sink (``bench_export._sink``, own process on
127.0.0.1) and measures, in this process: ``export(df, conn)`` to the sink (rate limit off),
``export(df, None, dry_run=True)`` (validate + render, nothing sent), and a plain
``http.client`` POST of the same bodies over one keep-alive connection. The target compares
export wall with dry run + raw POST.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import polars as pl
import polars_hash  # noqa: F401  (registers ``chash``)
from _frames import NOW, make_frame

from linkedin_capi.engine import payload
from linkedin_capi.engine.validate import validate


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def floors(df: pl.DataFrame, out_bytes: int, repeat: int) -> dict[str, float]:
    strings = [n for n, t in df.schema.items() if t == pl.String]
    email = pl.col("SHA256_EMAIL")
    jobs: dict[str, Callable[[], Any]] = {
        "sha256(e-mail)": lambda: df.select(email.chash.sha2_256()),  # type: ignore[attr-defined]
        "strip all strings + lower(e-mail)": lambda: df.select(
            [pl.col(n).str.strip_chars() for n in strings]
            + [email.str.strip_chars().str.to_lowercase().alias("_lower")]
        ),
        "one %+ parse": lambda: df.select(
            pl.col("conversionHappenedAt").str.to_datetime("%+", strict=False)
        ),
        "json_encode(rows)": lambda: df.select(pl.struct(pl.all()).struct.json_encode()),
        "memcpy(output)": lambda: bytearray(bytes(out_bytes)),
    }
    return {name: best(job, repeat)[0] for name, job in jobs.items()}


def raw_post(port: int, bodies: list[bytes]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json", "X-RestLi-Method": "BATCH_CREATE"}
    for body in bodies:
        conn.request("POST", "/rest/conversionEvents", body=body, headers=headers)
        conn.getresponse().read()
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--export", action="store_true", help="also the export comparison")
    args = ap.parse_args()
    df = make_frame(args.rows)

    def sdk() -> list[bytes]:
        report = validate(df, now=NOW)
        return [b.body for b in payload.batch_bodies(report.valid)]

    t_sdk, bodies = best(sdk, args.repeat)
    total = sum(map(len, bodies))
    stage = floors(df, total, args.repeat)
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, "
        f"polars {pl.__version__}, load average {os.getloadavg()[0]:.2f} (2 CPUs shared)"
    )
    print(f"rows: {args.rows:,}; {len(bodies)} bodies, {total:,} bytes")
    print(f"validate + bodies : {t_sdk:7.3f} s")
    for name, t in stage.items():
        print(f"  floor {name:34s}: {t:7.3f} s")
    floor_sum = sum(stage.values())
    print(f"  sum of floors                             : {floor_sum:7.3f} s")
    print(f"ratio / sum of floors : {t_sdk / floor_sum:5.2f}x  (target <= 2.0)")
    print(f"ratio / bare sha256   : {t_sdk / stage['sha256(e-mail)']:5.2f}x  (target <= 4.0)")
    if not args.export:
        return

    from bench_export import _sink

    from linkedin_capi import Connection
    from linkedin_capi.delivery.export import export

    ctx = mp.get_context("spawn")
    port_q, counter = ctx.Queue(), ctx.Value("q", 0)
    sink = ctx.Process(target=_sink, args=(port_q, counter), daemon=True)
    sink.start()
    port = port_q.get(timeout=60)
    try:
        conn = Connection(
            access_token="benchmark-token",
            api_version="202607",
            base_url=f"http://127.0.0.1:{port}/rest",
        )
        t_exp, res = best(
            lambda: export(df, conn, now=NOW, progress=False, rate_limit=None), args.repeat
        )
        t_dry, _ = best(
            lambda: export(df, None, now=NOW, progress=False, dry_run=True), args.repeat
        )
        t_post, _ = best(lambda: raw_post(port, bodies), args.repeat)
        conn.close()
    finally:
        sink.terminate()
    assert res.counts["sent"] == args.rows, res.counts
    print(f"export to the sink : {t_exp:7.3f} s ({args.rows / t_exp:,.0f} events/s)")
    print(f"dry_run export     : {t_dry:7.3f} s")
    print(f"raw http.client    : {t_post:7.3f} s ({len(bodies)} POSTs, {total:,} bytes)")
    ratio = t_exp / (t_dry + t_post)
    print(f"ratio export / (dry run + raw POST) : {ratio:5.2f}x  (target <= 0.9)")


if __name__ == "__main__":
    main()
