"""`accounts` and `rules ...` commands (mounted on a fresh app) against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from linkedin_capi.cli import _rules as _cli_rules
from linkedin_capi.sandbox import Sandbox

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("noop")
    def noop() -> None:  # a second command, so `accounts` is not the implicit default
        """Does nothing."""

    _cli_rules.mount(app)
    return app


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(max_page_size=1) as sandbox:
        yield sandbox


def env(sb: Sandbox, **extra: str) -> dict[str, str]:
    return {
        "LINKEDIN_CAPI_CLIENT_ID": sb.client_id,
        "LINKEDIN_CAPI_CLIENT_SECRET": sb.client_secret,
        "LINKEDIN_CAPI_REFRESH_TOKEN": sb.refresh_token,
        "LINKEDIN_CAPI_BASE_URL": sb.base_url,
        "LINKEDIN_CAPI_TOKEN_URL": sb.token_url,
        "LINKEDIN_CAPI_API_VERSION": sb.api_version,
        **extra,
    }


def test_accounts(app: typer.Typer, sb: Sandbox) -> None:
    out = runner.invoke(app, ["accounts", "--json"], env=env(sb))
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert {(r["id"], r["role"], r["usable"]) for r in rows} == {
        (sb.account_id, "ACCOUNT_MANAGER", True),
        (sb.viewer_account_id, "VIEWER", False),
    }
    text = runner.invoke(app, ["accounts"], env=env(sb)).stdout
    assert "view only" in text and "Sandbox Outdoor Co." in text
    assert sb.client_secret not in text


def test_rules_list_pages_and_filters(app: typer.Typer, sb: Sandbox) -> None:
    sb.add_rule("Third")
    out = runner.invoke(app, ["rules", "list", "--json"], env=env(sb))
    assert out.exit_code == 0, out.output
    names = [r["name"] for r in json.loads(out.stdout)]
    assert names == ["Sandbox purchase (Conversions API)", "Third"]  # the tag rule is hidden
    every = runner.invoke(app, ["rules", "list", "--all"], env=env(sb)).stdout
    assert "INSIGHT_TAG_URL_MATCH_RULES" in every


def test_rules_ensure_is_idempotent_and_reports_drift(app: typer.Typer, sb: Sandbox) -> None:
    args = ["rules", "ensure", "CLI rule", "--type", "lead", "--post-click", "90", "--json"]
    first = runner.invoke(app, args, env=env(sb))
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, args, env=env(sb))
    assert json.loads(first.stdout)["id"] == json.loads(second.stdout)["id"]
    assert [r["name"] for r in sb.rules].count("CLI rule") == 1
    drift = runner.invoke(app, ["rules", "ensure", "CLI rule", "--type", "lead"], env=env(sb))
    assert drift.exit_code == 0
    assert "warning: conversion rule 'CLI rule'" in drift.stderr
    assert "post_click_window is 90 (wanted 30)" in drift.stderr
    strict = runner.invoke(
        app, ["rules", "ensure", "CLI rule", "--type", "lead", "--on-drift", "error"], env=env(sb)
    )
    assert strict.exit_code == 2 and "post_click_window is 90" in strict.stderr


def test_rules_create_bad_setting_exits_2_without_a_request(app: typer.Typer, sb: Sandbox) -> None:
    before = len(sb.requests)
    out = runner.invoke(app, ["rules", "create", "X", "--view-through", "365"], env=env(sb))
    assert out.exit_code == 2
    assert "view_through_window: expected one of 1, 7, 30, 90" in out.stderr
    assert len(sb.requests) == before


def test_rules_update(app: typer.Typer, sb: Sandbox) -> None:
    out = runner.invoke(
        app, ["rules", "update", sb.rule_urn, "--disabled", "--view-through", "1"], env=env(sb)
    )
    assert out.exit_code == 0, out.output
    assert sb.rule(sb.rule_id)["enabled"] is False
    assert sb.rule(sb.rule_id)["viewThroughAttributionWindowSize"] == 1


def test_result_option_inline_and_from_file(app: typer.Typer, sb: Sandbox, tmp_path: Path) -> None:
    result = json.dumps(
        {
            "type": "linkedin_ads_conversion_api",
            "client_id": sb.client_id,
            "client_secret": sb.client_secret,
            "refresh_token": sb.refresh_token,
            "conversion_rule": "anything",
        }
    )
    only_location = {
        "LINKEDIN_CAPI_BASE_URL": sb.base_url,
        "LINKEDIN_CAPI_TOKEN_URL": sb.token_url,
        "LINKEDIN_CAPI_API_VERSION": sb.api_version,
    }
    out = runner.invoke(app, ["rules", "list", "--result", result, "--json"], env=only_location)
    assert out.exit_code == 0, out.output  # account chosen: the only usable one
    assert len(json.loads(out.stdout)) == 1
    path = tmp_path / "result.json"
    path.write_text(result)
    out = runner.invoke(app, ["accounts", "--result", f"@{path}"], env=only_location)
    assert out.exit_code == 0, out.output


def test_malformed_result_exits_2_without_echoing_secrets(app: typer.Typer) -> None:
    seed = (
        '{"type":"linkedin_ads_conversion_api","client_id":"client_id","client_secret":'
        '"TOPSECRET","refresh_token":"refresh_token,"ad_account_id":"ad_account_id"}'
    )
    out = runner.invoke(app, ["accounts", "--result", seed])
    assert out.exit_code == 2
    assert "not valid JSON" in out.stderr and "line 1, column" in out.stderr
    assert "TOPSECRET" not in out.output


def test_no_credentials(app: typer.Typer) -> None:
    out = runner.invoke(app, ["rules", "list"], env={k: "" for k in env_keys()})
    assert out.exit_code == 2 and "found no credentials" in out.stderr


def env_keys() -> list[str]:
    return [
        "LINKEDIN_CAPI_CLIENT_ID",
        "LINKEDIN_CAPI_CLIENT_SECRET",
        "LINKEDIN_CAPI_REFRESH_TOKEN",
        "LINKEDIN_CAPI_ACCESS_TOKEN",
        "LINKEDIN_CAPI_TOKEN_FILE",
    ]
