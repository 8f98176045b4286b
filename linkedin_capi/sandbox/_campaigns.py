"""Campaigns of an ad account and their association with conversion rules.

* ``GET /rest/adAccounts/<id>/adCampaigns?q=search[&search=(status:(values:List(…)))]``
  with cursor paging (``pageSize``, ``pageToken``, ``metadata.nextPageToken``) and
  ``fields=`` (api.md §3.5 and §4.2: PM, SEG, MS-CURSOR).
* ``/rest/campaignConversions/(campaign:<urn>,conversion:<urn>)``: ``PUT`` with body
  ``{"campaign": …, "conversion": …}`` → 204 associates (PM recording), ``GET`` reads one
  association, ``DELETE`` → 204 removes it. ``PUT``/``DELETE`` on
  ``campaignConversions?ids=List(<key>,…)`` (body ``{"entities": {<key>: {…}}}`` for PUT)
  do the same per key, Rest.li BATCH_UPDATE / BATCH_DELETE style (SEG, since 202401).

A rule's ``campaigns`` field lists the campaign URNs associated with it. The sandbox's
choices (declared in the README): URNs inside a key must be percent-encoded (Rest.li 2.0),
the body must name the key's campaign and conversion, and a campaign may be associated
only with a rule its account owns or that is shared with its account.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from linkedin_capi.sandbox import _schema as S
from linkedin_capi.sandbox._http import JSON_TYPE, Request, Response, api_error, json_response
from linkedin_capi.sandbox._state import State

_KEY = re.compile(
    r"^\(campaign:"
    + re.escape(S.CAMPAIGN_URN_PREFIX)
    + r"(\d+),conversion:"
    + re.escape(S.RULE_URN_PREFIX)
    + r"(\d+)\)$"
)
_STATUS_FACET = re.compile(r"^\(status:\(values:List\(([A-Z_,]*)\)\)\)$")


def campaign_urn(campaign_id: int) -> str:
    """``urn:li:sponsoredCampaign:<id>``."""
    return f"{S.CAMPAIGN_URN_PREFIX}{campaign_id}"


def search(req: Request, state: State, member: str, account_id: str) -> Response:
    """``GET /rest/adAccounts/<id>/adCampaigns?q=search``: the account's campaigns, paged."""
    if req.method != "GET" or req.param("q") != "search":
        return api_error(400, "Unsupported request on adCampaigns; use GET ...?q=search")
    wanted: set[str] | None = None
    facet = req.param("search")
    if facet is not None:
        match = _STATUS_FACET.match(facet.strip())
        if match is None or "search=(" not in req.raw_query:
            return api_error(
                400,
                "Unsupported search: the sandbox knows search=(status:(values:List(ACTIVE,...))) "
                f"with literal parentheses, got {facet!r}",
            )
        wanted = {v for v in match.group(1).split(",") if v}
        if not wanted <= S.CAMPAIGN_STATUSES:
            bad = sorted(wanted - S.CAMPAIGN_STATUSES)
            return api_error(400, f"Invalid campaign status {', '.join(bad)}")
    try:
        size = int(req.param("pageSize") or S.SEARCH_PAGE_SIZE)
        start = int(req.param("pageToken") or 0)
    except ValueError:
        return api_error(400, "pageSize must be an integer and pageToken one returned by the API")
    if size < 1 or start < 0:
        return api_error(400, "pageSize must be positive and pageToken one returned by the API")
    account = f"{S.ACCOUNT_URN_PREFIX}{account_id}"
    with state.lock:
        if not account_id.isdigit() or int(account_id) not in state.accounts:
            return api_error(404, f"Ad account {account_id} not found", code="NOT_FOUND")
        if state.role(member, account) is None:
            return api_error(
                403,
                f"Not enough permissions to access campaigns of {account}",
                code="ACCESS_DENIED",
                service_error_code=100,
            )
        found = [
            dict(c)
            for _, c in sorted(state.campaigns.items())
            if c["account"] == account and (wanted is None or c["status"] in wanted)
        ]
    fields = {f.strip() for f in (req.param("fields") or "").split(",") if f.strip()}
    page = [{k: v for k, v in c.items() if not fields or k in fields} for c in found]
    page = page[start : start + size]
    nxt = str(start + size) if start + size < len(found) else None
    return json_response(200, {"elements": page, "metadata": {"nextPageToken": nxt} if nxt else {}})


def _parse_key(raw: str) -> tuple[int, int] | None:
    """``(campaign id, rule id)`` of an encoded compound key, or ``None``."""
    if "urn:" in raw:  # Rest.li 2.0 wants the URNs inside the key percent-encoded
        return None
    match = _KEY.match(unquote(raw))
    return None if match is None else (int(match.group(1)), int(match.group(2)))


