"""Turning an ExportConfig into a rule, lazily, in each of the three modes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _support.rules_server import RulesServer, State, connection, serve

from linkedin_capi.config import ConfiguredRule, ExportConfig, resolve_rule
from linkedin_capi.errors import ConfigError
from linkedin_capi.resources.rules import ConversionRule


@pytest.fixture
def server() -> Iterator[RulesServer]:
    yield from serve()


@pytest.fixture
def state(server: RulesServer) -> State:
    return server.state


@pytest.fixture
def conn(server: RulesServer) -> Any:
    return connection(server.base_url)


def cfg(**extra: Any) -> ExportConfig:
    return ExportConfig.from_td(
        {
            "type": "linkedin_ads_conversion_api",
            "client_id": "cid",
            "client_secret": "sec",
            "refresh_token": "tok",
            "ad_account_id": "5012345",
            **extra,
        }
    )


def test_id_mode_needs_no_request(conn: Any, state: State) -> None:
    config = cfg(use_conversion_rule_id=True, conversion_rule_id="104012")
    assert resolve_rule(conn, config) == "urn:lla:llaPartnerConversion:104012"
    assert state.received == []


def test_name_mode_finds_the_rule_on_a_later_page(conn: Any, state: State) -> None:
    for i in range(5):
        state.add_rule(f"r{i}")
    wanted = state.add_rule("Signups")
    rule = resolve_rule(conn, cfg(conversion_rule="Signups"))
    assert isinstance(rule, ConversionRule) and rule.id == wanted["id"]
    assert state.requests_to("POST", "/conversions") == []


def test_name_mode_unknown_name_lists_the_rules(conn: Any, state: State) -> None:
    state.add_rule("Signups")
    state.add_rule("Purchases")
    state.add_rule("Tag only", conversionMethod="INSIGHT_TAG_URL_MATCH_RULES")
    with pytest.raises(ConfigError) as info:
        resolve_rule(conn, cfg(conversion_rule="signups"))
    message = str(info.value)
    assert (
        "no conversion rule named 'signups' (did you mean 'Signups'?) in ad account "
        "urn:li:sponsoredAccount:5012345" in message
    )
    assert "'Purchases', 'Signups'" in message and "Tag only" not in message
    assert "create_new_conversion_rule" in message
    assert state.requests_to("POST", "/conversions") == []


def test_name_mode_refuses_a_non_capi_rule(conn: Any, state: State) -> None:
    state.add_rule("Tag", conversionMethod="INSIGHT_TAG_URL_MATCH_RULES")
    with pytest.raises(ConfigError, match="only CONVERSIONS_API rules accept"):
        resolve_rule(conn, cfg(conversion_rule="Tag"))


def test_name_mode_refuses_a_disabled_rule_with_the_fix(conn: Any, state: State) -> None:
    state.add_rule("Off", enabled=False)
    with pytest.raises(ConfigError, match=r"is disabled.*conn\.rules\.update\(\d+, enabled=True\)"):
        resolve_rule(conn, cfg(conversion_rule="Off"))


def test_create_mode_creates_once_across_scheduled_runs(server: RulesServer, state: State) -> None:
    config = cfg(
        create_new_conversion_rule=True,
        conversion_rule_name="Nightly",
        conversion_type="purchase",
        post_click_attribution_window="365",
        view_through_attribution_window=1,
        attribution_type="LAST_TOUCH_BY_CONVERSION",
        campaign_auto_association="objective_based",
    )
    urns = set()
    for _run in range(3):  # each scheduled run builds a fresh connection
        pending = ConfiguredRule(connection(server.base_url), config)
        urns.add(pending.urn)
    assert len(urns) == 1
    (post,) = state.requests_to("POST", "/conversions")
    assert post.raw_query == "autoAssociationType=OBJECTIVE_BASED"
    assert post.body["type"] == "PURCHASE"
    assert post.body["postClickAttributionWindowSize"] == 365
    assert post.body["viewThroughAttributionWindowSize"] == 1
    assert post.body["attributionType"] == "LAST_TOUCH_BY_CONVERSION"


def test_create_mode_with_a_drifted_rule_warns_and_reuses_it(conn: Any, state: State) -> None:
    live = state.add_rule("Nightly", type="LEAD")
    with pytest.warns(UserWarning, match=r"type is 'LEAD' \(wanted 'ADD_TO_CART'\)"):
        rule = resolve_rule(
            conn, cfg(create_new_conversion_rule=True, conversion_rule_name="Nightly")
        )
    assert isinstance(rule, ConversionRule) and rule.id == live["id"]
    assert state.requests_to("POST", "/conversions") == []


def test_configured_rule_is_lazy_and_cached(conn: Any, state: State) -> None:
    made = state.add_rule("Lazy")
    pending = ConfiguredRule(conn, cfg(conversion_rule="Lazy"))
    assert state.received == []
    assert not pending.resolved
    assert repr(pending) == "ConfiguredRule(mode='name', rule='Lazy')"
    assert pending.urn == f"urn:lla:llaPartnerConversion:{made['id']}"
    assert pending.id == made["id"]
    assert pending.resolved and pending.mode == "name"
    assert "urn=" in repr(pending)
    listings = [r for r in state.requests_to("GET", "/conversions") if r.query["start"] == ["0"]]
    assert len(listings) == 1  # resolved once, then cached


def test_configured_rule_resolves_once_under_concurrency(conn: Any, state: State) -> None:
    pending = ConfiguredRule(
        conn, cfg(create_new_conversion_rule=True, conversion_rule_name="Once")
    )
    threads = [threading.Thread(target=lambda: pending.urn) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(state.requests_to("POST", "/conversions")) == 1


def test_configured_rule_error_surfaces_at_use(conn: Any, state: State) -> None:
    pending = ConfiguredRule(conn, cfg(conversion_rule="Missing"))
    with pytest.raises(ConfigError, match="no conversion rule named 'Missing'"):
        _ = pending.urn
    assert hasattr(pending, "mode")
