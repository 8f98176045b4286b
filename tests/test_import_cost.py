"""``import linkedin_capi`` and ``linkedin-capi --help`` leave the HTTP side unloaded (issue 16).

Checked in fresh interpreters (``sys.modules``), never by the clock: the HTTP stack, pydantic
and the CLI's stack load on first use of a name that needs them, and the package looks the
same from outside either way (``__all__``, ``dir()``, ``df.capi``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import linkedin_capi

HTTP_SIDE = ("requests", "urllib3", "oauthlib", "requests_oauthlib", "pydantic")
CLI_SIDE = ("typer", "click", "rich")
#: Loaded by the engine on first use (country/currency codes, SHA-256), not by the import.
ENGINE_LATE = ("pycountry", "polars_hash")
#: The HTTP side but pydantic: Typer itself imports pydantic to convert the parameters of a
#: subcommand (``typer/_coercion.py``), so a subcommand's help or usage error loads it.
REQUESTS_SIDE = ("requests", "urllib3", "oauthlib", "requests_oauthlib")
#: What the console script's ``--help`` and usage errors must not load (issue 16, item 4).
POLARS_SIDE = (
    "polars",
    "polars_hash",
    "pycountry",
    "linkedin_capi.engine",
    "linkedin_capi.display",
)


def _fresh(code: str) -> dict[str, object]:
    """Run ``code`` in a new interpreter; it prints one JSON value, returned here."""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_loads_neither_the_http_side_nor_the_cli() -> None:
    probe = f"""
import json, sys
import linkedin_capi
import polars as pl
print(json.dumps({{
    "loaded": [m for m in {(*HTTP_SIDE, *CLI_SIDE, *ENGINE_LATE)!r} if m in sys.modules],
    "capi": [hasattr(pl.DataFrame(), "capi"), hasattr(pl.LazyFrame(), "capi")],
}}))
"""
    seen = _fresh(probe)
    assert seen == {"loaded": [], "capi": [True, True]}


def test_validate_does_not_load_the_http_side() -> None:
    probe = f"""
import json, sys
import polars as pl, linkedin_capi as capi
df = pl.DataFrame({{"conversionHappenedAt": ["2026-11-30T10:00:00Z"],
                    "SHA256_EMAIL": ["a@example.com"]}})
report = df.capi.validate(conversion=1)
print(json.dumps([report.counts["total"], [m for m in {HTTP_SIDE!r} if m in sys.modules]]))
"""
    assert _fresh(probe) == [1, []]


def test_help_loads_no_http_side() -> None:
    probe = f"""
import contextlib, io, json, sys
sys.argv = ["linkedin-capi", "--help"]
from linkedin_capi.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    main()
print(json.dumps(["Usage:" in out.getvalue() and "export" in out.getvalue(),
                  [m for m in {(*HTTP_SIDE, "rich")!r} if m in sys.modules]]))
"""
    assert _fresh(probe) == [True, []]


def test_engine_loads_pycountry_and_polars_hash_when_a_check_needs_them() -> None:
    probe = """
import json, sys
import polars as pl, linkedin_capi as capi
df = pl.DataFrame({"conversionHappenedAt": ["2026-11-30T10:00:00Z"],
                   "SHA256_EMAIL": ["a@example.com"], "countryCode": ["fr"],
                   "firstName": ["A"], "lastName": ["B"]})
report = df.capi.validate(conversion=1)
print(json.dumps([report.valid.row(0, named=True)["countryCode"],
                  len(report.valid.row(0, named=True)["SHA256_EMAIL"]),
                  [m for m in ("pycountry", "polars_hash") if m in sys.modules]]))
"""
    assert _fresh(probe) == ["FR", 64, ["pycountry", "polars_hash"]]


# Every function that builds a polars-hash expression imports the plugin itself, so each
# works as the first thing a process does after `import linkedin_capi` (one process each).
HASH_USERS = {
    "engine.hashing.sha256_email": (
        "from linkedin_capi.engine.hashing import sha256_email\n"
        "out = pl.DataFrame({'e': ['a@b.co']}).select(sha256_email(pl.col('e'))).item()\n"
        "ok = len(out) == 64"
    ),
    "engine.hashing.hashed_name": (
        "from linkedin_capi.engine.hashing import hashed_name\n"
        "out = pl.DataFrame({'n': ['Ann']}).select(hashed_name(pl.col('n'))).item()\n"
        "ok = len(out) == 64"
    ),
    "delivery.journal.id_keys": (
        "from linkedin_capi.delivery.journal import id_keys\n"
        "ok = pl.DataFrame({'i': ['x']}).select(id_keys(pl.col('i'))).shape == (1, 2)"
    ),
    "delivery.journal.event_digests": (
        "from linkedin_capi.delivery.journal import event_digests\n"
        "ok = event_digests(pl.DataFrame({'_row': [0], 'conversion': ['urn:lla:x:1'],\n"
        "    'conversionHappenedAt': [1], 'eventId': ['a']})).len() == 1"
    ),
    "delivery.streaming.with_derived_event_ids": (
        "from linkedin_capi.delivery.streaming import with_derived_event_ids\n"
        "out = with_derived_event_ids(pl.DataFrame({'_row': [0], 'conversion': ['urn:lla:x:1'],\n"
        "    'conversionHappenedAt': [1], 'ACXIOM_ID': ['a']}))\n"
        "ok = len(out['eventId'][0]) == 64"
    ),
}


@pytest.mark.parametrize("name", sorted(HASH_USERS))
def test_each_hashing_function_loads_polars_hash_itself(name: str) -> None:
    probe = (
        "import json, sys\nimport polars as pl, linkedin_capi\n"
        "before = 'polars_hash' in sys.modules\n"
        f"{HASH_USERS[name]}\n"
        "print(json.dumps([before, ok]))"
    )
    assert _fresh(probe) == [False, True]


# -- the console script: `_linkedin_capi_cli:main` -------------------------------------------


def _launch(args: list[str]) -> dict[str, Any]:
    """Run the console script's entry point with ``args`` in a fresh interpreter."""
    probe = f"""
import contextlib, io, json, sys
sys.argv = ["linkedin-capi", *{args!r}]
import _linkedin_capi_cli
out, err, code = io.StringIO(), io.StringIO(), 0
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        _linkedin_capi_cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
pkg = sys.modules["linkedin_capi"]
print(json.dumps({{
    "code": code, "out": out.getvalue(), "err": err.getvalue(),
    "loaded": [m for m in {POLARS_SIDE + REQUESTS_SIDE!r} if m in sys.modules],
    "package_ran": hasattr(pkg, "__all__"),
}}))
"""
    return _fresh(probe)


