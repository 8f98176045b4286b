"""What LinkedIn's side accepts: enums, field sets and fixed messages of the simulated API.

These are server-side facts the sandbox enforces (``shared/docs/linkedin-api.md``, section
numbers in comments). The SDK's own protocol constants stay in ``linkedin_capi._constants``.
"""

from __future__ import annotations

from typing import Final

# -- Conversion events (§2.2, §2.3) ---------------------------------------------------------

EVENT_FIELDS: Final = frozenset(
    {"conversion", "conversionHappenedAt", "conversionValue", "eventId", "user"}
)
USER_FIELDS: Final = frozenset({"userIds", "userInfo", "lead", "externalIds"})
USER_ID_FIELDS: Final = frozenset({"idType", "idValue"})
USER_INFO_FIELDS: Final = frozenset(
    {"firstName", "lastName", "companyName", "title", "countryCode"}
)
VALUE_FIELDS: Final = frozenset({"currencyCode", "amount"})

#: idType symbols by the LinkedIn-Version that introduced them (§2.3). ORACLE_MOAT_ID is
#: kept: its removal is only medium-confidence and the SDK still sends it.
_ID_TYPES_SINCE: Final = {
    "SHA256_EMAIL": "000000",
    "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID": "000000",
    "ACXIOM_ID": "000000",
    "ORACLE_MOAT_ID": "000000",
    "PLAINTEXT_IP_ADDRESS": "000000",
    "GOOGLE_AID": "202605",
    "SHA256_IP_ADDRESS": "202607",
}


def id_types(version: str) -> frozenset[str]:
    """The idType symbols valid under a ``LinkedIn-Version`` (``YYYYMM`` or ``YYYYMM.RR``).

    Examples
    --------
    >>> "GOOGLE_AID" in id_types("202604"), "GOOGLE_AID" in id_types("202605")
    (False, True)
    """
    base = version[:6]
    return frozenset(name for name, since in _ID_TYPES_SINCE.items() if since <= base)


# -- Conversion rules (§3.1) ----------------------------------------------------------------

CONVERSION_METHODS: Final = frozenset(
    {
        "CONVERSIONS_API",
        "INSIGHT_TAG_URL_MATCH_RULES",
        "INSIGHT_TAG_JAVASCRIPT_EVENT",
        "IMAGE_PIXEL",
        "OFFLINE",
    }
)
_RULE_TYPE_NAMES: Final = (
    "ADD_TO_CART DOWNLOAD INSTALL KEY_PAGE_VIEW LEAD PURCHASE SIGN_UP OTHER TALENT_LEAD "
    "JOB_APPLY SAVE START_CHECKOUT SCHEDULE VIEW_CONTENT VIEW_VIDEO ADD_BILLING_INFO "
    "BOOK_APPOINTMENT REQUEST_QUOTE SEARCH SUBSCRIBE AD_CLICK AD_VIEW COMPLETE_SIGNUP "
    "SUBMIT_APPLICATION PHONE_CALL INVITE LOGIN SHARE DONATE ADD_TO_LIST RATE START_TRIAL "
    "OUTBOUND_CLICK CONTACT MARKETING_QUALIFIED_LEAD SALES_QUALIFIED_LEAD QUALIFIED_LEAD"
)
RULE_TYPES: Final = frozenset(_RULE_TYPE_NAMES.split())
ATTRIBUTION_TYPES: Final = frozenset({"LAST_TOUCH_BY_CAMPAIGN", "LAST_TOUCH_BY_CONVERSION"})
VALUE_TYPES: Final = frozenset({"DYNAMIC", "FIXED", "NO_VALUE"})
AUTO_ASSOCIATION_TYPES: Final = frozenset({"ALL_CAMPAIGNS", "OBJECTIVE_BASED"})
WINDOW_DAYS_ALLOWED: Final = frozenset({1, 7, 30, 90})
#: Only these rule types may use a 365-day post-click window (§3.1, MS-SCHEMA).
LONG_WINDOW_TYPES: Final = frozenset(
    {"SUBMIT_APPLICATION", "PURCHASE", "ADD_TO_CART", "QUALIFIED_LEAD", "LEAD"}
)
#: Writable rule fields and their kinds: "str", "bool", "int", "enum:<set>", "urn", "record",
#: "list". Read-only fields (id, created, lastModified) are ignored on create.
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
RULE_READ_ONLY: Final = frozenset({"id", "created", "lastModified"})
RULE_REQUIRED: Final = ("name", "account", "conversionMethod", "type")
#: Fields a partial update may not change.
RULE_IMMUTABLE: Final = frozenset({"account", "conversionMethod", "id", "created"})

# -- Ad accounts (§4) -----------------------------------------------------------------------

ROLES: Final = frozenset(
    {"ACCOUNT_BILLING_ADMIN", "ACCOUNT_MANAGER", "CAMPAIGN_MANAGER", "CREATIVE_MANAGER", "VIEWER"}
)
READ_ONLY_ROLE: Final = "VIEWER"

# -- Fixed texts (§1.1, §2.7, §2.8, §2.9, §6) -------------------------------------------------

MSG_TIME_WINDOW: Final = (
    "Conversion time should be within 90 days and not exceed current time, "
    "indices {indices} (0-indexed)."
)
MSG_WRONG_METHOD: Final = (
    "Incorrect conversions information provided. Conversion's method should be "
    "CONVERSIONS_API, indices {indices} (0-indexed)"
)
MSG_NO_AD_ACCOUNTS: Final = "No ad accounts found"
MSG_BAD_URN_PREFIX: Final = "Invalid Urn format. Invalid prefix."
MSG_REQUIRED: Final = "field is required but not found and has no default value"
MSG_UNKNOWN_FIELD: Final = "unrecognized field found but not allowed"
MSG_THROTTLED: Final = "Resource level throttle limit for calls to this resource is reached."
MSG_VERSION_MISSING: Final = (
    "A version must be present. Please specify a version by adding the LinkedIn-Version header."
)
MSG_VERSION_INACTIVE: Final = "Requested version {version} is not active"
MSG_PROTOCOL: Final = (
    "Missing or unsupported X-Restli-Protocol-Version header: expected 2.0.0, got {got}"
)
MSG_NO_RESOURCE: Final = "No virtual resource found"
