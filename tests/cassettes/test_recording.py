"""The cassette plumbing itself: target files, the LinkedIn-vs-sandbox switch, replay secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from _support.recording import (
    NOW,
    REDACTED,
    Target,
    live_environment,
    open_recording,
    protocol_headers_match,
    scrub_response,
    secret_values,
)
from _support.secret_scan import scan
from vcr.request import Request

from linkedin_capi import _constants as C
from linkedin_capi.errors import ConfigError
from linkedin_capi.sandbox import Sandbox

ROLES = ("GET", "adAccountUsers")
ROLES_QUERY = {"q": "authenticatedUser"}


def env_for(sb: Sandbox) -> dict[str, str]:
    """``LINKEDIN_CAPI_*`` pointing at a sandbox that plays "LinkedIn"."""
    values = {
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
        "refresh_token": sb.refresh_token,
        "ad_account_id": str(sb.account_id),
        "base_url": sb.base_url,
        "token_url": sb.token_url,
        "conversion": sb.rule_urn,
    }
    return {C.ENV_VARS[k]: v for k, v in values.items()}


def test_live_environment_needs_credentials_and_an_account() -> None:
    full = {
        "LINKEDIN_CAPI_CLIENT_ID": "app",
        "LINKEDIN_CAPI_CLIENT_SECRET": "s",
        "LINKEDIN_CAPI_REFRESH_TOKEN": "r",
        "LINKEDIN_CAPI_AD_ACCOUNT_ID": "5",
    }
    assert live_environment(full) == {
        "client_id": "app",
        "client_secret": "s",
        "refresh_token": "r",
        "ad_account_id": "5",
    }
    for missing in full:
        if missing != "LINKEDIN_CAPI_REFRESH_TOKEN":
            assert live_environment({k: v for k, v in full.items() if k != missing}) is None
    no_token = {k: v for k, v in full.items() if k != "LINKEDIN_CAPI_REFRESH_TOKEN"}
    assert live_environment(no_token) is None
    assert live_environment(no_token | {"LINKEDIN_CAPI_ACCESS_TOKEN": "a"}) is not None


def test_recording_against_linkedin_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target_file, cassette = tmp_path / "t.target.json", tmp_path / "t.yaml"
    with Sandbox(now=NOW) as linkedin:
        for name, value in env_for(linkedin).items():
            monkeypatch.setenv(name, value)
        rec = open_recording(target_file, cassette, "rewrite", sandbox_only=False)
        assert rec.sandbox is None and rec.target.kind == "linkedin"
        assert rec.rule_id == linkedin.rule_id
        conn = rec.connection()  # the environment has no access token: refresh first
        assert conn.request(*ROLES, params=ROLES_QUERY).status_code == 200
        rec.finish()
    target = Target.load(target_file)
    assert (target.base_url, target.account_id) == (linkedin.base_url, str(linkedin.account_id))
    assert target.access_token is False
    assert scan(tmp_path, secret_values()) == []  # the target file holds no secret
    # The replay builds the same connection, with placeholders for the secrets.
    replay = open_recording(target_file, cassette, "none", sandbox_only=False)
    conn = replay.connection()
    assert conn.token.access_token is None and conn.base_url == linkedin.base_url
    assert replay.secret("refresh_token") == REDACTED


def test_sandbox_only_tests_ignore_linkedin_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(now=NOW) as linkedin:
        for name, value in env_for(linkedin).items():
            monkeypatch.setenv(name, value)
        rec = open_recording(
            tmp_path / "t.target.json", tmp_path / "t.yaml", "rewrite", sandbox_only=True
        )
        try:
            assert rec.sandbox is not None and rec.target.kind == "sandbox"
            assert rec.target.base_url != linkedin.base_url
        finally:
            rec.finish()


def test_replay_without_a_recording_says_how_to_record(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--record-mode=rewrite"):
        open_recording(tmp_path / "t.target.json", tmp_path / "t.yaml", "none", sandbox_only=False)


def test_one_recording_one_kind_of_connection(tmp_path: Path) -> None:
    rec = open_recording(
        tmp_path / "t.target.json", tmp_path / "t.yaml", "rewrite", sandbox_only=True
    )
    try:
        rec.connection(access_token=False)
        with pytest.raises(ConfigError, match="same access_token"):
            rec.connection(access_token=True)
    finally:
        rec.finish()
    assert Target.load(tmp_path / "t.target.json").access_token is False


def test_scrub_response_leaves_error_codes_and_non_json_alone() -> None:
    error = b'{"code": "TOO_MANY_REQUESTS", "status": 429}'
    kept = scrub_response({"headers": {}, "body": {"string": error}})
    assert kept["body"]["string"] == error
    nested = scrub_response(
        {
            "headers": {"content-length": ["99"], "Set-Cookie": ["a=b"], "Date": ["x"]},
            "body": {"string": b'{"elements": [{"refresh_token": "AQW"}]}'},
        }
    )
    scrubbed = b'{"elements": [{"refresh_token": "REDACTED"}]}'
    assert nested["body"]["string"] == scrubbed
    assert nested["headers"] == {"Content-Length": [str(len(scrubbed))]}
    binary = {"headers": {}, "body": {"string": b"\x89PNG"}}
    assert scrub_response(binary)["body"]["string"] == b"\x89PNG"


def test_protocol_headers_are_matched() -> None:
    def request(**headers: str) -> Request:
        return Request("POST", "http://127.0.0.1:8765/rest/conversionEvents", b"{}", headers)

    batch = request(**{"LinkedIn-Version": "202607", "X-RestLi-Method": "BATCH_CREATE"})
    same = request(**{"linkedin-version": "202607", "x-restli-method": "BATCH_CREATE"})
    protocol_headers_match(batch, same)  # header names are case-insensitive
    with pytest.raises(AssertionError, match="linkedin-version"):
        protocol_headers_match(
            batch, request(**{"LinkedIn-Version": "202608", "X-RestLi-Method": "BATCH_CREATE"})
        )
    with pytest.raises(AssertionError, match="x-restli-method"):
        protocol_headers_match(batch, request(**{"LinkedIn-Version": "202607"}))
