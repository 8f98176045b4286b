"""One CLI voice: clean help for every command, and errors in the CLI's own words."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import typer
from typer.testing import CliRunner, Result

from linkedin_capi.cli import app
from linkedin_capi.cli._rules import cli_words
from linkedin_capi.sandbox import Sandbox

runner = CliRunner()

#: Python spellings a CLI user cannot type: keywords, classes, attributes.
PYTHON_SPELLINGS = re.compile(
    r"conversion=|ad_account_id=|skip_invalid_records=|refresh_token=|journal=|"
    r"Connection\(|Connection\.from_env|AuthorizationFlow|err\.report|linkedin_capi\."
)


def command_paths(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and subcommand of the app, as argument tuples (groups have .commands)."""
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path
        if hasattr(command, "commands"):
            yield from command_paths(command, path)


ROOT: Any = typer.main.get_command(app)
COMMANDS = list(command_paths(ROOT))


def test_every_command_is_found() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {"validate", "export", "demo", "sandbox", "accounts", "auth login", "auth status",
            "rules list", "rules create", "rules ensure", "rules update"} <= names  # fmt: skip


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "linkedin-capi")
def test_help_shows_metavars_not_python_types(path: tuple[str, ...]) -> None:
    out = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert out.exit_code == 0, out.output
    for tag in ("<bool>", "<str>", "<int", "<float>", "<path>"):
        assert tag not in out.output, f"{' '.join(path)} --help shows {tag}"


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p))
def test_every_command_has_an_example(path: tuple[str, ...]) -> None:
    command = ROOT
    for name in path:
        command = command.commands[name]
    if hasattr(command, "commands"):
        return  # groups list their commands; each command has the example
    out = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert "Example:" in out.output
    assert f"linkedin-capi {' '.join(path)}" in out.output.split("Example:")[1]


def test_config_and_result_are_one_option() -> None:
    """`--config FILE` everywhere a connection is made; `--result` kept for connector users."""
    for path in (("export",), ("accounts",), ("auth", "status"), ("rules", "list"),
                 ("rules", "ensure"), ("rules", "create"), ("rules", "update")):  # fmt: skip
        out = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"}).output
        assert "--config,--result" in out.replace(" ", ""), path


@pytest.fixture
def env(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The room's ``env`` without the ad account: these commands name it with --ad-account."""
    for key, value in sb.connection_kwargs().items():
        if key != "ad_account_id":
            monkeypatch.setenv(f"LINKEDIN_CAPI_{key.upper()}", str(value))
    return sb


def _csv(tmp_path: Path, *, event_ids: bool = True, bad: bool = False) -> Path:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    data: dict[str, list[str]] = {
        "conversionHappenedAt": [now.strftime("%Y-%m-%dT%H:%M:%SZ")] * 2,
        "SHA256_EMAIL": ["a@example.com", "not-an-address" if bad else "b@example.com"],
    }
    if event_ids:
        data["eventId"] = ["e-1", "e-2"]
    path = tmp_path / "in.csv"
    pl.DataFrame(data).write_csv(path)
    return path


def _assert_cli_words(out: Result, code: int) -> str:
    assert out.exit_code == code, out.output
    assert "Traceback" not in out.output
    found = PYTHON_SPELLINGS.findall(out.stderr)
    assert not found, f"Python spellings {found} in: {out.stderr}"
    return str(out.stderr)


def test_errors_name_flags_and_commands(tmp_path: Path, env: Sandbox) -> None:
    """The library's messages, as a CLI user meets them, name flags and commands."""
    # two usable accounts and no --ad-account
    env.add_account("Second shop", role="CAMPAIGN_MANAGER")
    out = runner.invoke(app, ["rules", "list"])
    assert "--ad-account ID" in _assert_cli_words(out, 2)
    # no rule for rows without a conversion column
    out = runner.invoke(app, ["validate", str(_csv(tmp_path))])
    assert "--conversion" in _assert_cli_words(out, 2)
    # a journal needs eventIds
    out = runner.invoke(
        app,
        ["export", str(_csv(tmp_path, event_ids=False)), "--conversion", str(env.rule_id),
         "--ad-account", str(env.account_id), "--journal", str(tmp_path / "j.db")],
    )  # fmt: skip
    assert "--derive-event-ids" in _assert_cli_words(out, 2)
    # skip_invalid_records: false in the connector's JSON, and an invalid row
    config = tmp_path / "result.json"
    config.write_text(
        json.dumps(
            {"type": "linkedin_ads_conversion_api", "client_id": env.client_id,
             "client_secret": env.client_secret, "refresh_token": env.refresh_token,
             "ad_account_id": env.account_id, "use_conversion_rule_id": True,
             "conversion_rule_id": env.rule_id, "skip_invalid_records": False}
        )
    )  # fmt: skip
    out = runner.invoke(app, ["export", str(_csv(tmp_path, bad=True)), "--config", str(config)])
    assert "--config" in _assert_cli_words(out, 1)
    # a revoked token
    env.revoke_tokens()
    out = runner.invoke(app, ["accounts"])
    assert "`linkedin-capi auth login`" in _assert_cli_words(out, 3)


def test_no_credentials_says_how_to_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "ACCESS_TOKEN", "TOKEN_FILE"):
        monkeypatch.delenv(f"LINKEDIN_CAPI_{var}", raising=False)
    out = runner.invoke(app, ["accounts"])
    stderr = _assert_cli_words(out, 2)
    assert "`linkedin-capi auth login`" in stderr and "token.json" in stderr


