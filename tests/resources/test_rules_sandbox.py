"""End to end against the sandbox with a real Connection: conn.rules, conn.ad_accounts(),
ExportConfig → Connection.from_config → df.capi.export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

import linkedin_capi  # noqa: F401  (registers df.capi)
from linkedin_capi.config import ConfiguredRule, ExportConfig
from linkedin_capi.connection import Connection
from linkedin_capi.errors import ConfigError, PermissionDeniedError
from linkedin_capi.resources.rules import ConversionRule
from linkedin_capi.sandbox import Sandbox


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(max_page_size=2) as sandbox:
        yield sandbox


def conversions_pages(sb: Sandbox) -> list[str]:
    return [
        r.query.get("start", ["?"])[0]
        for r in sb.requests
        if r.method == "GET" and r.path.endswith("/conversions")
    ]


def test_list_reads_every_short_page(sb: Sandbox) -> None:
    for i in range(5):
        sb.add_rule(f"extra {i}")
    conn = sb.connection()
    rules = conn.rules.list()
    assert len(rules) == 7  # 2 seeded + 5
    assert conversions_pages(sb) == ["0", "2", "4", "6", "7"]
    assert [r.name for r in conn.rules.list(conversions_api_only=True)].count(
        "Sandbox sign-up (Insight Tag)"
    ) == 0


def test_find_get_and_the_rules_property(sb: Sandbox) -> None:
    conn = sb.connection()
    assert conn.rules is conn.rules
    rule = conn.rules.find("Sandbox purchase (Conversions API)")
    assert rule is not None and rule.id == sb.rule_id and rule.urn == sb.rule_urn
    assert conn.rules.get(sb.rule_urn).type == "PURCHASE"
    assert conn.rules.find("nope") is None


def test_ensure_creates_once_and_update_patches(sb: Sandbox) -> None:
    conn = sb.connection()
    first = conn.rules.ensure("Nightly leads", type="lead", post_click_window=365)
    again = sb.connection().rules.ensure("Nightly leads", type="LEAD", post_click_window=365)
    assert first.id == again.id
    stored = sb.rule(first.id)
    assert stored["conversionMethod"] == "CONVERSIONS_API"
    assert stored["postClickAttributionWindowSize"] == 365
    assert [r["name"] for r in sb.rules].count("Nightly leads") == 1
    (create,) = [r for r in sb.requests if r.method == "POST" and r.path.endswith("/conversions")]
    assert create.query == {"autoAssociationType": ["ALL_CAMPAIGNS"]}
    assert create.status == 201

    updated = conn.rules.update(first, view_through_window=30, enabled=False)
    assert (updated.view_through_window, updated.enabled) == (30, False)
    assert sb.rule(first.id)["viewThroughAttributionWindowSize"] == 30
    assert sb.rule(first.id)["enabled"] is False
    (patch,) = [r for r in sb.requests if r.path.endswith(f"/conversions/{first.id}")]
    assert patch.headers["x-restli-method"] == "PARTIAL_UPDATE" and patch.status == 204
    assert json.loads(patch.body or b"") == {
        "patch": {"$set": {"viewThroughAttributionWindowSize": 30, "enabled": False}}
    }


def test_ad_accounts_and_auto_selection(sb: Sandbox) -> None:
    conn = sb.connection(ad_account_id=None)
    accounts = conn.ad_accounts()
    by_id = {a.id: a for a in accounts}
    assert by_id[sb.account_id].usable and by_id[sb.account_id].name == "Sandbox Outdoor Co."
    assert not by_id[sb.viewer_account_id].usable
    assert by_id[sb.viewer_account_id].role == "VIEWER"
    # Exactly one usable account: rules use it without being told.
    assert conn.rules.account_urn == f"urn:li:sponsoredAccount:{sb.account_id}"
    assert conn.rules.find("Sandbox purchase (Conversions API)") is not None


def test_two_usable_accounts_must_be_chosen(sb: Sandbox) -> None:
    other = sb.add_account("Second brand", role="CAMPAIGN_MANAGER")
    conn = sb.connection(ad_account_id=None)
    with pytest.raises(ConfigError) as info:
        conn.rules.list()
    assert f'{other["id"]} "Second brand" (CAMPAIGN_MANAGER)' in str(info.value)
    assert f"{sb.account_id} " in str(info.value)


def test_viewer_cannot_create_rules(sb: Sandbox) -> None:
    conn = sb.connection(ad_account_id=sb.viewer_account_id)
    with pytest.raises(PermissionDeniedError):
        conn.rules.create("Nope")


# -- the connector's --result configuration, end to end -----------------------------------


def frame() -> pl.DataFrame:
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return pl.DataFrame(
        {
            "CONVERSIONHAPPENEDAT": [when, when],
            "sha256_email": ["Ada@Example.com", "bob@example.com"],
            "eventId": ["e1", "e2"],
        }
    )


def result_json(sb: Sandbox, **options: Any) -> str:
    return json.dumps(
        {
            "type": "linkedin_ads_conversion_api",
            "client_id": sb.client_id,
            "client_secret": sb.client_secret,
            "refresh_token": sb.refresh_token,
            "ad_account_id": str(sb.account_id),
            **options,
        }
    )


def connect(sb: Sandbox, cfg: ExportConfig, **overrides: Any) -> Connection:
    return Connection.from_config(
        cfg,
        base_url=sb.base_url,
        token_url=sb.token_url,
        api_version=sb.api_version,
        **overrides,
    )


def test_name_mode_export(sb: Sandbox) -> None:
    cfg = ExportConfig.from_td(
        result_json(sb, conversion_rule="Sandbox purchase (Conversions API)")
    )
    conn = connect(sb, cfg)
    assert isinstance(conn.conversion, ConfiguredRule) and not conn.conversion.resolved
    assert conn.ad_account_id == str(sb.account_id)
    result = frame().capi.export(conn, **cfg.export_options())
    assert result.sent == 2 and result.ok
    assert sb.events_by_rule == {sb.rule_id: 2}


def test_id_mode_export_needs_no_rule_lookup(sb: Sandbox) -> None:
    cfg = ExportConfig.from_td(
        result_json(sb, use_conversion_rule_jd=True, conversion_rule_id=sb.rule_id)
    )
    result = frame().capi.export(connect(sb, cfg))
    assert result.sent == 2
    assert sb.events_by_rule == {sb.rule_id: 2}
    assert conversions_pages(sb) == []


def test_create_mode_scheduled_twice_makes_one_rule(sb: Sandbox) -> None:
    cfg = ExportConfig.from_td(
        result_json(
            sb,
            create_new_conversion_rule=True,
            conversion_rule_name="Scheduled signups",
            conversion_type="sign_up",
            post_click_attribution_window=90,
            attribution_type="last_touch_by_conversion",
            campaign_auto_association="all_campaings",
        )
    )
    for _run in range(2):
        assert frame().capi.export(connect(sb, cfg)).sent == 2
    created = [r for r in sb.rules if r["name"] == "Scheduled signups"]
    assert len(created) == 1
    rule = created[0]
    assert (rule["type"], rule["postClickAttributionWindowSize"]) == ("SIGN_UP", 90)
    assert rule["attributionType"] == "LAST_TOUCH_BY_CONVERSION"
    assert sb.events_by_rule == {rule["id"]: 4}


def test_name_mode_with_an_insight_tag_rule_fails_before_sending(sb: Sandbox) -> None:
    cfg = ExportConfig.from_td(result_json(sb, conversion_rule="Sandbox sign-up (Insight Tag)"))
    with pytest.raises(ConfigError, match="only CONVERSIONS_API rules"):
        frame().capi.export(connect(sb, cfg))
    assert sb.event_count == 0


def test_from_config_overrides(sb: Sandbox) -> None:
    cfg = ExportConfig.from_td(result_json(sb, conversion_rule="whatever"))
    conn = connect(sb, cfg, conversion=sb.rule_id, ad_account_id=None)
    assert conn.conversion == sb.rule_id and conn.ad_account_id is None
    assert frame().capi.export(conn).sent == 2
    assert "sandbox-client-secret" not in repr(conn)
    assert isinstance(conn.rules.find("Sandbox purchase (Conversions API)"), ConversionRule)
