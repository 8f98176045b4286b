"""How fast the sandbox swallows events (a script, not a collected test).

    uv run python tests/benchmarks/sandbox_throughput.py [batches]

Posts ``batches`` (default 200) BATCH_CREATE requests of 5000 events each through a real
``requests`` session, then times the validator alone on one parsed batch.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

import requests

from linkedin_capi.sandbox import Sandbox
from linkedin_capi.sandbox._events import EventSchema, Rule, check_events

NOW = dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)
NOW_MS = int(NOW.timestamp() * 1000)


def batch(rule_urn: str, first: int, size: int = 5000) -> list[dict[str, object]]:
    return [
        {
            "conversion": rule_urn,
            "conversionHappenedAt": NOW_MS - 60_000 - i,
            "conversionValue": {"currencyCode": "USD", "amount": "50.00"},
            "eventId": f"order-{first + i}",
            "user": {
                "userIds": [{"idType": "SHA256_EMAIL", "idValue": f"{first + i:064x}"}],
                "userInfo": {"firstName": "Mike", "lastName": "Smith", "countryCode": "US"},
            },
        }
        for i in range(size)
    ]


def main(batches: int = 200) -> None:
    with Sandbox(now=NOW, store_events=False, record_bodies=False) as sb:
        bodies = [json.dumps({"elements": batch(sb.rule_urn, n * 5000)}).encode() for n in range(4)]
        session = requests.Session()
        headers = {
            **sb.api_headers(),
            "Content-Type": "application/json",
            "X-RestLi-Method": "BATCH_CREATE",
        }
        start = time.perf_counter()
        for n in range(batches):
            r = session.post(f"{sb.base_url}/conversionEvents", data=bodies[n % 4], headers=headers)
            assert r.status_code == 200, r.text[:200]
        http_s = time.perf_counter() - start
        total = sb.event_count
    events = json.loads(bodies[0])["elements"]
    schema = EventSchema.for_version("202607")
    rules = {sb.rule_urn: Rule("CONVERSIONS_API", enabled=True)}
    start = time.perf_counter()
    for _ in range(20):
        check_events(
            events,
            schema=schema,
            window=(NOW_MS - 90 * 86_400_000, NOW_MS),
            rules=rules,
            batch=True,
        )
    check_s = time.perf_counter() - start
    print(f"HTTP end to end: {total:,} events in {http_s:.2f} s = {total / http_s:,.0f} events/s")
    print(f"validation only: {20 * 5000 / check_s:,.0f} events/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
