"""Contract tests of the sandbox's conversion rules and ad accounts (linkedin-api.md §3, §4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from _support.sandbox_helpers import NOW_MS, Api, make_sandbox

from linkedin_capi.sandbox import Sandbox


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = make_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def api(sb: Sandbox) -> Api:
    return Api(sb)


def account_urn(account_id: int) -> str:
    return f"urn:li:sponsoredAccount:{account_id}"


def list_path(account_id: int, start: int = 0, count: int = 10, extra: str = "") -> str:
    urn = quote(account_urn(account_id), safe="")
    return f"conversions?q=account&account={urn}&start={start}&count={count}{extra}"


def new_rule(sb: Sandbox, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Checkout",
        "account": account_urn(sb.account_id),
        "conversionMethod": "CONVERSIONS_API",
        "type": "PURCHASE",
    }
    body.update(overrides)
    return body


def test_create_answers_201_with_id_headers_and_the_entity(sb: Sandbox, api: Api) -> None:
    r = api.call("POST", "conversions?autoAssociationType=ALL_CAMPAIGNS", new_rule(sb))
    assert r.status_code == 201
    rid = r.headers["x-restli-id"]
    assert r.headers["Location"] == f"/conversions/{rid}"
    body = r.json()
    assert body["id"] == int(rid)
    assert body | {"id": 0} == {
        "id": 0,
        "name": "Checkout",
        "account": account_urn(sb.account_id),
        "conversionMethod": "CONVERSIONS_API",
        "type": "PURCHASE",
        "enabled": True,
        "attributionType": "LAST_TOUCH_BY_CAMPAIGN",
        "postClickAttributionWindowSize": 30,
        "viewThroughAttributionWindowSize": 7,
        "valueType": "DYNAMIC",
        "created": NOW_MS,
        "lastModified": NOW_MS,
        # ALL_CAMPAIGNS links the account's active, paused and draft campaigns
        "campaigns": [f"urn:li:sponsoredCampaign:{c}" for c in sb.campaign_ids],
        "associatedCampaigns": [],
        "urlRules": [],
    }
    assert sb.rule(int(rid))["name"] == "Checkout"
    got = api.call("GET", f"conversions/{rid}?account={quote(account_urn(sb.account_id), safe='')}")
    assert got.json() == body


def test_create_validation(sb: Sandbox, api: Api) -> None:
    body = new_rule(sb, type="BUY", colour="red")
    del body["name"]
    r = api.call("POST", "conversions", body)
    assert r.status_code == 422
    assert r.json()["message"].splitlines() == [
        "ERROR :: /name :: field is required but not found and has no default value",
        'ERROR :: /type :: "BUY" is not an enum symbol',
        "ERROR :: /colour :: unrecognized field found but not allowed",
    ]
    bad_urn = api.call("POST", "conversions", new_rule(sb, account="urn:li:organization:1"))
    assert bad_urn.json()["message"] == "ERROR :: /account :: Invalid Urn format. Invalid prefix.\n"
    viewer = api.call(
        "POST", "conversions", new_rule(sb, account=account_urn(sb.viewer_account_id))
    )
    assert viewer.status_code == 403
    long_ok = new_rule(sb, postClickAttributionWindowSize=365)
    assert api.call("POST", "conversions", long_ok).status_code == 201
    long_bad = api.call(
        "POST", "conversions", new_rule(sb, type="DOWNLOAD", postClickAttributionWindowSize=365)
    )
    assert long_bad.status_code == 400
    assert "postClickAttributionWindowSize 365" in long_bad.json()["message"]
    assert api.call("POST", "conversions?autoAssociationType=SOME", new_rule(sb)).status_code == 400


def test_duplicate_names_are_allowed_like_linkedin(sb: Sandbox, api: Api) -> None:
    assert api.call("POST", "conversions", new_rule(sb)).status_code == 201
    assert api.call("POST", "conversions", new_rule(sb)).status_code == 201
    assert [r["name"] for r in sb.rules].count("Checkout") == 2


def test_list_pages_with_total_minus_one(sb: Sandbox, api: Api) -> None:
    r = api.call("GET", list_path(sb.account_id))
    assert r.status_code == 200
    assert r.json()["paging"] == {"start": 0, "count": 10, "links": [], "total": -1}
    assert [e["id"] for e in r.json()["elements"]] == [sb.rule_id, sb.tag_rule_id]
    projected = api.call("GET", list_path(sb.account_id, extra="&fields=id,conversionMethod"))
    assert projected.json()["elements"][1] == {
        "id": sb.tag_rule_id,
        "conversionMethod": "INSIGHT_TAG_URL_MATCH_RULES",
    }


def test_short_pages_need_paging_on_what_came_back() -> None:
    with make_sandbox(max_page_size=2) as sb:
        api = Api(sb)
        for i in range(5):
            sb.add_rule(f"rule {i}")
        first = api.call("GET", list_path(sb.account_id, count=5)).json()
        assert len(first["elements"]) == 2  # fewer than asked, yet more exist
        assert first["paging"]["count"] == 5
        seen: list[int] = []
        start = 0
        while True:
            page = api.call("GET", list_path(sb.account_id, start=start, count=5)).json()[
                "elements"
            ]
            if not page:
                break
            seen += [e["id"] for e in page]
            start += len(page)
        assert seen == sorted(r["id"] for r in sb.rules)
        assert len(seen) == 7


def test_list_needs_an_encoded_accessible_account(sb: Sandbox, api: Api) -> None:
    raw = api.call("GET", f"conversions?q=account&account={account_urn(sb.account_id)}")
    assert raw.status_code == 400
    assert "URL-encoded" in raw.json()["message"]
    assert api.call("GET", "conversions?q=account").status_code == 400
    assert api.call("GET", "conversions?q=name").status_code == 400
    other = sb.add_account("not mine", role=None)
    assert api.call("GET", list_path(other["id"])).status_code == 403
    # A VIEWER may read.
    assert api.call("GET", list_path(sb.viewer_account_id)).status_code == 200


def test_partial_update(sb: Sandbox, api: Api) -> None:
    sb.advance(timedelta(seconds=5))
    patch = {
        "patch": {
            "$set": {"name": "Renamed", "enabled": False, "postClickAttributionWindowSize": 7}
        }
    }
    r = api.call("POST", f"conversions/{sb.rule_id}", patch, restli_method="PARTIAL_UPDATE")
    assert (r.status_code, r.content) == (204, b"")
    rule = sb.rule(sb.rule_id)
    assert (rule["name"], rule["enabled"], rule["postClickAttributionWindowSize"]) == (
        "Renamed",
        False,
        7,
    )
    assert rule["lastModified"] == NOW_MS + 5000
    assert rule["created"] == NOW_MS


@pytest.mark.parametrize(
    ("patch", "restli", "status"),
    [
        ({"patch": {"$set": {"name": "x"}}}, None, 400),
        ({"patch": {"$set": {"nme": "x"}}}, "PARTIAL_UPDATE", 422),
        ({"patch": {"$set": {"enabled": "yes"}}}, "PARTIAL_UPDATE", 422),
        ({"patch": {"$set": {"conversionMethod": "CONVERSIONS_API"}}}, "PARTIAL_UPDATE", 400),
        ({"$set": {"name": "x"}}, "PARTIAL_UPDATE", 400),
        ({"patch": {"$set": {"viewThroughAttributionWindowSize": 14}}}, "PARTIAL_UPDATE", 400),
    ],
)
def test_partial_update_rejections(
    sb: Sandbox, api: Api, patch: Any, restli: str | None, status: int
) -> None:
    r = api.call("POST", f"conversions/{sb.rule_id}", patch, restli_method=restli)
    assert r.status_code == status
    assert sb.rule(sb.rule_id)["name"] == "Sandbox purchase (Conversions API)"


def test_partial_update_permissions_and_missing(sb: Sandbox, api: Api) -> None:
    patch = {"patch": {"$set": {"name": "x"}}}
    viewer_rule = sb.add_rule("viewer", account=sb.viewer_account_id)
    r = api.call("POST", f"conversions/{viewer_rule['id']}", patch, restli_method="PARTIAL_UPDATE")
    assert r.status_code == 403
    assert (
        api.call("POST", "conversions/424242", patch, restli_method="PARTIAL_UPDATE").status_code
        == 404
    )
    assert api.call("GET", "conversions/424242").status_code == 404


def test_ad_account_users_and_accounts(sb: Sandbox, api: Api) -> None:
    users = api.call("GET", "adAccountUsers?q=authenticatedUser").json()
    assert users["paging"]["total"] == 2
    assert users["elements"][0] == {
        "user": sb.member,
        "account": account_urn(sb.account_id),
        "role": "ACCOUNT_MANAGER",
    }
    one = api.call("GET", f"adAccounts/{sb.account_id}").json()
    assert (one["id"], one["name"], one["status"], one["type"]) == (
        sb.account_id,
        "Sandbox Outdoor Co.",
        "ACTIVE",
        "BUSINESS",
    )
    assert api.call("GET", "adAccounts/1").status_code == 404
    hidden = sb.add_account("hidden", role=None)
    assert api.call("GET", f"adAccounts/{hidden['id']}").status_code == 403


def test_batch_get_ad_accounts(sb: Sandbox, api: Api) -> None:
    r = api.call("GET", f"adAccounts?ids=List({sb.account_id},{sb.viewer_account_id},7)")
    assert r.status_code == 200
    body = r.json()
    assert body["results"][str(sb.viewer_account_id)]["name"] == "Sandbox Agency Client (read-only)"
    assert body["statuses"] == {str(sb.account_id): 200, str(sb.viewer_account_id): 200, "7": 404}
    assert body["errors"]["7"]["status"] == 404
    encoded = api.call("GET", f"adAccounts?ids={quote(f'List({sb.account_id})', safe='')}")
    assert encoded.status_code == 400


def test_ad_accounts_search_uses_cursor_pages(sb: Sandbox, api: Api) -> None:
    first = api.call("GET", "adAccounts?q=search&pageSize=1").json()
    assert len(first["elements"]) == 1
    token = first["metadata"]["nextPageToken"]
    second = api.call("GET", f"adAccounts?q=search&pageSize=1&pageToken={token}").json()
    assert second["elements"][0]["id"] == sb.viewer_account_id
    assert second["metadata"] == {}
