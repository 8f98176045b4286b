"""The CLI's readers: .xlsx and NDJSON as text, rows named by their file line or sheet row."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from typer.testing import CliRunner

from linkedin_capi.cli import app, read_frame
from linkedin_capi.cli.readers import read_input

runner = CliRunner()
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
WHEN = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")


def one_line_error(out: object, *needles: str) -> str:
    result = out  # typer's Result
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return str(lines[0])


# -- .xlsx ------------------------------------------------------------------------------


#: A cell with a format and no value (Excel shows it empty; the sheet's file lists it).
FORMATTED_BLANK = object()


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Cells written with their Excel types: str → text cell, float → number, datetime → date.

    ``None`` writes nothing, :data:`FORMATTED_BLANK` an empty cell with a format.
    """
    date = None
    with xlsxwriter.Workbook(path) as book:
        date = book.add_format({"num_format": "mm/dd/yyyy h:mm AM/PM"})
        bold = book.add_format({"bold": True})
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if isinstance(value, dt.datetime):
                        sheet.write_datetime(r, c, value, date)
                    elif value is FORMATTED_BLANK:
                        sheet.write_blank(r, c, None, bold)
                    elif value is not None:
                        sheet.write(r, c, value)
    return path


def test_xlsx_cells_are_read_as_excel_holds_them(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "orders.xlsx",
        {
            "Orders": [
                ["eventId", "conversionHappenedAt", "SHA256_EMAIL", "amount", "externalIds"],
                ["000123", dt.datetime(2026, 11, 28, 15, 15), "a@b.co", 1250.5, "00042"],
                ["0042", dt.datetime(2026, 11, 27, 9, 5), "c@d.co", 99.0, None],
            ]
        },
    )
    frame = read_frame(str(path))
    assert isinstance(frame, pl.DataFrame)
    assert set(frame.schema.values()) == {pl.String}
    assert frame.rows() == [
        ("000123", "2026-11-28 15:15:00", "a@b.co", "1250.5", "00042"),
        ("0042", "2026-11-27 09:05:00", "c@d.co", "99", None),
    ]


def test_xlsx_one_odd_cell_is_one_invalid_row_not_an_unreadable_sheet(tmp_path: Path) -> None:
    rows: list[list[object]] = [["conversionHappenedAt", "SHA256_EMAIL", "amount", "currencyCode"]]
    rows += [[WHEN, f"a{i}@b.co", float(i), "USD"] for i in range(150)]
    rows += [[WHEN, "x@y.co", "lots", "USD"]]
    path = workbook(tmp_path / "many.xlsx", {"Sheet1": rows})
    out = runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"])
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    assert report["counts"] == {"total": 151, "valid": 150, "invalid": 1, "skipped": 0}
    assert report["by_rule"] == [{"rule": "amount.format", "rows": 1, "sample": ["lots"]}]


def test_xlsx_sheet_choice_is_said_and_can_be_made(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        {
            "Readme": [["about"], ["this workbook holds conversions"]],
            "Orders": [["conversionHappenedAt", "SHA256_EMAIL"], [WHEN, "a@b.co"]],
        },
    )
    first = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert first.exit_code == 2  # the first sheet has no conversion columns
    chosen = runner.invoke(app, ["validate", str(path), "--conversion", "1", "--sheet", "Orders"])
    assert chosen.exit_code == 0, chosen.output
    assert "1 rows — 1 valid" in chosen.stdout
    assert "WARNING" not in chosen.stderr
    src = read_input(str(path))
    assert src.notes == [
        f"{path}: read the first sheet 'Readme' only; the workbook also has 'Orders' "
        "(choose one with --sheet NAME)"
    ]
    one_line_error(
        runner.invoke(app, ["validate", str(path), "--sheet", "Sales"]),
        "--sheet",
        "no sheet 'Sales'",
        "Readme, Orders",
    )


def test_sheet_warning_reaches_stderr(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        {
            "Orders": [["conversionHappenedAt", "SHA256_EMAIL"], [WHEN, "a@b.co"]],
            "Returns": [["x"], ["y"]],
        },
    )
    out = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert out.exit_code == 0, out.output
    assert "WARNING: " in out.stderr and "'Returns'" in out.stderr and "--sheet" in out.stderr


def test_xlsx_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_text("a,b\n1,2\n")
    one_line_error(runner.invoke(app, ["validate", str(broken)]), "cannot read it as an .xlsx")
    csv = tmp_path / "in.csv"
    csv.write_text(f"conversionHappenedAt\n{WHEN}\n")
    one_line_error(runner.invoke(app, ["validate", str(csv), "--sheet", "A"]), "--sheet", ".xlsx")
    good = workbook(tmp_path / "ok.xlsx", {"S": [["a"], ["b"]]})
    monkeypatch.setitem(sys.modules, "fastexcel", None)  # as if the extra were not installed
    one_line_error(
        runner.invoke(app, ["validate", str(good)]),
        "needs the excel extra",
        "pip install 'linkedin-capi[excel]'",
    )


