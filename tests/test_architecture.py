"""The house rules, checked on the source: rooms, layers, no cycles, a pure engine.

Imports point down the layers (late imports included); a lower layer may name a higher
one's type under ``TYPE_CHECKING`` only; no module imports one that imports it; ``engine/``
imports Polars and the standard library only; ``sandbox/`` imports nothing from the rest of
the package. CONTRIBUTING.md draws the same map.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import linkedin_capi

PACKAGE = Path(linkedin_capi.__file__).parent

#: Rank of each room (a folder or a top-level module): imports go to a lower rank only.
LAYERS: dict[str, int] = {
    "errors": 0, "_constants": 0, "_render": 0, "_moved": 0,
    "engine": 1, "client": 1,
    "resources": 2, "delivery": 2,
    "config": 3,
    "connection": 4, "_namespace": 4,
    "display": 5,
    "cli": 6, "widgets": 6,
    "__init__": 7,
}  # fmt: skip
#: The independent stand-in: imports nothing of the package; only views and tests use it.
SANDBOX = "sandbox"
SANDBOX_USERS = {"cli", "widgets"}
#: What the engine may import from outside the package: Polars (and its hash plugin)
#: pycountry is the maintained ISO 3166/4217 data the style asks for, not behaviour.
ENGINE_THIRD_PARTY = {"polars", "polars_hash", "pycountry"}
NETWORK = {"requests", "requests_oauthlib", "oauthlib", "urllib3", "httpx", "http", "socket"}
PER_ROW = {"map_elements", "map_rows", "apply"}
PURE_ROOMS = {"engine", "display"}


@dataclass(frozen=True)
class Import:
    source: str  # dotted module that imports
    target: str  # dotted module (or package attribute) imported
    type_only: bool  # under ``if TYPE_CHECKING:``
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(root: Path) -> list[Import]:
    """Every import in the package under ``root``, late and TYPE_CHECKING ones included."""
    found: list[Import] = []
    top = root.name
    for path in sorted(root.rglob("*.py")):
        name = module_name(root, path)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), filename=str(path))
        guarded = _type_checking_lines(tree)
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                targets = [module]
                if module.split(".")[0] == top:  # from pkg.room import module
                    for alias in node.names:
                        candidate = root.parent.joinpath(*module.split("."), alias.name)
                        if candidate.with_suffix(".py").exists() or candidate.is_dir():
                            targets.append(f"{module}.{alias.name}")
            for target in targets:
                found.append(Import(name, target, node.lineno in guarded, node.lineno))
    return found


def room(module: str) -> str:
    """``linkedin_capi.engine.report`` → ``engine``; ``linkedin_capi`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def inside(imp: Import, top: str) -> bool:
    return imp.target.split(".")[0] == top and imp.target != top


def layer_violations(root: Path) -> list[str]:
    """Imports that run back up a layer or into/out of the sandbox (TYPE_CHECKING aside)."""
    top, bad = root.name, []
    for imp in imports_of(root):
        if not inside(imp, top):
            continue
        src, dst = room(imp.source), room(imp.target)
        if src == dst:
            continue
        where = f"{imp.source}:{imp.line} imports {imp.target}"
        if src == SANDBOX:
            bad.append(f"{where} (the sandbox imports nothing of the package)")
        elif dst == SANDBOX:
            if src not in SANDBOX_USERS:
                bad.append(f"{where} (only the views use the sandbox)")
        elif src not in LAYERS or dst not in LAYERS:
            bad.append(f"{where} (room not in LAYERS: add it to the map)")
        elif LAYERS[dst] >= LAYERS[src] and not imp.type_only:
            bad.append(f"{where} (layer {LAYERS[src]} may not import layer {LAYERS[dst]})")
    return bad


def cycles(root: Path) -> list[list[str]]:
    """Import cycles between modules (runtime and TYPE_CHECKING imports alike)."""
    top = root.name
    modules = {module_name(root, p) for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for imp in imports_of(root):
        if inside(imp, top) and imp.target in modules and imp.target != imp.source:
            graph[imp.source].add(imp.target)
    # a package's __init__ importing its own modules is how packages work, not a cycle
    for name in modules:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    found, state = [], dict.fromkeys(graph, 0)

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state[nxt] == 1:
                found.append([*stack[stack.index(nxt) :], nxt])
            elif state[nxt] == 0:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if state[node] == 0:
            visit(node, [node])
    return found


def engine_outside_imports(root: Path) -> list[str]:
    allowed = ENGINE_THIRD_PARTY | set(sys.stdlib_module_names) | {"__future__"}
    bad = []
    for imp in imports_of(root):
        if room(imp.source) != "engine" or imp.type_only:
            continue
        first = imp.target.split(".")[0]
        if first == root.name:
            if LAYERS.get(room(imp.target), 99) > LAYERS["engine"]:
                bad.append(f"{imp.source}:{imp.line} imports {imp.target}")
        elif first not in allowed:
            bad.append(f"{imp.source}:{imp.line} imports {imp.target}")
    return bad


# -- the rules on the real package -------------------------------------------------------------


def test_imports_point_down_the_layers() -> None:
    assert layer_violations(PACKAGE) == []


def test_no_module_imports_one_that_imports_it() -> None:
    assert cycles(PACKAGE) == []


def test_the_engine_imports_polars_and_the_standard_library_only() -> None:
    assert engine_outside_imports(PACKAGE) == []


def test_every_room_is_on_the_map() -> None:
    rooms = {room(module_name(PACKAGE, p)) for p in PACKAGE.rglob("*.py")}
    assert rooms - {SANDBOX} <= set(LAYERS), rooms - set(LAYERS)


@pytest.mark.parametrize("room_name", sorted(PURE_ROOMS))
def test_pure_rooms_never_import_the_http_stack(room_name: str) -> None:
    used = {
        imp.target.split(".")[0]
        for imp in imports_of(PACKAGE)
        if room(imp.source) == room_name and not imp.type_only
    }
    assert not used & NETWORK


@pytest.mark.parametrize("path", sorted((PACKAGE / "engine").glob("*.py")), ids=lambda p: p.name)
def test_no_per_row_python_in_the_engine(path: Path) -> None:
    calls = {
        node.attr
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in PER_ROW
    }
    assert not calls, f"{path.name} uses {calls}"


# -- the checker catches what it is there to catch ---------------------------------------------


def _copy_package(tmp_path: Path) -> Path:
    root = tmp_path / "linkedin_capi"
    for path in PACKAGE.rglob("*.py"):
        target = root / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    return root


def _plant(root: Path, module: str, line: str) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n\ndef _planted() -> None:\n    {line}\n")


def test_a_planted_late_back_import_is_caught(tmp_path: Path) -> None:
    root = _copy_package(tmp_path)
    assert layer_violations(root) == []
    _plant(root, "engine.report", "from linkedin_capi.display.views import report_html")
    assert any("engine.report" in v and "display.views" in v for v in layer_violations(root))


def test_a_planted_cycle_is_caught(tmp_path: Path) -> None:
    root = _copy_package(tmp_path)
    _plant(root, "delivery.rejections", "from linkedin_capi.delivery import export")
    assert any("linkedin_capi.delivery.rejections" in c for c in cycles(root))


def test_a_planted_sandbox_import_and_engine_dependency_are_caught(tmp_path: Path) -> None:
    root = _copy_package(tmp_path)
    _plant(root, "sandbox._state", "from linkedin_capi import errors")
    _plant(root, "engine.hashing", "import requests")
    assert any(v.startswith("linkedin_capi.sandbox._state") for v in layer_violations(root))
    assert any("requests" in v for v in engine_outside_imports(root))


def test_type_checking_imports_may_name_a_higher_type(tmp_path: Path) -> None:
    root = tmp_path / "linkedin_capi"
    (root / "engine").mkdir(parents=True)
    (root / "delivery").mkdir()
    (root / "__init__.py").write_text("")
    (root / "delivery" / "__init__.py").write_text("")
    (root / "delivery" / "export.py").write_text("X = 1\n")
    (root / "engine" / "__init__.py").write_text("")
    (root / "engine" / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from linkedin_capi.delivery.export import X\n"
    )
    assert layer_violations(root) == []
    (root / "engine" / "b.py").write_text("from linkedin_capi.delivery.export import X\n")
    assert len(layer_violations(root)) == 1
