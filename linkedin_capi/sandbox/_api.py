"""The versioned REST API under ``/rest``: gateway checks, then the resources.

Order of checks, as a LinkedIn gateway would apply them: ``LinkedIn-Version`` (400
``VERSION_MISSING`` / 426 ``NONEXISTENT_VERSION``), bearer token (401), Rest.li protocol
header (400), route (404/405), token scope (403), then the resource itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from linkedin_capi.sandbox import _campaigns, _rules, _versions
from linkedin_capi.sandbox import _schema as S
from linkedin_capi.sandbox._events import EventSchema, TimeErrorForm, check_events
from linkedin_capi.sandbox._http import JSON_TYPE, Request, Response, api_error, json_response
from linkedin_capi.sandbox._schema import (
    ACCOUNT_URN_PREFIX,
    MAX_BATCH_SIZE,
    MAX_RULES_PER_BATCH,
    RESTLI_PROTOCOL_VERSION,
    WINDOW_DAYS,
)
from linkedin_capi.sandbox._state import State, to_ms

_BATCH_OK = b'{"status":201}'
_WINDOW_MS = WINDOW_DAYS * 86_400_000
_RW_CONVERSIONS = ("rw_conversions",)
_READ_ADS = ("r_ads", "rw_ads")


@dataclass(frozen=True)
class ApiConfig:
    """Behaviour switches of the simulated API."""

    api_versions: Mapping[str, dt.date]
    max_page_size: int | None = None
    index_every_line: bool = False
    wrong_method_indices: bool = True
    time_error_form: TimeErrorForm = "indices"


def version_error(
    value: str | None, today: dt.date, versions: Mapping[str, dt.date]
) -> Response | None:
    """The gateway's answer to a missing or inactive ``LinkedIn-Version`` (audit B3, B4).

    Active: released (first day of its month) and before its sunset, published in
    ``versions`` or else twelve months after release (:mod:`._versions`).
    """
    if not value:
        return api_error(
            400,
            S.MSG_VERSION_MISSING,
            code="VERSION_MISSING",
            headers={"X-Restli-Gateway-Error": "true"},
        )
    if _versions.is_active(value, today, versions):
        return None
    return api_error(
        426,
        S.MSG_VERSION_INACTIVE.format(version=_versions.as_printed(value)),
        code="NONEXISTENT_VERSION",
        headers={"X-Restli-Gateway-Error": "true"},
    )


def bearer(req: Request, state: State) -> tuple[str | None, tuple[str, ...], Response | None]:
    """Authenticate the bearer token: (member, scopes, None) or (None, (), 401 response)."""
    header = req.header("authorization") or ""
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        return None, (), api_error(401, "Empty oauth2_access_token", service_error_code=401)
    with state.lock:
        token = state.access_tokens.get(header[7:].strip())
        if token is None:
            return (
                None,
                (),
                api_error(
                    401,
                    "Invalid access token",
                    code="INVALID_ACCESS_TOKEN",
                    service_error_code=65600,
                ),
            )
        if token.revoked:
            return (
                None,
                (),
                api_error(
                    401,
                    "The token used in the request has been revoked by the user",
                    code="REVOKED_ACCESS_TOKEN",
                    service_error_code=65601,
                ),
            )
        if token.expires_at <= state.clock.now():
            return (
                None,
                (),
                api_error(
                    401,
                    "The token used in the request has expired",
                    code="EXPIRED_ACCESS_TOKEN",
                    service_error_code=65602,
                ),
            )
        return token.member, token.scopes, None


def handle(req: Request, state: State, cfg: ApiConfig) -> Response:
    """Answer one request under ``/rest``."""
    version = req.header("linkedin-version")
    error = version_error(version, state.clock.now().date(), cfg.api_versions)
    if error is not None:
        return error
    member, scopes, error = bearer(req, state)
    if error is not None or member is None:
        return error or api_error(401, "Invalid access token")
    protocol = req.header("x-restli-protocol-version")
    if protocol != RESTLI_PROTOCOL_VERSION:
        return api_error(400, S.MSG_PROTOCOL.format(got=protocol or "(none)"))
    raw_parts = [p for p in req.path[len("/rest/") :].split("/") if p]
    parts = [unquote(p) for p in raw_parts]
    resource, key = (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else None)
    sub = parts[2] if len(parts) > 2 else None
    nested = resource == "adAccounts" and sub == "adCampaigns" and len(parts) == 3
    if (len(parts) > 2 and not nested) or resource not in _ROUTES:
        return api_error(404, S.MSG_NO_RESOURCE, code="NOT_FOUND")
    allowed, needed = _ADCAMPAIGNS if nested else _ROUTES[resource]
    if req.method not in allowed:
        return api_error(
            405,
            f"Method {req.method} is not allowed on /{resource}",
            headers={"Allow": ", ".join(allowed)},
        )
    version = (version or "").strip()
    if not set(needed) & set(scopes):
        op = (req.header("x-restli-method") or req.method).upper()
        return api_error(
            403,
            f"Not enough permissions to access: {resource}.{op}.{_versions.as_printed(version)}",
            code="ACCESS_DENIED",
            service_error_code=100,
        )
    if resource == "conversionEvents":
        if key is not None:
            return api_error(404, S.MSG_NO_RESOURCE, code="NOT_FOUND")
        return conversion_events(req, state, member, version, cfg)
    if resource == "conversions":
        return _conversions(req, state, member, key, cfg, version)
    if resource == "campaignConversions":
        return _campaigns.handle(req, state, member, raw_parts[1] if key is not None else None)
    if resource == "adAccountUsers":
        return ad_account_users(req, state, member)
    if nested and key is not None:
        return _campaigns.search(req, state, member, key)
    return ad_accounts(req, state, member, key)


def _conversions(
    req: Request, state: State, member: str, key: str | None, cfg: ApiConfig, version: str
) -> Response:
    restli = (req.header("x-restli-method") or "").upper()
    if key is None:
        if req.method == "GET":
            return _rules.list_rules(req, state, member, cfg.max_page_size, version)
        if restli not in ("", "CREATE"):
            return api_error(400, f"Unsupported X-RestLi-Method {restli} on /conversions")
        return _rules.create(req, state, member, version)
    if req.method == "GET":
        return _rules.get(req, state, member, key)
    if restli != "PARTIAL_UPDATE":
        return api_error(
            400,
            f"A POST to /conversions/{key} needs X-RestLi-Method: PARTIAL_UPDATE, "
            f"got {restli or '(none)'}",
        )
    return _rules.partial_update(req, state, member, key, version)


def conversion_events(
    req: Request, state: State, member: str, version: str, cfg: ApiConfig
) -> Response:
    """``POST /rest/conversionEvents``: one event (201) or ``BATCH_CREATE`` (200)."""
    restli = (req.header("x-restli-method") or "").upper()
    if restli not in ("", "CREATE", "BATCH_CREATE"):
        return api_error(400, f"Unsupported X-RestLi-Method {restli} on /conversionEvents")
    if req.content_type != JSON_TYPE:
        return api_error(
            415, f"Unsupported Content-Type {req.content_type or '(none)'!r}; send application/json"
        )
    try:
        body: Any = json.loads(req.body)
    except ValueError as exc:
        return api_error(400, f"Unable to parse the request body as JSON: {exc}")
    batch = restli == "BATCH_CREATE"
    if batch:
        if type(body) is not dict or type(body.get("elements")) is not list:
            return api_error(400, 'A BATCH_CREATE body must be {"elements": [...]}')
        if not body.keys() <= {"elements"}:
            extra = ", ".join(sorted(k for k in body if k != "elements"))
            return api_error(400, f"Unexpected fields in the BATCH_CREATE body: {extra}")
        elements: list[Any] = body["elements"]
        if len(elements) > MAX_BATCH_SIZE:
            return api_error(
                400,
                f"Too many elements in one BATCH_CREATE request: {len(elements)}; "
                f"at most {MAX_BATCH_SIZE} are allowed",
            )
        distinct = {
            e["conversion"]
            for e in elements
            if type(e) is dict and type(e.get("conversion")) is str
        }
        if len(distinct) > MAX_RULES_PER_BATCH:
            return api_error(
                400,
                S.MSG_TOO_MANY_RULES.format(count=len(distinct), limit=MAX_RULES_PER_BATCH),
            )
    else:
        elements = [body]
    now = state.clock.now()
    now_ms = to_ms(now)
    lead_only = now.date() >= _versions.released(S.LEAD_ONLY_SINCE)
    error = check_events(
        elements,
        schema=EventSchema.for_version(version, lead_only=lead_only),
        window=(now_ms - _WINDOW_MS, now_ms),
        rules=state.writable_rules(member),
        batch=batch,
        index_every_line=cfg.index_every_line,
        wrong_method_indices=cfg.wrong_method_indices,
        time_form=cfg.time_error_form,
    )
    if error is not None:
        return error
    state.accept_events(elements)
    if batch:
        body_out = b'{"elements":[' + b",".join([_BATCH_OK] * len(elements)) + b"]}"
        return Response(200, body_out, {"Content-Type": JSON_TYPE})
    return Response(201, b"", {"x-restli-id": str(state.next_object_id())})


def ad_account_users(req: Request, state: State, member: str) -> Response:
    """``GET /rest/adAccountUsers?q=authenticatedUser`` (§4.1)."""
    if req.method != "GET" or req.param("q") != "authenticatedUser":
        return api_error(400, "Unsupported request; use GET /adAccountUsers?q=authenticatedUser")
    with state.lock:
        elements = [
            {"user": member, "account": f"{ACCOUNT_URN_PREFIX}{aid}", "role": role}
            for (who, aid), role in sorted(state.roles.items())
            if who == member
        ]
    paging = {"start": 0, "count": 2147483647, "links": [], "total": len(elements)}
    return json_response(200, {"paging": paging, "elements": elements})


def ad_accounts(req: Request, state: State, member: str, key: str | None) -> Response:
    """``GET /rest/adAccounts/<id>``, BATCH_GET ``?ids=List(1,2)`` and ``?q=search``."""
    if req.method != "GET":
        return api_error(405, "Only GET is supported on /adAccounts in the sandbox")
    if key is not None:
        status, entity = _account(state, member, key)
        if entity is None:
            return api_error(
                status,
                f"Ad account {key} "
                f"{'not found' if status == 404 else 'is not accessible to the member'}",
            )
        return json_response(200, entity)
    if req.param("ids") is not None:
        if not re.search(r"(?:^|&)ids=List\(", req.raw_query):
            return api_error(
                400,
                "Malformed ids parameter: expected the Rest.li 2.0 form ids=List(1,2) "
                "with literal parentheses",
            )
        raw = (req.param("ids") or "").strip()
        inner = raw[5:-1] if raw.startswith("List(") and raw.endswith(")") else ""
        results: dict[str, Any] = {}
        statuses: dict[str, int] = {}
        errors: dict[str, Any] = {}
        for one in (i.strip() for i in inner.split(",") if i.strip()):
            status, entity = _account(state, member, one)
            statuses[one] = status
            if entity is None:
                errors[one] = {
                    "status": status,
                    "message": f"Ad account {one} "
                    + ("not found" if status == 404 else "is not accessible"),
                }
            else:
                results[one] = entity
        return json_response(200, {"results": results, "statuses": statuses, "errors": errors})
    if req.param("q") == "search":
        with state.lock:
            visible = [
                dict(a) for aid, a in sorted(state.accounts.items()) if (member, aid) in state.roles
            ]
        try:
            size = int(req.param("pageSize") or 100)
            start = int(req.param("pageToken") or 0)
        except ValueError:
            return api_error(
                400, "pageSize must be an integer and pageToken one returned by the API"
            )
        page = visible[start : start + size]
        nxt = str(start + size) if start + size < len(visible) else None
        meta: dict[str, Any] = {"nextPageToken": nxt} if nxt else {}
        return json_response(200, {"elements": page, "metadata": meta})
    return api_error(
        400, "Unsupported request on /adAccounts; use /adAccounts/<id>, ?ids=List(...) or ?q=search"
    )


def _account(state: State, member: str, key: str) -> tuple[int, dict[str, Any] | None]:
    with state.lock:
        if not key.isdigit() or int(key) not in state.accounts:
            return 404, None
        if (member, int(key)) not in state.roles:
            return 403, None
        return 200, dict(state.accounts[int(key)])


#: resource → (allowed methods, scopes of which one is needed)
_ROUTES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "conversionEvents": (("POST",), _RW_CONVERSIONS),
    "conversions": (("GET", "POST"), _RW_CONVERSIONS),
    "campaignConversions": (("GET", "PUT", "DELETE"), _RW_CONVERSIONS),
    "adAccountUsers": (("GET",), _READ_ADS),
    "adAccounts": (("GET",), _READ_ADS),
}
#: ``/adAccounts/<id>/adCampaigns`` (api.md §3.5: r_ads reads campaigns)
_ADCAMPAIGNS: tuple[tuple[str, ...], tuple[str, ...]] = (("GET",), _READ_ADS)
