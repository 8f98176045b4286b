"""The session reads proxy and CA-bundle settings from the environment once, at creation."""

from __future__ import annotations

import pytest

from linkedin_capi.client.transport import build_session


def test_proxy_from_environment_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    session = build_session("https://api.linkedin.com/rest")
    assert session.proxies.get("https") == "http://proxy.internal:3128"
    assert session.trust_env is False  # not re-read (and ~/.netrc not searched) per request


def test_no_proxy_bypass_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "api.linkedin.com")
    assert build_session("https://api.linkedin.com/rest").proxies == {}


def test_ca_bundle_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corp.pem")
    assert build_session("https://api.linkedin.com/rest").verify == "/etc/ssl/corp.pem"
