"""Ad accounts replayed from recorded cassettes (``cassettes/test_integration_accounts``)."""

from __future__ import annotations

import pytest
from _support.recording import Recording

from linkedin_capi import _constants as C
from linkedin_capi.resources.accounts import resolve_account_id

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]


def test_ad_accounts(recording: Recording) -> None:
    accounts = recording.connection().ad_accounts()
    assert accounts and {a.role for a in accounts} <= set(C.ACCOUNT_ROLES)
    assert all(a.usable == (a.role not in C.READ_ONLY_ROLES) for a in accounts)
    mine = [a for a in accounts if str(a.id) == recording.target.account_id]
    assert len(mine) == 1 and mine[0].usable and mine[0].name
    if recording.target.kind == "sandbox":
        assert [(a.name, a.role, a.currency) for a in accounts] == [
            ("Sandbox Outdoor Co.", "ACCOUNT_MANAGER", "USD"),
            ("Sandbox Agency Client (read-only)", "VIEWER", "EUR"),
        ]


@pytest.mark.sandbox_only
def test_the_one_usable_account_is_chosen(recording: Recording) -> None:
    # No ad_account_id: like the connector's auto-populate, the one non-VIEWER account.
    conn = recording.connection(ad_account_id=None)
    assert resolve_account_id(conn) == recording.target.account_id
    assert conn.rules.account_urn == f"urn:li:sponsoredAccount:{recording.target.account_id}"
