"""The sandbox's own facts about LinkedIn, kept apart from the SDK's on purpose.

The sandbox is an independent model of LinkedIn: if it imported the SDK's lists, a wrong
assumption in the SDK would be copied into its stand-in and no test could catch it. These
values are written from LinkedIn's documentation (``shared/docs/linkedin-api-audit.md``).
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "ACCOUNT_URN_PREFIX",
    "API_VERSIONS",
    "DEFAULT_API_VERSION",
    "LEAD_URN_PREFIX",
    "MAX_BATCH_SIZE",
    "RESTLI_PROTOCOL_VERSION",
    "RULE_URN_PREFIX",
    "SCOPES",
    "WINDOW_DAYS",
    "SandboxError",
]


class SandboxError(ValueError):
    """A sandbox control was used wrongly (a bad fault plan, a server that cannot listen)."""


ACCOUNT_URN_PREFIX = "urn:li:sponsoredAccount:"
MAX_BATCH_SIZE = 5000  # events per BATCH_CREATE request (§2.1)
RESTLI_PROTOCOL_VERSION = "2.0.0"
WINDOW_DAYS = 90  # conversionHappenedAt must be within the last 90 days (§2.5)
SCOPES = ("rw_conversions", "r_ads")
LEAD_URN_PREFIX = "urn:li:leadGenFormResponse:"
RULE_URN_PREFIX = "urn:lla:llaPartnerConversion:"
API_VERSIONS: dict[str, dt.date] = {
    "202509": dt.date(2026, 9, 15),
    "202510": dt.date(2026, 10, 15),
    "202511": dt.date(2026, 11, 16),
    "202601": dt.date(2027, 1, 15),
    "202602": dt.date(2027, 2, 15),
    "202603": dt.date(2027, 3, 16),
    "202604": dt.date(2027, 4, 15),
    "202605": dt.date(2027, 5, 15),
    "202606": dt.date(2027, 6, 15),
    "202607": dt.date(2027, 7, 15),
    # Not yet in the published table; 12 months after release by the versioning policy.
    "202608": dt.date(2027, 8, 15),
}
DEFAULT_API_VERSION = "202607"
