"""conn.rules and ad accounts against a loopback LinkedIn with short pages and total = -1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _support.rules_server import ACCOUNT, RulesServer, State, connection, serve

from linkedin_capi.errors import APIError, ConfigError, NotFoundError
from linkedin_capi.resources.accounts import (
    AdAccount,
    ad_accounts,
    choose_account,
    resolve_account_id,
)
from linkedin_capi.resources.rules import ConversionRule, ConversionRules

ENC_ACCOUNT = "urn%3Ali%3AsponsoredAccount%3A5012345"


@pytest.fixture
def server() -> Iterator[RulesServer]:
    yield from serve()


@pytest.fixture
def state(server: RulesServer) -> State:
    return server.state


@pytest.fixture
def conn(server: RulesServer) -> Any:
    return connection(server.base_url)


def rules_of(conn: Any) -> ConversionRules:
    return ConversionRules(conn)


# -- list / find / get ----------------------------------------------------------------------


def test_list_pages_on_what_came_back_until_an_empty_page(conn: Any, state: State) -> None:
    made = [state.add_rule(f"rule {i}")["id"] for i in range(8)]
    rules = rules_of(conn).list()
    assert [r.id for r in rules] == made
    pages = state.requests_to("GET", "/conversions")
    # 3 rows per page although 100 were asked for; total is -1, so page until empty.
    assert [p.raw_query for p in pages] == [
        f"q=account&account={ENC_ACCOUNT}&conversionOwnershipTypes=List(OWNED,SHARED)"
        f"&start={s}&count=100"
        for s in (0, 3, 6, 8)
    ]
    assert all(p.headers["x-restli-protocol-version"] == "2.0.0" for p in pages)
    assert all(p.headers["authorization"] == "Bearer loopback-token" for p in pages)
    assert all(p.headers["linkedin-version"] == "202607" for p in pages)


def test_list_stops_at_a_known_total(conn: Any, state: State) -> None:
    state.total = None  # report the true total
    for i in range(7):
        state.add_rule(f"rule {i}")
    assert len(rules_of(conn).list()) == 7
    assert [p.query["start"] for p in state.requests_to("GET", "/conversions")] == [
        ["0"],
        ["3"],
        ["6"],
    ]


def test_list_of_an_empty_account(conn: Any, state: State) -> None:
    assert rules_of(conn).list() == []
    assert len(state.requests_to("GET", "/conversions")) == 1


def test_list_can_keep_only_conversions_api_rules(conn: Any, state: State) -> None:
    state.add_rule("tag", conversionMethod="INSIGHT_TAG_URL_MATCH_RULES")
    capi = state.add_rule("capi")
    assert [r.id for r in rules_of(conn).list(conversions_api_only=True)] == [capi["id"]]
    assert len(rules_of(conn).list()) == 2


def test_find_searches_past_the_first_hundred(conn: Any, state: State) -> None:
    state.page_cap = 100
    for i in range(150):
        state.add_rule(f"rule {i}")
    rule = rules_of(conn).find("rule 149")
    assert rule is not None and rule.name == "rule 149"
    assert rule.urn == f"urn:lla:llaPartnerConversion:{rule.id}"
    assert len(state.requests_to("GET", "/conversions")) == 3  # 100 + 50 + empty


def test_find_is_exact_and_returns_none_when_absent(conn: Any, state: State) -> None:
    state.add_rule("Signups")
    assert rules_of(conn).find("signups") is None
    assert rules_of(conn).find("Signups ") is None
    assert rules_of(conn).find("Signups") is not None


def test_find_prefers_an_enabled_conversions_api_rule(
    conn: Any, state: State, caplog: pytest.LogCaptureFixture
) -> None:
    state.add_rule("Dup", conversionMethod="INSIGHT_TAG_JAVASCRIPT_EVENT")
    state.add_rule("Dup", enabled=False)
    good = state.add_rule("Dup")
    rule = rules_of(conn).find("Dup")
    assert rule is not None and rule.id == good["id"]
    assert "3 conversion rules are named 'Dup'" in caplog.text


@pytest.mark.parametrize("form", ["id", "str", "urn", "model"])
def test_get_by_any_form(conn: Any, state: State, form: str) -> None:
    made = state.add_rule("One", type="LEAD")
    rid = made["id"]
    given: Any = {
        "id": rid,
        "str": str(rid),
        "urn": f"urn:lla:llaPartnerConversion:{rid}",
        "model": ConversionRule(id=rid),
    }[form]
    rule = rules_of(conn).get(given)
    assert (rule.id, rule.name, rule.type) == (rid, "One", "LEAD")
    (req,) = state.requests_to("GET", f"/conversions/{rid}")
    assert req.raw_query == f"account={ENC_ACCOUNT}"


def test_get_unknown_rule(conn: Any) -> None:
    with pytest.raises(NotFoundError):
        rules_of(conn).get(123)


# -- create -----------------------------------------------------------------------------------


def test_create_sends_linkedins_body_and_reads_the_id_header(conn: Any, state: State) -> None:
    rule = rules_of(conn).create(
        "Demo requests", type="lead", post_click_window=90, view_through_window=30,
        attribution_type="last_touch_by_conversion",
    )  # fmt: skip
    (req,) = state.requests_to("POST", "/conversions")
    assert req.raw_query == "autoAssociationType=ALL_CAMPAIGNS"
    assert req.body == {
        "name": "Demo requests",
        "account": ACCOUNT,
        "conversionMethod": "CONVERSIONS_API",
        "type": "LEAD",
        "enabled": True,
        "attributionType": "LAST_TOUCH_BY_CONVERSION",
        "postClickAttributionWindowSize": 90,
        "viewThroughAttributionWindowSize": 30,
    }
    assert req.headers["content-type"].startswith("application/json")
    assert "x-restli-method" not in req.headers
    assert rule.id in state.rules
    assert (rule.name, rule.type, rule.post_click_window) == ("Demo requests", "LEAD", 90)


def test_create_reads_the_body_id_without_the_header(conn: Any, state: State) -> None:
    state.id_in_body_only = True
    rule = rules_of(conn).create("Body id")
    assert rule.id == max(state.rules)


@pytest.mark.parametrize(
    ("assoc", "query"),
    [(None, ""), ("none", ""), ("objective_based", "autoAssociationType=OBJECTIVE_BASED")],
)
def test_create_auto_association(conn: Any, state: State, assoc: Any, query: str) -> None:
    rules_of(conn).create("x", auto_association=assoc)
    (req,) = state.requests_to("POST", "/conversions")
    assert req.raw_query == query


@pytest.mark.parametrize(
    "bad",
    [{"type": "basket"}, {"post_click_window": 14}, {"view_through_window": 365},
     {"type": "SIGN_UP", "post_click_window": 365}, {"attribution_type": "linear"},
     {"auto_association": "SOME"}],
)  # fmt: skip
def test_create_checks_settings_before_any_request(
    conn: Any, state: State, bad: dict[str, Any]
) -> None:
    with pytest.raises(ConfigError, match=r"expected one of|only allowed"):
        rules_of(conn).create("x", **bad)
    assert state.received == []


def test_create_needs_a_name(conn: Any, state: State) -> None:
    with pytest.raises(ConfigError, match="non-empty"):
        rules_of(conn).create("  ")
    assert state.received == []


# -- ensure / update --------------------------------------------------------------------------


def test_ensure_creates_once_then_finds(conn: Any, state: State) -> None:
    for _ in range(4):  # 4 more rules so the created one lands on a later page
        state.add_rule("other")
    first = rules_of(conn).ensure("Scheduled", type="purchase", post_click_window=365)
    second = rules_of(conn).ensure("Scheduled", type="purchase", post_click_window=365)
    assert first.id == second.id
    assert len(state.requests_to("POST", "/conversions")) == 1
    assert [r["name"] for r in state.rules.values()].count("Scheduled") == 1


def test_ensure_warns_about_drift_and_creates_nothing(conn: Any, state: State) -> None:
    live = state.add_rule("Drift", type="LEAD", postClickAttributionWindowSize=90)
    with pytest.warns(UserWarning) as record:
        rule = rules_of(conn).ensure(
            "Drift", type="lead", post_click_window=30, view_through_window=7
        )
    assert rule.id == live["id"]
    message = str(record[0].message)
    assert "post_click_window is 90 (wanted 30)" in message
    assert "type" not in message.split("settings:")[1].split(";")[0].replace("(wanted", "")
    assert "conn.rules.update" in message
    assert state.requests_to("POST", "/conversions") == []


def test_ensure_drift_as_error(conn: Any, state: State) -> None:
    state.add_rule("Drift", attributionType="LAST_TOUCH_BY_CONVERSION")
    with pytest.raises(ConfigError, match="attribution_type is 'LAST_TOUCH_BY_CONVERSION'"):
        rules_of(conn).ensure("Drift", on_drift="error")
    assert state.requests_to("POST", "/conversions") == []


def test_ensure_drift_update_sends_only_the_differences(conn: Any, state: State) -> None:
    live = state.add_rule("Drift", type="LEAD", enabled=False, viewThroughAttributionWindowSize=30)
    rule = rules_of(conn).ensure("Drift", on_drift="update", type="LEAD")
    (req,) = state.requests_to("POST", f"/conversions/{live['id']}")
    assert req.headers["x-restli-method"] == "PARTIAL_UPDATE"
    assert req.raw_query == f"account={ENC_ACCOUNT}"
    assert req.body == {"patch": {"$set": {"viewThroughAttributionWindowSize": 7, "enabled": True}}}
    assert (rule.view_through_window, rule.enabled) == (7, True)
    assert state.rules[live["id"]]["enabled"] is True


def test_ensure_refuses_a_rule_of_another_method(conn: Any, state: State) -> None:
    state.add_rule("Tag rule", conversionMethod="INSIGHT_TAG_URL_MATCH_RULES")
    with pytest.raises(ConfigError, match=r"INSIGHT_TAG_URL_MATCH_RULES.*choose another name"):
        rules_of(conn).ensure("Tag rule")
    assert state.requests_to("POST", "/conversions") == []


def test_ensure_checks_settings_before_any_request(conn: Any, state: State) -> None:
    with pytest.raises(ConfigError):
        rules_of(conn).ensure("x", view_through_window=3)
    with pytest.raises(ConfigError):
        rules_of(conn).ensure("x", on_drift="ignore")  # type: ignore[arg-type]
    assert state.received == []


def test_update_by_id_reads_then_patches(conn: Any, state: State) -> None:
    live = state.add_rule("Old", type="LEAD")
    rule = rules_of(conn).update(live["id"], name="New", post_click_window=365, type="lead")
    (req,) = state.requests_to("POST", f"/conversions/{live['id']}")
    assert req.body == {"patch": {"$set": {"postClickAttributionWindowSize": 365, "name": "New"}}}
    assert (rule.name, rule.post_click_window) == ("New", 365)
    assert len(state.requests_to("GET", f"/conversions/{live['id']}")) == 1


def test_update_without_changes_sends_nothing(conn: Any, state: State) -> None:
    live = ConversionRule.model_validate(state.add_rule("Same"))
    assert rules_of(conn).update(live, enabled=True, view_through_window=7) == live
    assert state.received == []


def test_update_checks_the_365_window_against_the_new_type(conn: Any, state: State) -> None:
    live = ConversionRule.model_validate(
        state.add_rule("L", type="LEAD", postClickAttributionWindowSize=365)
    )
    with pytest.raises(ConfigError, match="365 days is only allowed"):
        rules_of(conn).update(live, type="sign_up")
    with pytest.raises(ConfigError, match="365 days is only allowed"):
        rules_of(conn).update(ConversionRule.model_validate(state.add_rule("S", type="SIGN_UP")),
                              post_click_window=365)  # fmt: skip
    assert state.received == []


def test_update_keeps_working_for_a_type_we_do_not_know(conn: Any, state: State) -> None:
    live = ConversionRule.model_validate(state.add_rule("New type", type="FUTURE_TYPE"))
    assert rules_of(conn).update(live, enabled=False).enabled is False
    assert len(state.requests_to("POST", "/conversions/")) == 1


# -- accounts ---------------------------------------------------------------------------------


def add_account(state: State, aid: int, role: str, name: str | None = None) -> None:
    state.account_users.append(
        {"user": "urn:li:person:abcd", "account": f"urn:li:sponsoredAccount:{aid}", "role": role}
    )
    if name is not None:
        state.accounts[aid] = {"id": aid, "name": name, "currency": "EUR", "status": "ACTIVE",
                               "type": "BUSINESS", "test": False}  # fmt: skip


def test_ad_accounts_pages_and_resolves_names(conn: Any, state: State) -> None:
    add_account(state, 1, "VIEWER", "Read only")
    add_account(state, 2, "ACCOUNT_MANAGER", "EU shop")
    add_account(state, 3, "CAMPAIGN_MANAGER", "US shop")
    add_account(state, 4, "ACCOUNT_BILLING_ADMIN")  # no details available: name None
    accounts = ad_accounts(conn)
    assert [(a.id, a.name, a.role, a.usable) for a in accounts] == [
        (1, "Read only", "VIEWER", False),
        (2, "EU shop", "ACCOUNT_MANAGER", True),
        (3, "US shop", "CAMPAIGN_MANAGER", True),
        (4, None, "ACCOUNT_BILLING_ADMIN", True),
    ]
    assert accounts[1].urn == "urn:li:sponsoredAccount:2" and accounts[1].currency == "EUR"
    assert accounts[1].model_dump()["usable"] is True
    users = state.requests_to("GET", "/adAccountUsers")
    assert [u.query["start"] for u in users] == [["0"], ["3"], ["4"]]
    assert all(u.query["q"] == ["authenticatedUser"] for u in users)
    assert len(state.requests_to("GET", "/adAccounts/")) == 4


def test_one_usable_account_is_chosen(server: RulesServer, state: State) -> None:
    add_account(state, 1, "VIEWER", "Read only")
    add_account(state, 5012345, "ACCOUNT_MANAGER", "Main")
    conn = connection(server.base_url, ad_account_id=None)
    assert resolve_account_id(conn) == "5012345"
    state.add_rule("R")
    assert [r.name for r in ConversionRules(conn).list()] == ["R"]


def test_several_usable_accounts_must_be_chosen(server: RulesServer, state: State) -> None:
    add_account(state, 2, "ACCOUNT_MANAGER", "EU shop")
    add_account(state, 3, "CREATIVE_MANAGER", "US shop")
    conn = connection(server.base_url, ad_account_id=None)
    with pytest.raises(ConfigError) as info:
        ConversionRules(conn).list()
    message = str(info.value)
    assert "2 ad accounts are usable; choose one with ad_account_id" in message
    assert '2 "EU shop" (ACCOUNT_MANAGER)' in message and '3 "US shop"' in message
    assert state.requests_to("GET", "/conversions") == []


def test_no_usable_account(server: RulesServer, state: State) -> None:
    add_account(state, 1, "VIEWER", "Read only")
    conn = connection(server.base_url, ad_account_id=None)
    with pytest.raises(ConfigError, match=r'role other than VIEWER .*1 "Read only" \(VIEWER\)'):
        resolve_account_id(conn)


def test_choose_account_is_pure() -> None:
    one = AdAccount(id=9, role="ACCOUNT_MANAGER")
    assert choose_account([AdAccount(id=1, role="VIEWER"), one]) is one
    with pytest.raises(ConfigError, match="accounts found: none"):
        choose_account([])


def test_given_account_needs_no_request(conn: Any, state: State) -> None:
    assert resolve_account_id(conn) == "5012345"
    assert ConversionRules(conn, ad_account_id="urn:li:sponsoredAccount:77").account_urn == (
        "urn:li:sponsoredAccount:77"
    )
    assert state.received == []


def test_auto_chosen_account_is_looked_up_once_and_conn_changes_win(
    server: RulesServer, state: State
) -> None:
    add_account(state, 5012345, "ACCOUNT_MANAGER", "Main")
    conn = connection(server.base_url, ad_account_id=None)
    rules = ConversionRules(conn)
    rules.list()
    rules.list()
    assert len(state.requests_to("GET", "/adAccountUsers")) == 2  # one listing: page + empty
    conn.ad_account_id = "77"
    assert rules.account_urn == "urn:li:sponsoredAccount:77"


@pytest.mark.parametrize("bad", [0, -5, True, "100"])
def test_list_page_size_is_checked_before_any_request(conn: Any, state: State, bad: Any) -> None:
    with pytest.raises(ConfigError, match="page_size: expected a positive integer"):
        rules_of(conn).list(page_size=bad)
    assert state.received == []


def test_list_with_a_small_page_size(conn: Any, state: State) -> None:
    for i in range(5):
        state.add_rule(f"r{i}")
    assert len(rules_of(conn).list(page_size=2)) == 5
    starts = [
        (p.query["start"], p.query["count"]) for p in state.requests_to("GET", "/conversions")
    ]
    assert starts == [(["0"], ["2"]), (["2"], ["2"]), (["4"], ["2"]), (["5"], ["2"])]


def test_a_server_that_ignores_start_is_not_paged_forever(conn: Any, state: State) -> None:
    state.ignore_start = True
    for i in range(4):
        state.add_rule(f"r{i}")
    with pytest.raises(APIError, match="same page twice"):
        rules_of(conn).list()
    assert len(state.requests_to("GET", "/conversions")) == 2