def test_xlsx_rows_are_named_by_their_sheet_row(tmp_path: Path) -> None:
    # Two blank rows above the header (sheet row 3): fastexcel skips them without saying
    # so; the invalid row is the one Excel shows as row 6.
    header = ["conversionHappenedAt", "SHA256_EMAIL", "crm_id"]
    rows: list[list[object]] = [[], [], header]
    rows += [
        [WHEN, "a@b.co", "1"],
        [WHEN, "a@b.co", "2"],
        [WHEN, "nope", "3"],
        [WHEN, "c@d.co", "4"],
    ]
    path = workbook(tmp_path / "crm.xlsx", {"Leads": rows})
    assert read_input(str(path)).first_line == 4
    text = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert text.exit_code == 1, text.output
    assert "  sheet row 6: SHA256_EMAIL" in text.stdout
    assert "line " not in text.stdout and "row 2" not in text.stdout
    as_json = json.loads(
        runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"]).stdout
    )
    assert [(r["_row"], r["sheet_row"]) for r in as_json["invalid"]] == [(2, 6)]
    assert "line" not in as_json["invalid"][0]
    errors = tmp_path / "bad.ndjson"
    runner.invoke(app, ["validate", str(path), "--conversion", "1", "--errors-out", str(errors)])
    written = pl.read_ndjson(errors)
    assert written.columns[:3] == ["_row", "sheet_row", "conversionHappenedAt"]
    assert written.select("_row", "sheet_row", "crm_id").rows() == [(2, 6, "3")]
    out = runner.invoke(app, ["export", str(path), "--conversion", "1", "--dry-run", "--json"])
    problems = json.loads(out.stdout)["problems"]
    assert [(p["_row"], p["sheet_row"]) for p in problems] == [(2, 6)]


@pytest.mark.parametrize(
    ("layout", "first"),
    [
        pytest.param(["H", "d", "d"], 2, id="header on row 1"),
        pytest.param(["", "", "H", "d", "d"], 4, id="blank rows above the header"),
        pytest.param(["f", "f", "H", "d", "d"], 4, id="formatted empty rows above the header"),
        pytest.param(["H", "d", "", "d"], None, id="a blank row among the rows"),
        pytest.param(["H", "d", "f", "d"], None, id="a formatted empty row among the rows"),
        pytest.param(["H", "d", "d", "f", "f"], 2, id="formatted empty rows below"),
        # fastexcel's header is the first row with a value: here the title; the header row
        # is then data (sheet row 2), and a blank row below the title would be dropped
        pytest.param(["T", "H", "d"], 2, id="a title directly above the header"),
        pytest.param(["T", "", "H", "d"], None, id="a title, a blank row, the header"),
    ],
)
def test_xlsx_sheet_rows_are_exact_or_not_given(
    tmp_path: Path, layout: list[str], first: int | None
) -> None:
    cells = {
        "H": ["eventId", "SHA256_EMAIL"],
        "d": ["e", "a@b.co"],
        "T": ["Leads, November"],
        "f": [FORMATTED_BLANK, FORMATTED_BLANK],
        "": [],
    }
    path = workbook(tmp_path / "s.xlsx", {"S": [cells[kind] for kind in layout]})
    src = read_input(str(path))
    filled = [kind for kind in layout if kind in {"H", "d", "T"}]
    assert src.data.height == len(filled) - 1  # every row with a value but the header
    assert src.first_line == first
    assert src.where(1) == (f"sheet row {first + 1}" if first is not None else "row 1")


def test_xlsx_blank_row_among_rows_keeps_the_row_index(tmp_path: Path) -> None:
    rows: list[list[object]] = [["conversionHappenedAt", "SHA256_EMAIL"], [WHEN, "a@b.co"]]
    rows += [[], [WHEN, "nope"]]  # Polars drops the blank row: "nope" is _row 1, sheet row 4
    path = workbook(tmp_path / "gap.xlsx", {"S": rows})
    out = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert "  row 1: SHA256_EMAIL" in out.stdout and "sheet row" not in out.stdout
    as_json = json.loads(
        runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"]).stdout
    )
    assert as_json["invalid"][0]["_row"] == 1 and "sheet_row" not in as_json["invalid"][0]


# -- NDJSON -----------------------------------------------------------------------------


