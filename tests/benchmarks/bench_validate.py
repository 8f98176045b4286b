"""Benchmark: validate() + all batch bodies vs a bare SHA-256 and a per-row reference.

Run: ``uv run python tests/benchmarks/bench_validate.py [--rows 1000000] [--repeat 3]``

Prints, in one run on the same frame: the best-of-N time of ``validate()`` plus building
every ``BATCH_CREATE`` body, the time of a bare polars-hash SHA-256 of the e-mail column,
and the time of a straightforward per-row Python implementation (hashlib, datetime,
json.dumps) of the same job, with the ratios between them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import time
from collections.abc import Callable
from typing import Any

import polars as pl
import polars_hash  # noqa: F401
from _frames import NOW, make_frame

from linkedin_capi.engine import payload
from linkedin_capi.engine.validate import validate


def per_row_reference(rows: list[dict[str, Any]]) -> list[bytes]:
    """The straightforward implementation: a Python loop over dicts."""
    now_ms = int(NOW.timestamp() * 1000)
    lo = now_ms - 90 * 86_400_000
    events, bodies = [], []
    for r in rows:
        t = int(dt.datetime.fromisoformat(r["conversionHappenedAt"]).timestamp() * 1000)
        if not lo <= t <= now_ms:
            continue
        email = "".join(r["SHA256_EMAIL"].split()).lower()
        if "@" not in email:
            continue
        country = r["countryCode"].strip().upper()
        amount = r["amount"].strip()
        events.append(
            {
                "conversion": "urn:lla:llaPartnerConversion:" + r["conversion"],
                "conversionHappenedAt": t,
                "conversionValue": {"currencyCode": r["currencyCode"].upper(), "amount": amount},
                "eventId": r["eventId"],
                "user": {
                    "userIds": [
                        {
                            "idType": "SHA256_EMAIL",
                            "idValue": hashlib.sha256(email.encode()).hexdigest(),
                        }
                    ],
                    "userInfo": {
                        "firstName": r["firstName"].strip(),
                        "lastName": r["lastName"].strip(),
                        "companyName": r["companyName"].strip(),
                        "title": r["title"].strip(),
                        "countryCode": country,
                    },
                },
            }
        )
    for start in range(0, len(events), 5000):
        bodies.append(
            json.dumps({"elements": events[start : start + 5000]}, separators=(",", ":")).encode()
        )
    return bodies


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    df = make_frame(args.rows)

    def sdk() -> list[bytes]:
        report = validate(df, now=NOW)
        return [b.body for b in payload.batch_bodies(report.valid)]

    def bare_hash() -> pl.DataFrame:
        return df.select(pl.col("SHA256_EMAIL").chash.sha2_256())  # type: ignore[attr-defined]

    t_sdk, bodies = best(sdk, args.repeat)
    t_hash, _ = best(bare_hash, args.repeat)
    rows = df.to_dicts()
    t_ref, ref_bodies = best(lambda: per_row_reference(rows), 1)
    # Same job, same bytes: the comparison is only fair if the outputs are identical.
    assert bodies == ref_bodies, "SDK and per-row reference disagree"
    print(f"machine: {platform.machine()}, {platform.python_version()}, polars {pl.__version__}")
    print(f"rows: {args.rows:,}; {len(bodies)} bodies, {sum(map(len, bodies)):,} bytes (identical)")
    print(f"validate + bodies : {t_sdk:8.3f} s  ({args.rows / t_sdk:,.0f} rows/s)")
    print(f"bare sha2_256     : {t_hash:8.3f} s")
    print(f"per-row Python    : {t_ref:8.3f} s  (to_dicts not included)")
    print(f"ratio sdk / bare hash      : {t_sdk / t_hash:6.2f}x  (target <= 4)")
    print(f"ratio per-row / sdk        : {t_ref / t_sdk:6.2f}x  (target >= 10)")


if __name__ == "__main__":
    main()
