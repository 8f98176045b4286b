"""The rendering seam: how domain objects show themselves, without importing the views.

Domain objects (:class:`~linkedin_capi.engine.report.ValidationReport`,
:class:`~linkedin_capi.delivery.result.ExportResult`, rules, accounts, the connection) call
:func:`as_html`, :func:`as_text` and :func:`as_chart` from ``_repr_html_``/``__str__``/
``plot``. The display room (:mod:`linkedin_capi.display`) registers the real renderers when
the package is imported, so the engine and the resources never import the display.

Examples
--------
>>> class Thing: ...
>>> as_text(Thing()).startswith("<")       # nothing registered: the plain object repr
True
>>> @as_text.register
... def _(obj: Thing) -> str:
...     return "a thing"
>>> as_text(Thing())
'a thing'
"""

from __future__ import annotations

import html
from functools import singledispatch
from typing import Any

__all__ = ["as_chart", "as_html", "as_text"]


@singledispatch
def as_html(obj: object) -> str:
    """HTML for ``obj`` (Jupyter's ``_repr_html_``); the escaped plain repr by default."""
    return f"<pre>{html.escape(object.__repr__(obj))}</pre>"


@singledispatch
def as_text(obj: object) -> str:
    """Text for ``obj`` (``__str__``/``__repr__``); ``object.__repr__`` by default."""
    return object.__repr__(obj)


@singledispatch
def as_chart(obj: object) -> Any:
    """Charts of ``obj``; the display room registers the ones that exist."""
    raise TypeError(f"no chart is registered for {type(obj).__name__}")
