"""Architecture rules of the engine, checked on the source.

Pure modules import Polars (and each other), never the HTTP stack, and run no Python per
row: no ``map_elements`` / ``map_rows`` / ``apply``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import linkedin_capi

PACKAGE = Path(linkedin_capi.__file__).parent
PURE = ["columns", "normalize", "hashing", "checks", "validate", "payload", "report"]
#: How reports look (HTML, SVG, text): pure too, and reports may use them.
PURE += ["_html", "_charts", "_views"]
#: Package modules a pure module may import (pure ones, constants and errors).
PURE_DEPENDENCIES = {*PURE, "_constants", "errors"}
NETWORK = {"requests", "requests_oauthlib", "oauthlib", "urllib3", "httpx", "http", "socket"}
PER_ROW = {"map_elements", "map_rows", "apply"}


def tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text(), filename=f"{module}.py")


def imported(module: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names.add(base)
            if base == "linkedin_capi":  # from linkedin_capi import normalize
                names.update(f"linkedin_capi.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_never_import_the_http_stack(module: str) -> None:
    top = {name.split(".")[0] for name in imported(module)}
    assert not top & NETWORK, f"{module} imports {top & NETWORK}"


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_only_pure_package_modules(module: str) -> None:
    inside = {name.split(".")[1] for name in imported(module) if name.startswith("linkedin_capi.")}
    assert inside <= PURE_DEPENDENCIES, f"{module} imports {inside - PURE_DEPENDENCIES}"


@pytest.mark.parametrize("module", PURE)
def test_no_per_row_python(module: str) -> None:
    calls = {
        node.attr
        for node in ast.walk(tree(module))
        if isinstance(node, ast.Attribute) and node.attr in PER_ROW
    }
    assert not calls, f"{module} uses {calls}"


def test_the_checker_sees_imports_and_calls() -> None:
    # guard against a vacuous architecture test: the helpers do find things
    assert "polars" in imported("validate")
    assert "linkedin_capi.normalize" in imported("validate")
    sample = ast.parse("import requests\ndf.map_elements(f)\n")
    attrs = {n.attr for n in ast.walk(sample) if isinstance(n, ast.Attribute)}
    assert "map_elements" in attrs
