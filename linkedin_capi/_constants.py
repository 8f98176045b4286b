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
EXPORT_STATUSES: Final = ("sent", "failed", "invalid", "skipped", "dry_run")
