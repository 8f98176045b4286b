"""Choosing a ``LinkedIn-Version`` and warning before it is sunset.

LinkedIn supports each monthly version for about a year and answers HTTP 426 afterwards.
The known sunset dates live in :data:`linkedin_capi._constants.API_VERSIONS`.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

from linkedin_capi._constants import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    VERSION_WARN_DAYS,
    policy_sunset,
    released,
)
from linkedin_capi._constants import default_version as _default
from linkedin_capi.errors import ConfigError

_released = released

__all__ = ["choose_api_version", "policy_sunset", "version_hint"]

_VERSION = re.compile(r"^(\d{6})(?:\.\d{2})?$")  # YYYYMM or the patch form YYYYMM.RR


def version_hint(version: str | None, today: dt.date | None = None) -> str:
    """How to pick another version, for messages (lists versions active ``today``).

    Examples
    --------
    >>> version_hint("202501", dt.date(2027, 6, 20))[:60]
    "LinkedIn-Version '202501' is sunset or unknown; pass api_ver"
    """
    today = today or dt.date.today()
    active = [v for v, sunset in sorted(API_VERSIONS.items()) if _released(v) <= today < sunset]
    newest = active[-1] if active else DEFAULT_API_VERSION
    return (
        f"LinkedIn-Version {version!r} is sunset or unknown; pass api_version= one of "
        f"{active} (Connection(..., api_version={newest!r}))"
    )


def choose_api_version(version: str | int | None, today: dt.date | None = None) -> str:
    """Validate ``version`` (or pick the default) and warn when it is sunset soon.

    ``None`` picks the newest version that has been out a month and is more than
    ``VERSION_WARN_DAYS`` from its sunset: from the table while it has one, else computed
    from LinkedIn's 12-month support policy (with a one-time ``UserWarning`` that the
    table should be refreshed). A known version that sunsets within ``VERSION_WARN_DAYS``
    (or already has) gives a ``FutureWarning``; versions newer than the table are
    accepted silently.

    Examples
    --------
    >>> choose_api_version(None, dt.date(2026, 11, 28))
    '202609'
    >>> choose_api_version(None, dt.date(2026, 9, 20))
    '202608'
    >>> choose_api_version(202603, dt.date(2026, 11, 28))
    '202603'
    """
    today = today or dt.date.today()
    text = _default(today) if version is None else str(version).strip()
    match = _VERSION.match(text)
    if not match:
        raise ConfigError(
            f"api_version must look like YYYYMM (e.g. {DEFAULT_API_VERSION!r}) or YYYYMM.RR, "
            f"got {text!r}"
        )
    base = match.group(1)
    if not 1 <= int(base[4:]) <= 12:
        raise ConfigError(f"api_version {text!r} has no month {base[4:]}; expected YYYYMM")
    sunset = API_VERSIONS.get(base)
    if sunset is not None:
        days = (sunset - today).days
        if days <= 0:
            warnings.warn(
                f"LinkedIn-Version {text} was sunset on {sunset.isoformat()}; LinkedIn will "
                f"answer HTTP 426. Choose a newer one: {version_hint(text, today)}",
                FutureWarning,
                stacklevel=3,
            )
        elif days <= VERSION_WARN_DAYS:
            warnings.warn(
                f"LinkedIn-Version {text} is sunset on {sunset.isoformat()} (in {days} days); "
                f"move to a newer one before then: {version_hint(text, today)}",
                FutureWarning,
                stacklevel=3,
            )
    return text
