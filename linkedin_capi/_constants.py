"""Fixed protocol values: field names, limits, URLs and LinkedIn-Version lifetimes.

Sources are in ``shared/docs/linkedin-api.md`` (section numbers in the comments).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

# -- Canonical input columns (the connector's column names, seed document) -------------

CONVERSION: Final = "conversion"
HAPPENED_AT: Final = "conversionHappenedAt"
EVENT_ID: Final = "eventId"
SHA256_EMAIL: Final = "SHA256_EMAIL"
LI_FAT_ID: Final = "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"
ACXIOM_ID: Final = "ACXIOM_ID"
ORACLE_MOAT_ID: Final = "ORACLE_MOAT_ID"
FIRST_NAME: Final = "firstName"
LAST_NAME: Final = "lastName"
COMPANY_NAME: Final = "companyName"
TITLE: Final = "title"
COUNTRY_CODE: Final = "countryCode"
LEAD: Final = "lead"
EXTERNAL_IDS: Final = "externalIds"
CURRENCY_CODE: Final = "currencyCode"
AMOUNT: Final = "amount"

#: The four ``user.userIds[].idType`` columns, in the order they are sent.
ID_TYPES: Final = (SHA256_EMAIL, LI_FAT_ID, ACXIOM_ID, ORACLE_MOAT_ID)

#: Every column LinkedIn knows, in payload order. Anything else is ignored (never sent).
CANONICAL_COLUMNS: Final = (
    CONVERSION,
    HAPPENED_AT,
    EVENT_ID,
    *ID_TYPES,
    FIRST_NAME,
    LAST_NAME,
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

# -- LinkedIn-Version lifetimes (§1.1; AE lifecycle + MS-MIGRATIONS, as of 2026-08) -----

#: Known versions and the day each is sunset. Versions are supported about 12 months.
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
    # Not yet in the published table; 12 months after release by the versioning policy.
    "202608": dt.date(2027, 8, 15),
}

#: The newest version whose sunset date is published (and so can be warned about).
DEFAULT_API_VERSION: Final = "202607"
VERSION_WARN_DAYS: Final = 30

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
#: Rows pulled from a LazyFrame and validated at a time: bounds memory, not the dataset.
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
#: Post-click windows (days) every type allows; 365 only for the types below (§3.1, H).
POST_CLICK_WINDOWS: Final = (1, 7, 30, 90)
LONG_WINDOW: Final = 365
LONG_WINDOW_TYPES: Final = (
    "SUBMIT_APPLICATION",
    "PURCHASE",
    "ADD_TO_CART",
    "QUALIFIED_LEAD",
    "LEAD",
)
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
