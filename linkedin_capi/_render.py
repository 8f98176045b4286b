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

A view of a class that lives in a room the package does not import up front (the HTTP
side: the connection, rules, accounts) is registered by the class's dotted name with
:func:`register_named`, so registering it does not import that room:

>>> class Other: ...
>>> register_named(as_text, f"{__name__}.Other", lambda obj: "another thing")
>>> as_text(Other())
'another thing'
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import singledispatch
from typing import Any

__all__ = ["as_chart", "as_html", "as_text", "register_named"]

#: Views registered by class name: dispatcher name → ``"module.QualName"`` → view.
_NAMED: dict[str, dict[str, Callable[[Any], Any]]] = {}


def register_named(
    dispatcher: Callable[[Any], Any], class_name: str, view: Callable[[Any], Any]
) -> None:
    """Register ``view`` for the class called ``class_name`` (``"module.QualName"``).

    Like ``dispatcher.register(cls, view)`` but without importing ``cls``; subclasses
    match through their MRO, as with :func:`functools.singledispatch`.
    """
    _NAMED.setdefault(dispatcher.__name__, {})[class_name] = view


def _named(dispatcher: str, obj: object) -> Callable[[Any], Any] | None:
    views = _NAMED.get(dispatcher)
    if views:
        for cls in type(obj).__mro__:
            view = views.get(f"{cls.__module__}.{cls.__qualname__}")
            if view is not None:
                return view
    return None


@singledispatch
def as_html(obj: object) -> str:
    """HTML for ``obj`` (Jupyter's ``_repr_html_``); the escaped plain repr by default."""
    view = _named("as_html", obj)
    if view is not None:
        return str(view(obj))
    return f"<pre>{html.escape(object.__repr__(obj))}</pre>"


@singledispatch
def as_text(obj: object) -> str:
    """Text for ``obj`` (``__str__``/``__repr__``); ``object.__repr__`` by default."""
    view = _named("as_text", obj)
    if view is not None:
        return str(view(obj))
    return object.__repr__(obj)


@singledispatch
def as_chart(obj: object) -> Any:
    """Charts of ``obj``; the display room registers the ones that exist."""
    view = _named("as_chart", obj)
    if view is not None:
        return view(obj)
    raise TypeError(f"no chart is registered for {type(obj).__name__}")
