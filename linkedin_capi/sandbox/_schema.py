"""What LinkedIn's side accepts: URNs, enums, field sets, limits and fixed messages.

The sandbox's own facts, written from ``shared/docs/linkedin-api-audit.md`` (the audit of
December 2026; its row ids in comments, e.g. "E1") and, where the audit does not restate
it, ``shared/docs/linkedin-api.md`` ("api.md §N"). Nothing here is imported from the SDK:
when the SDK gets a fact wrong, the sandbox must not agree with it by construction.
Versions live in :mod:`linkedin_capi.sandbox._versions`.
"""

from __future__ import annotations

from typing import Final

from linkedin_capi.sandbox._versions import at_least

# -- Protocol ---------------------------------------------------------------------------------

RESTLI_PROTOCOL_VERSION: Final = "2.0.0"  # L-CAPI, audit A3 ("must be passed … in all")
#: OAuth scopes of the Conversions API product: audit H4 (L-CAPI, L-ACCESS).
SCOPES: Final = ("rw_conversions", "r_ads")
ACCOUNT_URN_PREFIX: Final = "urn:li:sponsoredAccount:"  # L-SCHEMA, api.md §3.1
RULE_URN_PREFIX: Final = "urn:lla:llaPartnerConversion:"  # audit D6
LEAD_URN_PREFIX: Final = "urn:li:leadGenFormResponse:"  # audit D11
CAMPAIGN_URN_PREFIX: Final = "urn:li:sponsoredCampaign:"  # api.md §3.5 (PM recording)

# -- Conversion events ------------------------------------------------------------------------

#: "up to 5,000 conversion events in a single batch request" (L-CAPI, audit C4).
MAX_BATCH_SIZE: Final = 5000
#: The batch limits are "5 000 events, 100 rules" (L-CAPI as read by PS, audit C5).
MAX_RULES_PER_BATCH: Final = 100
#: conversionHappenedAt within the last 90 days and not in the future (audit D7).
WINDOW_DAYS: Final = 90

EVENT_FIELDS: Final = frozenset(  # audit D1
    {"conversion", "conversionHappenedAt", "conversionValue", "eventId", "user"}
)
USER_FIELDS: Final = frozenset({"userIds", "userInfo", "lead", "externalIds"})  # audit D2
USER_ID_FIELDS: Final = frozenset({"idType", "idValue"})  # L-SCHEMA
VALUE_FIELDS: Final = frozenset({"currencyCode", "amount"})  # audit D8
#: userInfo fields of every active version (audit D10, L-SCHEMA).
USER_INFO_FIELDS: Final = frozenset(
    {"firstName", "lastName", "companyName", "title", "countryCode"}
)
#: "Available starting with the 202609 version" (L-SCHEMA, L-FAQ, PS ao/ap/ax; audit D10).
HASHED_NAMES_SINCE: Final = "202609"
HASHED_NAME_FIELDS: Final = frozenset({"hashedFirstName", "hashedLastName"})

#: The six idType symbols of the schema page, "available on all active versions"
#: (L-SCHEMA 08/26 and 09/16/2026, PS aj/ao; NL-Q2; L-CHG 202605/202607; audit E1, E2).
ID_TYPES: Final = frozenset(
    {
        "SHA256_EMAIL",
        "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID",
        "ACXIOM_ID",
        "PLAINTEXT_IP_ADDRESS",
        "SHA256_IP_ADDRESS",
        "GOOGLE_AID",
    }
)
#: "The 202609 schema also drops ORACLE_MOAT_ID" (SHW; absent from the schema page, audit
#: E1). Whether LinkedIn then rejects it is unmeasured: the sandbox *chooses* a 422
#: "is not an enum symbol" (its measured answer to an unknown symbol, PS i) from 202609 on.
MOAT_ID: Final = "ORACLE_MOAT_ID"
MOAT_DROPPED_IN: Final = "202609"
#: Lead-only events: "now allowed (previously a 400 error). Available on all active
#: versions." (NL-Q2, L-CHG 202605 section; audit D4). A change of LinkedIn's service in
#: the 202605 release, not of one version's schema: the sandbox accepts it on every version
#: once its clock has reached that release.
LEAD_ONLY_SINCE: Final = "202605"


def id_types(version: str) -> frozenset[str]:
    """The idType symbols valid under a ``LinkedIn-Version`` (``YYYYMM`` or ``YYYYMM.RR``).

    Examples
    --------
    >>> MOAT_ID in id_types("202608"), MOAT_ID in id_types("202609")
    (True, False)
    >>> "GOOGLE_AID" in id_types("202601")
    True
    """
    return ID_TYPES if at_least(version, MOAT_DROPPED_IN) else ID_TYPES | {MOAT_ID}


def user_info_fields(version: str) -> frozenset[str]:
    """The userInfo fields under a version: hashed names only from 202609."""
    if at_least(version, HASHED_NAMES_SINCE):
        return USER_INFO_FIELDS | HASHED_NAME_FIELDS
    return USER_INFO_FIELDS


