"""The benchmark frame shared by the scripts in this folder (not a test module)."""

from __future__ import annotations

import datetime as dt

import polars as pl

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def make_frame(n: int) -> pl.DataFrame:
    """Every field filled: ISO timestamps, messy e-mails, names, money, country."""
    i = pl.int_range(0, n, eager=True)
    now_ms = int(NOW.timestamp() * 1000)
    ts = pl.from_epoch(now_ms - (i * 7_777 % (80 * 86_400_000)), time_unit="ms")
    return pl.DataFrame(
        {
            "conversion": pl.repeat("104012", n, eager=True),
            "conversionHappenedAt": ts.dt.to_string("%Y-%m-%dT%H:%M:%S%.3fZ"),
            "eventId": "order-" + i.cast(pl.String),
            "SHA256_EMAIL": "  User." + i.cast(pl.String) + "@Example.COM ",
            "firstName": pl.repeat("Mike", n, eager=True),
            "lastName": pl.repeat("Smith", n, eager=True),
            "companyName": pl.repeat("Microsoft", n, eager=True),
            "title": pl.repeat("Software Engineer", n, eager=True),
            "countryCode": pl.repeat("us", n, eager=True),
            "currencyCode": pl.repeat("USD", n, eager=True),
            "amount": (i % 100_000).cast(pl.String) + ".50",
        }
    )
