"""Conversion-rule settings: checked before any request, with the valid choices in errors.

Conversion type, attribution windows, attribution type and campaign auto-association follow
LinkedIn's documented lists (``_constants``); input is case-insensitive.

Examples
--------
>>> s = RuleSettings.of(type="purchase", post_click_window=365)
>>> s.type, s.post_click_window, s.view_through_window
('PURCHASE', 365, 7)
>>> RuleSettings.of(type="sign_up", post_click_window=365)
Traceback (most recent call last):
...
linkedin_capi.errors.ConfigError: post_click_window: 365 days is only allowed for ...
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from linkedin_capi import _constants as C
from linkedin_capi.errors import ConfigError

__all__ = [
    "RuleSettings",
    "check_attribution_type",
    "check_auto_association",
    "check_conversion_type",
    "check_window",
]


def _choice(what: str, value: object, choices: Iterable[str]) -> str:
    """Upper-case ``value`` and check it is one of ``choices`` (friendly to case/spaces)."""
    allowed = tuple(choices)
    if isinstance(value, str):
        folded = value.strip().upper().replace("-", "_").replace(" ", "_")
        if folded in allowed:
            return folded
    raise ConfigError(f"{what}: expected one of {', '.join(allowed)}; got {value!r}")


def check_conversion_type(
    value: object, *, what: str = "conversion type", api_version: str | None = None
) -> str:
    """Return the canonical conversion type (``add_to_cart`` → ``ADD_TO_CART``).

    With ``api_version``, the qualified-lead types (``MARKETING_QUALIFIED_LEAD``,
    ``SALES_QUALIFIED_LEAD``) are refused before 202608, where LinkedIn refuses them for
    new rules (audit F4).

    Examples
    --------
    >>> check_conversion_type("add to cart")
    'ADD_TO_CART'
    >>> check_conversion_type("sales_qualified_lead", api_version="202607")
    Traceback (most recent call last):
    ...
    linkedin_capi.errors.ConfigError: conversion type SALES_QUALIFIED_LEAD: ...
    """
    kind = _choice(what, value, C.CONVERSION_TYPES)
    if (
        api_version is not None
        and kind in C.QUALIFIED_LEAD_TYPES
        and api_version[:6] < C.QUALIFIED_LEAD_TYPES_FROM
    ):
        raise ConfigError(
            f"{what} {kind}: LinkedIn accepts it for rules from LinkedIn-Version "
            f"{C.QUALIFIED_LEAD_TYPES_FROM} only, and this connection uses {api_version}; "
            f"connect with api_version={C.QUALIFIED_LEAD_TYPES_FROM!r} (or newer), or use "
            "QUALIFIED_LEAD or LEAD"
        )
    return kind


def check_attribution_type(value: object, *, what: str = "attribution type") -> str:
    """Return the canonical attribution type (``LAST_TOUCH_BY_CAMPAIGN`` or ``..._CONVERSION``).

    Examples
    --------
    >>> check_attribution_type("last_touch_by_conversion")
    'LAST_TOUCH_BY_CONVERSION'
    """
    return _choice(what, value, C.ATTRIBUTION_TYPES)


def check_auto_association(value: object, *, what: str = "campaign auto association") -> str:
    """Return the canonical campaign auto-association; ``None`` means ``"NONE"`` (no campaigns).

    Examples
    --------
    >>> check_auto_association("objective_based"), check_auto_association(None)
    ('OBJECTIVE_BASED', 'NONE')
    """
    if value is None:
        return C.NO_AUTO_ASSOCIATION
    return _choice(what, value, C.AUTO_ASSOCIATION_TYPES)


def _days(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_window(
    value: object,
    *,
    kind: Literal["post_click", "view_through"],
    conversion_type: str | None = None,
    what: str | None = None,
) -> int:
    """Check an attribution window (days): 1, 7, 30 or 90; post-click 365 for some types.

    Parameters
    ----------
    value
        Days, as an int or a digit string.
    kind
        ``"post_click"`` or ``"view_through"``.
    conversion_type
        The rule's (canonical) type; 365-day post-click windows need one of
        ``SUBMIT_APPLICATION, PURCHASE, ADD_TO_CART, QUALIFIED_LEAD, LEAD``.

    Examples
    --------
    >>> check_window("90", kind="view_through")
    90
    """
    what = what or f"{kind}_window"
    days = _days(value)
    base = C.POST_CLICK_WINDOWS if kind == "post_click" else C.VIEW_THROUGH_WINDOWS
    if days is not None and days in base:
        return days
    if kind == "post_click" and days == C.LONG_WINDOW:
        if conversion_type is None or conversion_type in C.LONG_WINDOW_TYPES:
            return C.LONG_WINDOW
        raise ConfigError(
            f"{what}: 365 days is only allowed for conversion types "
            f"{', '.join(C.LONG_WINDOW_TYPES)}; this rule's type is {conversion_type}. "
            f"Use one of {', '.join(map(str, base))}."
        )
    extra = f" (or 365 for {', '.join(C.LONG_WINDOW_TYPES)})" if kind == "post_click" else ""
    raise ConfigError(
        f"{what}: expected one of {', '.join(map(str, base))}{extra} days; got {value!r}"
    )


def _as_config_error(exc: ValidationError) -> ConfigError:
    """Turn a pydantic error about settings into one ConfigError naming every problem."""
    problems = []
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigError):
            problems.append(str(cause))
        else:
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            problems.append(f"{where}: {err['msg']}")
    return ConfigError("; ".join(problems))


class RuleSettings(BaseModel):
    """The attribution settings of a conversion rule, checked and canonical.

    Build with :meth:`of` to get :class:`~linkedin_capi.errors.ConfigError` (a ``ValueError``)
    on bad values; values are case-insensitive (``add_to_cart`` → ``ADD_TO_CART``).

    Examples
    --------
    >>> RuleSettings.of(type="lead", attribution_type="last_touch_by_conversion").attribution_type
    'LAST_TOUCH_BY_CONVERSION'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str = C.DEFAULT_CONVERSION_TYPE
    post_click_window: int = C.DEFAULT_POST_CLICK_WINDOW
    view_through_window: int = C.DEFAULT_VIEW_THROUGH_WINDOW
    attribution_type: str = C.DEFAULT_ATTRIBUTION_TYPE
    auto_association: str = C.DEFAULT_AUTO_ASSOCIATION
    enabled: bool = True

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, v: object) -> str:
        return check_conversion_type(v)

    @field_validator("attribution_type", mode="before")
    @classmethod
    def _attribution(cls, v: object) -> str:
        return check_attribution_type(v)

    @field_validator("auto_association", mode="before")
    @classmethod
    def _association(cls, v: object) -> str:
        return check_auto_association(v)

    @field_validator("view_through_window", mode="before")
    @classmethod
    def _view(cls, v: object) -> int:
        return check_window(v, kind="view_through")

    @field_validator("post_click_window", mode="before")
    @classmethod
    def _click(cls, v: object, info: Any) -> int:
        # ``type`` is declared first, so it is already validated (or absent when invalid).
        return check_window(v, kind="post_click", conversion_type=info.data.get("type"))

    @classmethod
    def of(cls, **settings: Any) -> RuleSettings:
        """Check ``settings`` and return them canonical; unknown names are rejected.

        Raises
        ------
        ConfigError
            Listing every bad value with the valid choices.
        """
        unknown = sorted(set(settings) - set(cls.model_fields))
        if unknown:
            raise ConfigError(
                f"unknown rule setting(s) {', '.join(unknown)}; "
                f"known: {', '.join(cls.model_fields)}"
            )
        try:
            return cls(**settings)
        except ValidationError as exc:
            raise _as_config_error(exc) from None

    def body(self) -> dict[str, Any]:
        """The rule fields LinkedIn stores (``auto_association`` is a create-time parameter)."""
        return {
            "type": self.type,
            "enabled": self.enabled,
            "attributionType": self.attribution_type,
            "postClickAttributionWindowSize": self.post_click_window,
            "viewThroughAttributionWindowSize": self.view_through_window,
        }
