"""Child process of test_kill_resume: a scheduled export job, killable at any moment.

Credentials and URLs come from ``LINKEDIN_CAPI_*`` environment variables (never argv);
argv: ``parquet journal rule_id now_iso``. Prints the result's counts as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import polars as pl

from linkedin_capi.connection import Connection
from linkedin_capi.delivery.export import export


def main() -> None:
    parquet, journal, rule_id, now = sys.argv[1:5]
    conn = Connection.from_env()
    result = export(
        pl.scan_parquet(parquet),
        conn,
        int(rule_id),
        now=dt.datetime.fromisoformat(now),
        journal=journal,
        batch_size=20,
        chunk_size=300,
        max_in_flight=2,
        rate_limit=None,
        progress=False,
    )
    print(json.dumps({**result.counts, "stopped": result.stopped}))


if __name__ == "__main__":
    main()