def test_cli_words_rewrites_python_spellings() -> None:
    assert cli_words("pass conversion=<rule id or URN>") == "pass --conversion ID"
    assert cli_words("journal= needs eventId; or derive_event_ids=True") == (
        "--journal needs eventId; or --derive-event-ids"
    )
    assert "AuthorizationFlow" not in cli_words("re-authorize (AuthorizationFlow)")


def test_demo_and_export_print_one_summary_format(tmp_path: Path, env: Sandbox) -> None:
    demo = runner.invoke(app, ["demo", "--rows", "30"])
    export = runner.invoke(
        app,
        ["export", str(_csv(tmp_path)), "--conversion", str(env.rule_id),
         "--ad-account", str(env.account_id)],
    )  # fmt: skip
    assert export.exit_code == 0, export.output
    pattern = re.compile(r"^ValidationReport: \d+ rows .*\n(?:.*\n)*?Export: \d+ rows: ", re.M)
    assert pattern.search(demo.stdout), demo.stdout
    assert pattern.search(export.stdout), export.stdout


def test_demo_write_sample_then_validate(tmp_path: Path) -> None:
    sample = tmp_path / "sample.csv"
    out = runner.invoke(app, ["demo", "--rows", "25", "--write-sample", str(sample)])
    assert out.exit_code == 0, out.output
    assert f"Wrote the generated input to {sample}" in out.stdout
    assert f"`linkedin-capi validate {sample} --conversion ID`" in out.stdout
    assert pl.read_csv(sample, infer_schema=False).height == 25
    # the sample has rows LinkedIn would reject: validate says so and exits 1
    checked = runner.invoke(app, ["validate", str(sample), "--conversion", "123"])
    assert checked.exit_code == 1, checked.output
    assert "ValidationReport: 25 rows" in checked.stdout


def test_export_json_summary_schema(tmp_path: Path, env: Sandbox) -> None:
    out = runner.invoke(
        app,
        ["export", str(_csv(tmp_path, bad=True)), "--conversion", str(env.rule_id),
         "--ad-account", str(env.account_id), "--json"],
    )  # fmt: skip
    assert out.exit_code == 1, out.output
    summary = json.loads(out.stdout)
    assert set(summary) == {
        "ok",
        "counts",
        "stopped",
        "resume_at",
        "problems",
        "problems_left_out",
        "reasons",
    }
    assert summary["ok"] is False and summary["stopped"] is None
    assert summary["counts"]["total"] == 2 and summary["counts"]["sent"] == 1
    assert summary["problems"][0]["_row"] == 1 and summary["problems"][0]["status"] == "invalid"


def test_ctrl_c_during_export_exits_130_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("linkedin_capi.delivery.export.export", interrupted)
    journal = str(tmp_path / "j.db")
    out = runner.invoke(app, ["export", str(_csv(tmp_path)), "--dry-run", "--journal", journal])
    assert out.exit_code == 130, out.output
    assert out.stderr.strip().splitlines() == [
        "linkedin-capi: interrupted; re-run the same command to send the rest "
        "(the journal knows what was sent)"
    ]
