"""The examples in the sandbox's docstrings run (every module of ``linkedin_capi.sandbox``)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import linkedin_capi.sandbox

MODULES = [
    "linkedin_capi.sandbox",
    *sorted(
        f"linkedin_capi.sandbox.{m.name}"
        for m in pkgutil.iter_modules(linkedin_capi.sandbox.__path__)
        if m.name != "__main__"  # running it serves until Ctrl-C
    ),
]


@pytest.mark.parametrize("name", MODULES)
def test_sandbox_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_sandbox_has_examples() -> None:
    finder = doctest.DocTestFinder()
    examples = {
        name: sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
        for name in MODULES
    }
    assert examples["linkedin_capi.sandbox._versions"] >= 6
    assert sum(examples.values()) >= 25  # not a vacuous run
