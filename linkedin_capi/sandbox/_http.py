"""Plain request/response values passed between the sandbox's HTTP layer and its routes.

The routes are pure functions of a :class:`Request` and the sandbox state; they never touch
sockets, which keeps them testable and keeps the socket handling in one place
(``_server.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass
class Request:
    """One parsed HTTP request.

    ``headers`` has lower-cased names (HTTP header names are case-insensitive).
    """

    method: str
    path: str
    raw_query: str
    headers: dict[str, str]
    body: bytes = b""
    query: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.query = parse_qs(self.raw_query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """Return a header value by case-insensitive name."""
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        """Return the first (decoded) value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters, lower-cased."""
        value = self.header("content-type") or ""
        return value.split(";", 1)[0].strip().lower()


@dataclass
class Response:
    """What the sandbox answers; ``body`` is sent as is."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """Build a JSON response with compact separators (LinkedIn sends compact JSON)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})


def api_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    service_error_code: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error in LinkedIn's classic shape (``linkedin-api.md`` §2.8).

    Examples
    --------
    >>> api_error(403, "No ad accounts found").body
    b'{"message":"No ad accounts found","status":403}'
    """
    payload: dict[str, Any] = {}
    if service_error_code is not None:
        payload["serviceErrorCode"] = service_error_code
    if code is not None:
        payload["code"] = code
    payload["message"] = message
    payload["status"] = status
    return json_response(status, payload, headers)


def oauth_error(status: int, error: str, description: str) -> Response:
    """An OAuth 2.0 error body (``{"error": ..., "error_description": ...}``)."""
    return json_response(status, {"error": error, "error_description": description})
