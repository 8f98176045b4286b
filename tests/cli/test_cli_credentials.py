"""Credentials that carry over: `auth login` once, then every command and from_env() find them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

import linkedin_capi as capi
from linkedin_capi.cli import app
from linkedin_capi.client.tokens import default_token_file
from linkedin_capi.sandbox import Sandbox
from linkedin_capi.sandbox._cli import main as sandbox_main

runner = CliRunner()


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


def _user_env(tmp_path: Path, sb: Sandbox) -> dict[str, str]:
    """A fresh user (own HOME and XDG dirs) with the app's id and secret, and where
    "LinkedIn" is; no token variable of any kind."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKEDIN_CAPI_")}
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        (tmp_path / name).mkdir()
        env[name] = str(tmp_path / name)
    env.update(
        LINKEDIN_CAPI_CLIENT_ID=sb.client_id,
        LINKEDIN_CAPI_CLIENT_SECRET=sb.client_secret,
        LINKEDIN_CAPI_BASE_URL=sb.base_url,
        LINKEDIN_CAPI_TOKEN_URL=sb.token_url,
        LINKEDIN_CAPI_AUTHORIZATION_URL=sb.authorization_url,
    )
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "linkedin_capi.cli", *args]


def _login(env: dict[str, str], cwd: Path) -> tuple[str, str]:
    """`linkedin-capi auth login` in a subprocess, following the consent URL like a browser."""
    proc = subprocess.Popen(
        _cli("auth", "login"),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, cwd=cwd, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        url = proc.stdout.readline().strip()
        consent = requests.get(url, allow_redirects=False, timeout=10)
        stdout, stderr = proc.communicate(consent.headers["Location"] + "\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    return stdout, stderr


def test_login_then_accounts_with_no_extra_variables(tmp_path: Path, sb: Sandbox) -> None:
    env = _user_env(tmp_path, sb)
    stdout, stderr = _login(env, tmp_path)
    token_file = tmp_path / "XDG_CONFIG_HOME" / "linkedin-capi" / "token.json"
    assert token_file.is_file()
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    # what it stored and for whom, never a token or a raw Token(...) repr
    assert f"tokens stored in {token_file}" in stdout
    assert "Signed in as urn:li:person:" in stdout
    assert "refresh token valid until" in stdout and str(sb.account_id) in stdout
    stored = json.loads(token_file.read_text())
    for secret in (stored["access_token"], stored["refresh_token"], sb.client_secret):
        assert secret not in stdout + stderr
    assert "Token(" not in stdout + stderr and "SecretStr" not in stdout + stderr

    # the next command, same environment: no LINKEDIN_CAPI_TOKEN_FILE, no refresh token
    accounts = subprocess.run(
        _cli("accounts"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert accounts.returncode == 0, accounts.stderr
    assert f"{sb.account_id}\t" in accounts.stdout and "usable" in accounts.stdout

    status = subprocess.run(
        _cli("auth", "status"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert status.returncode == 0, status.stderr
    assert "Signed in as urn:li:person:" in status.stdout
    assert f"tokens from {token_file}" in status.stdout
    assert "access token valid until" in status.stdout
    assert stored["access_token"] not in status.stdout


def test_from_env_finds_the_stored_tokens(
    tmp_path: Path, sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `auth login` stored is what Connection.from_env() uses, with no token variable."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = default_token_file({})
    assert path == tmp_path / "linkedin-capi" / "token.json"
    path.parent.mkdir()
    conn = sb.connection(token_store=capi.FileTokenStore(path))
    conn.ad_accounts()  # refreshes and saves the token to the file
    assert path.is_file()
    for var in ("REFRESH_TOKEN", "ACCESS_TOKEN", "TOKEN_FILE"):
        monkeypatch.delenv(f"LINKEDIN_CAPI_{var}", raising=False)
    for key in ("client_id", "client_secret", "base_url", "token_url", "api_version"):
        monkeypatch.setenv(f"LINKEDIN_CAPI_{key.upper()}", str(getattr(sb, key)))
    again = capi.Connection.from_env()
    assert isinstance(again.token_store, capi.FileTokenStore)
    assert again.token_store.path == path
    assert [a.id for a in again.ad_accounts()] == [a.id for a in conn.ad_accounts()]


def test_token_file_variable_overrides_the_default(tmp_path: Path) -> None:
    assert default_token_file({"LINKEDIN_CAPI_TOKEN_FILE": str(tmp_path / "t.json")}) == (
        tmp_path / "t.json"
    )


def test_dotenv_file_is_read_and_the_environment_wins(
    tmp_path: Path, sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in list(os.environ):
        if var.startswith("LINKEDIN_CAPI_"):
            monkeypatch.delenv(var)
    lines = [f"LINKEDIN_CAPI_{k.upper()}={v}" for k, v in sb.connection_kwargs().items()]
    (tmp_path / ".env").write_text("\n".join([*lines, "LINKEDIN_CAPI_AD_ACCOUNT_ID=1"]) + "\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINKEDIN_CAPI_AD_ACCOUNT_ID", str(sb.account_id))
    conn = capi.Connection.from_env()
    assert conn.client_id == sb.client_id  # from .env
    assert conn.ad_account_id == str(sb.account_id)  # the environment wins
    out = runner.invoke(app, ["accounts"])
    assert out.exit_code == 0, out.output
    assert str(sb.viewer_account_id) in out.stdout


def test_no_dotenv_no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in list(os.environ):
        if var.startswith("LINKEDIN_CAPI_"):
            monkeypatch.delenv(var)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(capi.ConfigError, match="linkedin-capi auth login"):
        capi.Connection.from_env()


def test_sandbox_prints_export_lines_and_writes_an_env_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = tmp_path / "sandbox.env"
    stop = threading.Event()
    seen: list[Sandbox] = []

    def ready(sandbox: Sandbox) -> None:
        seen.append(sandbox)
        stop.set()

    assert sandbox_main(["--port", "0", "--env-file", str(env_file)], ready=ready, stop=stop) == 0
    out = capsys.readouterr().out
    sandbox = seen[0]
    exports = [line for line in out.splitlines() if line.startswith("export ")]
    assert f"export LINKEDIN_CAPI_BASE_URL={sandbox.base_url}" in exports
    assert f"export LINKEDIN_CAPI_AD_ACCOUNT_ID={sandbox.account_id}" in exports
    written = [line for line in env_file.read_text().splitlines() if not line.startswith("#")]
    assert written == [line.removeprefix("export ") for line in exports]
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
