"""Fixed protocol values: field names, limits, URLs and LinkedIn-Version lifetimes.

Sources are in ``shared/docs/linkedin-api.md`` (section numbers in the comments).
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Final

# -- Canonical input columns (the connector's column names, seed document) -------------

CONVERSION: Final = "conversion"
HAPPENED_AT: Final = "conversionHappenedAt"
EVENT_ID: Final = "eventId"
SHA256_EMAIL: Final = "SHA256_EMAIL"
LI_FAT_ID: Final = "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"
ACXIOM_ID: Final = "ACXIOM_ID"
ORACLE_MOAT_ID: Final = "ORACLE_MOAT_ID"
PLAINTEXT_IP: Final = "PLAINTEXT_IP_ADDRESS"
SHA256_IP: Final = "SHA256_IP_ADDRESS"
GOOGLE_AID: Final = "GOOGLE_AID"
FIRST_NAME: Final = "firstName"
LAST_NAME: Final = "lastName"
HASHED_FIRST_NAME: Final = "hashedFirstName"
HASHED_LAST_NAME: Final = "hashedLastName"
COMPANY_NAME: Final = "companyName"
TITLE: Final = "title"
COUNTRY_CODE: Final = "countryCode"
LEAD: Final = "lead"
EXTERNAL_IDS: Final = "externalIds"
CURRENCY_CODE: Final = "currencyCode"
AMOUNT: Final = "amount"

#: The ``user.userIds[].idType`` columns the SDK recognises, in the order they are sent:
#: LinkedIn's six (audit E1/E2, all active versions) and ORACLE_MOAT_ID, which LinkedIn's
#: schema dropped from 202609 (it is then not sent, see MOAT_DROPPED_FROM).
ID_TYPES: Final = (
    SHA256_EMAIL,
    LI_FAT_ID,
    ACXIOM_ID,
    PLAINTEXT_IP,
    SHA256_IP,
    GOOGLE_AID,
    ORACLE_MOAT_ID,
)
#: The first LinkedIn-Version whose schema has no ORACLE_MOAT_ID (audit E1, SHW).
MOAT_DROPPED_FROM: Final = "202609"
#: The first LinkedIn-Version with hashedFirstName/hashedLastName in userInfo (audit D10).
HASHED_NAMES_FROM: Final = "202609"

#: Every column LinkedIn knows, in payload order. Anything else is ignored (never sent).
CANONICAL_COLUMNS: Final = (
    CONVERSION,
    HAPPENED_AT,
    EVENT_ID,
    *ID_TYPES,
    FIRST_NAME,
    LAST_NAME,
    HASHED_FIRST_NAME,
    HASHED_LAST_NAME,
    COMPANY_NAME,
    TITLE,
    COUNTRY_CODE,
    LEAD,
    EXTERNAL_IDS,
    CURRENCY_CODE,
    AMOUNT,
)

#: The row index that ties every artefact (report, batches, outcomes) back to the input.
ROW: Final = "_row"

# -- Limits --------------------------------------------------------------------------

MAX_BATCH_SIZE: Final = 5000  # events per BATCH_CREATE request (§2.1)
WINDOW_DAYS: Final = 90  # conversionHappenedAt must be within the last 90 days (§2.5)
EVENT_ID_MAX_LEN: Final = 64  # Salesforce's connector doc (§2.2, M)

# -- URLs and headers ------------------------------------------------------------------

BASE_URL: Final = "https://api.linkedin.com/rest"
TOKEN_URL: Final = "https://www.linkedin.com/oauth/v2/accessToken"
AUTHORIZATION_URL: Final = "https://www.linkedin.com/oauth/v2/authorization"
SCOPES: Final = ("rw_conversions", "r_ads")
RESTLI_PROTOCOL_VERSION: Final = "2.0.0"
RULE_URN_PREFIX: Final = "urn:lla:llaPartnerConversion:"
ACCOUNT_URN_PREFIX: Final = "urn:li:sponsoredAccount:"
LEAD_URN_PREFIX: Final = "urn:li:leadGenFormResponse:"

# -- LinkedIn-Version lifetimes (audit B1: L-MIG dated 09/16/2026) ---------------------

#: Known versions and the day each is sunset (L-MIG, audit B1). 202512 never existed.
API_VERSIONS: Final[dict[str, dt.date]] = {
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
    "202608": dt.date(2027, 8, 17),  # L-MIG (not 08-15)
    "202609": dt.date(2027, 9, 15),  # L-MIG; L-VER "Latest Version ... 202609"
}

#: The newest version in the table when it was last refreshed (for messages only: the
#: default is computed from the date, see ``client.versions``).
DEFAULT_API_VERSION: Final = "202609"
#: LinkedIn's published policy: each version is supported for 12 months (L-VER); sunsets
#: fall on about the 15th of the release month a year later (L-MIG).
VERSION_SUPPORT_MONTHS: Final = 12
VERSION_SUNSET_DAY: Final = 15
#: A default version must have been out this many months (LinkedIn ships mid-month).
VERSION_SETTLE_MONTHS: Final = 1
VERSION_WARN_DAYS: Final = 30

# LinkedIn's version policy as date arithmetic: the HTTP client (which version to send)
# and the engine (which rules a version implies) share one default.

_table_warned = False


def released(version: str) -> dt.date:
    """The first day of ``version``'s month."""
    return dt.date(int(version[:4]), int(version[4:6]), 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def policy_sunset(version: str) -> dt.date:
    """The sunset day of ``version``: the table's, else LinkedIn's 12-month policy.

    Examples
    --------
    >>> policy_sunset("202608"), policy_sunset("202611")
    (datetime.date(2027, 8, 17), datetime.date(2027, 11, 15))
    """
    known = API_VERSIONS.get(version[:6])
    if known is not None:
        return known
    return _add_months(released(version), VERSION_SUPPORT_MONTHS).replace(day=VERSION_SUNSET_DAY)


def default_version(today: dt.date | None = None) -> str:
    """The newest version out ``VERSION_SETTLE_MONTHS`` and not near its sunset.

    From the table while it has such a version, else last month's by LinkedIn's
    12-month support policy (with a one-time ``UserWarning`` to refresh the table).

    Examples
    --------
    >>> default_version(dt.date(2026, 12, 1)), default_version(dt.date(2026, 9, 20))
    ('202609', '202608')
    """
    global _table_warned
    today = today or dt.date.today()

    def usable(v: str) -> bool:
        settled = _add_months(released(v), VERSION_SETTLE_MONTHS) <= today
        return settled and (policy_sunset(v) - today).days > VERSION_WARN_DAYS

    candidates = [v for v in sorted(API_VERSIONS) if usable(v)]
    if candidates:
        return candidates[-1]
    # Past the end of the table: LinkedIn's policy releases a version a month and keeps
    # each for 12 months, so last month's version is out and far from its sunset.
    month = _add_months(today.replace(day=1), -VERSION_SETTLE_MONTHS)
    computed = f"{month.year:04d}{month.month:02d}"
    if computed < min(API_VERSIONS):
        return computed  # a date before the table (tests with old clocks): the policy holds
    if not _table_warned:
        _table_warned = True
        warnings.warn(
            f"linkedin-capi's LinkedIn-Version table ends at {max(API_VERSIONS)}; using "
            f"{computed} by LinkedIn's 12-month support policy. Upgrade linkedin-capi to "
            "refresh the table, or pin a version with api_version=.",
            UserWarning,
            stacklevel=4,
        )
    return computed


# -- HTTP client defaults (transport, retry, tokens) -----------------------------------

#: Response headers that identify a request for LinkedIn support, in order of preference.
REQUEST_ID_HEADERS: Final = ("x-li-request-id", "x-li-uuid", "x-restli-id-request")
#: (connect, read) seconds. A 5000-event batch is ~2 MB; LinkedIn answers it in seconds.
DEFAULT_TIMEOUT: Final = (10.0, 120.0)
#: Refresh the access token when it expires within this many seconds (ecosystem.md §3.3).
TOKEN_REFRESH_MARGIN: Final = 300.0
#: Retry defaults: total attempts per request, first backoff, backoff cap, Retry-After cap.
RETRY_ATTEMPTS: Final = 5
RETRY_BASE_SECONDS: Final = 1.0
RETRY_CAP_SECONDS: Final = 60.0
RETRY_AFTER_CAP_SECONDS: Final = 60.0
#: Retries of an events upload after a failure LinkedIn may have processed (read timeout or
#: reset after sending, 504): each may duplicate the batch at LinkedIn, so at most one.
AMBIGUOUS_RETRIES: Final = 1
#: Hosts for which plain http:// is allowed (local test servers, the sandbox).
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
CONVERSION_EVENTS_PATH: Final = "conversionEvents"

#: Environment variables read by ``Connection.from_env()``.
ENV_PREFIX: Final = "LINKEDIN_CAPI_"
ENV_VARS: Final = {
    "client_id": "LINKEDIN_CAPI_CLIENT_ID",
    "client_secret": "LINKEDIN_CAPI_CLIENT_SECRET",
    "refresh_token": "LINKEDIN_CAPI_REFRESH_TOKEN",
    "access_token": "LINKEDIN_CAPI_ACCESS_TOKEN",
    "ad_account_id": "LINKEDIN_CAPI_AD_ACCOUNT_ID",
    "api_version": "LINKEDIN_CAPI_API_VERSION",
    "base_url": "LINKEDIN_CAPI_BASE_URL",
    "token_url": "LINKEDIN_CAPI_TOKEN_URL",
    "conversion": "LINKEDIN_CAPI_CONVERSION",
    "token_file": "LINKEDIN_CAPI_TOKEN_FILE",
}

# -- Export ----------------------------------------------------------------------------

#: Statuses LinkedIn uses to reject a batch because of some of its events (§2.7): the
#: failing events are split out (by the indices named, else by bisection), the rest resent.
BATCH_REJECT_STATUSES: Final = frozenset({400, 413, 422})
#: After this many consecutive batches fail for transient reasons (429/5xx/no answer, after
#: every retry), the remaining rows fail without being sent: LinkedIn is down or the daily
#: quota is spent, and hammering it for hours helps nobody.
EXPORT_GIVE_UP_AFTER_BATCHES: Final = 3
#: Row outcomes in ``ExportResult.rows["status"]``.
#: ``already_sent``: an earlier run with the same journal had this event acknowledged.
EXPORT_STATUSES: Final = ("sent", "already_sent", "failed", "invalid", "skipped", "dry_run")

# -- Streaming exports (issue 7) ---------------------------------------------------------

#: LinkedIn documents 600 requests/minute and 500,000/day per member token (audit I1).
REQUESTS_PER_MINUTE: Final = 600
REQUESTS_PER_DAY: Final = 500_000
#: Rows pulled from a LazyFrame and validated at a time (also the most validated at once):
#: bounds memory, not the dataset (10M rows: 0.75 GB at 100,000, 0.64 GB at 50,000, which
#: is ~8 % slower: each chunk's evaluation has a fixed cost).
STREAM_CHUNK_ROWS: Final = 100_000
#: Batches on the wire at once by default (LinkedIn's quota, not bandwidth, is the limit).
MAX_IN_FLIGHT: Final = 2

# -- Conversion rules, ad accounts and the connector's --result options (§3, §4) -------
# (section owned by the `rules` branch: rules.py, accounts.py, config.py)

#: Conversion-rule ``type`` values: Segment's 36 (§3.1, M) plus QUALIFIED_LEAD (MS-SCHEMA, H).
CONVERSION_TYPES: Final = (
    "ADD_TO_CART",
    "DOWNLOAD",
    "INSTALL",
    "KEY_PAGE_VIEW",
    "LEAD",
    "PURCHASE",
    "SIGN_UP",
    "OTHER",
    "TALENT_LEAD",
    "JOB_APPLY",
    "SAVE",
    "START_CHECKOUT",
    "SCHEDULE",
    "VIEW_CONTENT",
    "VIEW_VIDEO",
    "ADD_BILLING_INFO",
    "BOOK_APPOINTMENT",
    "REQUEST_QUOTE",
    "SEARCH",
    "SUBSCRIBE",
    "AD_CLICK",
    "AD_VIEW",
    "COMPLETE_SIGNUP",
    "SUBMIT_APPLICATION",
    "PHONE_CALL",
    "INVITE",
    "LOGIN",
    "SHARE",
    "DONATE",
    "ADD_TO_LIST",
    "RATE",
    "START_TRIAL",
    "OUTBOUND_CLICK",
    "CONTACT",
    "MARKETING_QUALIFIED_LEAD",
    "SALES_QUALIFIED_LEAD",
    "QUALIFIED_LEAD",
)
#: Post-click windows (days) every type allows: 180 added on all active versions (L-CHG
#: 202609 section, audit F5); 365 only for the types below.
POST_CLICK_WINDOWS: Final = (1, 7, 30, 90, 180)
LONG_WINDOW: Final = 365
#: L-SCHEMA's five plus the two qualified-lead types (audit F5, third-party list of seven).
LONG_WINDOW_TYPES: Final = (
    "SUBMIT_APPLICATION",
    "PURCHASE",
    "ADD_TO_CART",
    "QUALIFIED_LEAD",
    "LEAD",
    "MARKETING_QUALIFIED_LEAD",
    "SALES_QUALIFIED_LEAD",
)
#: Types LinkedIn refuses for new rules from 202408 and accepts again from 202608 (F4).
QUALIFIED_LEAD_TYPES: Final = ("MARKETING_QUALIFIED_LEAD", "SALES_QUALIFIED_LEAD")
QUALIFIED_LEAD_TYPES_FROM: Final = "202608"
VIEW_THROUGH_WINDOWS: Final = (1, 7, 30, 90)
ATTRIBUTION_TYPES: Final = ("LAST_TOUCH_BY_CAMPAIGN", "LAST_TOUCH_BY_CONVERSION")
#: ``autoAssociationType`` query values at creation; NONE means "omit the parameter".
AUTO_ASSOCIATION_TYPES: Final = ("ALL_CAMPAIGNS", "OBJECTIVE_BASED", "NONE")
NO_AUTO_ASSOCIATION: Final = "NONE"

DEFAULT_CONVERSION_TYPE: Final = "ADD_TO_CART"
DEFAULT_POST_CLICK_WINDOW: Final = 30
DEFAULT_VIEW_THROUGH_WINDOW: Final = 7
DEFAULT_ATTRIBUTION_TYPE: Final = "LAST_TOUCH_BY_CAMPAIGN"
DEFAULT_AUTO_ASSOCIATION: Final = "ALL_CAMPAIGNS"

#: The only ``conversionMethod`` that accepts streamed events (§3.1, H).
CONVERSIONS_API_METHOD: Final = "CONVERSIONS_API"
#: The first version whose q=account finder knows conversionOwnershipTypes (audit F8).
OWNERSHIP_TYPES_FROM: Final = "202605"
#: Distinct conversion rules LinkedIn accepts in one batch (audit C5).
MAX_RULES_PER_BATCH: Final = 100
#: Rules per page when listing (Segment stops after one page of 100; we page on).
RULE_PAGE_SIZE: Final = 100
#: Stop paging after this many pages even if the server keeps answering (a runaway guard).
MAX_PAGES: Final = 10_000

#: Ad-account roles (§4.1, H); VIEWER cannot upload events or manage rules.
ACCOUNT_ROLES: Final = (
    "ACCOUNT_BILLING_ADMIN",
    "ACCOUNT_MANAGER",
    "CAMPAIGN_MANAGER",
    "CREATIVE_MANAGER",
    "VIEWER",
)
READ_ONLY_ROLES: Final = ("VIEWER",)

#: The connector's ``type`` value in a Treasure Data ``--result`` configuration (seed).
TD_CONNECTOR_TYPE: Final = "linkedin_ads_conversion_api"
