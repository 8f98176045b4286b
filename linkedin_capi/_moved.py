"""Import paths of the first release, kept working after the package moved into rooms.

``import linkedin_capi.rules`` (or ``from linkedin_capi.report import ValidationReport``)
still imports, with a ``FutureWarning`` naming the new path. ``linkedin_capi.validate`` and
``linkedin_capi.export`` are the *functions* now — they were both a module and a function
before — so importing them as modules raises ``ModuleNotFoundError`` naming the module's
new home instead of replacing the function on the package.

Examples
--------
>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     from linkedin_capi.rules import ConversionRule
>>> ConversionRule.__module__, "linkedin_capi.resources.rules" in str(caught[0].message)
('linkedin_capi.resources.rules', True)
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

__all__ = ["MOVED", "SHADOWED"]

#: Old public module path → where it lives now.
MOVED: dict[str, str] = {
    "linkedin_capi.accounts": "linkedin_capi.resources.accounts",
    "linkedin_capi.authorize": "linkedin_capi.connection",
    "linkedin_capi.checks": "linkedin_capi.engine.checks",
    "linkedin_capi.columns": "linkedin_capi.engine.columns",
    "linkedin_capi.demo": "linkedin_capi.cli.demo",
    "linkedin_capi.hashing": "linkedin_capi.engine.hashing",
    "linkedin_capi.journal": "linkedin_capi.delivery.journal",
    "linkedin_capi.normalize": "linkedin_capi.engine.normalize",
    "linkedin_capi.payload": "linkedin_capi.engine.payload",
    "linkedin_capi.report": "linkedin_capi.engine.report",
    "linkedin_capi.result": "linkedin_capi.delivery.result",
    "linkedin_capi.rule_settings": "linkedin_capi.resources.rule_settings",
    "linkedin_capi.rules": "linkedin_capi.resources.rules",
    "linkedin_capi.tokens": "linkedin_capi.client.tokens",
}

#: Old module paths whose name is now a function of the package.
SHADOWED: dict[str, str] = {
    "linkedin_capi.export": "linkedin_capi.delivery.export",
    "linkedin_capi.validate": "linkedin_capi.engine.validate",
}


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target
        self.own_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system stamped the alias's spec on the real module: put its own back.
        module.__spec__ = self.own_spec


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in SHADOWED:
            raise ModuleNotFoundError(
                f"{fullname} is the function now; the module moved to {SHADOWED[fullname]} "
                f"(use `from {SHADOWED[fullname]} import ...`)",
                name=fullname,
            )
        new = MOVED.get(fullname)
        if new is None:
            return None
        warnings.warn(
            f"{fullname} moved to {new}; import from there (or from linkedin_capi)",
            FutureWarning,
            stacklevel=2,
        )
        return importlib.machinery.ModuleSpec(fullname, _Alias(new))


if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
    sys.meta_path.append(_MovedFinder())
