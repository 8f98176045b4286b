"""The ``/rest/conversions`` resource: create, list (``q=account``), get, partial update.

``linkedin-api.md`` §3 and audit rows F1–F11. Rules are stored as LinkedIn-shaped dicts so
responses are the stored value (optionally projected with ``fields=``). Rules may be shared
with other ad accounts: the finder lists them only when ``conversionOwnershipTypes`` asks
for ``SHARED`` (from 202605; audit F8), and answers carry ``ownershipType`` from 202605.
"""

from __future__ import annotations

import json
import re
from typing import Any

from linkedin_capi.sandbox import _schema as S
from linkedin_capi.sandbox._http import JSON_TYPE, Request, Response, api_error, json_response
from linkedin_capi.sandbox._messages import bad, line, render, unknown
from linkedin_capi.sandbox._schema import ACCOUNT_URN_PREFIX
from linkedin_capi.sandbox._state import State, to_ms
from linkedin_capi.sandbox._versions import at_least

_ENUMS: dict[str, frozenset[str]] = {
    "conversionMethod": S.CONVERSION_METHODS,
    "type": S.RULE_TYPES,
    "attributionType": S.ATTRIBUTION_TYPES,
    "valueType": S.VALUE_TYPES,
}
_KINDS: dict[str, str] = {
    "name": "String",
    "account": "String",
    "enabled": "Boolean",
    "postClickAttributionWindowSize": "Integer",
    "viewThroughAttributionWindowSize": "Integer",
    "value": "Record",
    "campaigns": "Array",
    "associatedCampaigns": "Array",
    "urlRules": "Array",
}
_PY_TYPES: dict[str, type] = {
    "String": str,
    "Boolean": bool,
    "Integer": int,
    "Record": dict,
    "Array": list,
}


def rule_errors(fields: dict[str, Any], *, partial: bool) -> list[str]:
    """Schema errors of a rule body (create) or a ``$set`` (partial update).

    Examples
    --------
    >>> rule_errors({"name": "x", "account": "urn:li:sponsoredAccount:1",
    ...              "conversionMethod": "CONVERSIONS_API", "type": "BUY"}, partial=False)
    ['ERROR :: /type :: "BUY" is not an enum symbol']
    """
    errs: list[str] = []
    if not partial:
        for key in S.RULE_REQUIRED:
            if key not in fields:
                errs.append(line(f"/{key}", S.MSG_REQUIRED))
    for key, value in fields.items():
        path = f"/{key}"
        if key in _ENUMS:
            if type(value) is not str:
                bad(errs, fields, key, path, "String")
            elif value not in _ENUMS[key]:
                errs.append(line(path, f"{render(value)} is not an enum symbol"))
        elif key in _KINDS:
            kind = _KINDS[key]
            if type(value) is not _PY_TYPES[kind]:
                bad(errs, fields, key, path, kind)
            elif isinstance(value, str) and key == "account":
                if not value.startswith(ACCOUNT_URN_PREFIX):
                    errs.append(line(path, S.MSG_BAD_URN_PREFIX))
            elif isinstance(value, dict) and key == "value":
                for part in ("currencyCode", "amount"):
                    if type(value.get(part)) is not str:
                        bad(errs, value, part, f"/value/{part}", "String")
                if not value.keys() <= S.VALUE_FIELDS:
                    unknown(errs, value, S.VALUE_FIELDS, "/value")
        elif key not in S.RULE_READ_ONLY:
            errs.append(line(path, S.MSG_UNKNOWN_FIELD))
    return errs


def settings_error(rule: dict[str, Any], version: str | None) -> str | None:
    """Business rules on type and windows (audit F4–F6); ``None`` when the rule is allowed.

    ``version`` ``None`` judges by the newest rules (rules seeded without a request).
    The messages are the sandbox's: LinkedIn's texts for these 400s were never recorded.

    Examples
    --------
    >>> settings_error({"type": "SALES_QUALIFIED_LEAD"}, "202607")
    'Conversion type SALES_QUALIFIED_LEAD is supported only for API versions 202608 and later'
    >>> settings_error({"type": "LEAD", "postClickAttributionWindowSize": 180}, "202601") is None
    True
    """
    kind = rule.get("type")
    if (
        kind in S.QUALIFIED_LEAD_TYPES
        and version is not None
        and not at_least(version, S.QUALIFIED_LEAD_SINCE)
    ):
        return (
            f"Conversion type {kind} is supported only for API versions "
            f"{S.QUALIFIED_LEAD_SINCE} and later"
        )
    post = rule.get("postClickAttributionWindowSize", 30)
    view = rule.get("viewThroughAttributionWindowSize", 7)
    long_ok = kind in S.LONG_WINDOW_TYPES and rule.get("conversionMethod") in S.LONG_WINDOW_METHODS
    if post not in S.POST_CLICK_WINDOWS and not (post == S.LONG_WINDOW and long_ok):
        allowed = ", ".join(map(str, sorted(S.POST_CLICK_WINDOWS)))
        return (
            f"Invalid postClickAttributionWindowSize {post} for conversion type "
            f"{kind}: allowed values are {allowed} ({S.LONG_WINDOW} only for "
            f"{', '.join(sorted(S.LONG_WINDOW_TYPES))} rules of Conversions API or offline)"
        )
    if view not in S.VIEW_THROUGH_WINDOWS:
        allowed = ", ".join(map(str, sorted(S.VIEW_THROUGH_WINDOWS)))
        return f"Invalid viewThroughAttributionWindowSize {view}: allowed values are {allowed}"
    return None


