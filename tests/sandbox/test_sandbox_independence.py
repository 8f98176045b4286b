"""The sandbox is an independent model of LinkedIn: it imports nothing from the SDK.

Every module under ``linkedin_capi/sandbox/`` is parsed (``ast``); every import at any
depth (late imports in functions count), relative imports resolved, and every
``importlib.import_module`` / ``__import__`` of a literal or module-level constant must stay
inside ``linkedin_capi.sandbox``. The single allowed exception is
``Sandbox.connection()``, which hands the user an SDK client by module name
(``CLIENT_MODULE``) and is never used by the model itself.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import linkedin_capi.sandbox

SANDBOX = Path(linkedin_capi.sandbox.__file__).parent
PACKAGE = "linkedin_capi"
INSIDE = "linkedin_capi.sandbox"
#: (module file, imported name) pairs that may leave the sandbox, with the reason.
ALLOWED = {("_sandbox.py", "linkedin_capi.connection")}  # Sandbox.connection(), on request


def _resolve(node: ast.ImportFrom, module: str) -> str:
    """The absolute module a (possibly relative) ``from … import`` names."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    # a module's package is its name minus the last part; each extra dot climbs once
    base = parts[: len(parts) - node.level]
    return ".".join([*base, *([node.module] if node.module else [])])


def imported_names(source: str, module: str) -> set[str]:
    """Every module name ``source`` (the text of ``module``) imports, by any route."""
    tree = ast.parse(source)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, module)
            names.add(base)
            if base in (PACKAGE, INSIDE):  # from linkedin_capi import errors
                names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__"):
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.add(arg.value)
                elif isinstance(arg, ast.Name):
                    names.add(constants.get(arg.id, f"<unresolved {arg.id}>"))
    return names


def leaks(source: str, filename: str) -> set[str]:
    """Names ``filename`` imports from the SDK (outside the sandbox), minus the allowed."""
    # "linkedin_capi.sandbox.__init__" for the package itself: its "." is the package too
    module = f"{INSIDE}.{filename.removesuffix('.py')}"
    found = set()
    for name in imported_names(source, module):
        unresolved = name.startswith("<unresolved")
        sdk = name == PACKAGE or name.startswith(PACKAGE + ".")
        outside = sdk and not (name == INSIDE or name.startswith(INSIDE + "."))
        if (unresolved or outside) and (filename, name) not in ALLOWED:
            found.add(name)
    return found


def scan(directory: Path) -> dict[str, set[str]]:
    """``{file: leaked names}`` for every module of a sandbox directory."""
    return {
        path.name: found
        for path in sorted(directory.glob("*.py"))
        if (found := leaks(path.read_text(encoding="utf-8"), path.name))
    }


def test_the_sandbox_imports_nothing_from_the_sdk() -> None:
    modules = sorted(p.name for p in SANDBOX.glob("*.py"))
    assert {"_api.py", "_events.py", "_schema.py", "_versions.py", "_sandbox.py"} <= set(modules)
    assert scan(SANDBOX) == {}


def test_the_one_allowed_import_is_still_the_client_door() -> None:
    # If Sandbox.connection() stops needing it, the allowance must go too.
    source = (SANDBOX / "_sandbox.py").read_text(encoding="utf-8")
    assert "linkedin_capi.connection" in imported_names(source, f"{INSIDE}._sandbox")


@pytest.mark.parametrize(
    "planted",
    [
        "from linkedin_capi.errors import ConfigError\n",
        "import linkedin_capi._constants as facts\n",
        "from linkedin_capi import errors\n",
        "import linkedin_capi\n",
        "from .. import _constants\n",
        "from ..engine.checks import ID_TYPES\n",
        "def late():\n    from linkedin_capi.rules import ConversionRules\n",
        "import importlib\nimportlib.import_module('linkedin_capi.export')\n",
        "NAME = 'linkedin_capi.rules'\n__import__(NAME)\n",
    ],
)
def test_the_checker_catches_a_planted_import(planted: str) -> None:
    assert leaks("from __future__ import annotations\n" + planted, "_events.py")


@pytest.mark.parametrize(
    "harmless",
    [
        "from linkedin_capi.sandbox import _schema as S\n",
        "from linkedin_capi.sandbox._http import Response\n",
        "from . import _schema\n",
        "from ._versions import is_active\n",
        "import json, re\n",
        '"""Docs may mention linkedin_capi.errors freely."""\n',
    ],
)
def test_the_checker_lets_sandbox_imports_pass(harmless: str) -> None:
    assert leaks(harmless, "_events.py") == set()


def test_a_planted_import_in_a_copy_of_the_sandbox_fails_the_scan(tmp_path: Path) -> None:
    copy = tmp_path / "sandbox"
    shutil.copytree(SANDBOX, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert scan(copy) == {}
    target = copy / "_rules.py"
    target.write_text(
        target.read_text(encoding="utf-8")
        + "\n\ndef _late() -> None:\n    from linkedin_capi._constants import API_VERSIONS\n",
        encoding="utf-8",
    )
    assert scan(copy) == {"_rules.py": {"linkedin_capi._constants"}}
