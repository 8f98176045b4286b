"""No secret in any cassette — and the scan is shown to catch planted and unscrubbed ones."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml
from _support.recording import CASSETTES, NOW, REDACTED, register, secret_values, vcr_config
from _support.secret_scan import Finding, scan

from linkedin_capi.sandbox import Sandbox

LIVE_SECRET = "AQWlive-refresh-token-from-the-environment-0123456789"


def cassette(request: dict[str, Any], response: dict[str, Any]) -> str:
    """A one-interaction cassette as vcrpy writes it (YAML folds long lines at spaces)."""
    base_request = {
        "body": None,
        "headers": {"authorization": [REDACTED]},
        "method": "POST",
        "uri": "http://127.0.0.1:8765/oauth/v2/accessToken",
    }
    base_response = {
        "body": {"string": '{"expires_in": 5184000}'},
        "headers": {"Content-Type": ["application/json"]},
        "status": {"code": 200, "message": "OK"},
    }
    data = {
        "interactions": [{"request": base_request | request, "response": base_response | response}],
        "version": 1,
    }
    return yaml.dump(data, width=60)


def plant(tmp_path: Path, text: str) -> list[Finding]:
    folder = tmp_path / "cassettes" / "test_module"
    folder.mkdir(parents=True)
    (folder / "test_x.yaml").write_text(text)
    return scan(tmp_path / "cassettes", secret_values())


def test_stored_cassettes_hold_no_secret() -> None:
    files = sorted(CASSETTES.rglob("*.yaml"))
    assert len(files) >= 8, "the recorded cassettes are missing"  # export + auth at least
    findings = scan(CASSETTES, secret_values())
    assert findings == [], "\n".join(map(str, findings))


def test_clean_cassette_has_no_finding(tmp_path: Path) -> None:
    body = "grant_type=refresh_token&refresh_token=REDACTED&client_id=app&client_secret=REDACTED"
    text = cassette(
        {"body": body},
        {"body": {"string": '{"access_token": "REDACTED", "refresh_token": "REDACTED"}'}},
    )
    assert plant(tmp_path, text) == []


PLANTS = {
    "sandbox client secret": (
        {"body": "grant_type=refresh_token&client_secret=sandbox-client-secret"},
        {},
        {"known secret #1", "secret form field"},
    ),
    "bearer header": (
        {"headers": {"authorization": ["Bearer AQXdGhpcyBpcyBub3QgYSByZWFsIHRva2Vu"]}},
        {},
        {"bearer token", "unscrubbed authorization"},
    ),
    "access token in a folded JSON answer": (
        {},
        {
            "body": {
                "string": '{"scope": "rw_conversions,r_ads", "expires_in": 5184000, '
                '"access_token": "AQVnot-a-real-token-but-long-enough-to-look-like-one"}'
            }
        },
        {"token in JSON", "unscrubbed access_token"},
    ),
    "refresh token in a form body": (
        {"body": "grant_type=refresh_token&refresh_token=AQWabcdefghijklmnop&client_id=app"},
        {},
        {"secret form field"},
    ),
    "environment secret in a URL": (
        {"uri": f"http://127.0.0.1:8765/rest/adAccounts?x={LIVE_SECRET}"},
        {},
        {"known secret #4"},
    ),
    "cookie set by the server": (
        {},
        {"headers": {"Set-Cookie": ["li_at=AQEDAR; Path=/"]}},
        {"unscrubbed set-cookie"},
    ),
}


@pytest.mark.parametrize("name", list(PLANTS))
def test_scan_catches_a_planted_secret(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKEDIN_CAPI_CLIENT_SECRET", LIVE_SECRET)
    request, response, rules = PLANTS[name]
    findings = plant(tmp_path, cassette(request, response))
    assert rules <= {f.rule for f in findings}, findings
    # Findings say where, never what: CI logs must not repeat the secret.
    for finding in findings:
        assert "sandbox-client-secret" not in str(finding) and LIVE_SECRET not in str(finding)


FOLDED = """interactions:
- request:
    body: grant_type=refresh_token&refresh_token=REDACTED&client_secret=REDACTED
    headers: {}
    method: POST
    uri: http://127.0.0.1:8765/oauth/v2/accessToken
  response:
    body:
      string: '{"expires_in": 5184000, "refresh_token_expires_in": 31536000, "access_token":
        "AQVnot-a-real-token-but-long-enough-to-look-like-one"}'
    headers: {}
    status: {code: 200, message: OK}
version: 1
"""


def test_token_folded_over_two_lines_is_caught(tmp_path: Path) -> None:
    # vcrpy's YAML folds long bodies at spaces, e.g. between a key and its value (our own
    # token cassettes look like this): a line-by-line grep would miss the token.
    assert {"token in JSON", "unscrubbed access_token"} <= {f.rule for f in plant(tmp_path, FOLDED)}


def _record_refresh(path: Path, **config: Any) -> None:
    """Record one refresh and one API call from a sandbox into ``path``."""
    with Sandbox(now=NOW) as sb:
        recorder = vcr.VCR(record_mode="all", **config)
        register(recorder)
        with recorder.use_cassette(str(path)):
            conn = sb.connection(access_token=None)
            conn.request("GET", "adAccountUsers", params={"q": "authenticatedUser"})
            conn.close()


def test_unscrubbed_recording_is_caught(tmp_path: Path) -> None:
    # Without the filters a real recording leaks: the scan must see it.
    _record_refresh(tmp_path / "leaky.yaml")
    rules = {f.rule for f in scan(tmp_path, secret_values())}
    assert {"known secret #1", "known secret #2", "bearer token", "token in JSON"} <= rules


def test_scrubbed_recording_is_clean(tmp_path: Path) -> None:
    # The same recording with the shared vcr_config: nothing to find, refreshed tokens included.
    config = vcr_config()
    _record_refresh(tmp_path / "clean.yaml", **config)
    text = (tmp_path / "clean.yaml").read_text()
    assert "accessToken" in text and "adAccountUsers" in text
    assert scan(tmp_path, secret_values()) == []


@pytest.mark.block_network
def test_block_network_mark_blocks_loopback_too() -> None:
    # Replayed tests carry this mark: nothing they do can reach a server, even a local one.
    with socket.socket() as server, socket.socket() as client:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with pytest.raises(RuntimeError, match="Network is disabled"):
            client.connect(server.getsockname())