def _json_body(req: Request) -> tuple[Any, Response | None]:
    if req.content_type != JSON_TYPE:
        return None, api_error(
            415, f"Unsupported Content-Type {req.content_type or '(none)'!r}; send application/json"
        )
    try:
        return json.loads(req.body), None
    except ValueError as exc:
        return None, api_error(400, f"Unable to parse the request body as JSON: {exc}")


def _project(entity: dict[str, Any], req: Request) -> dict[str, Any]:
    """Apply a Rest.li ``fields=`` projection (top-level fields only)."""
    fields = req.param("fields")
    if not fields:
        return dict(entity)
    wanted = {f.strip() for f in fields.split(",") if f.strip()}
    return {k: v for k, v in entity.items() if k in wanted}


def _entity(rule: dict[str, Any], account: str, version: str) -> dict[str, Any]:
    """A rule as the finder lists it for ``account``: ``ownershipType`` from 202605 (F8).

    NL-Q2 documents the field on the ``q=account`` finder; create and GET answers keep
    the recorded shape without it.
    """
    entity = dict(rule)
    if at_least(version, S.OWNERSHIP_SINCE):
        entity["ownershipType"] = "OWNED" if rule["account"] == account else "SHARED"
    return entity


def _denied(what: str) -> Response:
    return api_error(
        403,
        f"Not enough permissions to {what}",
        code="ACCESS_DENIED",
        service_error_code=100,
    )


def create(req: Request, state: State, member: str, version: str) -> Response:
    """``POST /rest/conversions`` → 201 with ``x-restli-id``, ``Location`` and the entity."""
    body, error = _json_body(req)
    if error is not None:
        return error
    if type(body) is not dict:
        return api_error(422, line("", f"{render(body)} is not backed by a DataMap") + "\n")
    errs = rule_errors(body, partial=False)
    if errs:
        return api_error(422, "\n".join(errs) + "\n")
    association = req.param("autoAssociationType")
    if association is not None and association not in S.AUTO_ASSOCIATION_TYPES:
        return api_error(
            400,
            f"Invalid autoAssociationType {association!r}; "
            f"expected one of {sorted(S.AUTO_ASSOCIATION_TYPES)}",
        )
    with state.lock:
        role = state.role(member, body["account"])
        if role is None or role == S.READ_ONLY_ROLE:
            return _denied(
                f"create conversions for {body['account']}: "
                "the member needs a non-VIEWER role on the ad account"
            )
        problem = settings_error(body, version)
        if problem:
            return api_error(400, problem)
        rule = state.new_rule({k: v for k, v in body.items() if k not in S.RULE_READ_ONLY})
        if association == "ALL_CAMPAIGNS":
            # "all active/paused/draft campaigns of the account", once, at create (api.md
            # §3.1). OBJECTIVE_BASED associates none here: its matching is undocumented.
            rule["campaigns"] = [
                f"{S.CAMPAIGN_URN_PREFIX}{cid}"
                for cid, c in sorted(state.campaigns.items())
                if c["account"] == rule["account"] and c["status"] in S.AUTO_ASSOCIATED_STATUSES
            ]
        entity = dict(rule)
    rid = str(entity["id"])
    return json_response(201, entity, {"x-restli-id": rid, "Location": f"/conversions/{rid}"})


_LIST = re.compile(r"^List\(([A-Z_,]*)\)$")


def ownership(req: Request, version: str) -> tuple[frozenset[str], Response | None]:
    """The ownership types a ``q=account`` call asks for (default ``OWNED``, audit F8).

    ``conversionOwnershipTypes=List(OWNED,SHARED)`` (or one bare symbol). Before 202605,
    which has no such parameter, the sandbox ignores it and lists owned rules.
    """
    raw = req.param("conversionOwnershipTypes")
    if raw is None or not at_least(version, S.OWNERSHIP_SINCE):
        return frozenset({"OWNED"}), None
    match = _LIST.match(raw.strip())
    asked = {v for v in (match.group(1).split(",") if match else [raw.strip()]) if v}
    if not asked or not asked <= S.OWNERSHIP_TYPES:
        return frozenset(), api_error(
            400,
            f"Invalid value for query parameter 'conversionOwnershipTypes': {raw!r}; "
            "expected List(OWNED), List(SHARED) or List(OWNED,SHARED)",
        )
    return frozenset(asked), None


