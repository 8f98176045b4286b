"""OAuth against recorded cassettes: refresh, refresh after a 401, code exchange, invalid_grant.

The token requests and answers in ``cassettes/test_integration_auth`` hold ``REDACTED``
where the secrets were; replays send the same placeholder, so the bodies still match.
"""

from __future__ import annotations

import pytest
from _support.recording import REDACTED, Recording

from linkedin_capi.client.tokens import MemoryTokenStore
from linkedin_capi.connection import AuthorizationFlow
from linkedin_capi.errors import AuthError

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

ROLES = "adAccountUsers"
ROLES_QUERY = {"q": "authenticatedUser"}
REDIRECT_URI = "https://localhost:8765/callback"
STATE = "cassette-state"


def test_refresh_token_gets_an_access_token(recording: Recording) -> None:
    conn = recording.connection(access_token=False)
    assert conn.token.access_token is None
    response = conn.request("GET", ROLES, params=ROLES_QUERY)
    assert response.status_code == 200 and response.json()["elements"]
    token = conn.token
    assert token.access_token is not None and token.expires_at is not None
    # Absolute expiry from the answer's expires_in and the frozen clock: LinkedIn's 60 days.
    assert token.expires_at - recording.target.now == pytest.approx(60 * 86400, abs=86400)
    if recording.replaying:  # what the cassette holds instead of the token
        assert token.access_token.get_secret_value() == REDACTED


@pytest.mark.sandbox_only
def test_401_refreshes_once_and_resends(recording: Recording) -> None:
    conn = recording.connection()
    first = conn.request("GET", ROLES, params=ROLES_QUERY)
    assert first.status_code == 200
    assert conn.token.expires_at is None  # the given access token: expiry unknown
    if recording.sandbox is not None:
        recording.sandbox.expire_tokens()  # LinkedIn ends the token early: next call is a 401
    second = conn.request("GET", ROLES, params=ROLES_QUERY)
    assert second.json() == first.json()
    assert conn.token.expires_at is not None  # a refreshed token, with its expiry


@pytest.mark.sandbox_only
def test_expired_refresh_token_says_reauthorize(recording: Recording) -> None:
    if recording.sandbox is not None:
        recording.sandbox.expire_refresh_tokens()
    conn = recording.connection(access_token=False)
    with pytest.raises(AuthError, match="re-authorize") as info:
        conn.request("GET", ROLES, params=ROLES_QUERY)
    assert REDACTED not in str(info.value)
    assert "sandbox-refresh-token" not in str(info.value)


@pytest.mark.sandbox_only
def test_authorization_code_exchange(recording: Recording) -> None:
    target = recording.target
    # The sandbox consents at once; a replay's code is a placeholder like the recorded one.
    code = (
        recording.sandbox.authorization_code(REDIRECT_URI)
        if recording.sandbox is not None
        else "replayed-code"
    )
    secret = recording.secret("client_secret")
    assert secret is not None
    store = MemoryTokenStore()
    flow = AuthorizationFlow(
        client_id=target.client_id,
        client_secret=secret,
        redirect_uri=REDIRECT_URI,
        state=STATE,
        token_url=target.token_url,
        token_store=store,
        clock=lambda: target.now,
    )
    token = flow.exchange(f"{REDIRECT_URI}?code={code}&state={STATE}")
    assert token.access_token is not None and token.refresh_token is not None
    assert token.refresh_token_expires_at is not None
    assert token.refresh_token_expires_at - target.now == pytest.approx(365 * 86400, abs=86400)
    assert store.load() == token
    conn = flow.connection(
        base_url=target.base_url,
        api_version=target.api_version,
        ad_account_id=target.account_id,
    )
    response = conn.request("GET", ROLES, params=ROLES_QUERY)
    assert response.status_code == 200
