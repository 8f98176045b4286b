"""Rules as LinkedIn treats them: disabled and Insight Tag rules refuse events, types and
windows per version, shared rules behind ``conversionOwnershipTypes``, the 100-rules batch
limit and both forms of the 90-day error (audit C5–C7, C9, F4, F5, F8, F9, F11, S5, S7, S16,
S17).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from _support.sandbox_helpers import DAY_MS, NOW, NOW_MS, Api, event, make_sandbox

from linkedin_capi.sandbox import Sandbox, SandboxError

DISABLED = (
    "Invalid Conversion information provided, this event(s) is associated to a "
    "conversion that's marked as deleted. Conversion enabled should be true"
)
WRONG_METHOD = (
    "Incorrect conversions information provided. Conversion's method should be CONVERSIONS_API"
)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = make_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def api(sb: Sandbox) -> Api:
    return Api(sb)


def urn(rule_id: int) -> str:
    return f"urn:lla:llaPartnerConversion:{rule_id}"


def account(account_id: int) -> str:
    return f"urn:li:sponsoredAccount:{account_id}"


def listing(api: Api, account_id: int, extra: str = "", version: str = "202607") -> Any:
    path = f"conversions?q=account&account={quote(account(account_id), safe='')}{extra}"
    return api.call("GET", path, headers={"LinkedIn-Version": version})


# -- events for rules that cannot take them ---------------------------------------------------


def test_events_for_a_disabled_rule_get_a_400_naming_no_rows(sb: Sandbox, api: Api) -> None:
    off = sb.add_rule("Old purchase", enabled=False)
    r = api.batch([event(sb.rule_urn), event(urn(off["id"])), event(sb.rule_urn)])
    assert r.status_code == 400
    assert r.json() == {"message": DISABLED, "status": 400}
    assert sb.event_count == 0  # all or nothing
    sb.update_rule(off["id"], enabled=True)
    assert api.batch([event(urn(off["id"]))]).status_code == 200


def test_disabling_through_the_api_takes_effect(sb: Sandbox, api: Api) -> None:
    patch = {"patch": {"$set": {"enabled": False}}}
    done = api.call("POST", f"conversions/{sb.rule_id}", patch, restli_method="PARTIAL_UPDATE")
    assert done.status_code == 204
    r = api.call("POST", "conversionEvents", event(sb.rule_urn))
    assert (r.status_code, r.json()["message"]) == (400, DISABLED)


def test_events_for_an_insight_tag_rule_get_the_wrong_method_400(sb: Sandbox, api: Api) -> None:
    js = sb.add_rule("Tag", conversion_method="INSIGHT_TAG_JAVASCRIPT_EVENT")
    r = api.batch([event(sb.rule_urn), event(urn(js["id"])), event(urn(sb.tag_rule_id))])
    assert (r.status_code, r.json()["message"]) == (
        400,
        WRONG_METHOD + ", indices [1, 2] (0-indexed)",  # the measured form (MEAS/RS)
    )
    with Sandbox(now=NOW, wrong_method_indices=False) as plain:
        r = Api(plain).batch([event(plain.rule_urn), event(urn(plain.tag_rule_id))])
    assert (r.status_code, r.json()) == (400, {"message": WRONG_METHOD, "status": 400})


def test_a_rule_can_be_turned_into_an_insight_tag_rule_for_a_test(sb: Sandbox, api: Api) -> None:
    sb.update_rule(sb.rule_id, conversionMethod="INSIGHT_TAG_URL_MATCH_RULES")
    assert api.batch([event(sb.rule_urn)]).json()["message"].startswith(WRONG_METHOD)
    with pytest.raises(SandboxError, match="no conversion rule 1"):
        sb.update_rule(1, enabled=False)
    with pytest.raises(SandboxError, match="not a valid rule change"):
        sb.update_rule(sb.rule_id, enabled="no")


def test_get_one_rule_shows_enabled_and_method(sb: Sandbox, api: Api) -> None:
    off = sb.add_rule("Off", enabled=False)
    r = api.call("GET", f"conversions/{off['id']}?fields=id,enabled,conversionMethod")
    assert r.status_code == 200
    assert r.json() == {"id": off["id"], "enabled": False, "conversionMethod": "CONVERSIONS_API"}
    tag = api.call("GET", f"conversions/{sb.tag_rule_id}").json()
    assert (tag["conversionMethod"], tag["enabled"]) == ("INSIGHT_TAG_URL_MATCH_RULES", True)
    assert api.call("GET", "conversions/77").status_code == 404


# -- batch limits and error forms -------------------------------------------------------------


def test_a_batch_may_carry_at_most_100_distinct_rules(sb: Sandbox, api: Api) -> None:
    ids = [sb.add_rule(f"r{i}")["id"] for i in range(101)]
    hundred = [event(urn(i)) for i in ids[:100]] * 2  # 200 events, 100 rules: fine
    assert api.batch(hundred).status_code == 200
    r = api.batch([event(urn(i)) for i in ids])
    assert r.status_code == 400
    assert "101" in r.json()["message"] and "100" in r.json()["message"]
    assert sb.event_count == 200
    odd = api.batch([event(sb.rule_urn, conversion=["not", "a", "urn"]), 7])
    assert odd.status_code == 422  # unhashable values are schema errors, not a crash


def test_the_90_day_error_in_the_documented_batch_index_form() -> None:
    with Sandbox(now=NOW, time_error_form="batchIndex") as sb:
        old = event(sb.rule_urn, conversionHappenedAt=NOW_MS - 91 * DAY_MS)
        r = Api(sb).batch([event(sb.rule_urn), old, old])
    assert r.status_code == 400
    entry = (
        "{{field=Invalid Conversion time, batchIndex={i}, "
        "type=INVALID_CONVERSION_TIME_FIELD_VALUE, "
        "message=Conversion time should be within 90 days.}}"
    )
    assert r.json()["message"] == (
        f"Validation failed because [{entry.format(i=1)}, {entry.format(i=2)}]"
    )
    with pytest.raises(SandboxError, match="time_error_form"):
        Sandbox(time_error_form="bisect")  # type: ignore[arg-type]


# -- rule settings by version -----------------------------------------------------------------


def rule_body(sb: Sandbox, **fields: Any) -> dict[str, Any]:
    return {
        "name": "New",
        "account": account(sb.account_id),
        "conversionMethod": "CONVERSIONS_API",
        "type": "LEAD",
        **fields,
    }


@pytest.mark.parametrize(
    ("version", "kind", "expected"),
    [
        ("202607", "MARKETING_QUALIFIED_LEAD", 400),
        ("202607", "SALES_QUALIFIED_LEAD", 400),
        ("202601", "SALES_QUALIFIED_LEAD", 400),
        ("202608", "MARKETING_QUALIFIED_LEAD", 201),
        ("202609", "SALES_QUALIFIED_LEAD", 201),
        ("202601", "QUALIFIED_LEAD", 201),
    ],
)
def test_qualified_lead_types_only_from_202608(
    sb: Sandbox, api: Api, version: str, kind: str, expected: int
) -> None:
    r = api.call(
        "POST", "conversions", rule_body(sb, type=kind), headers={"LinkedIn-Version": version}
    )
    assert r.status_code == expected
    if expected == 400:
        assert "202608" in r.json()["message"]


@pytest.mark.parametrize(
    ("kind", "method", "post", "view", "expected"),
    [
        ("SIGN_UP", "CONVERSIONS_API", 180, 7, 201),  # 180 for every type
        ("PURCHASE", "CONVERSIONS_API", 180, 30, 201),
        ("PURCHASE", "CONVERSIONS_API", 365, 7, 201),
        ("LEAD", "CONVERSIONS_API", 365, 7, 201),
        ("SALES_QUALIFIED_LEAD", "CONVERSIONS_API", 365, 7, 201),
        ("SIGN_UP", "CONVERSIONS_API", 365, 7, 400),  # 365 only for the listed types
        ("PURCHASE", "INSIGHT_TAG_URL_MATCH_RULES", 365, 7, 400),  # and only CAPI/CSV
        ("PURCHASE", "CONVERSIONS_API", 60, 7, 400),
        ("PURCHASE", "CONVERSIONS_API", 30, 180, 400),  # view-through stays 1/7/30/90
    ],
)
def test_attribution_windows(
    sb: Sandbox, api: Api, kind: str, method: str, post: int, view: int, expected: int
) -> None:
    body = rule_body(
        sb,
        type=kind,
        conversionMethod=method,
        postClickAttributionWindowSize=post,
        viewThroughAttributionWindowSize=view,
    )
    r = api.call("POST", "conversions", body, headers={"LinkedIn-Version": "202609"})
    assert r.status_code == expected, r.text


def test_a_partial_update_to_a_qualified_lead_type_follows_the_version(
    sb: Sandbox, api: Api
) -> None:
    patch = {"patch": {"$set": {"type": "MARKETING_QUALIFIED_LEAD"}}}
    path = f"conversions/{sb.rule_id}"
    old = api.call(
        "POST", path, patch, restli_method="PARTIAL_UPDATE", headers={"LinkedIn-Version": "202607"}
    )
    assert old.status_code == 400
    new = api.call(
        "POST", path, patch, restli_method="PARTIAL_UPDATE", headers={"LinkedIn-Version": "202608"}
    )
    assert new.status_code == 204
    assert sb.rule(sb.rule_id)["type"] == "MARKETING_QUALIFIED_LEAD"


# -- shared rules -----------------------------------------------------------------------------


def test_shared_rules_are_listed_only_when_asked_for(sb: Sandbox, api: Api) -> None:
    shared = sb.add_shared_rule("Group purchase")
    default = [r["id"] for r in listing(api, sb.account_id).json()["elements"]]
    assert shared["id"] not in default  # OWNED only by default (NL-Q2)
    assert sb.rule_id in default
    both = listing(api, sb.account_id, "&conversionOwnershipTypes=List(OWNED,SHARED)").json()
    kinds = {r["id"]: r["ownershipType"] for r in both["elements"]}
    assert kinds[shared["id"]] == "SHARED" and kinds[sb.rule_id] == "OWNED"
    only = listing(api, sb.account_id, "&conversionOwnershipTypes=List(SHARED)").json()
    assert [r["id"] for r in only["elements"]] == [shared["id"]]
    bad = listing(api, sb.account_id, "&conversionOwnershipTypes=List(BORROWED)")
    assert bad.status_code == 400


def test_ownership_exists_from_202605(sb: Sandbox, api: Api) -> None:
    shared = sb.add_shared_rule("Group purchase")
    old = listing(api, sb.account_id, "&conversionOwnershipTypes=List(SHARED)", "202604").json()
    assert shared["id"] not in [r["id"] for r in old["elements"]]
    assert all("ownershipType" not in r for r in old["elements"])


def test_a_shared_rule_can_be_read_from_the_account_it_is_shared_with(
    sb: Sandbox, api: Api
) -> None:
    shared = sb.add_shared_rule("Group purchase")
    encoded = quote(account(sb.account_id), safe="")
    r = api.call("GET", f"conversions/{shared['id']}?account={encoded}")
    assert r.status_code == 200
    assert r.json()["account"] != account(sb.account_id)  # still owned elsewhere
    with pytest.raises(SandboxError, match="owned by"):
        sb.share_rule(sb.rule_id, sb.account_id)
