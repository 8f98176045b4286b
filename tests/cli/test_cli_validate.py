"""The ``linkedin-capi`` command: validate FILE (CSV, Parquet, NDJSON, stdin) and demo."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from linkedin_capi.cli import app

runner = CliRunner()


def recent(days: float) -> str:
    """An ISO time ``days`` before the real now (the command has no --now)."""
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def good_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ConversionHappenedAt": [recent(1), recent(2), recent(200)],
            "SHA256_EMAIL": ["User@Example.com", "a@b.io", "c@d.io"],
            "crm": ["x", "y", "z"],
        }
    )


def bad_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "conversionHappenedAt": [recent(1), "soon", "1724859000"],
            "SHA256_EMAIL": ["a@b.io", "nope", "c@d.io"],
        }
    )


def write(df: pl.DataFrame, path: Path) -> str:
    {
        ".csv": df.write_csv,
        ".parquet": df.write_parquet,
        ".ndjson": df.write_ndjson,
        ".jsonl": df.write_ndjson,
    }[path.suffix](path)
    return str(path)


def assert_one_line_error(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("linkedin-capi: ")
    for needle in needles:
        assert needle in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".ndjson", ".jsonl"])
def test_all_valid_file_exits_0(tmp_path: Path, suffix: str) -> None:
    path = write(good_frame(), tmp_path / f"events{suffix}")
    result = runner.invoke(app, ["validate", path, "--conversion", "123"])
    assert result.exit_code == 0, result.output
    assert "3 rows — 2 valid, 0 invalid, 1 skipped" in result.stdout
    assert "ignored columns (not sent): crm" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".ndjson"])
def test_some_invalid_rows_exit_1(tmp_path: Path, suffix: str) -> None:
    path = write(bad_frame(), tmp_path / f"events{suffix}")
    result = runner.invoke(
        app, ["validate", path, "--conversion", "urn:lla:llaPartnerConversion:9"]
    )
    assert result.exit_code == 1, result.output
    assert "1 valid, 2 invalid" in result.stdout
    assert "looks like epoch seconds" in result.stdout


def test_json_output_parses(tmp_path: Path) -> None:
    path = write(bad_frame(), tmp_path / "events.csv")
    result = runner.invoke(app, ["validate", path, "--conversion", "5", "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["counts"] == {"total": 3, "valid": 1, "invalid": 2, "skipped": 0}
    assert [r["_row"] for r in out["invalid"]] == [1, 2]
    assert out["invalid"][0]["errors"][0].startswith("conversionHappenedAt: ")
    assert out["warnings"] == [] and out["ignored_columns"] == []


def test_json_output_when_all_valid(tmp_path: Path) -> None:
    path = write(good_frame(), tmp_path / "events.parquet")
    result = runner.invoke(app, ["validate", path, "--conversion", "5", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["counts"]["skipped"] == 1


def test_stdin_csv(tmp_path: Path) -> None:
    text = good_frame().write_csv()
    result = runner.invoke(app, ["validate", "-", "--conversion", "1"], input=text)
    assert result.exit_code == 0, result.output
    assert "2 valid" in result.stdout
    bad = runner.invoke(app, ["validate", "-", "--conversion", "1"], input=bad_frame().write_csv())
    assert bad.exit_code == 1


def test_conversion_column_in_the_file_is_enough(tmp_path: Path) -> None:
    df = good_frame().with_columns(conversion=pl.lit(77))
    path = write(df, tmp_path / "events.csv")
    assert runner.invoke(app, ["validate", path]).exit_code == 0


def test_schema_error_exits_2_with_one_line(tmp_path: Path) -> None:
    path = write(
        pl.DataFrame({"when": [recent(1)], "SHA256_EMAIL": ["a@b.io"]}), tmp_path / "e.csv"
    )
    result = runner.invoke(app, ["validate", path, "--conversion", "1"])
    assert_one_line_error(result, 2, "no 'conversionHappenedAt' column", "columns found")


def test_missing_conversion_exits_2(tmp_path: Path) -> None:
    path = write(good_frame(), tmp_path / "events.csv")
    result = runner.invoke(app, ["validate", path])
    # in the CLI's words: the flag, not the Python keyword
    assert_one_line_error(result, 2, "no 'conversion' column and no --conversion rule given")


def test_bad_conversion_option_exits_2(tmp_path: Path) -> None:
    path = write(good_frame(), tmp_path / "events.csv")
    result = runner.invoke(app, ["validate", path, "--conversion", "abc"])
    assert_one_line_error(result, 2, "--conversion expects a rule id")


def test_duplicate_columns_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        f"conversionHappenedAt,CONVERSIONHAPPENEDAT,acxiom_id\n{recent(1)},{recent(1)},a\n"
    )
    result = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert_one_line_error(result, 2, "both mean 'conversionHappenedAt'")


@pytest.mark.parametrize("name", ["events.txt", "events", "events.xls"])
def test_unknown_extension_exits_2(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("a,b\n1,2\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert_one_line_error(result, 2, "unknown file type", ".csv, .parquet, .ndjson")


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.csv")])
    assert_one_line_error(result, 2, "no such file")


def test_empty_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert_one_line_error(runner.invoke(app, ["validate", str(path)]), 2, "the file is empty")


def test_empty_stdin_exits_2() -> None:
    result = runner.invoke(app, ["validate", "-", "--conversion", "1"], input="  \n")
    assert_one_line_error(result, 2, "stdin is empty")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_header_only_file_exits_2(tmp_path: Path, suffix: str) -> None:
    df = good_frame().clear()
    path = write(df, tmp_path / f"events{suffix}")
    result = runner.invoke(app, ["validate", path, "--conversion", "1"])
    assert_one_line_error(result, 2, "no rows")


def test_header_only_stdin_exits_2() -> None:
    result = runner.invoke(
        app, ["validate", "-", "--conversion", "1"], input="conversionHappenedAt,ACXIOM_ID\n"
    )
    assert_one_line_error(result, 2, "no rows")


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"this is not parquet")
    assert_one_line_error(runner.invoke(app, ["validate", str(path)]), 2, "cannot read it")


def test_demo_runs_and_exits_0() -> None:
    result = runner.invoke(app, ["demo", "--rows", "40"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Generated 40 conversion events")
    assert "ValidationReport: 40 rows" in result.stdout
    # the first event the sandbox accepted is printed, sent to the rule the demo ensured
    urn = result.stdout.split("Conversion rule: ")[1].split("(")[1].split(")")[0]
    start = result.stdout.index("First accepted event:")
    end = result.stdout.index("\nNext: ", start)
    event = json.loads(result.stdout[result.stdout.index("{", start) : end])
    assert event["conversion"] == urn
    assert len(event["user"]["userIds"][0]["idValue"]) == 64


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "validate" in result.output and "demo" in result.output