def test_the_console_script_is_the_launcher() -> None:
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="linkedin-capi")
    assert script.value == "_linkedin_capi_cli:main"
    from linkedin_capi.cli import main  # the same CLI behind a plain import

    assert callable(main)


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--help"], 0, "Commands:"),
        ([], 2, "Commands:"),  # no arguments: the help, on stderr, as a usage error
        (["export", "--help"], 0, "--conversion"),
        (["rules", "create", "--help"], 0, "Usage: linkedin-capi rules create"),
        (["exprot"], 2, "No such command 'exprot'"),
        (["export", "--bogus"], 2, "No such option: --bogus"),
        # (`validate` alone is no longer a usage error: FILE is optional since `--sql`
        # can replace it, so the command itself says what it expected.)
        (["validate", "--now"], 2, "requires an argument"),
    ],
)
def test_help_and_usage_errors_load_no_polars(args: list[str], code: int, says: str) -> None:
    seen = _launch(args)
    assert (seen["code"], seen["loaded"], seen["package_ran"]) == (code, [], False), seen
    assert says in seen["out"] + seen["err"]


def test_the_launcher_shows_the_same_help_as_the_plain_import() -> None:
    plain = """
import contextlib, io, json, sys
sys.argv = ["linkedin-capi", "--help"]
from linkedin_capi.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    main()
print(json.dumps(out.getvalue()))
"""
    assert _launch(["--help"])["out"] == _fresh(plain)


def test_a_command_through_the_launcher_runs_with_the_whole_package(tmp_path: Path) -> None:
    sample = Path(__file__).parents[1] / "docs" / "examples" / "conversions.csv"
    args = ["validate", str(sample), "--conversion", "104012", "--now", "2026-11-28T12:00:00Z"]
    seen = _launch([*args, "--json"])
    assert seen["code"] == 1, seen  # the sample has one invalid row on purpose
    assert json.loads(seen["out"])["counts"] == {"total": 4, "valid": 3, "invalid": 1, "skipped": 0}
    assert seen["package_ran"] is True  # __init__ ran before the command: df.capi, views
    assert "polars" in seen["loaded"] and "requests" not in seen["loaded"]
    text = _launch(args)["out"]  # the text view comes from display/, registered by __init__
    assert text.startswith("ValidationReport: 4 rows") and "SHA256_EMAIL.format 1" in text


def test_dir_is_the_same_before_and_after_the_lazy_names_load() -> None:
    probe = """
import json, linkedin_capi as capi
before = dir(capi)
for name in capi.__all__:
    getattr(capi, name)
capi.config, capi.connection, capi.resources
print(json.dumps([before, dir(capi), "__getattr__" in before]))
"""
    before, after, helper_shown = _fresh(probe)
    assert before == after
    assert not helper_shown
    assert set(linkedin_capi.__all__) <= set(before)
    assert {"config", "connection", "resources", "client", "engine", "delivery"} <= set(before)


def test_lazy_names_are_the_real_objects() -> None:
    from linkedin_capi.config import ExportConfig
    from linkedin_capi.connection import AuthorizationFlow, Connection
    from linkedin_capi.resources.rules import ConversionRules

    assert linkedin_capi.Connection is Connection
    assert linkedin_capi.AuthorizationFlow is AuthorizationFlow
    assert linkedin_capi.ExportConfig is ExportConfig
    assert linkedin_capi.ConversionRules is ConversionRules
    assert linkedin_capi.connection.Connection is Connection


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Conection'"):
        _ = linkedin_capi.Conection  # type: ignore[attr-defined]


def test_the_launcher_in_a_process_that_imported_the_package_runs_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import _linkedin_capi_cli

    monkeypatch.setattr(sys, "argv", ["linkedin-capi", "--help"])
    with pytest.raises(SystemExit) as done:
        _linkedin_capi_cli.main()
    assert done.value.code == 0
    assert "Commands:" in capsys.readouterr().out
    assert sys.modules["linkedin_capi"] is linkedin_capi  # the package was left as it was
