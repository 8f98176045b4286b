"""Fixtures of the CLI room: a sandbox, and the environment that points the CLI at it.

A module that needs another sandbox (one that keeps the events it accepts, a frozen
clock) defines its own ``sb`` fixture; ``env`` then uses that one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkedin_capi.sandbox import Sandbox


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def env(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Point the CLI's environment at the sandbox (as a scheduled job would at LinkedIn)."""
    monkeypatch.setenv("LINKEDIN_CAPI_BASE_URL", sb.base_url)
    monkeypatch.setenv("LINKEDIN_CAPI_TOKEN_URL", sb.token_url)
    monkeypatch.setenv("LINKEDIN_CAPI_CLIENT_ID", sb.client_id)
    monkeypatch.setenv("LINKEDIN_CAPI_CLIENT_SECRET", sb.client_secret)
    monkeypatch.setenv("LINKEDIN_CAPI_REFRESH_TOKEN", sb.refresh_token)
    monkeypatch.setenv("LINKEDIN_CAPI_AD_ACCOUNT_ID", str(sb.account_id))
    return sb
