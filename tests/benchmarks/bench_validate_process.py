"""One whole process: ``make_frame(N)``, then ``validate()``, then (by mode) every body.

Run from the repository root, timed from outside as a whole process (for example with
``/usr/bin/time -v``), in two checkouts in turn, to compare their CPU side by side::

    python tests/benchmarks/bench_validate_process.py 500000 frame    # frame + imports only
    python tests/benchmarks/bench_validate_process.py 500000 count    # + validate() + counts
    python tests/benchmarks/bench_validate_process.py 500000 bodies   # + every batch body

It prints the number of body bytes (or rows), so two checkouts can be checked to agree.
"""

import sys

sys.path.insert(0, "tests/benchmarks")
from _frames import NOW, make_frame

from linkedin_capi.engine import payload
from linkedin_capi.engine.validate import validate

df = make_frame(int(sys.argv[1]))
mode = sys.argv[2] if len(sys.argv) > 2 else "bodies"
if mode == "frame":
    print(df.height)
    sys.exit(0)
report = validate(df, now=NOW)
if mode == "bodies":
    print(sum(len(b.body) for b in payload.batch_bodies(report.valid)))
else:
    print(report.counts["valid"])
