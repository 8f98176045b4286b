"""The ``linkedin-capi`` command line: a view over the library.

``app`` is the Typer application and ``main`` the console-script entry point; the command
implementations live in :mod:`linkedin_capi.cli.app` (validate, export, auth, demo) and
:mod:`linkedin_capi.cli._rules` (rules, accounts); the file and query readers in
:mod:`linkedin_capi.cli.readers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkedin_capi.cli.app import app, main

if TYPE_CHECKING:
    from linkedin_capi.cli.readers import read_frame

__all__ = ["app", "main", "read_frame"]


def __getattr__(name: str) -> Any:
    # The readers import Polars, which `--help` and usage errors must not load.
    if name == "read_frame":
        from linkedin_capi.cli.readers import read_frame

        return read_frame
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
