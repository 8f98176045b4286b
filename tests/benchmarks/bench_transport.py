"""CPU per events POST: the SDK's transport against a plain ``http.client`` POST (issue 16).

``uv run python tests/benchmarks/bench_transport.py --posts 200 --rounds 5 [--events 5000]``

One 5,000-event body (``--events``; about 2 MB, the shape ``bench_export`` renders) is
POSTed to the benchmark sink (``bench_export._sink``: its own process on 127.0.0.1, answering like
LinkedIn) over one keep-alive connection each way:

* ``sdk``: ``Connection.send_events(body)`` plus the acknowledgement check the export
  makes (``delivery.sending.acknowledgement``);
* ``requests``: ``requests.Session().post(...)`` with the same headers (the SDK's
  transport before issue 16);
* ``http.client``: ``HTTPConnection.request`` + ``getresponse().read()``, the floor.

Each round runs ``--posts`` POSTs of each, interleaved, and measures the calling thread's
CPU (``time.thread_time``), which waiting on the sink does not count. Printed: the median
per-POST CPU of each over the rounds, and the SDK's excess over ``http.client``.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import _sink

_EVENT = (
    b'{"conversion":"urn:lla:llaPartnerConversion:104012","conversionHappenedAt":'
    b'1764000000000,"conversionValue":{"currencyCode":"USD","amount":"1.50"},"eventId":'
    b'"order-123456","user":{"userIds":[{"idType":"SHA256_EMAIL","idValue":"' + b"a" * 64 + b'"}],'
    b'"userInfo":{"firstName":"Mike","lastName":"Smith","companyName":"Microsoft","title":'
    b'"Software Engineer","countryCode":"US"}}}'
)
HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "Authorization": "Bearer benchmark-token",
    "LinkedIn-Version": "202607",
    "X-Restli-Protocol-Version": "2.0.0",
    "X-RestLi-Method": "BATCH_CREATE",
}


def cpu_per_call(fn: Callable[[], object], n: int) -> float:
    """Seconds of this thread's CPU per call of ``fn`` (``n`` calls)."""
    start = time.thread_time()
    for _ in range(n):
        fn()
    return (time.thread_time() - start) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--events", type=int, default=5000, help="events per body (5,000: 2 MB)")
    args = ap.parse_args()
    body = b'{"elements":[' + b",".join([_EVENT] * args.events) + b"]}"
    ctx = mp.get_context("spawn")
    port_q, counter = ctx.Queue(), ctx.Value("q", 0)
    sink = ctx.Process(target=_sink, args=(port_q, counter), daemon=True)
    sink.start()
    port = port_q.get(timeout=60)

    import requests

    from linkedin_capi import Connection
    from linkedin_capi.delivery.sending import acknowledgement

    conn = Connection(
        access_token="benchmark-token",
        api_version="202607",
        base_url=f"http://127.0.0.1:{port}/rest",
    )
    session = requests.Session()
    url = f"http://127.0.0.1:{port}/rest/conversionEvents"
    raw = http.client.HTTPConnection("127.0.0.1", port)

    def sdk() -> None:
        acknowledgement(conn.send_events(body), args.events)

    def plain_requests() -> None:
        response = session.post(url, data=body, headers=HEADERS, allow_redirects=False)
        assert response.status_code == 200 and response.content

    def plain() -> None:
        raw.request("POST", "/rest/conversionEvents", body=body, headers=HEADERS)
        response = raw.getresponse()
        assert response.status == 200 and response.read()

    ways = {"sdk": sdk, "requests": plain_requests, "http.client": plain}
    for fn in ways.values():  # connections open, caches warm
        fn()
    figures: dict[str, list[float]] = {name: [] for name in ways}
    try:
        for _ in range(args.rounds):
            for name, fn in ways.items():
                figures[name].append(cpu_per_call(fn, args.posts))
    finally:
        sink.terminate()
        conn.close()
    print(f"load average {os.getloadavg()[0]:.2f} (2 CPUs shared); body {len(body):,} bytes")
    med = {name: statistics.median(values) * 1000 for name, values in figures.items()}
    for name, value in med.items():
        spread = ", ".join(f"{v * 1000:.3f}" for v in figures[name])
        print(f"{name:12s} {value:6.3f} ms CPU per POST (rounds: {spread})")
    print(
        f"sdk - http.client = {med['sdk'] - med['http.client']:+.3f} ms; "
        f"requests - http.client = {med['requests'] - med['http.client']:+.3f} ms"
    )


if __name__ == "__main__":
    main()
