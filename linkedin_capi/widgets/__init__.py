"""Notebook forms over the library: create or pick a conversion rule, validate and send.

Needs the ``[notebook]`` extra (``pip install 'linkedin-capi[notebook]'``, which brings
ipywidgets). ``import linkedin_capi`` never imports this module, so scripts and the CLI do
not pay for ipywidgets.

The forms hold no business logic: they gather values, call the same public functions a
script would (``conn.rules.find/create``, ``conn.ad_accounts()``, ``validate``, ``export``)
and render what comes back, errors included, inside the form (an exception raised in a
button callback is otherwise invisible in JupyterLab).

Examples
--------
>>> from linkedin_capi.widgets import RuleCreator          # doctest: +SKIP
>>> creator = RuleCreator(conn)                             # doctest: +SKIP
>>> creator                                                 # doctest: +SKIP
>>> creator.rule.urn                                        # doctest: +SKIP
'urn:lla:llaPartnerConversion:104012'
"""

from __future__ import annotations

try:
    import ipywidgets as _ipywidgets  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in an environment without it
    raise ImportError(
        "linkedin_capi.widgets needs ipywidgets: pip install 'linkedin-capi[notebook]'"
    ) from exc

from linkedin_capi.widgets._export import ExportPanel
from linkedin_capi.widgets._rules import RuleCreator, RulePicker

__all__ = ["ExportPanel", "RuleCreator", "RulePicker"]
