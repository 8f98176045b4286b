"""AuthError carries what LinkedIn answered (status, code, request id), like APIError."""

from __future__ import annotations

import pytest

from linkedin_capi.errors import AuthError
from linkedin_capi.sandbox import Sandbox


def test_revoked_refresh_token_is_an_auth_error_with_the_grant_code() -> None:
    with Sandbox() as sb:
        conn = sb.connection(access_token=None)
        sb.revoke_tokens()
        with pytest.raises(AuthError) as caught:
            conn.request("GET", "/adAccountUsers", params={"q": "authenticatedUser"})
    err = caught.value
    assert err.status == 400 and err.code == "invalid_grant"
    assert err.request_id
    assert "re-authorize" in str(err)
    assert sb.refresh_token not in str(err)


def test_401_after_a_refresh_is_an_auth_error_with_status_and_request_id() -> None:
    with Sandbox() as sb:
        conn = sb.connection()
        sb.fail_next(401, n=2, path="adAccountUsers")
        with pytest.raises(AuthError) as caught:
            conn.request("GET", "/adAccountUsers", params={"q": "authenticatedUser"})
    err = caught.value
    assert err.status == 401
    assert err.request_id and err.request_id in str(err)
