"""CPU of ``validate()``, then of reading ``report.valid``, then of the bodies (issue 16).

``uv run python tests/benchmarks/bench_reread.py 1000000``; to compare with another
revision, unpack its ``linkedin_capi`` (``git archive <rev> linkedin_capi | tar -x -C DIR``)
and run the same command with ``PYTHONPATH=DIR``. Prints CPU time (user + system, all
threads) and wall time, best of 2, for: ``validate(df)``; ``validate(df).valid``;
``validate`` + every body.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(1, str(Path(__file__).parent))

from _frames import NOW, make_frame

import linkedin_capi
from linkedin_capi.engine import payload
from linkedin_capi.engine.validate import validate


def main() -> None:
    df = make_frame(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

    def run(job: str) -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        report = validate(df, now=NOW)
        if job == "valid":
            report.valid  # noqa: B018 - the read is the job
        if job == "bodies":
            [b.body for b in payload.batch_bodies(report.valid)]
        return time.process_time() - cpu, time.perf_counter() - wall

    print(f"package: {Path(linkedin_capi.__file__).parent}")
    for job in ("validate", "valid", "bodies"):
        cpu, wall = min(run(job) for _ in range(2))
        print(
            f"{job:8s} cpu {cpu:6.2f} s  wall {wall:6.2f} s  load {os.getloadavg()[0]:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
