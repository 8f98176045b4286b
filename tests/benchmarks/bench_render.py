"""Batch bodies: the group_by renderer of earlier rounds against today's (issue 16 item 1).

``uv run python tests/benchmarks/bench_render.py --rows 1000000 --repeat 3``

On the valid rows of ``_frames.make_frame`` (built once, rechunked), best of ``--repeat``
each, interleaved, CPU time (user + system of this process, all threads) and wall time:

- **group_by** (before): ``group_by(batch).agg(event struct)`` → ``json_encode`` of
  ``{"elements": list}`` → ``Binary`` → ``bytes`` per batch (the code of earlier rounds,
  kept here as the reference);
- **reshape** (now): ``payload.batch_bodies``, whose one-shape batches are regrouped by a
  reshape into fixed-size arrays and written by one ``json_encode``;
- **floor**: ``json_encode`` of every event struct alone, plus one copy of as many bytes as
  the bodies hold (``bytearray``).

Both renderers must produce identical bytes; the script stops otherwise.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import polars as pl
from _frames import NOW, make_frame

from linkedin_capi.engine import payload
from linkedin_capi.engine.validate import validate

_BATCH = "__bench_batch"


def group_by_bodies(valid: pl.DataFrame, batch_size: int) -> list[bytes]:
    """The earlier rounds' renderer (uniform shapes only, as in this frame)."""
    keyed, names = payload._with_shapes(valid)
    shapes = keyed.get_column("__capi_shape").unique()
    assert shapes.len() == 1, "the benchmark frame has one shape"
    present = payload._present(shapes.item(), names)
    rendered = (
        keyed.lazy()
        .with_columns((pl.int_range(pl.len()) // batch_size).alias(_BATCH))
        .group_by(_BATCH, maintain_order=True)
        .agg(payload.event_expr(present).alias("elements"))
        .select(_BATCH, pl.struct("elements").struct.json_encode().cast(pl.Binary))
        .collect()
    )
    return [body for _, body in rendered.iter_rows()]


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    best_wall, best_cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        out = None
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=5000)
    args = ap.parse_args()
    valid = validate(make_frame(args.rows), now=NOW).valid.rechunk()
    size = args.batch_size
    before = group_by_bodies(valid, size)
    now = [b.body for b in payload.batch_bodies(valid, size)]
    if now != before:
        raise SystemExit("the bodies differ: the comparison would not be fair")
    total = sum(map(len, now))
    keyed, names = payload._with_shapes(valid)
    event = payload.event_expr(payload._present(keyed.item(0, "__capi_shape"), names))

    def floor() -> None:
        keyed.select(event.struct.json_encode())
        bytes(bytearray(total))  # one copy of the output's size (allocation + memcpy)

    jobs = {
        "group_by (before)": lambda: group_by_bodies(valid, size),
        "reshape (now)": lambda: [b.body for b in payload.batch_bodies(valid, size)],
        "floor: json_encode + one copy": floor,
    }
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in jobs}
    for _ in range(args.repeat):  # interleaved, so load hits every job alike
        for name, fn in jobs.items():
            wall, cpu, _out = measure(fn, 1)
            results[name].append((wall, cpu))
    print(
        f"rows {args.rows:,}, {len(now)} bodies, {total:,} bytes (identical); "
        f"load average {os.getloadavg()[0]:.2f} (2 CPUs shared)"
    )
    for name, runs in results.items():
        wall = min(r[0] for r in runs)
        cpu = min(r[1] for r in runs)
        print(f"  {name:32s} wall {wall:6.3f} s   cpu {cpu:6.3f} s   (best of {args.repeat})")


if __name__ == "__main__":
    main()
