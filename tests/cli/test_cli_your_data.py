"""Files as they arrive: text CSV, separators, BOM, encodings, mapping, --errors-out, stderr."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from linkedin_capi.cli import app, read_frame
from linkedin_capi.sandbox import Sandbox

runner = CliRunner()
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
WHEN = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
WHEN_MS = int(NOW.timestamp() * 1000)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_warehouse_csv_with_snake_case_names_lands_exactly(tmp_path: Path, env: Sandbox) -> None:
    path = tmp_path / "warehouse.csv"
    path.write_text(
        "conversion_happened_at,event_id,email,li_fat_id,first_name,last_name,country_code,"
        "external_ids\n"
        f"{WHEN},000123, Jane@Acme.com ,0a1b-2c,Jane,Doe,US,00042\n"
    )
    out = runner.invoke(app, ["export", str(path), "--conversion", str(env.rule_id)])
    assert out.exit_code == 0, out.output
    (event,) = env.events
    assert event["eventId"] == "000123"
    assert event["conversionHappenedAt"] == WHEN_MS
    ids = {u["idType"]: u["idValue"] for u in event["user"]["userIds"]}
    assert ids == {
        "SHA256_EMAIL": sha("jane@acme.com"),
        "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID": "0a1b-2c",
    }
    assert event["user"]["userInfo"] == {
        "firstName": "Jane",
        "lastName": "Doe",
        "countryCode": "US",
    }
    assert event["user"]["externalIds"] == ["00042"]


def test_csv_is_read_as_text_and_one_bad_value_does_not_sink_the_file(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    rows = "\n".join(f"{WHEN},a{i}@b.co,{i}.00,USD" for i in range(200))
    path.write_text(
        f"conversionHappenedAt,SHA256_EMAIL,amount,currencyCode\n{rows}\n{WHEN},x@y.z,lots,USD\n"
    )
    frame = read_frame(str(path))
    assert isinstance(frame, pl.DataFrame)
    assert set(frame.schema.values()) == {pl.String}
    out = runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"])
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    assert report["counts"] == {"total": 201, "valid": 200, "invalid": 1, "skipped": 0}
    assert report["by_rule"] == [{"rule": "amount.format", "rows": 1, "sample": ["lots"]}]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_separator_is_detected_and_bom_dropped(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "excel.csv"
    text = sep.join(["conversionHappenedAt", "SHA256_EMAIL", "eventId"]) + "\n"
    text += sep.join([WHEN, "a@b.co", "007"]) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    frame = read_frame(str(path))
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == ["conversionHappenedAt", "SHA256_EMAIL", "eventId"]
    assert frame["eventId"].to_list() == ["007"]


def test_separator_and_encoding_options(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(
        f"conversionHappenedAt;lastName;firstName\n{WHEN};Müller;José\n".encode("cp1252")
    )
    out = runner.invoke(
        app,
        [
            "validate",
            str(path),
            "--conversion",
            "1",
            "--separator",
            ";",
            "--encoding",
            "cp1252",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["counts"]["valid"] == 1
    bad = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert bad.exit_code == 2
    assert "--encoding" in bad.stderr and "Traceback" not in bad.output


def test_map_and_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(f"Created,Courriel,Lead Source\n{WHEN},a@b.co,web\n")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Created": "conversionHappenedAt"}))
    out = runner.invoke(
        app,
        [
            "validate",
            str(path),
            "--conversion",
            "1",
            "--mapping",
            str(mapping),
            "--map",
            "Courriel=SHA256_EMAIL",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["mapping"] == {"Created": "conversionHappenedAt", "Courriel": "SHA256_EMAIL"}
    assert report["ignored_columns"] == ["Lead Source"]
    bad = runner.invoke(app, ["validate", str(path), "--map", "Courriel"])
    assert bad.exit_code == 2 and "SRC=FIELD" in bad.stderr


def test_homoglyph_column_gets_a_loud_did_you_mean_in_cli_spelling(tmp_path: Path) -> None:
    path = tmp_path / "web.csv"
    path.write_text(f"conversionHappenedAt,\u0405HA256_EMAIL,ACXIOM_ID\n{WHEN},a@b.co,x\n")
    out = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert out.exit_code == 0, out.output
    assert (
        "WARNING: column '\u0405HA256_EMAIL' was ignored; did you mean 'SHA256_EMAIL'?"
        in out.stderr
    )
    assert "--map '\u0405HA256_EMAIL=SHA256_EMAIL'" in out.stderr
    assert "mapping=" not in out.stderr


def test_json_has_no_silent_caps(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = "\n".join(f"soon{i},a@b.co" for i in range(30))
    path.write_text(f"conversionHappenedAt,SHA256_EMAIL\n{rows}\n")
    capped = json.loads(
        runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"]).stdout
    )
    assert len(capped["invalid"]) == 20 and capped["invalid_left_out"] == 10
    assert capped["by_rule"][0]["rows"] == 30
    full = json.loads(
        runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json", "--all"]).stdout
    )
    assert len(full["invalid"]) == 30 and full["invalid_left_out"] == 0


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".ndjson"])
def test_errors_out_writes_every_row_not_sent(tmp_path: Path, env: Sandbox, suffix: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "conversionHappenedAt,SHA256_EMAIL,crm_id\n"
        f"{WHEN},jane@acme.com,1\n{WHEN},nope,2\n2020-01-01,a@b.co,3\n"
    )
    target = tmp_path / f"errors{suffix}"
    out = runner.invoke(
        app, ["export", str(path), "--conversion", str(env.rule_id), "--errors-out", str(target)]
    )
    assert out.exit_code == 1, out.output
    read = {".csv": pl.read_csv, ".parquet": pl.read_parquet, ".ndjson": pl.read_ndjson}[suffix]
    errors = read(target)
    assert errors["crm_id"].cast(pl.String).to_list() == ["2", "3"]
    assert errors["status"].to_list() == ["invalid", "skipped"]
    assert errors["rule"].to_list() == ["SHA256_EMAIL.format", "conversionHappenedAt.too_old"]
    assert errors["message"][0].startswith("SHA256_EMAIL: expected")
    assert env.event_count == 1
    # A partly failed export says why on stderr, not only how many.
    assert "top reasons:" in out.stderr and "SHA256_EMAIL: expected" in out.stderr


def test_validate_errors_out(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f"conversionHappenedAt,SHA256_EMAIL\n{WHEN},nope\n{WHEN},a@b.co\n")
    target = tmp_path / "bad.csv"
    out = runner.invoke(
        app, ["validate", str(path), "--conversion", "1", "--errors-out", str(target)]
    )
    assert out.exit_code == 1
    assert pl.read_csv(target).select("_row", "status", "rule").rows() == [
        (0, "invalid", "SHA256_EMAIL.format")
    ]


def test_a_directory_and_a_glob_of_parquet_parts(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    for i in range(3):
        pl.DataFrame({"conversionHappenedAt": [WHEN], "ACXIOM_ID": [f"a{i}"]}).write_parquet(
            parts / f"part-{i}.parquet"
        )
    for source in (str(parts), str(parts / "part-*.parquet")):
        frame = read_frame(source)
        assert isinstance(frame, pl.DataFrame)
        assert frame["ACXIOM_ID"].to_list() == ["a0", "a1", "a2"]
    lazy = read_frame(str(parts), lazy=True)
    assert isinstance(lazy, pl.LazyFrame) and lazy.collect().height == 3
