"""Which LinkedIn-Version values the sandbox serves: published sunsets, then the policy.

Sources: L-MIG (09/16/2026) for the table, L-VER for the 12-month policy, L-ERRRESP and
ISS-426 for the 426 body (audit B1, B3, S1, S15).
"""

from __future__ import annotations

import datetime as dt

import pytest
from _support.sandbox_helpers import Api

from linkedin_capi.sandbox import Sandbox
from linkedin_capi.sandbox import _versions as V

PATH = "adAccountUsers?q=authenticatedUser"


def status(version: str, on: dt.date) -> int:
    with Sandbox(now=dt.datetime(on.year, on.month, on.day, 12, tzinfo=dt.UTC)) as sb:
        return Api(sb).call("GET", PATH, headers={"LinkedIn-Version": version}).status_code


@pytest.mark.parametrize(
    ("version", "on", "expected"),
    [
        ("202609", dt.date(2026, 12, 1), 200),  # latest published: the old sandbox 426'd it
        ("202609.01", dt.date(2026, 12, 1), 200),
        ("202609", dt.date(2027, 9, 14), 200),  # published sunset 2027-09-15
        ("202609", dt.date(2027, 9, 15), 426),
        ("202608", dt.date(2027, 8, 16), 200),  # 2027-08-17, not 08-15
        ("202608", dt.date(2027, 8, 17), 426),
        ("202610", dt.date(2026, 12, 1), 200),  # newer than the table: 12 months by policy
        ("202610", dt.date(2027, 10, 14), 200),
        ("202610", dt.date(2027, 10, 15), 426),
        ("202611", dt.date(2026, 10, 31), 426),  # not released yet
        ("202611", dt.date(2026, 11, 1), 200),
        ("202512", dt.date(2026, 1, 10), 426),  # never existed
        ("202509", dt.date(2026, 12, 1), 426),
        ("202613", dt.date(2026, 12, 1), 426),  # no such month
    ],
)
def test_versions_follow_the_published_table_then_the_policy(
    version: str, on: dt.date, expected: int
) -> None:
    assert status(version, on) == expected


def test_the_426_body_is_linkedins_with_the_version_as_yyyymmdd() -> None:
    with Sandbox(now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)) as sb:
        r = Api(sb).call("GET", PATH, headers={"LinkedIn-Version": "202701"})
    assert r.status_code == 426
    assert r.json() == {
        "code": "NONEXISTENT_VERSION",
        "message": "Requested version 20270101 is not active",
        "status": 426,
    }
    assert r.headers["X-Restli-Gateway-Error"] == "true"


def test_the_sandboxs_table_is_its_own() -> None:
    # Facts straight from L-MIG; the SDK's table is not consulted.
    assert V.PUBLISHED_SUNSETS["202609"] == dt.date(2027, 9, 15)
    assert V.PUBLISHED_SUNSETS["202608"] == dt.date(2027, 8, 17)
    assert V.sunset("202701") == dt.date(2028, 1, 15)
    assert V.is_active(V.DEFAULT_VERSION, dt.date(2026, 10, 20))


def test_a_custom_table_overrides_published_sunsets() -> None:
    on = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with Sandbox(now=on, api_versions={"202609": dt.date(2026, 11, 30)}) as sb:
        r = Api(sb).call("GET", PATH, headers={"LinkedIn-Version": "202609"})
    assert r.status_code == 426
