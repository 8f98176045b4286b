"""Shared helpers for the sandbox contract tests: a running sandbox and an API caller."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import requests

from linkedin_capi.sandbox import Sandbox

NOW = dt.datetime(2026, 10, 20, 12, 0, tzinfo=dt.UTC)
NOW_MS = int(NOW.timestamp() * 1000)
DAY_MS = 86_400_000
EMAIL_HASH = "a" * 64


def event(rule_urn: str, **overrides: Any) -> dict[str, Any]:
    """A valid conversion event at NOW minus one hour."""
    base: dict[str, Any] = {
        "conversion": rule_urn,
        "conversionHappenedAt": NOW_MS - 3_600_000,
        "conversionValue": {"currencyCode": "USD", "amount": "50.00"},
        "eventId": "evt-1",
        "user": {
            "userIds": [{"idType": "SHA256_EMAIL", "idValue": EMAIL_HASH}],
            "userInfo": {"firstName": "Mike", "lastName": "Smith", "countryCode": "US"},
        },
    }
    base.update(overrides)
    return base


class Api:
    """Well-formed calls against a sandbox; keyword arguments adjust one thing at a time."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.http = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        restli_method: str | None = None,
        headers: dict[str, str] | None = None,
        drop: tuple[str, ...] = (),
        raw: bytes | None = None,
        timeout: float = 10,
    ) -> requests.Response:
        hdrs = self.sb.api_headers()
        if body is not None or raw is not None:
            hdrs["Content-Type"] = "application/json"
        if restli_method:
            hdrs["X-RestLi-Method"] = restli_method
        hdrs.update(headers or {})
        for name in drop:
            hdrs.pop(name, None)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return self.http.request(
            method, f"{self.sb.base_url}/{path}", data=data, headers=hdrs, timeout=timeout
        )

    def batch(self, events: list[Any], **kw: Any) -> requests.Response:
        return self.call(
            "POST", "conversionEvents", {"elements": events}, restli_method="BATCH_CREATE", **kw
        )

    def token(self, form: dict[str, str], **kw: Any) -> requests.Response:
        return self.http.post(self.sb.token_url, data=form, timeout=10, **kw)

    def refresh_form(self, **overrides: str) -> dict[str, str]:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self.sb.refresh_token,
            "client_id": self.sb.client_id,
            "client_secret": self.sb.client_secret,
        }
        form.update(overrides)
        return form


def make_sandbox(**kwargs: Any) -> Sandbox:
    """A started sandbox with the clock frozen at NOW (stop it when done)."""
    kwargs.setdefault("now", NOW)
    return Sandbox(**kwargs).start()
