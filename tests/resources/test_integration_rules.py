"""Conversion rules replayed from recorded cassettes (``cassettes/test_integration_rules``).

Listing and finding are read-only and can be re-recorded against LinkedIn; creating,
ensuring and updating are ``sandbox_only`` so a re-record never adds rules to a real account.
"""

from __future__ import annotations

import polars as pl
import pytest
from _support.recording import Recording

import linkedin_capi as capi
from linkedin_capi import _constants as C
from linkedin_capi.config import ExportConfig
from linkedin_capi.connection import Connection

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

RULE_NAME = "linkedin-capi cassette leads"
SEEDED_RULE = "Sandbox purchase (Conversions API)"


def test_list_get_find(recording: Recording) -> None:
    rules = recording.connection().rules
    listed = rules.list()
    assert listed, "the account has no conversion rule to look at"
    first = listed[0]
    got = rules.get(first.id)
    assert (got.id, got.name, got.type) == (first.id, first.name, first.type)
    found = rules.find(first.name)
    assert found is not None and found.name == first.name
    assert rules.find("linkedin-capi: no rule has this name") is None
    streamable = rules.list(conversions_api_only=True)
    assert {r.id for r in streamable} <= {r.id for r in listed}
    assert all(r.streamable for r in streamable)
    if recording.target.kind == "sandbox":
        assert [r.id for r in streamable] == [recording.rule_id]


@pytest.mark.sandbox_only
def test_create_ensure_update(recording: Recording) -> None:
    rules = recording.connection().rules
    created = rules.create(RULE_NAME, type="lead", post_click_window=90)
    assert created.id > 0 and created.type == "LEAD" and created.streamable
    # A re-run finds the rule instead of making a second one.
    again = rules.ensure(RULE_NAME, type="lead", post_click_window=90)
    assert again.id == created.id
    # Asked for other settings: kept as it is, with a warning naming the difference.
    with pytest.warns(UserWarning, match="post"):
        drifted = rules.ensure(RULE_NAME, type="lead", post_click_window=30)
    assert drifted.id == created.id and drifted.post_click_window == 90
    updated = rules.update(created, post_click_window=30, enabled=False)
    assert (updated.post_click_window, updated.enabled) == (30, False)
    fresh = rules.get(created.id)
    assert (fresh.post_click_window, fresh.enabled) == (30, False)
    names = [r.name for r in rules.list()]
    assert names.count(RULE_NAME) == 1


@pytest.mark.sandbox_only
def test_ensure_creates_when_missing(recording: Recording) -> None:
    rule = recording.connection().rules.ensure("linkedin-capi cassette sign-ups", type="sign_up")
    assert rule.type == "SIGN_UP" and rule.streamable
    if recording.sandbox is not None:
        assert recording.sandbox.rule(rule.id)["name"] == "linkedin-capi cassette sign-ups"


@pytest.mark.sandbox_only
def test_config_names_the_rule_and_export_resolves_it(recording: Recording) -> None:
    # The connector's --result options: the rule by name, looked up at export time.
    t = recording.target
    cfg = ExportConfig.from_td(
        {
            "type": C.TD_CONNECTOR_TYPE,
            "client_id": t.client_id,
            "client_secret": recording.secret("client_secret"),
            "refresh_token": recording.secret("refresh_token"),
            "ad_account_id": t.account_id,
            "conversion_rule": SEEDED_RULE,
        }
    )
    conn = Connection.from_config(
        cfg,
        base_url=t.base_url,
        token_url=t.token_url,
        api_version=t.api_version,
        clock=lambda: t.now,
    )
    now_ms = int(t.now * 1000)
    df = pl.DataFrame(
        {
            "eventId": ["cassette-cfg-0", "cassette-cfg-1"],
            "conversionHappenedAt": [now_ms - 7_200_000, now_ms - 7_300_000],
            "SHA256_EMAIL": ["a@example.com", "b@example.com"],
        }
    )
    result = capi.export(df, conn, now=recording.now, progress=False)
    assert result.sent == 2
    assert conn.conversion.resolved
    if recording.sandbox is not None:
        assert recording.sandbox.events_by_rule == {recording.rule_id: 2}
