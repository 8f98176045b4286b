"""Files shaped like the ones users really have, through the CLI to the sandbox.

Shipped fixtures (``tests/cli/data/``): a CRM export (US dates, local times, ``$``
amounts, an ``Email`` column), an Excel CSV (``;``, a byte-order mark, CRLF, decimal
commas), NDJSON web events with ``li_fat_id``. Made here: an ``.xlsx`` workbook
(xlsxwriter), a tz-aware Parquet file with Decimal amounts, SQLite and DuckDB databases
queried with ``--sql``. The fixtures' times are fixed (November 2026), so the sandbox's
clock and ``--now`` are frozen at :data:`NOW`.

``LANDS`` lists each input that goes through as it arrives and the exact events LinkedIn
gets (epoch ms, hashes, ids with leading zeros). The CRM export and the Excel CSV land with
the format options (``--date-format``, ``--timezone``, ``--decimal-comma``) and the engine's
readings of currency signs and country names; the tests after ``LANDS`` pin what the
readers alone must get right: every value read as written, line numbers and sheet rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from linkedin_capi.cli import app, read_frame
from linkedin_capi.sandbox import Sandbox

runner = CliRunner()
DATA = Path(__file__).parent / "data"
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def ms(text: str) -> int:
    """Epoch milliseconds of an ISO-8601 time with an offset."""
    return int(dt.datetime.fromisoformat(text).timestamp() * 1000)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A sandbox that keeps the events it accepts, its clock at NOW (``env`` uses it)."""
    with Sandbox(store_events=True) as sandbox:
        sandbox.set_now(NOW)
        yield sandbox


# -- inputs made by the tests ----------------------------------------------------------


def make_xlsx(tmp: Path) -> list[str]:
    """A shop's order export: text ids with leading zeros, date cells, number cells."""
    orders = pl.DataFrame(
        {
            "Order ID": ["000123", "000124"],
            "Order Date": [dt.datetime(2026, 11, 28, 15, 15), dt.datetime(2026, 11, 27, 9, 5)],
            "Email": ["Jane.Doe@Acme.com", "ops@example.org"],
            "First Name": ["Jane", "Sam"],
            "Last Name": ["Doe", "Lee"],
            "Total": [1250.5, 99.0],
            "Currency": ["USD", "USD"],
        }
    )
    path = tmp / "orders.xlsx"
    with __import__("xlsxwriter").Workbook(path) as book:
        orders.write_excel(book, worksheet="Orders")
        pl.DataFrame({"note": ["exported by the shop"]}).write_excel(book, worksheet="Notes")
    return [
        str(path),
        "--sheet",
        "Orders",
        "--map",
        "Order ID=eventId",
        "--map",
        "Order Date=conversionHappenedAt",
        "--map",
        "Total=amount",
    ]


def make_parquet(tmp: Path) -> list[str]:
    """A warehouse extract: local times with their zone, Decimal amounts, id lists."""
    frame = pl.DataFrame(
        {
            "event_id": ["000123", "000124"],
            "conversion_happened_at": [
                dt.datetime(2026, 11, 28, 10, 15),
                dt.datetime(2026, 11, 27, 4, 5),
            ],
            "email": ["Jane.Doe@Acme.com", "ops@example.org"],
            "amount": [Decimal("1250.00"), Decimal("99.90")],
            "currency_code": ["USD", "USD"],
            "external_ids": [["00042"], ["007"]],
        },
        schema_overrides={"amount": pl.Decimal(12, 2)},
    ).with_columns(pl.col("conversion_happened_at").dt.replace_time_zone("America/New_York"))
    path = tmp / "extract.parquet"
    frame.write_parquet(path)
    return [str(path)]


ROWS = [
    (
        "000123",
        "2026-11-28T15:15:00Z",
        "Jane.Doe@Acme.com",
        "Jane",
        "Doe",
        "US",
        "1250.00",
        "00042",
    ),
    ("000124", "2026-11-27T09:05:00Z", "ops@example.org", "Sam", "Lee", "GB", "99.90", "007"),
]
QUERY = (
    "SELECT event_id, converted_at AS conversion_happened_at, email, first_name, last_name, "
    "country_code, amount, 'USD' AS currency_code, external_id FROM conversions ORDER BY event_id"
)


