"""What the forms share: option lists, the library calls they make, and error display."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as w

from linkedin_capi import _constants as C
from linkedin_capi.display.views import error_html, label

log = logging.getLogger("linkedin_capi.widgets")

F = TypeVar("F", bound=Callable[..., Any])

#: Room for descriptions such as "Post-click window" without cutting them.
STYLE = {"description_width": "150px"}
WIDE = w.Layout(width="620px")

#: Conversion types as (readable label, LinkedIn value), sorted by label.
TYPE_OPTIONS: list[tuple[str, str]] = sorted((label(t), t) for t in C.CONVERSION_TYPES)
ATTRIBUTION_OPTIONS = [(label(a), a) for a in C.ATTRIBUTION_TYPES]
AUTO_ASSOCIATION_OPTIONS = [
    ("All campaigns", "ALL_CAMPAIGNS"),
    ("Objective-based campaigns", "OBJECTIVE_BASED"),
    ("None (link campaigns later)", C.NO_AUTO_ASSOCIATION),
]


def days_label(days: int) -> str:
    """``1`` → ``'1 day'``, ``30`` → ``'30 days'``."""
    return "1 day" if days == 1 else f"{days} days"


VIEW_THROUGH_OPTIONS = [(days_label(d), d) for d in C.VIEW_THROUGH_WINDOWS]


def post_click_options(conversion_type: str | None) -> list[tuple[str, int]]:
    """The post-click windows LinkedIn allows for ``conversion_type`` (365 only for some).

    Examples
    --------
    >>> [d for _, d in post_click_options("PURCHASE")], [d for _, d in post_click_options("SAVE")]
    ([1, 7, 30, 90, 180, 365], [1, 7, 30, 90, 180])
    """
    days = list(C.POST_CLICK_WINDOWS)
    if conversion_type in C.LONG_WINDOW_TYPES:
        days.append(C.LONG_WINDOW)
    return [(days_label(d), d) for d in days]


def usable_accounts(conn: Any) -> list[Any]:
    """``conn.ad_accounts()`` without the accounts the member may only view."""
    lister = getattr(conn, "ad_accounts", None)
    if callable(lister):
        found = lister()
    else:  # a connection without the convenience method: the same call, spelled out
        from linkedin_capi.resources.accounts import ad_accounts

        found = ad_accounts(conn)
    return [a for a in found if a.usable]


def rules_of(conn: Any, ad_account_id: int | str | None) -> Any:
    """The rule manager of ``ad_account_id`` (``conn.rules`` when it is the connection's)."""
    from linkedin_capi.resources.rules import ConversionRules

    own = getattr(conn, "ad_account_id", None)
    same = ad_account_id is None or (own is not None and str(own) == str(ad_account_id))
    if same and getattr(conn, "rules", None) is not None:
        return conn.rules
    return ConversionRules(conn, ad_account_id=ad_account_id)


def shows_errors(status_attr: str) -> Callable[[F], F]:
    """Run a callback; any exception is rendered in ``self.<status_attr>`` and logged.

    JupyterLab does not show exceptions raised in widget callbacks, so without this a
    failed click would look like nothing happened.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return func(self, *args, **kwargs)
            except Exception as exc:
                log.info("%s failed: %s", func.__qualname__, type(exc).__name__)
                getattr(self, status_attr).value = error_html(exc)
                return None

        return wrapper  # type: ignore[return-value]

    return decorate
