"""The ``linkedin-capi`` console script: ``--help`` and usage errors without Polars.

``import linkedin_capi`` registers ``df.capi`` and so loads Polars (0.5-0.8 s on a busy
2-core machine), which ``--help`` never needs. Python runs a package's ``__init__`` before
any module inside it, so the console script starts here, outside the package:

1. the ``linkedin_capi`` module is created from its import spec but not yet executed;
2. the CLI (``linkedin_capi.cli.app`` imports nothing heavy at module level) parses the
   command line, so ``--help`` and usage errors finish here;
3. just before a command body runs, the package's ``__init__`` is executed in that module,
   so every command sees the package exactly as ``import linkedin_capi`` makes it.

``linkedin_capi.cli:main`` (``python -m linkedin_capi.cli``) is the same CLI behind a
plain import. ``tests/test_import_cost.py`` pins what each path loads.
"""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["main"]

_PACKAGE = "linkedin_capi"


def main() -> None:
    """Run the ``linkedin-capi`` command line (the console script's entry point)."""
    if _PACKAGE in sys.modules:  # already imported in this process: nothing left to defer
        from linkedin_capi.cli.app import main as run

        run()
        return
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.loader is None:
        sys.exit(f"linkedin-capi: the {_PACKAGE} package is not installed with this Python")
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader
    finished: list[bool] = []

    def finish_import() -> None:
        if not finished:
            finished.append(True)
            loader.exec_module(package)

    sys.modules[_PACKAGE] = package
    from linkedin_capi.cli.app import main as run

    run(prepare=finish_import)


if __name__ == "__main__":
    main()
