"""What the CLI prints is safe and bounded: escapes shown, long values and lists cut, masks kept."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from linkedin_capi.cli import app

runner = CliRunner()
NOW = "2026-09-15T12:00:00Z"
RECENT = "2026-09-14T12:00:00Z"
TITLE = "\x1b]0;owned\x07"  # OSC: retitles the terminal window
COLOUR = "\x1b[2J\x1b[31m"  # clears the screen, turns red


def csv(tmp_path: Path, df: pl.DataFrame) -> str:
    path = tmp_path / "events.csv"
    df.write_csv(path)
    return str(path)


def test_escape_sequences_in_values_are_shown_escaped(tmp_path: Path) -> None:
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [RECENT, TITLE + "soon" + COLOUR],
            "SHA256_EMAIL": ["a@b.io", "x" + TITLE],
        }
    )
    result = runner.invoke(app, ["validate", csv(tmp_path, df), "--conversion", "1", "--now", NOW])
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;owned\\x07" in result.stdout


def test_escape_sequences_in_column_names_and_errors(tmp_path: Path) -> None:
    df = pl.DataFrame({"email" + TITLE: ["a@b.io"], "crm" + COLOUR: ["x"]})
    result = runner.invoke(app, ["validate", csv(tmp_path, df), "--now", NOW])
    assert result.exit_code == 2, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b" in result.stderr


def test_a_one_megabyte_cell_gives_a_bounded_line(tmp_path: Path) -> None:
    df = pl.DataFrame(
        {"conversionHappenedAt": [RECENT, "y" * 1_000_000], "SHA256_EMAIL": ["a@b.io"] * 2}
    )
    result = runner.invoke(app, ["validate", csv(tmp_path, df), "--conversion", "1", "--now", NOW])
    assert result.exit_code == 1, result.output
    longest = max(len(line) for line in result.output.splitlines())
    assert longest < 2_500, longest
    as_json = runner.invoke(
        app, ["validate", csv(tmp_path, df), "--conversion", "1", "--now", NOW, "--json"]
    )
    assert len(as_json.stdout) < 5_000


def test_ten_thousand_columns_give_a_bounded_line(tmp_path: Path) -> None:
    df = pl.DataFrame({f"col{i}": ["v"] for i in range(10_000)})
    result = runner.invoke(app, ["validate", csv(tmp_path, df), "--now", NOW])
    assert result.exit_code == 2, result.output[-300:]
    [line] = result.stderr.strip().splitlines()
    assert len(line) < 2_500, len(line)
    assert "... and 9,990 more" in line
    df = df.with_columns(conversionHappenedAt=pl.lit(RECENT), SHA256_EMAIL=pl.lit("a@b.io"))
    ok = runner.invoke(app, ["validate", csv(tmp_path, df), "--conversion", "1", "--now", NOW])
    assert ok.exit_code == 0, ok.output[-300:]
    assert "... and 9,980 more" in ok.stdout
    assert max(len(line) for line in ok.stdout.splitlines()) < 2_500


def test_json_masks_email_addresses_like_the_text_output(tmp_path: Path) -> None:
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [RECENT, RECENT],
            "SHA256_EMAIL": ["a@b.io", "jane.doe@example"],  # no TLD: invalid, quoted back
        }
    )
    path = csv(tmp_path, df)
    text = runner.invoke(app, ["validate", path, "--conversion", "1", "--now", NOW])
    as_json = runner.invoke(app, ["validate", path, "--conversion", "1", "--now", NOW, "--json"])
    assert text.exit_code == as_json.exit_code == 1, as_json.output
    assert "j***@example" in text.stdout and "jane.doe" not in text.stdout
    assert "jane.doe" not in as_json.stdout, as_json.stdout
    errors = [e for row in json.loads(as_json.stdout)["invalid"] for e in row["errors"]]
    assert errors and all(e in text.stdout for e in errors)  # the very same masked text
    raw = runner.invoke(
        app, ["validate", path, "--conversion", "1", "--now", NOW, "--json", "--show-values"]
    )
    assert raw.exit_code == 1
    assert "jane.doe@example" in raw.stdout  # only when asked for


def test_now_constant_is_recent() -> None:
    assert dt.datetime.fromisoformat(NOW) - dt.datetime.fromisoformat(RECENT) < dt.timedelta(2)
