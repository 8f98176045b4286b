"""Hostile --config/--result files: bounded, strict, one-line ConfigError, no secret quoted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _support.hostile import capture, leaks
from typer.testing import CliRunner

from linkedin_capi.cli import app
from linkedin_capi.config import MAX_CONFIG_BYTES, ExportConfig
from linkedin_capi.errors import ConfigError

SECRET = "cfg-client-secret-4242"
REFRESH = "cfg-refresh-token-4242"
HEAD = (
    f'{{"type": "linkedin_ads_conversion_api", "client_id": "app", "client_secret": "{SECRET}", '
    f'"refresh_token": "{REFRESH}", "conversion_rule": "Demo"'
)

HOSTILE: dict[str, bytes] = {
    "5000-digit integer": (HEAD + ', "ad_account_id": ' + "9" * 5000 + "}").encode(),
    "5000-digit float": (HEAD + ', "ad_account_id": 1.' + "9" * 5000 + "}").encode(),
    "100,000-deep nesting": (HEAD + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}").encode(),
    "40-deep nesting": (HEAD + ', "x": ' + '{"a":' * 40 + "1" + "}" * 40 + "}").encode(),
    "non-UTF-8 bytes": (HEAD + ', "ad_account_id": "\xff\xfe"}').encode("latin-1"),
    "duplicate key": (
        HEAD + ', "skip_invalid_records": false, "skip_invalid_records": true}'
    ).encode(),
    "over 1 MB": (HEAD + ', "pad": "' + "x" * MAX_CONFIG_BYTES + '"}').encode(),
    "not JSON": (HEAD + ", oops}").encode(),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_from_td_gives_one_line_config_error(case: str) -> None:
    for source in (HOSTILE[case], HOSTILE[case].decode("utf-8", "replace")):
        if case == "non-UTF-8 bytes" and isinstance(source, str):
            continue  # as text it is valid (U+FFFD)
        # handed over in a box emptied by the call: the lambda's own closure must not be
        # what the walk finds (the caller's frames are the caller's business)
        box = [source]
        exc = capture(lambda: ExportConfig.from_td(box.pop()))  # noqa: B023 - called at once
        assert isinstance(exc, ConfigError), f"{case}: {exc!r}"
        message = str(exc)
        assert "\n" not in message and len(message) < 400, message
        assert SECRET not in message and REFRESH not in message
        assert exc.__context__ is None and exc.__cause__ is None
        assert leaks(exc, [SECRET, REFRESH]) == [], case


def test_duplicate_keys_are_refused_not_last_wins() -> None:
    with pytest.raises(ConfigError, match="'skip_invalid_records' appears twice"):
        ExportConfig.from_td(HOSTILE["duplicate key"])


def test_nesting_within_the_bound_is_fine() -> None:
    data = json.loads(HEAD + "}")
    assert ExportConfig.from_td(json.dumps({"out": data})).client_id == "app"


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_cli_config_file_exits_2_with_one_line(tmp_path: Path, case: str) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(HOSTILE[case])
    result = CliRunner().invoke(app, ["auth", "status", "--config", str(path)])
    assert result.exit_code == 2, (case, result.output[-500:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("linkedin-capi: "), result.stderr[-500:]
    assert "please report" not in result.output and "Traceback" not in result.output
    assert SECRET not in result.output and REFRESH not in result.output