# -- Conversion rules -------------------------------------------------------------------------

#: api.md §3.1: CONVERSIONS_API is the only method for API streaming; the Insight Tag
#: methods appear in list answers (PM), image pixel and offline historically.
CONVERSIONS_API: Final = "CONVERSIONS_API"
CONVERSION_METHODS: Final = frozenset(
    {
        CONVERSIONS_API,
        "INSIGHT_TAG_URL_MATCH_RULES",
        "INSIGHT_TAG_JAVASCRIPT_EVENT",
        "IMAGE_PIXEL",
        "OFFLINE",
    }
)
#: Segment's 36 types plus QUALIFIED_LEAD from the schema page (api.md §3.1; audit F4:
#: "the full type list is still not seen verbatim").
_RULE_TYPE_NAMES: Final = (
    "ADD_TO_CART DOWNLOAD INSTALL KEY_PAGE_VIEW LEAD PURCHASE SIGN_UP OTHER TALENT_LEAD "
    "JOB_APPLY SAVE START_CHECKOUT SCHEDULE VIEW_CONTENT VIEW_VIDEO ADD_BILLING_INFO "
    "BOOK_APPOINTMENT REQUEST_QUOTE SEARCH SUBSCRIBE AD_CLICK AD_VIEW COMPLETE_SIGNUP "
    "SUBMIT_APPLICATION PHONE_CALL INVITE LOGIN SHARE DONATE ADD_TO_LIST RATE START_TRIAL "
    "OUTBOUND_CLICK CONTACT MARKETING_QUALIFIED_LEAD SALES_QUALIFIED_LEAD QUALIFIED_LEAD"
)
RULE_TYPES: Final = frozenset(_RULE_TYPE_NAMES.split())
#: "Starting with the 202408 version, we'll no longer support MARKETING_QUALIFIED_LEAD and
#: SALES_QUALIFIED_LEAD … when creating a new conversion rule" (L-CHG 202408); "supported
#: only for API versions 202608 and later" (L-SCHEMA, PS ax; audit F4). Every version
#: before 202408 is long sunset, so the gate is simply "202608 or later".
QUALIFIED_LEAD_TYPES: Final = frozenset({"MARKETING_QUALIFIED_LEAD", "SALES_QUALIFIED_LEAD"})
QUALIFIED_LEAD_SINCE: Final = "202608"
ATTRIBUTION_TYPES: Final = frozenset(  # audit F7 (help a426349)
    {"LAST_TOUCH_BY_CAMPAIGN", "LAST_TOUCH_BY_CONVERSION"}
)
#: DYNAMIC is the documented default; FIXED and NO_VALUE from third parties, NO_VALUE also
#: on the schema page ("Does not use any value for the conversion", audit §4 Q2).
VALUE_TYPES: Final = frozenset({"DYNAMIC", "FIXED", "NO_VALUE"})
#: Values seen for the ``autoAssociationType`` query parameter (third parties, audit F2).
AUTO_ASSOCIATION_TYPES: Final = frozenset({"ALL_CAMPAIGNS", "OBJECTIVE_BASED"})
#: Post-click windows of every type: 1, 7, 30, 90 (L-SCHEMA, audit F5) and 180, added
#: "available on all active versions" (L-CHG 202609 section, PS aw; issue 13 reads it as
#: all types).
POST_CLICK_WINDOWS: Final = frozenset({1, 7, 30, 90, 180})
#: 365 days post-click for SUBMIT_APPLICATION, PURCHASE, ADD_TO_CART, QUALIFIED_LEAD, LEAD
#: (L-SCHEMA 2026-03 view, audit F5) and the qualified-lead types (audit §3 item 10), only
#: "if you … use Conversions API or a CSV file manual upload" (H-WINDOW).
LONG_WINDOW: Final = 365
LONG_WINDOW_TYPES: Final = frozenset(
    {"SUBMIT_APPLICATION", "PURCHASE", "ADD_TO_CART", "QUALIFIED_LEAD", "LEAD"}
    | QUALIFIED_LEAD_TYPES
)
LONG_WINDOW_METHODS: Final = frozenset({CONVERSIONS_API, "OFFLINE"})
#: View-through: 1, 7, 30, 90, default 7; nothing says 180 or 365 apply (audit F6).
VIEW_THROUGH_WINDOWS: Final = frozenset({1, 7, 30, 90})
#: ``conversionOwnershipTypes`` on the ``q=account`` finder since 202605; "Omitting the
#: parameter defaults to OWNED only" (NL-Q2, audit F8); answers carry ``ownershipType``.
OWNERSHIP_TYPES: Final = frozenset({"OWNED", "SHARED"})
OWNERSHIP_SINCE: Final = "202605"
#: Writable rule fields (api.md §3.1). Read-only fields (id, created, lastModified) are
#: ignored on create.
RULE_WRITABLE: Final = (
    "name",
    "account",
    "conversionMethod",
    "type",
    "enabled",
    "attributionType",
    "postClickAttributionWindowSize",
    "viewThroughAttributionWindowSize",
    "valueType",
    "value",
    "campaigns",
    "associatedCampaigns",
    "urlRules",
)
RULE_READ_ONLY: Final = frozenset(
    {"id", "created", "lastModified", "lastEventReceived", "ownershipType"}
)
RULE_REQUIRED: Final = ("name", "account", "conversionMethod", "type")  # L-SCHEMA
#: Fields a partial update may not change (the sandbox's choice, declared in the README).
RULE_IMMUTABLE: Final = frozenset({"account", "conversionMethod", "id", "created"})

