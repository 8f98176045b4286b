"""The engine modules' docstring examples run as tests.

Only the engine's modules are listed (not ``--doctest-modules`` over the package): modules
that talk to LinkedIn may show examples that need a network.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "engine.columns",
    "engine.normalize",
    "engine.hashing",
    "engine.checks",
    "engine.validate",
    "engine.payload",
    "engine.report",
    "cli.demo",
    "_namespace",
    "_moved",
    "_render",
    "cli.app",
    "cli.readers",
    "cli._sql",
    "widgets._campaigns",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"linkedin_capi.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_engine_has_examples() -> None:
    attempted = 0
    for name in MODULES:
        module = importlib.import_module(f"linkedin_capi.{name}")
        finder = doctest.DocTestFinder()
        attempted += sum(len(t.examples) for t in finder.find(module))
    assert attempted >= 30
