"""LinkedIn's OAuth 2.0 endpoints: authorization (auto-consent), token, introspection.

``linkedin-api.md`` §5. The token endpoint takes form-encoded POSTs only, with the client
credentials in the body (never HTTP Basic), and answers ``access_token``, ``expires_in``,
``refresh_token``, ``refresh_token_expires_in`` and ``scope`` (comma-separated).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from linkedin_capi.sandbox._http import FORM_TYPE, Request, Response, json_response, oauth_error
from linkedin_capi.sandbox._state import CODE_LIFETIME, State, Token

AUTHORIZE_PATH = "/oauth/v2/authorization"
TOKEN_PATH = "/oauth/v2/accessToken"
INTROSPECT_PATH = "/oauth/v2/introspectToken"

_INVALID_GRANT = "The provided authorization grant or refresh token is invalid, expired or revoked."


@dataclass(frozen=True)
class Client:
    """The one developer application the sandbox knows."""

    client_id: str
    client_secret: str
    member: str

    def __repr__(self) -> str:
        return f"Client(client_id={self.client_id!r}, member={self.member!r})"


def _form(req: Request) -> dict[str, str]:
    raw = req.body.decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _client_error(req: Request, form: dict[str, str], client: Client) -> Response | None:
    """Client authentication: ``client_id`` and ``client_secret`` in the form body only."""
    if "client_id" not in form or "client_secret" not in form:
        if (req.header("authorization") or "").lower().startswith("basic "):
            return oauth_error(
                401,
                "invalid_client",
                "Client authentication failed: send client_id and client_secret as form "
                "fields in the request body, not in an Authorization header",
            )
        missing = "client_id" if "client_id" not in form else "client_secret"
        return oauth_error(400, "invalid_request", f'A required parameter "{missing}" is missing')
    if form["client_id"] != client.client_id or not secrets.compare_digest(
        form["client_secret"], client.client_secret
    ):
        return oauth_error(401, "invalid_client", "Client authentication failed")
    return None


def _token_response(
    state: State, refresh_value: str, refresh: Token, scopes: tuple[str, ...]
) -> Response:
    access_value, access = state.issue_access_token(refresh.member, scopes, refresh_value)
    now = state.clock.now()
    return json_response(
        200,
        {
            "access_token": access_value,
            "expires_in": int((access.expires_at - now).total_seconds()),
            "refresh_token": refresh_value,
            "refresh_token_expires_in": int((refresh.expires_at - now).total_seconds()),
            "scope": ",".join(scopes),
        },
        {"Cache-Control": "no-store"},
    )


def token(req: Request, state: State, client: Client) -> Response:
    """``POST /oauth/v2/accessToken`` for the refresh-token and authorization-code grants."""
    if req.method != "POST":
        return oauth_error(405, "invalid_request", "The token endpoint accepts POST only")
    if req.content_type != FORM_TYPE:
        return oauth_error(
            400,
            "invalid_request",
            f"Content-Type must be {FORM_TYPE}, got {req.content_type or '(none)'}",
        )
    form = _form(req)
    if "grant_type" not in form:
        return oauth_error(400, "invalid_request", 'A required parameter "grant_type" is missing')
    error = _client_error(req, form, client)
    if error is not None:
        return error
    grant = form["grant_type"]
    now = state.clock.now()
    with state.lock:
        if grant == "refresh_token":
            value = form.get("refresh_token")
            if not value:
                return oauth_error(
                    400, "invalid_request", 'A required parameter "refresh_token" is missing'
                )
            refresh = state.refresh_tokens.get(value)
            if refresh is None or refresh.revoked or refresh.expires_at <= now:
                return oauth_error(400, "invalid_grant", _INVALID_GRANT)
            return _token_response(state, value, refresh, refresh.scopes)
        if grant == "authorization_code":
            for name in ("code", "redirect_uri"):
                if not form.get(name):
                    return oauth_error(
                        400, "invalid_request", f'A required parameter "{name}" is missing'
                    )
            code = state.codes.pop(form["code"], None)  # single use, even when it fails below
            if code is None or code.expires_at <= now or code.redirect_uri != form["redirect_uri"]:
                return oauth_error(
                    400,
                    "invalid_grant",
                    "The provided authorization grant is invalid, expired, revoked, or does "
                    "not match the redirection URI used in the authorization request",
                )
            refresh_value, refresh = state.issue_refresh_token(code.member, code.scopes)
            return _token_response(state, refresh_value, refresh, code.scopes)
        if grant == "client_credentials":
            return oauth_error(
                401, "access_denied", "This application is not allowed to create application tokens"
            )
        return oauth_error(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}")


def issue_code(state: State, member: str, redirect_uri: str, scopes: tuple[str, ...]) -> str:
    """Mint a single-use authorization code (valid 30 minutes)."""
    with state.lock:
        value = f"sbx-code-{secrets.token_urlsafe(16)}"
        state.codes[value] = Token(
            member, scopes, state.clock.now() + CODE_LIFETIME, redirect_uri=redirect_uri
        )
        return value


def authorize(req: Request, state: State, client: Client) -> Response:
    """``GET /oauth/v2/authorization``: the member consents at once; 302 to ``redirect_uri``."""
    for name in ("response_type", "client_id", "redirect_uri", "scope"):
        if not req.param(name):
            return oauth_error(400, "invalid_request", f'A required parameter "{name}" is missing')
    if req.param("response_type") != "code":
        return oauth_error(400, "unsupported_response_type", "response_type must be code")
    if req.param("client_id") != client.client_id:
        return oauth_error(401, "invalid_client", "Unknown client_id")
    scopes = tuple(s for s in (req.param("scope") or "").replace(",", " ").split() if s)
    redirect_uri = req.param("redirect_uri") or ""
    code = issue_code(state, client.member, redirect_uri, scopes)
    params = {"code": code}
    if req.param("state") is not None:
        params["state"] = req.param("state") or ""
    sep = "&" if "?" in redirect_uri else "?"
    return Response(302, b"", {"Location": f"{redirect_uri}{sep}{urlencode(params)}"})


def introspect(req: Request, state: State, client: Client) -> Response:
    """``POST /oauth/v2/introspectToken``: is an access token active, and until when."""
    if req.method != "POST" or req.content_type != FORM_TYPE:
        return oauth_error(400, "invalid_request", f"POST a {FORM_TYPE} form")
    form = _form(req)
    error = _client_error(req, form, client)
    if error is not None:
        return error
    with state.lock:
        found = state.access_tokens.get(form.get("token", ""))
        if found is None:
            return json_response(200, {"active": False})
        now = state.clock.now()
        status = "revoked" if found.revoked else "expired" if found.expires_at <= now else "active"
        return json_response(
            200,
            {
                "active": status == "active",
                "status": status,
                "auth_type": "3L",
                "client_id": client.client_id,
                "expires_at": int(found.expires_at.timestamp()),
                "scope": ",".join(found.scopes),
            },
        )