def make_sqlite(tmp: Path) -> list[str]:
    """A SQLite file with snake_case names (amounts as REAL, times as ISO text)."""
    path = tmp / "crm.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(
            "CREATE TABLE conversions (event_id TEXT, converted_at TEXT, email TEXT, "
            "first_name TEXT, last_name TEXT, country_code TEXT, amount REAL, external_id TEXT)"
        )
        con.executemany(
            "INSERT INTO conversions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r[:6], float(r[6]), r[7]) for r in ROWS],
        )
    con.close()
    return ["--sql", QUERY, "--db", f"sqlite:///{path}"]


def make_duckdb(tmp: Path) -> list[str]:
    """A DuckDB file with declared types: DECIMAL, TIMESTAMPTZ."""
    path = tmp / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE conversions (event_id VARCHAR, converted_at TIMESTAMPTZ, email VARCHAR, "
        "first_name VARCHAR, last_name VARCHAR, country_code VARCHAR, amount DECIMAL(12, 2), "
        "external_id VARCHAR)"
    )
    con.executemany("INSERT INTO conversions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ROWS)
    con.close()
    return ["--sql", QUERY, "--db", str(path)]


def from_fixture(name: str, *flags: str) -> Callable[[Path], list[str]]:
    return lambda tmp: [str(DATA / name), *flags]


@dataclass(frozen=True)
class Lands:
    """An input that goes through as it arrives, and what LinkedIn must get, in order."""

    make: Callable[[Path], list[str]]
    events: list[dict[str, Any]]
    exit_code: int = 0


def event(
    event_id: str,
    when: str,
    *,
    email: str | None = None,
    li_fat_id: str | None = None,
    names: tuple[str, str] | None = None,
    company: str | None = None,
    country: str | None = None,
    amount: str | None = None,
    external_ids: list[str] | None = None,
) -> dict[str, Any]:
    """The parts of one event the tests compare (what the readers can get wrong)."""
    ids = {}
    if email is not None:
        ids["SHA256_EMAIL"] = sha(email)
    if li_fat_id is not None:
        ids["LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"] = li_fat_id
    out: dict[str, Any] = {"eventId": event_id, "conversionHappenedAt": ms(when), "ids": ids}
    if names is not None:
        out["userInfo"] = {"firstName": names[0], "lastName": names[1]}
        if company is not None:
            out["userInfo"]["companyName"] = company
        if country is not None:
            out["userInfo"]["countryCode"] = country
    if amount is not None:
        out["amount"] = amount
    if external_ids is not None:
        out["externalIds"] = external_ids
    return out


def seen(sent: dict[str, Any], like: dict[str, Any]) -> dict[str, Any]:
    """The same parts of an event the sandbox accepted."""
    user = sent["user"]
    out: dict[str, Any] = {
        "eventId": sent["eventId"],
        "conversionHappenedAt": sent["conversionHappenedAt"],
        "ids": {u["idType"]: u["idValue"] for u in user.get("userIds", [])},
    }
    if "userInfo" in like:
        out["userInfo"] = user.get("userInfo")
    if "amount" in like:
        out["amount"] = sent.get("conversionValue", {}).get("amount")
    if "externalIds" in like:
        out["externalIds"] = user.get("externalIds")
    return out


DB_EVENTS = [
    event(
        "000123",
        "2026-11-28T15:15:00+00:00",
        email="jane.doe@acme.com",
        names=("Jane", "Doe"),
        country="US",
        amount="1250.00",
        external_ids=["00042"],
    ),
    event(
        "000124",
        "2026-11-27T09:05:00+00:00",
        email="ops@example.org",
        names=("Sam", "Lee"),
        country="GB",
        amount="99.90",
        external_ids=["007"],
    ),
]

LANDS = {
    "ndjson web events": Lands(
        from_fixture("web_events.ndjson"),
        [
            event(
                "000777",
                "2026-11-28T15:15:00+00:00",
                li_fat_id="a1b2c3d4-e5f6-4a1b-8c2d-0e1f2a3b4c5d",
                external_ids=["00042"],
            ),
            event(
                "778",
                "2026-11-28T16:00:00.250+00:00",
                li_fat_id="b2c3d4e5-f6a7-4b2c-9d3e-1f2a3b4c5d6e",
                external_ids=["007"],
            ),
            event(
                "000779",
                "2026-11-29T08:30:00+01:00",
                email="anna.schmidt@example.de",
                li_fat_id="c3d4e5f6-a7b8-4c3d-8e4f-2a3b4c5d6e7f",
            ),
        ],
    ),
    "xlsx orders": Lands(
        make_xlsx,
        [
            event(
                "000123",
                "2026-11-28T15:15:00+00:00",
                email="jane.doe@acme.com",
                names=("Jane", "Doe"),
                amount="1250.5",
            ),
            event(
                "000124",
                "2026-11-27T09:05:00+00:00",
                email="ops@example.org",
                names=("Sam", "Lee"),
                amount="99",
            ),
        ],
    ),
    "tz-aware parquet with decimals": Lands(
        make_parquet,
        [
            event(
                "000123",
                "2026-11-28T10:15:00-05:00",
                email="jane.doe@acme.com",
                amount="1250.00",
                external_ids=["00042"],
            ),
            event(
                "000124",
                "2026-11-27T04:05:00-05:00",
                email="ops@example.org",
                amount="99.90",
                external_ids=["007"],
            ),
        ],
    ),
    # SQLite has no decimal type: a REAL amount is the text SQLite gives it.
    "sqlite query": Lands(
        make_sqlite, [{**DB_EVENTS[0], "amount": "1250.0"}, {**DB_EVENTS[1], "amount": "99.9"}]
    ),
    "duckdb query": Lands(make_duckdb, DB_EVENTS),
    # US dates in New York local time, "$1,250.00", a country name; line 4 stays invalid
    # (an e-mail spelled "li.wei(at)example.cn"), so the export exits 1 on purpose.
    "crm export": Lands(
        from_fixture(
            "crm_export.csv",
            *("--map", "Record ID=eventId", "--map", "Close Date=conversionHappenedAt"),
            *("--map", "Amount=amount", "--date-format", "%m/%d/%Y %I:%M %p"),
            *("--timezone", "America/New_York"),
        ),
        [
            event(
                "000123",
                "2026-11-28T15:15:00-05:00",
                email="jane.doe@acme.com",
                names=("Jane", "Doe"),
                company="Acme, Inc.",
                country="US",
                amount="1250.00",
            ),
            event(
                "000124",
                "2026-11-27T09:05:00-05:00",
                email="jose.muller@example.de",
                names=("José", "Müller"),
                company="Beispiel GmbH",
                country="DE",
                amount="980.50",
            ),
        ],
        exit_code=1,
    ),
    # Excel in Germany: ";", a BOM, CRLF, "1.250,50" and dd.mm.yyyy in Berlin time.
    "excel csv": Lands(
        from_fixture(
            "excel_export.csv",
            *("--map", "Bestellnummer=eventId", "--map", "Datum=conversionHappenedAt"),
            *("--map", "Vorname=firstName", "--map", "Nachname=lastName"),
            *("--map", "Land=countryCode", "--map", "Betrag=amount"),
            *("--map", "Währung=currencyCode", "--date-format", "%d.%m.%Y %H:%M"),
            *("--timezone", "Europe/Berlin", "--decimal-comma"),
        ),
        [
            event(
                "000981",
                "2026-11-28T15:15:00+01:00",
                email="anna.schmidt@example.de",
                names=("Anna", "Schmidt"),
                country="DE",
                amount="1250.50",
            ),
            event(
                "000982",
                "2026-11-27T09:05:00+01:00",
                email="jörg.weiß@example.de",
                names=("Jörg", "Weiß"),
                country="DE",
                amount="99.90",
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", list(LANDS))
def test_input_lands_exactly(tmp_path: Path, env: Sandbox, case: str) -> None:
    spec = LANDS[case]
    args = spec.make(tmp_path)
    out = runner.invoke(
        app,
        [
            "export",
            *args,
            "--conversion",
            str(env.rule_id),
            "--now",
            NOW.isoformat(),
            "--json",
        ],
    )
    assert out.exit_code == spec.exit_code, out.output
    summary = json.loads(out.stdout)
    assert summary["counts"]["sent"] == len(spec.events), summary
    got = sorted(env.events, key=lambda e: e["conversionHappenedAt"], reverse=True)
    want = sorted(spec.events, key=lambda e: e["conversionHappenedAt"], reverse=True)
    assert [seen(g, w) for g, w in zip(got, want, strict=True)] == want


# -- the two files that need the format options ----------------------------------------


def test_crm_export_is_read_as_written_with_line_numbers(tmp_path: Path) -> None:
    path = DATA / "crm_export.csv"
    frame = read_frame(str(path))
    assert isinstance(frame, pl.DataFrame)
    assert frame.row(0) == (
        "000123",
        "Jane",
        "Doe",
        "Jane.Doe@Acme.com",
        "Acme, Inc.",
        "United States",
        "$1,250.00",
        "USD",
        "11/28/2026 3:15 PM",
        "Closed Won",
    )
    errors = tmp_path / "not-sent.csv"
    out = runner.invoke(
        app,
        [
            "validate",
            str(path),
            "--conversion",
            "1",
            "--now",
            NOW.isoformat(),
            "--map",
            "Record ID=eventId",
            "--map",
            "Close Date=conversionHappenedAt",
            "--map",
            "Amount=amount",
            "--json",
            "--errors-out",
            str(errors),
        ],
    )
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    assert report["mapping"]["Email"] == "SHA256_EMAIL"
    # The third data row (file line 4) has an e-mail that can never match.
    (wei,) = [r for r in report["invalid"] if r["_row"] == 2]
    assert wei["line"] == 4
    assert any(e.startswith("SHA256_EMAIL:") for e in wei["errors"])
    written = pl.read_csv(errors, infer_schema=False)
    assert written.columns[:3] == ["_row", "line", "Record ID"]
    assert written.filter(pl.col("_row") == "2").select("line", "Record ID").row(0) == (
        "4",
        "000125",
    )


def test_shop_workbook_rows_are_named_by_their_sheet_row(tmp_path: Path) -> None:
    # Polars writes the orders as an Excel table placed at B3: the header is sheet row 3,
    # so the third order is the row Excel numbers 6.
    orders = pl.DataFrame(
        {
            "Order ID": ["000123", "000124", "000125"],
            "Order Date": [dt.datetime(2026, 11, 28, 15, 15)] * 3,
            "Email": ["Jane.Doe@Acme.com", "ops@example.org", "li.wei(at)example.cn"],
        }
    )
    path = tmp_path / "orders.xlsx"
    orders.write_excel(path, worksheet="Orders", position="B3")
    args = ["validate", str(path), "--conversion", "1", "--now", NOW.isoformat()]
    args += ["--map", "Order ID=eventId", "--map", "Order Date=conversionHappenedAt"]
    text = runner.invoke(app, args)
    assert text.exit_code == 1, text.output
    assert "  sheet row 6: SHA256_EMAIL" in text.stdout
    report = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert [(r["_row"], r["sheet_row"]) for r in report["invalid"]] == [(2, 6)]


def test_excel_csv_with_semicolons_bom_crlf_and_decimal_commas_is_read_as_written() -> None:
    frame = read_frame(str(DATA / "excel_export.csv"))
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == [
        "Bestellnummer",
        "Datum",
        "E-Mail",
        "Vorname",
        "Nachname",
        "Land",
        "Betrag",
        "Währung",
    ]
    assert frame.rows() == [
        ("000981", "28.11.2026 15:15", "anna.schmidt@example.de", "Anna", "Schmidt", "DE",
         "1250,50", "EUR"),
        ("000982", "27.11.2026 09:05", "Jörg.Weiß@example.de", "Jörg", "Weiß", "DE",
         "99,90", "EUR"),
    ]  # fmt: skip
