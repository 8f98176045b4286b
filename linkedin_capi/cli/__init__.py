"""The ``linkedin-capi`` command line: a view over the library.

``app`` is the Typer application and ``main`` the console-script entry point; the command
implementations live in :mod:`linkedin_capi.cli.app` (validate, export, auth, demo) and
:mod:`linkedin_capi.cli._rules` (rules, accounts).
"""

from __future__ import annotations

from linkedin_capi.cli.app import app, main, read_frame

__all__ = ["app", "main", "read_frame"]