# -- Ad accounts and campaigns ----------------------------------------------------------------

ROLES: Final = frozenset(  # api.md §4.1 (MS-ADUSERS)
    {"ACCOUNT_BILLING_ADMIN", "ACCOUNT_MANAGER", "CAMPAIGN_MANAGER", "CREATIVE_MANAGER", "VIEWER"}
)
#: "The authenticated user must have a valid user access role (other than VIEWER role)"
#: (L-SCHEMA, PS ah; audit G2).
READ_ONLY_ROLE: Final = "VIEWER"
#: Campaign statuses of the adCampaigns search filter (api.md §3.5, PM/SEG use
#: ``status:(values:List(ACTIVE,DRAFT))``; the others are LinkedIn's campaign statuses).
CAMPAIGN_STATUSES: Final = frozenset(
    {"ACTIVE", "PAUSED", "ARCHIVED", "COMPLETED", "CANCELED", "DRAFT", "PENDING_DELETION"}
)
#: Campaigns ``autoAssociationType=ALL_CAMPAIGNS`` links at rule creation (api.md §3.1).
AUTO_ASSOCIATED_STATUSES: Final = frozenset({"ACTIVE", "PAUSED", "DRAFT"})
#: Cursor paging of ``q=search`` since 202401: ``pageSize`` (default 100), ``pageToken``,
#: ``metadata.nextPageToken`` (MS-CURSOR, api.md §4.2).
SEARCH_PAGE_SIZE: Final = 100

# -- Fixed texts ------------------------------------------------------------------------------

#: Measured 400 form (PS s, audit C6).
MSG_TIME_WINDOW: Final = (
    "Conversion time should be within 90 days and not exceed current time, "
    "indices {indices} (0-indexed)."
)
#: Documented 400 form, one entry per failing element (L-CAPI error table, PS ak, C6).
MSG_TIME_WINDOW_DOCUMENTED: Final = "Validation failed because [{entries}]"
MSG_TIME_WINDOW_ENTRY: Final = (
    "{{field=Invalid Conversion time, batchIndex={index}, "
    "type=INVALID_CONVERSION_TIME_FIELD_VALUE, "
    "message=Conversion time should be within 90 days.}}"
)
#: Measured (MEAS/RS, audit C9).
MSG_WRONG_METHOD: Final = (
    "Incorrect conversions information provided. Conversion's method should be "
    "CONVERSIONS_API, indices {indices} (0-indexed)"
)
#: L-CAPI error table (PS ab, audit C7): names no rows.
MSG_RULE_DISABLED: Final = (
    "Invalid Conversion information provided, this event(s) is associated to a "
    "conversion that's marked as deleted. Conversion enabled should be true"
)
#: The documented no-identifier error (L-FAQ/L-SCHEMA, PS ao; audit §4). It omits
#: SHA256_IP_ADDRESS although that id suffices: the discrepancy is LinkedIn's.
MSG_NO_IDENTIFIER: Final = (
    "The request must contain one of these fields: SHA256_EMAIL or "
    "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID or ACXIOM_ID or PLAINTEXT_IP_ADDRESS or "
    "GOOGLE_AID or (firstName and lastName) or externalIds or lead, and the input "
    "shouldn't be empty string"
)
#: The limit is documented, the text is the sandbox's (declared in the README).
MSG_TOO_MANY_RULES: Final = (
    "Too many conversion rules in one BATCH_CREATE request: {count}; "
    "at most {limit} distinct conversions are allowed"
)
MSG_NO_AD_ACCOUNTS: Final = "No ad accounts found"  # measured (PS c, audit C8)
MSG_BAD_URN_PREFIX: Final = "Invalid Urn format. Invalid prefix."  # measured (PS l, C8)
MSG_REQUIRED: Final = "field is required but not found and has no default value"  # PS i
MSG_UNKNOWN_FIELD: Final = "unrecognized field found but not allowed"  # PS p, audit D1
MSG_THROTTLED: Final = "Resource level throttle limit for calls to this resource is reached."
MSG_VERSION_MISSING: Final = (  # measured (PS r, audit B4)
    "A version must be present. Please specify a version by adding the LinkedIn-Version header."
)
MSG_VERSION_INACTIVE: Final = "Requested version {version} is not active"  # L-ERRRESP ex. 5
MSG_PROTOCOL: Final = (
    "Missing or unsupported X-Restli-Protocol-Version header: expected 2.0.0, got {got}"
)
MSG_NO_RESOURCE: Final = "No virtual resource found"