def list_rules(
    req: Request, state: State, member: str, max_page_size: int | None, version: str
) -> Response:
    """``GET /rest/conversions?q=account&account=<urn>&start=&count=`` (index paging, total -1)."""
    if req.param("q") != "account":
        return api_error(400, f"Unsupported finder q={req.param('q')!r}; use q=account")
    account = req.param("account")
    if not account:
        return api_error(
            400,
            "Missing required query parameter 'account' (an encoded urn:li:sponsoredAccount:<id>)",
        )
    if "account=urn:" in req.raw_query:
        return api_error(
            400,
            "Invalid value for query parameter 'account': URNs in query strings must be "
            f"URL-encoded (account=urn%3Ali%3AsponsoredAccount%3A...), got {account!r}",
        )
    try:
        start = int(req.param("start") or 0)
        count = int(req.param("count") or 10)
    except ValueError:
        return api_error(400, "start and count must be integers")
    if start < 0 or count < 0:
        return api_error(400, "start and count must not be negative")
    wanted, error = ownership(req, version)
    if error is not None:
        return error
    with state.lock:
        if state.role(member, account) is None:
            return _denied(f"access conversions of {account}")
        rules = sorted(
            (
                r
                for r in state.rules.values()
                if ("OWNED" in wanted and r["account"] == account)
                or ("SHARED" in wanted and account in state.shared.get(r["id"], ()))
            ),
            key=lambda r: r["id"],
        )
        served = count if max_page_size is None else min(count, max_page_size)
        page = [_project(_entity(r, account, version), req) for r in rules[start : start + served]]
    paging = {"start": start, "count": count, "links": [], "total": -1}
    return json_response(200, {"paging": paging, "elements": page})


def _find(
    state: State, member: str, key: str, req: Request
) -> tuple[dict[str, Any] | None, str, Response | None]:
    """The rule, the account it is seen from, or the error (404, 403)."""
    if not key.isdigit() or int(key) not in state.rules:
        return None, "", api_error(404, f"Conversion {key} not found", code="NOT_FOUND")
    rule = state.rules[int(key)]
    accounts = state.accounts_of(rule["id"])
    account = req.param("account")
    if account is not None and account not in accounts:
        return (
            None,
            "",
            api_error(404, f"Conversion {key} not found in account {account}", code="NOT_FOUND"),
        )
    seen_from = [a for a in ([account] if account else accounts) if state.role(member, a)]
    if not seen_from:
        return None, "", _denied(f"access conversion {key}")
    return rule, seen_from[0], None


def get(req: Request, state: State, member: str, key: str) -> Response:
    """``GET /rest/conversions/<id>[?account=<urn>]`` → 200 with the entity.

    ``account`` may name the owner or an account the rule is shared with. The answer has
    the recorded shape whatever the version (no ``ownershipType``).
    """
    with state.lock:
        rule, _, error = _find(state, member, key, req)
        if error is not None or rule is None:
            return error or api_error(404, "not found")
        return json_response(200, _project(rule, req))


def partial_update(req: Request, state: State, member: str, key: str, version: str) -> Response:
    """``POST /rest/conversions/<id>`` + ``PARTIAL_UPDATE``, ``{"patch":{"$set":{...}}}`` → 204."""
    body, error = _json_body(req)
    if error is not None:
        return error
    patch = body.get("patch") if type(body) is dict else None
    if type(patch) is not dict or not patch.keys() <= {"$set", "$delete"}:
        return api_error(400, 'A PARTIAL_UPDATE body must be {"patch": {"$set": {...}}}')
    changes = patch.get("$set", {})
    if type(changes) is not dict:
        return api_error(400, '"$set" must be an object of fields to change')
    errs = rule_errors(changes, partial=True)
    if errs:
        return api_error(422, "\n".join(errs) + "\n")
    immutable = sorted(set(changes) & S.RULE_IMMUTABLE)
    if immutable:
        return api_error(
            400, f"Fields cannot be changed by a partial update: {', '.join(immutable)}"
        )
    with state.lock:
        rule, _, error = _find(state, member, key, req)
        if error is not None or rule is None:
            return error or api_error(404, "not found")
        role = state.role(member, rule["account"])
        if role is None or role == S.READ_ONLY_ROLE:
            return _denied(
                f"update conversion {key}: the member needs a non-VIEWER role on "
                f"{rule['account']}, the account that owns it"
            )
        problem = settings_error({**rule, **changes}, version if "type" in changes else None)
        if problem:
            return api_error(400, problem)
        rule.update(changes)
        rule["lastModified"] = to_ms(state.clock.now())
    return Response(204)
