"""A realistic, deterministic frame of conversion events for demos and docs.

The frame looks like a warehouse export: mixed-case column names, ISO strings mixed with
epoch milliseconds, messy e-mails, a column LinkedIn does not know, and a share of rows
that LinkedIn would reject (epoch seconds, a future date, a bad amount, ...) or that are
older than 90 days.

Examples
--------
>>> import datetime as dt
>>> df = demo_frame(n=20, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
>>> df.shape
(20, 11)
>>> demo_frame(n=20, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC), rule_id=123).shape
(20, 12)
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

__all__ = ["demo_frame"]

_FIRST = ["Mike", "Ana", "Wei", "Priya", "Jonas", "Fatima", "Lucas", "Sofia", "Kenji", "Amara"]
_LAST = ["Smith", "García", "Chen", "Patel", "Müller", "Khan", "Silva", "Rossi", "Sato", "Okafor"]
_COMPANIES = ["Microsoft", "Acme Corp", "Globex", "Initech", "Umbrella", None]
_TITLES = ["Software Engineer", "CFO", "Head of Growth", "Data Analyst", None]
_COUNTRIES = ["US", "de", "GB", "fr", "IN", "JP", None]


def demo_frame(
    n: int = 200, *, now: dt.datetime | None = None, seed: int = 7, rule_id: int | None = None
) -> pl.DataFrame:
    """Generate ``n`` conversion events relative to ``now`` (about 15% need attention).

    Parameters
    ----------
    n
        Number of rows.
    now
        Reference time (default: now, UTC); event times fall in the 90 days before it.
    seed
        Random seed: the same seed and ``now`` give the same frame.
    rule_id
        When given, the frame gets a ``conversion`` column with this rule id on most rows
        (the rest fall back to ``conversion=``).
    """
    now = now or dt.datetime.now(dt.UTC)
    rng = random.Random(seed)
    now_ms = int(now.timestamp() * 1000)
    day = 86_400_000
    rows = []
    for i in range(n):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        t = now_ms - rng.randrange(3_600_000, 85 * day)
        iso = dt.datetime.fromtimestamp(t / 1000, dt.UTC)
        when: str = (
            iso.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if i % 2 else str(t)
        )  # half ISO, half epoch ms: one string column, as CSV exports often give
        email: str | None = f"  {first}.{last}{i}@Example.COM ".replace("ü", "ue")
        amount: str | None = f"{rng.randrange(5, 5000)}.{rng.randrange(0, 100):02d}"
        currency: str | None = rng.choice(["USD", "eur", "GBP"])
        kind = i % 20
        if kind == 3:  # epoch seconds instead of milliseconds
            when = str(t // 1000)
        elif kind == 7:  # a typo'd future date
            when = (now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif kind == 11:  # stale: older than 90 days → skipped
            when = (now - dt.timedelta(days=120)).strftime("%Y-%m-%d")
        elif kind == 13:  # not an e-mail address, and no other identifier
            email = "n/a"
        elif kind == 17:  # three decimal places
            amount = "19.999"
        elif kind == 19:  # currency without amount
            amount = None
        rows.append(
            {
                "ConversionHappenedAt": when,
                "SHA256_EMAIL": email,
                "FirstName": first if kind != 13 else None,
                "lastname": last if kind not in (5, 13) else None,
                "companyName": rng.choice(_COMPANIES),
                "TITLE": rng.choice(_TITLES),
                "countryCode": rng.choice(_COUNTRIES),
                "currencyCode": currency,
                "Amount": amount,
                "eventId": f"order-{seed}-{i:06d}",
                "conversion": rule_id if rule_id is not None and i % 4 else None,
                "crm_segment": rng.choice(["smb", "mid", "ent"]),
            }
        )
    schema = {
        "ConversionHappenedAt": pl.String,
        "SHA256_EMAIL": pl.String,
        "FirstName": pl.String,
        "lastname": pl.String,
        "companyName": pl.String,
        "TITLE": pl.String,
        "countryCode": pl.String,
        "currencyCode": pl.String,
        "Amount": pl.String,
        "eventId": pl.String,
        "conversion": pl.Int64,
        "crm_segment": pl.String,
    }
    df = pl.DataFrame(rows, schema=schema, orient="row")
    return df if rule_id is not None else df.drop("conversion")
