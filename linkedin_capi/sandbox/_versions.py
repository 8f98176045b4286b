"""Which ``LinkedIn-Version`` values the sandbox serves, by LinkedIn's published policy.

The sandbox's own table, independent of the SDK's. Sources are the tags of
``shared/docs/linkedin-api-audit.md`` §0 (L-MIG: the "API Migration Status" table dated
09/16/2026; L-VER: the versioning page; L-ERRRESP: the error-responses page; ISS-426: real
426 bodies).

A version ``YYYYMM`` is active from the first day of its month until (excluding) its sunset
day. Sunset days come from :data:`PUBLISHED_SUNSETS` where LinkedIn published one, else from
the support policy: twelve months after release, on the 15th (:func:`sunset`). So a
version newer than the table (``202610`` once October 2026 has come) is served, and a
version whose month has not come yet answers 426 like a sunset one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Final

#: Sunset days LinkedIn published. L-MIG (09/16/2026, PS at/au), all "Active" on that page.
PUBLISHED_SUNSETS: Final[Mapping[str, dt.date]] = {
    "202510": dt.date(2026, 10, 15),  # L-MIG
    "202511": dt.date(2026, 11, 16),  # L-MIG
    "202601": dt.date(2027, 1, 15),  # L-MIG
    "202602": dt.date(2027, 2, 15),  # L-MIG
    "202603": dt.date(2027, 3, 16),  # L-MIG
    "202604": dt.date(2027, 4, 15),  # L-MIG
    "202605": dt.date(2027, 5, 15),  # L-MIG
    "202606": dt.date(2027, 6, 15),  # L-MIG
    "202607": dt.date(2027, 7, 15),  # L-MIG
    "202608": dt.date(2027, 8, 17),  # L-MIG (not 08-15, audit B1)
    "202609": dt.date(2027, 9, 15),  # L-MIG; L-VER: "Latest Version … September 2026 | 202609"
}

#: Months LinkedIn released no version in. L-MIG / L-VER: "202512 never existed" (audit B1).
SKIPPED: Final = frozenset({"202512"})

#: L-VER: "each version is supported ≥12 months"; the published sunsets fall on the 15th
#: to 17th of the release month one year later (L-MIG), so the policy uses the 15th.
SUPPORT_MONTHS: Final = 12
SUNSET_DAY: Final = 15

#: The version the sandbox's own helpers (``api_headers``, ``connection_kwargs``) send:
#: an active version of the table that every test clock (2026-10 onwards) accepts.
DEFAULT_VERSION: Final = "202607"

_FORM = re.compile(r"^(\d{4})(0[1-9]|1[0-2])(?:\.(\d{2}))?$")


def parse(value: str) -> tuple[str, str | None] | None:
    """``(YYYYMM, RR or None)`` of a header value, or ``None`` when it has neither form.

    Examples
    --------
    >>> parse("202609"), parse("202607.01"), parse("latest"), parse("202613")
    (('202609', None), ('202607', '01'), None, None)
    """
    match = _FORM.match(value.strip())
    if match is None:
        return None
    return match.group(1) + match.group(2), match.group(3)


def released(version: str) -> dt.date:
    """The first day of the version's month."""
    return dt.date(int(version[:4]), int(version[4:6]), 1)


def sunset(version: str, published: Mapping[str, dt.date] = PUBLISHED_SUNSETS) -> dt.date:
    """The day a version stops answering: published, else twelve months after release.

    Examples
    --------
    >>> sunset("202608"), sunset("202610")
    (datetime.date(2027, 8, 17), datetime.date(2027, 10, 15))
    """
    if version in published:
        return published[version]
    year, month = int(version[:4]), int(version[4:6])
    return dt.date(year + (month - 1 + SUPPORT_MONTHS) // 12, (month - 1) % 12 + 1, SUNSET_DAY)


def is_active(
    value: str, today: dt.date, published: Mapping[str, dt.date] = PUBLISHED_SUNSETS
) -> bool:
    """Whether LinkedIn answers a ``LinkedIn-Version`` header value on ``today``.

    Examples
    --------
    >>> day = dt.date(2026, 12, 1)
    >>> [is_active(v, day) for v in ("202609", "202610", "202611", "202612", "202511")]
    [True, True, True, True, False]
    >>> is_active("202512", day), is_active("202701", day)
    (False, False)
    """
    parsed = parse(value)
    if parsed is None or parsed[0] in SKIPPED:
        return False
    base = parsed[0]
    return released(base) <= today < sunset(base, published)


def as_printed(value: str) -> str:
    """The version as LinkedIn prints it in messages: ``yyyymmdd`` (ISS-426, audit S15).

    Real bodies say "Requested version 20250401 is not active" for ``202504``; a
    ``.RR`` revision takes the day's place. A value of neither form is printed as sent.

    Examples
    --------
    >>> as_printed("202509"), as_printed("202607.02"), as_printed("latest")
    ('20250901', '20260702', 'latest')
    """
    parsed = parse(value)
    if parsed is None:
        return value.strip()
    return parsed[0] + (parsed[1] or "01")


def at_least(value: str, since: str) -> bool:
    """Whether a (valid) header value names ``since`` or a later version."""
    parsed = parse(value)
    return parsed is not None and parsed[0] >= since
