"""--timezone, --date-format, --decimal-comma/--decimal-point on validate and export."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkedin_capi.cli import app
from linkedin_capi.sandbox import Sandbox

runner = CliRunner()
NY = zoneinfo.ZoneInfo("America/New_York")
# Yesterday 15:15 New York time, as a CRM writes it (naive, US order, 12-hour clock).
LOCAL = (dt.datetime.now(NY) - dt.timedelta(days=1)).replace(
    hour=15, minute=15, second=0, microsecond=0
)
US_TEXT = LOCAL.strftime("%m/%d/%Y %I:%M %p")
ISO_LOCAL = LOCAL.strftime("%Y-%m-%d %H:%M")
LOCAL_MS = int(LOCAL.timestamp() * 1000)
AS_UTC_MS = int(LOCAL.replace(tzinfo=dt.UTC).timestamp() * 1000)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def crm_file(tmp_path: Path) -> Path:
    """A CRM export: US dates in local time, dollar amounts, country names, a placeholder."""
    path = tmp_path / "crm.csv"
    path.write_text(
        "Created Date,Email,Amount,Currency,Country,li_fat_id,First Name,Last Name\n"
        f'{US_TEXT},Jane@Acme.com,"$1,250.00",USD,United States,undefined,Jane,Doe\n'
    )
    return path


def test_export_with_timezone_and_date_format_lands_exactly(tmp_path: Path, env: Sandbox) -> None:
    args = [
        "export",
        str(crm_file(tmp_path)),
        "--conversion",
        str(env.rule_id),
        "--map",
        "Created Date=conversionHappenedAt",
        "--date-format",
        "%m/%d/%Y %I:%M %p",
        "--timezone",
        "America/New_York",
    ]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    (event,) = env.events
    assert event["conversionHappenedAt"] == LOCAL_MS  # 15:15 in New York, not in UTC
    assert event["conversionValue"] == {"currencyCode": "USD", "amount": "1250.00"}
    assert event["user"]["userInfo"]["countryCode"] == "US"
    # li_fat_id "undefined" is not sent, and stderr says so
    assert [u["idType"] for u in event["user"]["userIds"]] == ["SHA256_EMAIL"]
    assert event["user"]["userIds"][0]["idValue"] == sha("jane@acme.com")
    assert "WARNING: 1 rows: LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID was a placeholder" in (
        out.stderr
    )
    assert "read as UTC" not in out.stderr


def test_without_timezone_naive_times_are_utc_and_stderr_warns(tmp_path: Path) -> None:
    path = tmp_path / "times.csv"
    path.write_text(f"conversionHappenedAt,ACXIOM_ID\n{ISO_LOCAL},a\n")
    out = runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"])
    assert out.exit_code == 0, out.output
    assert (
        "WARNING: 1 rows: conversionHappenedAt had no time zone and was read as UTC; pass "
        "--timezone Area/City if these are local times"
    ) in out.stderr
    assert "timezone=" not in out.stderr
    with_zone = runner.invoke(
        app, ["validate", str(path), "--conversion", "1", "--timezone", "America/New_York"]
    )
    assert with_zone.exit_code == 0, with_zone.output
    assert "read as UTC" not in with_zone.stderr


def test_date_format_flag(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text(f"conversionHappenedAt,ACXIOM_ID\n{US_TEXT},a\n")
    refused = runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"])
    assert refused.exit_code == 1
    (line,) = refused.stdout.splitlines()
    assert json.loads(line)["by_rule"][0]["rule"] == "conversionHappenedAt.format"
    read = runner.invoke(
        app,
        ["validate", str(path), "--conversion", "1", "--date-format", "%m/%d/%Y %I:%M %p"],
    )
    assert read.exit_code == 0, read.output
    assert "read as UTC" in read.stderr  # a format without %z: still a naive time


@pytest.mark.parametrize(
    ("flag", "exit_code", "rule"),
    [
        (None, 1, "amount.ambiguous_separator"),
        ("--decimal-point", 0, None),  # 1,250 is one thousand two hundred fifty
        ("--decimal-comma", 1, "amount.format"),  # 1.250: three decimal places
    ],
)
def test_decimal_comma_flags(tmp_path: Path, flag: str | None, exit_code: int, rule: str) -> None:
    path = tmp_path / "money.csv"
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(f'conversionHappenedAt,ACXIOM_ID,amount,currencyCode\n{when},a,"1,250",USD\n')
    args = ["validate", str(path), "--conversion", "1", "--json"]
    out = runner.invoke(app, [*args, flag] if flag else args)
    assert out.exit_code == exit_code, out.output
    report = json.loads(out.stdout.splitlines()[0])
    assert [r["rule"] for r in report["by_rule"]] == ([rule] if rule else [])
    if rule == "amount.ambiguous_separator":
        # the message names the CLI's flags, not the Python keyword
        (message,) = report["invalid"][0]["errors"]
        assert "--decimal-comma or --decimal-point" in message
        text = runner.invoke(app, args[:-1])
        assert "--decimal-comma or --decimal-point" in text.stdout
        assert "decimal_comma=" not in text.stdout


def test_decimal_comma_on_export_dry_run(tmp_path: Path) -> None:
    path = tmp_path / "money.csv"
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(f'conversionHappenedAt,ACXIOM_ID,amount,currencyCode\n{when},a,"1.250",USD\n')
    args = ["export", str(path), "--conversion", "1", "--dry-run", "--json"]
    assert runner.invoke(app, args).exit_code == 1
    out = runner.invoke(app, [*args, "--decimal-comma"])
    assert out.exit_code == 0, out.output


@pytest.mark.parametrize("command", ["validate", "export"])
def test_a_bad_timezone_is_one_line_naming_the_flag(tmp_path: Path, command: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text("conversionHappenedAt,ACXIOM_ID\n2026-01-01 10:00,a\n")
    args = [command, str(path), "--conversion", "1", "--timezone", "Europe/Pariss"]
    if command == "export":
        args.append("--dry-run")
    out = runner.invoke(app, args)
    assert out.exit_code == 2
    (line,) = out.stderr.splitlines()
    assert line.startswith("linkedin-capi: --timezone expects an IANA time zone name")
    assert "did you mean 'Europe/Paris'" in line
    assert "Traceback" not in out.output