def _associate(
    state: State, member: str, campaign_id: int, rule_id: int, link: bool
) -> tuple[int, str]:
    """Link (or unlink) one pair under the lock: ``(status, message)``."""
    campaign = state.campaigns.get(campaign_id)
    if campaign is None:
        return 404, f"Campaign {campaign_id} not found"
    role = state.role(member, campaign["account"])
    if role is None or role == S.READ_ONLY_ROLE:
        return 403, (
            f"Not enough permissions to change conversions of campaign {campaign_id}: "
            "the member needs a non-VIEWER role on its ad account"
        )
    rule = state.rules.get(rule_id)
    if rule is None or campaign["account"] not in state.accounts_of(rule_id):
        return 404, f"Conversion {rule_id} not found in {campaign['account']}"
    urn = campaign_urn(campaign_id)
    if link:
        if urn not in rule["campaigns"]:
            rule["campaigns"].append(urn)
        return 204, ""
    if urn not in rule["campaigns"]:
        return 404, f"Campaign {campaign_id} is not associated with conversion {rule_id}"
    rule["campaigns"].remove(urn)
    return 204, ""


def _body(req: Request) -> tuple[Any, Response | None]:
    if req.content_type != JSON_TYPE:
        return None, api_error(
            415, f"Unsupported Content-Type {req.content_type or '(none)'!r}; send application/json"
        )
    try:
        return json.loads(req.body), None
    except ValueError as exc:
        return None, api_error(400, f"Unable to parse the request body as JSON: {exc}")


def _entity_matches(entity: Any, campaign_id: int, rule_id: int) -> bool:
    return type(entity) is dict and entity == {
        "campaign": campaign_urn(campaign_id),
        "conversion": f"{S.RULE_URN_PREFIX}{rule_id}",
    }


def handle(req: Request, state: State, member: str, raw_key: str | None) -> Response:
    """``/rest/campaignConversions`` (single key in the path, or ``?ids=List(...)``)."""
    if raw_key is None:
        return _batch(req, state, member)
    key = _parse_key(raw_key)
    if key is None:
        return api_error(
            400,
            "Invalid key: expected (campaign:urn%3Ali%3AsponsoredCampaign%3A<id>,"
            "conversion:urn%3Alla%3AllaPartnerConversion%3A<id>) with encoded URNs",
        )
    campaign_id, rule_id = key
    if req.method == "GET":
        with state.lock:
            rule = state.rules.get(rule_id)
            campaign = state.campaigns.get(campaign_id)
            if campaign is None or state.role(member, campaign["account"]) is None:
                return api_error(404, "Campaign conversion not found", code="NOT_FOUND")
            if rule is None or campaign_urn(campaign_id) not in rule["campaigns"]:
                return api_error(404, "Campaign conversion not found", code="NOT_FOUND")
        conversion = f"{S.RULE_URN_PREFIX}{rule_id}"
        return json_response(200, {"campaign": campaign_urn(campaign_id), "conversion": conversion})
    if req.method == "PUT":
        body, error = _body(req)
        if error is not None:
            return error
        if not _entity_matches(body, campaign_id, rule_id):
            return api_error(
                400,
                'The body must be {"campaign": <campaign urn>, "conversion": <rule urn>} '
                "naming the key's campaign and conversion",
            )
    with state.lock:
        status, message = _associate(state, member, campaign_id, rule_id, req.method == "PUT")
    if status != 204:
        return api_error(status, message)
    return Response(204)


def _batch(req: Request, state: State, member: str) -> Response:
    if req.method not in ("PUT", "DELETE") or req.param("ids") is None:
        return api_error(
            400,
            "Unsupported request on /campaignConversions; use PUT/GET/DELETE on a key or "
            "PUT/DELETE ?ids=List(...)",
        )
    if not re.search(r"(?:^|&)ids=List\(", req.raw_query):
        return api_error(
            400, "Malformed ids parameter: expected ids=List(...) with literal parentheses"
        )
    raw = req.raw_query.split("ids=", 1)[1].split("&", 1)[0]
    keys = _split_list(raw[5:-1]) if raw.startswith("List(") and raw.endswith(")") else []
    entities: dict[str, Any] = {}
    if req.method == "PUT":
        body, error = _body(req)
        if error is not None:
            return error
        if type(body) is not dict or type(body.get("entities")) is not dict:
            return api_error(400, 'A batch PUT body must be {"entities": {<key>: {...}}}')
        entities = {unquote(k): v for k, v in body["entities"].items()}
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    with state.lock:
        for raw_key in keys:
            key = _parse_key(raw_key)
            shown = unquote(raw_key)
            if key is None:
                errors[shown] = {"status": 400, "message": "Invalid key"}
                continue
            if req.method == "PUT" and not _entity_matches(entities.get(shown), *key):
                errors[shown] = {"status": 400, "message": "No matching entity for the key"}
                continue
            status, message = _associate(state, member, *key, link=req.method == "PUT")
            if status == 204:
                results[shown] = {"status": 204}
            else:
                errors[shown] = {"status": status, "message": message}
    return json_response(200, {"results": results, "errors": errors})


def _split_list(inner: str) -> list[str]:
    """Top-level items of a Rest.li ``List(...)`` body (items may hold parentheses)."""
    items, depth, current = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        current += ch
    if current:
        items.append(current)
    return items
