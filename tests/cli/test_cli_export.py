"""`linkedin-capi export`, `auth login` and `demo` against the sandbox on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import requests
from typer.testing import CliRunner

from linkedin_capi.cli import app
from linkedin_capi.sandbox import Sandbox

runner = CliRunner()


def _csv(tmp_path: Path, *, bad_rows: int = 0, n: int = 6) -> Path:
    now = dt.datetime.now(dt.UTC)
    times = [
        (now - dt.timedelta(days=1, minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(n)
    ]
    emails = [f"user{i}@example.com" for i in range(n)]
    for i in range(bad_rows):
        emails[i] = "not-an-address"
    path = tmp_path / "conversions.csv"
    pl.DataFrame(
        {
            "CONVERSIONHAPPENEDAT": times,
            "sha256_email": emails,
            "eventId": [f"cli-{i}" for i in range(n)],
        }
    ).write_csv(path)
    return path


def _config(tmp_path: Path, sb: Sandbox, **extra: object) -> Path:
    cfg = {
        "type": "linkedin_ads_conversion_api",
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
        "refresh_token": sb.refresh_token,
        "ad_account_id": str(sb.account_id),
        "conversion_rule_id": sb.rule_id,
        "use_conversion_rule_id": True,
        "skip_invalid_records": True,
        **extra,
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(cfg))
    return path


def test_export_with_config_sends_every_valid_row(tmp_path: Path, env: Sandbox) -> None:
    out = runner.invoke(
        app, ["export", str(_csv(tmp_path)), "--config", str(_config(tmp_path, env))]
    )
    assert out.exit_code == 0, out.output
    assert env.event_count == 6
    assert sorted(env.event_ids) == [f"cli-{i}" for i in range(6)]
    assert "6 sent" in out.output


def test_export_with_invalid_rows_exits_1_and_sends_the_rest(tmp_path: Path, env: Sandbox) -> None:
    out = runner.invoke(
        app,
        ["export", str(_csv(tmp_path, bad_rows=2)), "--conversion", str(env.rule_id), "--json"],
    )
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    assert report["counts"]["sent"] == 4 and report["counts"]["invalid"] == 2
    assert {p["_row"] for p in report["problems"]} == {0, 1}
    assert env.event_count == 4


def test_export_json_problems_are_masked_and_in_cli_words(tmp_path: Path, env: Sandbox) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "eventId,conversionHappenedAt,SHA256_EMAIL,amount,currencyCode\n"
        "e1,2026-11-27T10:00:00Z,jane.doe@acme,10,USD\n"  # not an address: quoted back
        'e2,2026-11-27T10:00:00Z,ok@example.com,"1,250",USD\n'  # reads two ways
    )
    now = "2026-11-28T00:00:00Z"
    out = runner.invoke(
        app, ["export", str(path), "--conversion", str(env.rule_id), "--json", "--now", now]
    )
    assert out.exit_code == 1, out.output
    summary = json.loads(out.stdout)
    texts = [p["error"] for p in summary["problems"]] + [r["example"] for r in summary["reasons"]]
    assert len(texts) == 4
    assert not any("jane.doe@acme" in t for t in texts)  # masked, as on stderr
    assert any("--decimal-comma" in t for t in texts)
    assert not any("decimal_comma=" in t for t in texts)  # CLI words, not Python keywords


def test_export_skip_invalid_false_sends_nothing(tmp_path: Path, env: Sandbox) -> None:
    cfg = _config(tmp_path, env, skip_invalid_records=False)
    out = runner.invoke(app, ["export", str(_csv(tmp_path, bad_rows=1)), "--config", str(cfg)])
    assert out.exit_code == 1
    assert env.event_count == 0
    assert "linkedin-capi:" in out.stderr


def test_export_dry_run_sends_nothing(tmp_path: Path, env: Sandbox) -> None:
    out = runner.invoke(
        app, ["export", str(_csv(tmp_path)), "--conversion", str(env.rule_id), "--dry-run"]
    )
    assert out.exit_code == 0, out.output
    assert env.event_count == 0
    assert "6 dry run" in out.output


@pytest.mark.parametrize(
    ("config_text", "needle"),
    [
        ("{not json", "line 1"),
        ('{"type": "linkedin_ads_conversion_api", "colour": 1}', "colour"),
    ],
)
def test_export_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, env: Sandbox, config_text: str, needle: str
) -> None:
    cfg = tmp_path / "bad.json"
    cfg.write_text(config_text)
    out = runner.invoke(app, ["export", str(_csv(tmp_path)), "--config", str(cfg)])
    assert out.exit_code == 2
    assert needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.output


def test_export_revoked_credentials_exit_3(tmp_path: Path, env: Sandbox) -> None:
    env.revoke_tokens()
    out = runner.invoke(app, ["export", str(_csv(tmp_path)), "--conversion", str(env.rule_id)])
    assert out.exit_code == 3, out.output
    assert "re-authorize" in out.stderr.lower() or "authoriz" in out.stderr.lower()
    assert env.refresh_token not in out.output


def test_export_missing_file_exit_2(tmp_path: Path, env: Sandbox) -> None:
    out = runner.invoke(app, ["export", str(tmp_path / "nope.csv"), "--conversion", "1"])
    assert out.exit_code == 2
    assert "no such file" in out.stderr


def test_auth_login_pasted_redirect_stores_tokens(tmp_path: Path, sb: Sandbox) -> None:
    """A real subprocess: read the consent URL, follow it like a browser, paste back."""
    token_file = tmp_path / "token.json"
    environ = {
        **os.environ,
        "LINKEDIN_CAPI_CLIENT_ID": sb.client_id,
        "LINKEDIN_CAPI_CLIENT_SECRET": sb.client_secret,
        "LINKEDIN_CAPI_TOKEN_URL": sb.token_url,
        "LINKEDIN_CAPI_AUTHORIZATION_URL": sb.authorization_url,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkedin_capi.cli", "auth", "login",
         "--token-file", str(token_file), "--redirect-uri", "http://localhost:8765/callback"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=environ, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    url = proc.stdout.readline().strip()
    assert url.startswith(sb.authorization_url)
    consent = requests.get(url, allow_redirects=False, timeout=10)
    redirect = consent.headers["Location"]
    assert redirect.startswith("http://localhost:8765/callback?")
    stdout, stderr = proc.communicate(redirect + "\n", timeout=30)
    assert proc.returncode == 0, stderr
    stored = json.loads(token_file.read_text())
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert "expires_at" in json.dumps(stored)
    assert sb.client_secret not in stdout + stderr


def test_auth_login_without_credentials_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKEDIN_CAPI_CLIENT_ID", raising=False)
    monkeypatch.delenv("LINKEDIN_CAPI_CLIENT_SECRET", raising=False)
    out = runner.invoke(app, ["auth", "login"])
    assert out.exit_code == 2
    assert "LINKEDIN_CAPI_CLIENT_ID" in out.stderr


def test_demo_runs_the_full_job_offline() -> None:
    out = runner.invoke(app, ["demo", "--rows", "60"])
    assert out.exit_code == 0, out.output
    assert "Conversion rule: 'linkedin-capi demo purchases'" in out.output
    # the same summary line as `linkedin-capi export`
    match = re.search(r"^Export: 60 rows: (\d+) sent", out.output, re.M)
    assert match is not None, out.output
    sent = int(match.group(1))
    assert sent > 0
    assert f"accepted {sent} events" in out.output
    # and what to do next, in CLI words
    assert "Next: try it on your own file — `linkedin-capi validate" in out.output


def test_export_with_journal_streams_and_rerun_sends_nothing_twice(
    tmp_path: Path, env: Sandbox
) -> None:
    csv = _csv(tmp_path, n=12)
    journal = tmp_path / "journal.db"
    args = ["export", str(csv), "--conversion", str(env.rule_id), "--journal", str(journal)]
    first = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["counts"]["sent"] == 12
    again = runner.invoke(app, [*args, "--json"])
    assert again.exit_code == 0, again.output
    counts = json.loads(again.stdout)["counts"]
    assert counts["sent"] == 0 and counts["already_sent"] == 12
    assert env.event_count == 12 and not env.duplicate_event_ids


def test_export_journal_without_event_ids_needs_derive(tmp_path: Path, env: Sandbox) -> None:
    csv = tmp_path / "no_ids.csv"
    pl.read_csv(_csv(tmp_path)).drop("eventId").write_csv(csv)
    journal = tmp_path / "journal.db"
    base = ["export", str(csv), "--conversion", str(env.rule_id), "--journal", str(journal)]
    refused = runner.invoke(app, base)
    assert refused.exit_code == 2, refused.output
    assert "eventId" in refused.stderr
    derived = runner.invoke(app, [*base, "--derive-event-ids"])
    assert derived.exit_code == 0, derived.output
    assert env.event_count == 6
    assert all(len(i) == 64 for i in env.event_ids)


def test_export_header_only_file_exit_2_also_when_streaming(tmp_path: Path, env: Sandbox) -> None:
    csv = tmp_path / "header.csv"
    csv.write_text("conversionHappenedAt,SHA256_EMAIL,eventId\n")
    for extra in ([], ["--journal", str(tmp_path / "j.db")]):
        out = runner.invoke(app, ["export", str(csv), "--conversion", "1", *extra])
        assert out.exit_code == 2, out.output
        assert "no rows" in out.stderr


def test_export_dry_run_needs_no_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "ACCESS_TOKEN", "TOKEN_FILE"):
        monkeypatch.delenv(f"LINKEDIN_CAPI_{name}", raising=False)
    args = ["export", str(_csv(tmp_path)), "--conversion", "5"]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "6 dry run" in dry.output
    real = runner.invoke(app, args)
    assert real.exit_code == 2
    assert "LINKEDIN_CAPI_CLIENT_ID" in real.stderr


def test_now_option_pins_the_window(tmp_path: Path) -> None:
    csv = tmp_path / "old.csv"
    csv.write_text("conversionHappenedAt,SHA256_EMAIL\n2024-08-28T10:00:00Z,a@b.co\n")
    args = ["validate", str(csv), "--conversion", "1", "--json"]
    today = json.loads(runner.invoke(app, args).stdout)["counts"]
    assert today["skipped"] == 1
    pinned = runner.invoke(app, [*args, "--now", "2024-09-01T00:00:00Z"])
    assert json.loads(pinned.stdout)["counts"]["valid"] == 1
    bad = runner.invoke(app, [*args, "--now", "yesterday"])
    assert bad.exit_code == 2 and "--now" in bad.stderr
