"""Campaigns of an ad account and ``campaignConversions`` (api.md §3.5, audit F2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _support.sandbox_helpers import Api, make_sandbox

from linkedin_capi.sandbox import Sandbox, SandboxError


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = make_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def api(sb: Sandbox) -> Api:
    return Api(sb)


def key(campaign_id: int, rule_id: int) -> str:
    """The Rest.li 2.0 compound key, URNs percent-encoded (as Segment sends it)."""
    return (
        f"(campaign:urn%3Ali%3AsponsoredCampaign%3A{campaign_id},"
        f"conversion:urn%3Alla%3AllaPartnerConversion%3A{rule_id})"
    )


def entity(campaign_id: int, rule_id: int) -> dict[str, str]:
    return {
        "campaign": f"urn:li:sponsoredCampaign:{campaign_id}",
        "conversion": f"urn:lla:llaPartnerConversion:{rule_id}",
    }


def search(api: Api, account_id: int, query: str = "") -> Any:
    return api.call("GET", f"adAccounts/{account_id}/adCampaigns?q=search{query}")


def test_the_seeded_campaigns_are_listed(sb: Sandbox, api: Api) -> None:
    r = search(api, sb.account_id)
    assert r.status_code == 200
    body = r.json()
    assert [c["id"] for c in body["elements"]] == list(sb.campaign_ids)
    assert body["metadata"] == {}
    first = body["elements"][0]
    assert first["account"] == f"urn:li:sponsoredAccount:{sb.account_id}"
    assert (first["status"], body["elements"][1]["status"]) == ("ACTIVE", "DRAFT")


def test_campaigns_are_paged_by_cursor_and_filtered_by_status(sb: Sandbox, api: Api) -> None:
    for i in range(3):
        sb.add_campaign(f"Extra {i}", status="PAUSED" if i else "ARCHIVED")
    seen: list[int] = []
    token = ""
    for _ in range(10):  # bounded: 5 campaigns in pages of 2 need 3 pages
        page = search(api, sb.account_id, f"&pageSize=2{token}").json()
        seen += [c["id"] for c in page["elements"]]
        nxt = page["metadata"].get("nextPageToken")
        if nxt is None:
            break
        token = f"&pageToken={nxt}"
    assert len(seen) == 5 == len(set(seen))
    active = search(api, sb.account_id, "&search=(status:(values:List(ACTIVE,DRAFT)))")
    assert [c["id"] for c in active.json()["elements"]] == list(sb.campaign_ids)
    names = search(api, sb.account_id, "&fields=id,name").json()["elements"]
    assert set(names[0]) == {"id", "name"}
    encoded = search(api, sb.account_id, "&search=%28status:%28values:List%28ACTIVE%29%29%29")
    assert encoded.status_code == 400  # Rest.li structure must stay literal


def test_campaigns_need_access_to_the_account(sb: Sandbox, api: Api) -> None:
    hidden = sb.add_account("Someone else's", role=None)
    assert search(api, hidden["id"]).status_code == 403
    assert search(api, 1).status_code == 404
    token = sb.issue_access_token(scopes=["rw_conversions"])
    r = api.call(
        "GET",
        f"adAccounts/{sb.account_id}/adCampaigns?q=search",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 403  # reading campaigns needs r_ads
    with pytest.raises(SandboxError, match="status"):
        sb.add_campaign("x", status="LIVE")


def test_associate_read_and_disassociate_one_pair(sb: Sandbox, api: Api) -> None:
    cid = sb.campaign_ids[0]
    path = f"campaignConversions/{key(cid, sb.rule_id)}"
    put = api.call("PUT", path, entity(cid, sb.rule_id))
    assert (put.status_code, put.content) == (204, b"")
    assert sb.rule(sb.rule_id)["campaigns"] == [f"urn:li:sponsoredCampaign:{cid}"]
    again = api.call("PUT", path, entity(cid, sb.rule_id))  # idempotent
    assert again.status_code == 204
    assert len(sb.rule(sb.rule_id)["campaigns"]) == 1
    got = api.call("GET", path)
    assert (got.status_code, got.json()) == (200, entity(cid, sb.rule_id))
    listed = api.call("GET", f"conversions/{sb.rule_id}?fields=campaigns").json()
    assert listed == {"campaigns": [f"urn:li:sponsoredCampaign:{cid}"]}
    gone = api.call("DELETE", path)
    assert gone.status_code == 204
    assert sb.rule(sb.rule_id)["campaigns"] == []
    assert api.call("GET", path).status_code == 404
    assert api.call("DELETE", path).status_code == 404


def test_batch_associate_and_disassociate(sb: Sandbox, api: Api) -> None:
    a, b = sb.campaign_ids
    keys = [key(a, sb.rule_id), key(b, sb.rule_id), key(999, sb.rule_id)]
    ids = f"campaignConversions?ids=List({','.join(keys)})"
    body = {"entities": {k: entity(c, sb.rule_id) for k, c in zip(keys, (a, b, 999), strict=True)}}
    r = api.call("PUT", ids, body)
    assert r.status_code == 200
    answer = r.json()
    assert sorted(answer["results"].values(), key=str) == [{"status": 204}] * 2
    assert [e["status"] for e in answer["errors"].values()] == [404]
    assert len(sb.rule(sb.rule_id)["campaigns"]) == 2
    removed = api.call("DELETE", f"campaignConversions?ids=List({keys[0]})")
    assert list(removed.json()["results"].values()) == [{"status": 204}]
    assert sb.rule(sb.rule_id)["campaigns"] == [f"urn:li:sponsoredCampaign:{b}"]


@pytest.mark.parametrize(
    ("raw_key", "body", "status"),
    [
        (
            "(campaign:urn:li:sponsoredCampaign:600000001,"
            "conversion:urn:lla:llaPartnerConversion:10000001)",
            None,
            400,
        ),  # unencoded URNs inside the key
        (key(600_000_001, 10_000_001), entity(600_000_002, 10_000_001), 400),  # body ≠ key
        (key(600_000_001, 424242), entity(600_000_001, 424242), 404),  # no such rule
        (key(123, 10_000_001), entity(123, 10_000_001), 404),  # no such campaign
    ],
)
def test_association_errors(
    sb: Sandbox, api: Api, raw_key: str, body: dict[str, str] | None, status: int
) -> None:
    r = api.call("PUT", f"campaignConversions/{raw_key}", body or entity(1, 1))
    assert r.status_code == status
    assert sb.rule(sb.rule_id)["campaigns"] == []


def test_campaigns_and_rules_must_share_an_account(sb: Sandbox, api: Api) -> None:
    other = sb.add_account("Brand B", role="CAMPAIGN_MANAGER")
    foreign = sb.add_rule("B purchase", account=other["id"])
    cid = sb.campaign_ids[0]
    r = api.call(
        "PUT", f"campaignConversions/{key(cid, foreign['id'])}", entity(cid, foreign["id"])
    )
    assert r.status_code == 404
    shared = sb.add_shared_rule("Group purchase")  # shared with sb.account_id: allowed
    ok = api.call("PUT", f"campaignConversions/{key(cid, shared['id'])}", entity(cid, shared["id"]))
    assert ok.status_code == 204


def test_a_viewer_cannot_associate(sb: Sandbox, api: Api) -> None:
    campaign = sb.add_campaign("Viewer's", account=sb.viewer_account_id)
    rule = sb.add_rule("Viewer's rule", account=sb.viewer_account_id)
    cid, rid = campaign["id"], rule["id"]
    r = api.call("PUT", f"campaignConversions/{key(cid, rid)}", entity(cid, rid))
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("association", "linked"),
    [("ALL_CAMPAIGNS", ["ACTIVE", "DRAFT", "PAUSED"]), ("OBJECTIVE_BASED", []), (None, [])],
)
def test_auto_association_at_create(
    sb: Sandbox, api: Api, association: str | None, linked: list[str]
) -> None:
    paused = sb.add_campaign("Paused", status="PAUSED")
    sb.add_campaign("Archived", status="ARCHIVED")
    sb.add_campaign("Elsewhere", account=sb.viewer_account_id)
    body = {
        "name": "Auto",
        "account": f"urn:li:sponsoredAccount:{sb.account_id}",
        "conversionMethod": "CONVERSIONS_API",
        "type": "LEAD",
    }
    query = f"?autoAssociationType={association}" if association else ""
    r = api.call("POST", f"conversions{query}", body)
    assert r.status_code == 201
    ids = [*sb.campaign_ids, paused["id"]] if linked else []
    assert r.json()["campaigns"] == [f"urn:li:sponsoredCampaign:{c}" for c in ids]
    statuses = {c["id"]: c["status"] for c in sb.campaigns}
    assert sorted(statuses[c] for c in ids) == linked
