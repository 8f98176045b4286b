"""Authorization-code flow against the loopback token endpoint."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from _support.fake_linkedin import FakeClock, FakeLinkedIn, Reply, running

from linkedin_capi import errors
from linkedin_capi.client.tokens import FileTokenStore
from linkedin_capi.connection import AuthorizationFlow


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    yield from running()


def make_flow(fake: FakeLinkedIn, **kwargs: Any) -> AuthorizationFlow:
    options: dict[str, Any] = {
        "client_id": "app-id",
        "client_secret": "client-secret-value",
        "redirect_uri": "https://localhost:8765/callback",
        "token_url": fake.token_url,
        "state": "state-123",
        "clock": FakeClock(1_790_000_000.0),
    }
    options.update(kwargs)
    return AuthorizationFlow(**options)


def test_url_has_scopes_state_and_client() -> None:
    flow = AuthorizationFlow(client_id="app", client_secret="s", redirect_uri="https://h/cb")
    parts = urlsplit(flow.url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.linkedin.com/oauth/v2/authorization"
    )
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["app"]
    assert query["redirect_uri"] == ["https://h/cb"]
    assert query["scope"] == ["rw_conversions r_ads"]
    assert len(query["state"][0]) >= 20  # random, unguessable
    assert "s" not in query.get("client_secret", [])


def test_exchange_stores_tokens(
    fake: FakeLinkedIn, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = FileTokenStore(tmp_path / "token.json")
    flow = make_flow(fake, token_store=store)
    token = flow.exchange("https://localhost:8765/callback?code=AUTH-CODE-777&state=state-123")
    [seen] = fake.token_requests
    assert seen.form() == {
        "grant_type": "authorization_code",
        "code": "AUTH-CODE-777",
        "redirect_uri": "https://localhost:8765/callback",
        "client_id": "app-id",
        "client_secret": "client-secret-value",
    }
    assert "authorization" not in seen.headers
    assert token.expires_at == 1_790_000_000.0 + 5_184_000
    assert token.refresh_token_expires_at == 1_790_000_000.0 + 31_536_000
    assert token.scope == "r_ads rw_conversions"  # LinkedIn's commas accepted
    assert store.load() == token
    for secret in ("client-secret-value", "AUTH-CODE-777", "AT-fresh-1-xyz", "RT-rotated-secret"):
        assert secret not in caplog.text
    conn = flow.connection(api_version="202607", base_url=fake.base_url)
    conn.request("POST", "conversionEvents", json={"elements": []})
    assert fake.api_requests[0].headers["authorization"] == "Bearer AT-fresh-1-xyz"
    assert len(fake.token_requests) == 1  # the stored live token was reused


@pytest.mark.parametrize(
    ("url", "error", "needle"),
    [
        ("https://l/cb?code=c&state=other", errors.AuthError, "state"),
        (
            "https://l/cb?error=user_cancelled_authorize&error_description=no&state=state-123",
            errors.AuthError,
            "user_cancelled_authorize",
        ),
        ("https://l/cb?state=state-123", errors.ConfigError, "code"),
    ],
)
def test_bad_redirects(fake: FakeLinkedIn, url: str, error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        make_flow(fake).exchange(url)
    assert fake.token_requests == []


def test_refused_code(fake: FakeLinkedIn) -> None:
    fake.queue_token(
        Reply(400, {"error": "invalid_request", "error_description": "authorization code expired"})
    )
    with pytest.raises(errors.AuthError, match="authorization code expired"):
        make_flow(fake).exchange("https://l/cb?code=AUTH-CODE-777&state=state-123")


def test_connection_before_exchange(fake: FakeLinkedIn) -> None:
    with pytest.raises(errors.ConfigError, match="exchange"):
        make_flow(fake).connection()
    assert "client-secret-value" not in repr(make_flow(fake))
