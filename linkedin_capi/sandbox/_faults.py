"""Fault injection: forced statuses, dropped connections, latency and a request quota.

A :class:`FaultPlan` is consulted once per request. Faults are queued and consumed in the
order they were added; each applies to the next ``n`` matching requests.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from linkedin_capi.sandbox import _schema
from linkedin_capi.sandbox._http import Response, api_error

API_PREFIX = "/rest"

#: LinkedIn-shaped default bodies for injected statuses (linkedin-api.md §2.8, §2.9).
_DEFAULT_ERRORS: dict[int, tuple[str, str | None, int | None]] = {
    400: ("Bad request", None, None),
    401: ("Invalid access token", "INVALID_ACCESS_TOKEN", 65600),
    403: ("Not enough permissions to access this resource", "ACCESS_DENIED", 100),
    404: (_schema.MSG_NO_RESOURCE, "NOT_FOUND", None),
    426: ("Requested version is not active", "NONEXISTENT_VERSION", None),
    429: (_schema.MSG_THROTTLED, "TOO_MANY_REQUESTS", 101),
    500: ("Internal Server Error", "INTERNAL_SERVER_ERROR", None),
    502: ("Bad Gateway", None, None),
    503: ("Service is under maintenance", "UNDER_MAINTENANCE", None),
    504: ("Gateway Timeout", "GATEWAY_TIMEOUT", None),
}


def path_matches(pattern: str | None, path: str) -> bool:
    """Whether a request path falls under a fault's ``path`` pattern.

    ``None`` matches every API call (under ``/rest``) but not the OAuth endpoints. A pattern
    without a leading slash is relative to ``/rest``. Matching is by whole path segments.

    Examples
    --------
    >>> path_matches("conversions", "/rest/conversions/42")
    True
    >>> path_matches(None, "/oauth/v2/accessToken")
    False
    >>> path_matches("conversions", "/rest/conversionEvents")
    False
    """
    if pattern is None:
        return path == API_PREFIX or path.startswith(API_PREFIX + "/")
    if not pattern.startswith("/"):
        pattern = f"{API_PREFIX}/{pattern}"
    want = [s for s in pattern.split("/") if s]
    have = [s for s in path.split("/") if s]
    return have[: len(want)] == want


def default_error(status: int, retry_after: int | None = None) -> Response:
    """A LinkedIn-like error response for ``status``."""
    message, code, service = _DEFAULT_ERRORS.get(status, (f"HTTP {status}", None, None))
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return api_error(status, message, code=code, service_error_code=service, headers=headers)


@dataclass
class Fault:
    """One queued fault. ``response`` is ``None`` for a dropped connection."""

    remaining: int
    path: str | None
    response: Response | None
    after_processing: bool = False


@dataclass
class FaultPlan:
    """The queued faults, the latency and the quota of one sandbox."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: list[Fault] = field(default_factory=list)
    latency: float = 0.0
    latency_path: str | None = None
    quota: int | None = None
    quota_used: int = 0
    quota_day: dt.date | None = None
    quota_retry_after: int | None = None

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        with self.lock:
            self.faults.append(fault)

    def take(self, path: str) -> Fault | None:
        """Consume one use of the first queued fault matching ``path``."""
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and path_matches(fault.path, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def latency_for(self, path: str) -> float:
        """Seconds to wait before answering ``path``."""
        with self.lock:
            # Latency without a path slows every request, the token endpoint included.
            if self.latency > 0 and (
                self.latency_path is None or path_matches(self.latency_path, path)
            ):
                return self.latency
            return 0.0

    def over_quota(self, path: str, today: dt.date) -> Response | None:
        """Count an API call against the quota; a 429 when it is used up.

        LinkedIn's daily counters reset at midnight UTC (§6): so does this one, on the
        sandbox clock.
        """
        with self.lock:
            if self.quota is None or not path_matches(None, path):
                return None
            if self.quota_day != today:
                self.quota_day, self.quota_used = today, 0
            self.quota_used += 1
            if self.quota_used <= self.quota:
                return None
            return default_error(429, self.quota_retry_after)

    def clear(self) -> None:
        """Remove every fault, the latency and the quota."""
        with self.lock:
            self.faults.clear()
            self.latency, self.latency_path = 0.0, None
            self.quota, self.quota_used, self.quota_retry_after = None, 0, None


def make_response(
    status: int,
    body: Any = None,
    headers: dict[str, str] | None = None,
    retry_after: int | None = None,
) -> Response:
    """The response for an injected status: LinkedIn's shape unless a body is given.

    ``body`` may be a dict/list (sent as JSON), ``str`` or ``bytes`` (sent as is).
    """
    if body is None:
        response = default_error(status, retry_after)
    else:
        if isinstance(body, bytes):
            raw, ctype = body, "application/octet-stream"
        elif isinstance(body, str):
            raw, ctype = body.encode(), "text/plain; charset=utf-8"
        else:
            raw, ctype = json.dumps(body, separators=(",", ":")).encode(), "application/json"
        response = Response(status, raw, {"Content-Type": ctype})
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
    response.headers.update(headers or {})
    return response
