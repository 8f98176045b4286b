"""Contract tests of the LinkedIn sandbox: OAuth, gateway checks and conversion events.

Everything runs against the real HTTP server on 127.0.0.1 with plain ``requests``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from _support.sandbox_helpers import DAY_MS, EMAIL_HASH, NOW, NOW_MS, Api, event, make_sandbox

from linkedin_capi.sandbox import Sandbox, SandboxError


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = make_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def api(sb: Sandbox) -> Api:
    return Api(sb)


# -- OAuth token endpoint (linkedin-api.md §5) ---------------------------------------------


def test_refresh_grant_issues_a_working_access_token(sb: Sandbox, api: Api) -> None:
    r = api.token(api.refresh_form())
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
        "scope",
    }
    assert body["expires_in"] == 60 * 86400
    assert body["refresh_token"] == sb.refresh_token  # LinkedIn keeps the refresh token
    assert body["refresh_token_expires_in"] == 365 * 86400
    assert body["scope"] == "rw_conversions,r_ads"
    assert body["access_token"] != sb.access_token
    ok = api.call(
        "GET",
        "adAccountUsers?q=authenticatedUser",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert ok.status_code == 200


def test_refreshing_never_extends_the_refresh_token(sb: Sandbox, api: Api) -> None:
    sb.advance(dt.timedelta(days=364))
    body = api.token(api.refresh_form()).json()
    assert body["refresh_token_expires_in"] == 86400
    assert body["expires_in"] == 86400  # capped by the refresh token's remaining life
    sb.advance(dt.timedelta(days=1))
    r = api.token(api.refresh_form())
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize("breaker", ["unknown", "expire", "revoke"])
def test_bad_refresh_tokens_get_invalid_grant(sb: Sandbox, api: Api, breaker: str) -> None:
    form = api.refresh_form()
    if breaker == "unknown":
        form["refresh_token"] = "not-a-token"
    elif breaker == "expire":
        sb.expire_refresh_tokens()
    else:
        sb.revoke_tokens()
    r = api.token(form)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    assert "invalid, expired or revoked" in r.json()["error_description"]


def test_client_credentials_must_be_in_the_form_body(sb: Sandbox, api: Api) -> None:
    form = api.refresh_form()
    del form["client_id"], form["client_secret"]
    basic = api.token(form, auth=(sb.client_id, sb.client_secret))
    assert (basic.status_code, basic.json()["error"]) == (401, "invalid_client")
    missing = api.token(form)
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    assert '"client_id"' in missing.json()["error_description"]
    wrong = api.token(api.refresh_form(client_secret="nope"))
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")


def test_token_endpoint_takes_form_posts_only(sb: Sandbox, api: Api) -> None:
    as_json = api.http.post(sb.token_url, json=api.refresh_form(), timeout=10)
    assert (as_json.status_code, as_json.json()["error"]) == (400, "invalid_request")
    assert api.http.get(sb.token_url, timeout=10).status_code == 405


def test_other_grant_types(api: Api) -> None:
    r = api.token(api.refresh_form(grant_type="client_credentials"))
    assert (r.status_code, r.json()["error"]) == (401, "access_denied")
    r = api.token(api.refresh_form(grant_type="password"))
    assert (r.status_code, r.json()["error"]) == (400, "unsupported_grant_type")


def test_authorization_code_flow(sb: Sandbox, api: Api) -> None:
    redirect = "http://localhost:8765/callback"
    consent = api.http.get(
        sb.authorization_url,
        params={
            "response_type": "code",
            "client_id": sb.client_id,
            "redirect_uri": redirect,
            "state": "xyz",
            "scope": "rw_conversions r_ads",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert consent.status_code == 302
    location = urlsplit(consent.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    params = parse_qs(location.query)
    assert params["state"] == ["xyz"]
    form = {
        "grant_type": "authorization_code",
        "code": params["code"][0],
        "redirect_uri": redirect,
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
    }
    first = api.token(form)
    assert first.status_code == 200
    assert first.json()["refresh_token"] != sb.refresh_token
    assert first.json()["scope"] == "rw_conversions,r_ads"
    again = api.token(form)  # codes are single use
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_authorization_code_must_match_redirect_uri_and_expires(sb: Sandbox, api: Api) -> None:
    code = sb.authorization_code("http://localhost/a")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://localhost/b",
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
    }
    assert api.token(form).json()["error"] == "invalid_grant"
    code = sb.authorization_code("http://localhost/a")
    sb.advance(dt.timedelta(minutes=31))
    form.update(code=code, redirect_uri="http://localhost/a")
    assert api.token(form).json()["error"] == "invalid_grant"


def test_introspection(sb: Sandbox, api: Api) -> None:
    form = {"token": sb.access_token, "client_id": sb.client_id, "client_secret": sb.client_secret}
    live = api.http.post(sb.introspect_url, data=form, timeout=10).json()
    assert (live["active"], live["status"]) == (True, "active")
    sb.expire_tokens()
    dead = api.http.post(sb.introspect_url, data=form, timeout=10).json()
    assert (dead["active"], dead["status"]) == (False, "expired")


# -- Gateway: version, bearer, protocol (§1, §2.8, §2.9) ------------------------------------


def test_missing_version_header(api: Api) -> None:
    r = api.call("GET", "adAccountUsers?q=authenticatedUser", drop=("LinkedIn-Version",))
    assert r.status_code == 400
    assert r.json()["code"] == "VERSION_MISSING"
    assert r.json()["message"].startswith("A version must be present")
    assert "X-Restli-Gateway-Error" in r.headers


@pytest.mark.parametrize(
    ("version", "printed"),
    [
        ("202509", "20250901"),
        ("202510", "20251001"),
        ("202512", "20251201"),
        ("209901", "20990101"),
        ("latest", "latest"),
    ],
)
def test_inactive_versions_get_426(api: Api, version: str, printed: str) -> None:
    # Sandbox today is 2026-10-20: 202509 and 202510 are sunset, 202512 never existed.
    # LinkedIn prints the version as yyyymmdd (audit S15, ISS-426).
    r = api.call("GET", "adAccountUsers?q=authenticatedUser", headers={"LinkedIn-Version": version})
    assert r.status_code == 426
    assert r.json() == {
        "code": "NONEXISTENT_VERSION",
        "message": f"Requested version {printed} is not active",
        "status": 426,
    }


def test_version_activity_follows_the_sandbox_clock(sb: Sandbox, api: Api) -> None:
    path = "adAccountUsers?q=authenticatedUser"
    assert api.call("GET", path, headers={"LinkedIn-Version": "202511"}).status_code == 200
    assert api.call("GET", path, headers={"LinkedIn-Version": "202607.01"}).status_code == 200
    sb.set_now(dt.datetime(2026, 11, 16, tzinfo=dt.UTC))  # 202511's sunset day
    assert api.call("GET", path, headers={"LinkedIn-Version": "202511"}).status_code == 426
    # Custom version tables are injectable.
    with Sandbox(now=NOW, api_versions={"202701": dt.date(2028, 1, 15)}) as early:
        r = Api(early).call("GET", path, headers={"LinkedIn-Version": "202701"})
        assert r.status_code == 426  # not released yet on 2026-10-20


def test_bearer_checks(sb: Sandbox, api: Api) -> None:
    path = "adAccountUsers?q=authenticatedUser"
    missing = api.call("GET", path, drop=("Authorization",))
    assert missing.status_code == 401
    assert missing.json() == {
        "message": "Empty oauth2_access_token",
        "serviceErrorCode": 401,
        "status": 401,
    }
    invalid = api.call("GET", path, headers={"Authorization": "Bearer forged"})
    assert invalid.json() == {
        "serviceErrorCode": 65600,
        "code": "INVALID_ACCESS_TOKEN",
        "message": "Invalid access token",
        "status": 401,
    }
    sb.expire_tokens()
    expired = api.call("GET", path)
    assert (expired.status_code, expired.json()["code"]) == (401, "EXPIRED_ACCESS_TOKEN")
    sb.revoke_tokens()
    revoked = api.call("GET", path)
    assert (revoked.status_code, revoked.json()["code"]) == (401, "REVOKED_ACCESS_TOKEN")


def test_access_tokens_expire_after_60_days(sb: Sandbox, api: Api) -> None:
    sb.advance(dt.timedelta(days=60))
    r = api.call("GET", "adAccountUsers?q=authenticatedUser")
    assert r.json()["code"] == "EXPIRED_ACCESS_TOKEN"


def test_protocol_header_is_required(api: Api) -> None:
    r = api.call("GET", "adAccountUsers?q=authenticatedUser", drop=("X-Restli-Protocol-Version",))
    assert r.status_code == 400
    assert "X-Restli-Protocol-Version" in r.json()["message"]
    r = api.call(
        "GET", "adAccountUsers?q=authenticatedUser", headers={"X-Restli-Protocol-Version": "1.0.0"}
    )
    assert r.status_code == 400


def test_header_names_are_case_insensitive(sb: Sandbox) -> None:
    headers = {k.lower(): v for k, v in sb.api_headers().items()}
    headers["LINKEDIN-VERSION"] = headers.pop("linkedin-version")
    r = requests.get(
        f"{sb.base_url}/adAccountUsers?q=authenticatedUser", headers=headers, timeout=10
    )
    assert r.status_code == 200


def test_every_response_has_a_request_id(sb: Sandbox, api: Api) -> None:
    responses = [
        api.call("GET", "adAccountUsers?q=authenticatedUser"),
        api.call("GET", "nowhere"),
        api.call("GET", "adAccountUsers?q=authenticatedUser", drop=("Authorization",)),
        api.token(api.refresh_form()),
        requests.get(sb.url + "/", timeout=10),
    ]
    ids = [r.headers["x-li-request-id"] for r in responses]
    assert len(set(ids)) == len(ids)
    assert [q.request_id for q in sb.requests] == ids
    assert responses[1].status_code == 404


def test_missing_scope_is_403(sb: Sandbox, api: Api) -> None:
    token = sb.issue_access_token(scopes=["r_ads"])
    r = api.batch([event(sb.rule_urn)], headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert r.json()["code"] == "ACCESS_DENIED"
    assert r.json()["message"].startswith(
        "Not enough permissions to access: conversionEvents.BATCH_CREATE"
    )
    assert (
        api.call(
            "GET",
            "adAccountUsers?q=authenticatedUser",
            headers={"Authorization": f"Bearer {token}"},
        ).status_code
        == 200
    )


# -- Conversion events (§2) ------------------------------------------------------------------


def test_single_event_is_201_with_empty_body(sb: Sandbox, api: Api) -> None:
    r = api.call("POST", "conversionEvents", event(sb.rule_urn))
    assert r.status_code == 201
    assert r.content == b""
    assert r.headers["x-restli-id"]
    assert sb.events == [event(sb.rule_urn)]


def test_batch_create_answers_one_status_per_element(sb: Sandbox, api: Api) -> None:
    events = [event(sb.rule_urn, eventId=f"e{i}") for i in range(3)]
    r = api.batch(events)
    assert r.status_code == 200
    assert r.json() == {"elements": [{"status": 201}] * 3}
    assert sb.events == events
    assert sb.event_ids == ["e0", "e1", "e2"]
    assert sb.events_by_rule == {sb.rule_id: 3}
    assert sb.rule(sb.rule_id)["lastEventReceived"] == NOW_MS


def test_schema_errors_are_422_lines_per_element(sb: Sandbox, api: Api) -> None:
    bad0 = event(sb.rule_urn, conversionValue={"currencyCode": "USD"}, foo=1)
    bad2 = event(sb.rule_urn, conversionValue={"currencyCode": "USD", "amount": 19.9})
    bad2["user"]["userIds"] = [{"idType": "X", "idValue": "v"}]
    bad3 = event("urn:li:sponsoredConversion:1")
    r = api.batch([bad0, event(sb.rule_urn), bad2, bad3])
    assert r.status_code == 422
    assert r.json()["status"] == 422
    assert r.json()["message"] == (
        "Index: 0, ERROR :: /conversionValue/amount :: "
        "field is required but not found and has no default value\n"
        "ERROR :: /foo :: unrecognized field found but not allowed\n"
        "Index: 2, ERROR :: /conversionValue/amount :: 19.9 cannot be coerced to String\n"
        'ERROR :: /user/userIds/0/idType :: "X" is not an enum symbol\n'
        "Index: 3, ERROR :: /conversion :: Invalid Urn format. Invalid prefix.\n"
    )
    assert sb.event_count == 0  # all or nothing


def test_schema_error_lines_can_all_carry_the_index(sb: Sandbox) -> None:
    with Sandbox(now=NOW, index_every_line=True) as strict:
        bad = event(strict.rule_urn, conversionValue={}, bar=True)
        lines = Api(strict).batch([event(strict.rule_urn), bad]).json()["message"].splitlines()
    assert len(lines) == 3
    assert all(line.startswith("Index: 1, ERROR :: /") for line in lines)


def test_single_create_errors_have_no_index(sb: Sandbox, api: Api) -> None:
    r = api.call("POST", "conversionEvents", event(sb.rule_urn, conversionHappenedAt="yesterday"))
    assert r.status_code == 422
    assert (
        r.json()["message"]
        == 'ERROR :: /conversionHappenedAt :: "yesterday" cannot be coerced to Long\n'
    )


@pytest.mark.parametrize(
    ("mutate", "line"),
    [
        (
            lambda e: e.pop("user"),
            "ERROR :: /user :: field is required but not found and has no default value",
        ),
        (
            lambda e: e["user"].pop("userIds"),
            "ERROR :: /user/userIds :: field is required but not found and has no default value",
        ),
        (
            lambda e: e["user"]["userInfo"].pop("lastName"),
            "ERROR :: /user/userInfo/lastName :: "
            "field is required but not found and has no default value",
        ),
        (lambda e: e.update(eventId=None), "ERROR :: /eventId :: null cannot be coerced to String"),
        (
            lambda e: e.update(conversionHappenedAt=1.5),
            "ERROR :: /conversionHappenedAt :: 1.5 cannot be coerced to Long",
        ),
        (
            lambda e: e["user"].update(lead="urn:li:lead:1"),
            "ERROR :: /user/lead :: Invalid Urn format. Invalid prefix.",
        ),
        (
            lambda e: e["user"].update(externalIds="crm-1"),
            'ERROR :: /user/externalIds :: "crm-1" is not backed by a DataList',
        ),
        (
            lambda e: e["user"]["userIds"][0].update(extra=1),
            "ERROR :: /user/userIds/0/extra :: unrecognized field found but not allowed",
        ),
    ],
)
def test_schema_error_forms(sb: Sandbox, api: Api, mutate: object, line: str) -> None:
    bad = event(sb.rule_urn)
    mutate(bad)  # type: ignore[operator]
    r = api.batch([bad])
    assert r.status_code == 422
    assert r.json()["message"] == f"Index: 0, {line}\n"


def test_optional_identifiers_are_accepted(sb: Sandbox, api: Api) -> None:
    full = event(sb.rule_urn)
    full["user"].update(lead="urn:li:leadGenFormResponse:9", externalIds=["crm-1"])
    full["user"]["userIds"].append(
        {"idType": "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID", "idValue": "x"}
    )
    lean = {
        "conversion": sb.rule_urn,
        "conversionHappenedAt": NOW_MS,
        "user": {"userIds": [], "lead": "urn:li:leadGenFormResponse:1"},
    }
    assert api.batch([full, lean]).status_code == 200


def test_the_new_id_types_are_not_version_gated(sb: Sandbox, api: Api) -> None:
    # "available on all active versions" (audit E2); per-version cases: tests/sandbox/
    e = event(sb.rule_urn)
    e["user"]["userIds"] = [{"idType": "GOOGLE_AID", "idValue": "g"}]
    assert api.batch([e], headers={"LinkedIn-Version": "202601"}).status_code == 200


def test_time_window_is_90_days_and_not_future(sb: Sandbox, api: Api) -> None:
    edge = event(sb.rule_urn, conversionHappenedAt=NOW_MS - 90 * DAY_MS)
    old = event(sb.rule_urn, conversionHappenedAt=NOW_MS - 90 * DAY_MS - 1)
    seconds = event(sb.rule_urn, conversionHappenedAt=NOW_MS // 1000)
    future = event(sb.rule_urn, conversionHappenedAt=NOW_MS + 1)
    r = api.batch([edge, old, event(sb.rule_urn), seconds, future])
    assert r.status_code == 400
    assert r.json() == {
        "message": "Conversion time should be within 90 days and not exceed current time, "
        "indices [1, 3, 4] (0-indexed).",
        "status": 400,
    }
    assert sb.event_count == 0
    assert api.batch([edge, event(sb.rule_urn, conversionHappenedAt=NOW_MS)]).status_code == 200


def test_rule_method_and_access(sb: Sandbox, api: Api) -> None:
    tag = event(f"urn:lla:llaPartnerConversion:{sb.tag_rule_id}")
    r = api.batch([event(sb.rule_urn), tag])
    assert (r.status_code, r.json()["message"]) == (
        400,
        "Incorrect conversions information provided. "
        "Conversion's method should be CONVERSIONS_API, indices [1] (0-indexed)",
    )
    unknown = api.batch([event("urn:lla:llaPartnerConversion:999")])
    assert (unknown.status_code, unknown.json()) == (
        403,
        {"message": "No ad accounts found", "status": 403},
    )
    viewer_rule = sb.add_rule("viewer's", account=sb.viewer_account_id)
    viewer = api.batch([event(f"urn:lla:llaPartnerConversion:{viewer_rule['id']}")])
    assert viewer.status_code == 403


def test_batch_limit(sb: Sandbox, api: Api) -> None:
    slim = {
        "conversion": sb.rule_urn,
        "conversionHappenedAt": NOW_MS,
        "user": {"userIds": [], "lead": "urn:li:leadGenFormResponse:1"},
    }
    too_many = api.batch([slim] * 5001)
    assert too_many.status_code == 400
    assert "5001" in too_many.json()["message"]
    assert api.batch([slim] * 5000).status_code == 200
    assert sb.event_count == 5000


def test_malformed_bodies(sb: Sandbox, api: Api) -> None:
    assert api.call("POST", "conversionEvents", raw=b"{not json").status_code == 400
    text = api.call("POST", "conversionEvents", raw=b"{}", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    no_elements = api.call(
        "POST", "conversionEvents", [event(sb.rule_urn)], restli_method="BATCH_CREATE"
    )
    assert no_elements.status_code == 400
    assert api.call("POST", "conversionEvents", {}, restli_method="BATCH_DELETE").status_code == 400
    assert api.call("GET", "conversionEvents").status_code == 405


def test_store_events_false_keeps_counts_and_ids(api: Api) -> None:
    with Sandbox(now=NOW, store_events=False, record_bodies=False) as lean:
        r = Api(lean).batch([event(lean.rule_urn, eventId=f"e{i}") for i in range(4)])
        assert r.status_code == 200
        assert (lean.events, lean.event_count, lean.event_ids) == ([], 4, ["e0", "e1", "e2", "e3"])
        assert lean.requests[0].body is None


def test_duplicates_are_stored_not_deduplicated(sb: Sandbox, api: Api) -> None:
    api.batch([event(sb.rule_urn, eventId="same")])
    api.batch([event(sb.rule_urn, eventId="same")])
    assert sb.duplicate_event_ids == {"same": 2}


def test_sandbox_must_be_running_for_urls() -> None:
    with pytest.raises(SandboxError, match="not running"):
        _ = Sandbox().url


def test_index_page_describes_the_sandbox(sb: Sandbox) -> None:
    body = requests.get(sb.url + "/", timeout=10).json()
    assert body["base_url"] == sb.base_url
    assert json.dumps(body).count(sb.client_secret) == 0


def test_email_hash_fixture_is_64_hex() -> None:
    assert len(EMAIL_HASH) == 64 and NOW.tzinfo is dt.UTC
