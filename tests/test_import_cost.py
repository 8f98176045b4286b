"""``import linkedin_capi`` and ``linkedin-capi --help`` leave the HTTP side unloaded (issue 16).

Checked in fresh interpreters (``sys.modules``), never by the clock: the HTTP stack, pydantic
and the CLI's stack load on first use of a name that needs them, and the package looks the
same from outside either way (``__all__``, ``dir()``, ``df.capi``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import linkedin_capi

HTTP_SIDE = ("requests", "urllib3", "oauthlib", "requests_oauthlib", "pydantic")
CLI_SIDE = ("typer", "click", "rich")


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
    "loaded": [m for m in {(*HTTP_SIDE, *CLI_SIDE)!r} if m in sys.modules],
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