def test_ndjson_is_read_as_text_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "web.ndjson"
    lines = [
        {"eventId": "000123", "amount": 1250.5, "n": 12345678901234567, "externalIds": ["007"]},
        {"eventId": 124, "amount": "3", "externalIds": None, "context": {"page": "/a"}},
        {"eventId": "000125", "li_fat_id": "abc"},  # a key first seen on the last line
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    for lazy in (False, True):
        frame = read_frame(str(path), lazy=lazy)
        got = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
        assert got.schema == {
            "eventId": pl.String,
            "amount": pl.String,
            "n": pl.String,
            "externalIds": pl.List(pl.String),
            "context": pl.String,
            "li_fat_id": pl.String,
        }
        assert got.rows() == [
            ("000123", "1250.5", "12345678901234567", ["007"], None, None),
            ("124", "3", None, None, '{"page": "/a"}', None),
            ("000125", None, None, None, None, "abc"),
        ]


def test_ndjson_keys_first_seen_late_are_kept(tmp_path: Path) -> None:
    # Polars' own inference looks at the first lines only and would drop li_fat_id.
    path = tmp_path / "late.ndjson"
    lines = [json.dumps({"eventId": f"{i:06d}"}) for i in range(5000)]
    lines.append(json.dumps({"eventId": "x", "li_fat_id": "late"}))
    path.write_text("\n".join(lines) + "\n")
    frame = read_frame(str(path))
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == ["eventId", "li_fat_id"]
    assert frame.row(-1) == ("x", "late")


# -- line numbers -----------------------------------------------------------------------


def test_csv_rows_are_named_by_their_file_line(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(
        "conversionHappenedAt,SHA256_EMAIL,crm_id\n"
        f"{WHEN},a@b.co,1\n{WHEN},a@b.co,2\n{WHEN},nope,3\n{WHEN},a@b.co,4\n"
    )
    text = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert text.exit_code == 1
    assert "  line 4: SHA256_EMAIL" in text.stdout
    assert "row 2" not in text.stdout
    as_json = json.loads(
        runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"]).stdout
    )
    assert [(r["_row"], r["line"]) for r in as_json["invalid"]] == [(2, 4)]
    errors = tmp_path / "bad.ndjson"
    runner.invoke(app, ["validate", str(path), "--conversion", "1", "--errors-out", str(errors)])
    written = pl.read_ndjson(errors)
    assert written.columns[:3] == ["_row", "line", "conversionHappenedAt"]
    assert written.select("_row", "line", "crm_id").rows() == [(2, 4, "3")]


def test_a_column_called_line_is_the_files_own(tmp_path: Path) -> None:
    # A product line, say: --errors-out writes it as it is and adds no second `line`.
    path = tmp_path / "crm.csv"
    path.write_text(f"conversionHappenedAt,SHA256_EMAIL,line\n{WHEN},a@b.co,shoes\n{WHEN},x,hats\n")
    errors = tmp_path / "bad.csv"
    out = runner.invoke(
        app, ["validate", str(path), "--conversion", "1", "--errors-out", str(errors)]
    )
    assert out.exit_code == 1, out.output
    assert "  line 3: SHA256_EMAIL" in out.stdout
    written = pl.read_csv(errors, infer_schema=False)
    assert written.select("_row", "line").rows() == [("1", "hats")]


def test_export_json_problems_carry_the_line(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(f"conversionHappenedAt,SHA256_EMAIL\n{WHEN},nope\n{WHEN},a@b.co\n")
    out = runner.invoke(app, ["export", str(path), "--conversion", "1", "--dry-run", "--json"])
    problems = json.loads(out.stdout)["problems"]
    assert [(p["_row"], p["line"]) for p in problems] == [(0, 2)]


def test_a_quoted_line_break_makes_lines_inexact_so_rows_keep_their_index(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        f'conversionHappenedAt,SHA256_EMAIL,note\n{WHEN},a@b.co,"two\nlines"\n{WHEN},nope,x\n'
    )
    assert read_input(str(path)).first_line is None
    out = runner.invoke(app, ["validate", str(path), "--conversion", "1"])
    assert "  row 1: SHA256_EMAIL" in out.stdout and "line " not in out.stdout
    as_json = json.loads(
        runner.invoke(app, ["validate", str(path), "--conversion", "1", "--json"]).stdout
    )
    assert as_json["invalid"][0]["_row"] == 1 and "line" not in as_json["invalid"][0]


def test_ndjson_crlf_and_stdin_lines(tmp_path: Path) -> None:
    ndjson = tmp_path / "web.ndjson"
    ndjson.write_text(
        f'{{"conversionHappenedAt": "{WHEN}", "SHA256_EMAIL": "nope"}}\n'
        f'{{"conversionHappenedAt": "{WHEN}", "SHA256_EMAIL": "a@b.co"}}\n'
    )
    assert read_input(str(ndjson)).first_line == 1
    crlf = tmp_path / "excel.csv"
    crlf.write_bytes(f"conversionHappenedAt;SHA256_EMAIL\r\n{WHEN};a@b.co\r\n{WHEN};x\r\n".encode())
    assert read_input(str(crlf)).first_line == 2
    out = runner.invoke(
        app,
        ["validate", "-", "--conversion", "1"],
        input=f"conversionHappenedAt,SHA256_EMAIL\n{WHEN},a@b.co\n{WHEN},nope",
    )
    assert "  line 3: SHA256_EMAIL" in out.stdout
    parquet = tmp_path / "x.parquet"
    pl.DataFrame({"conversionHappenedAt": [WHEN], "SHA256_EMAIL": ["x"]}).write_parquet(parquet)
    assert read_input(str(parquet)).first_line is None
