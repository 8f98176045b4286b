"""The public names of ``linkedin_capi``: sorted and pinned (update deliberately)."""

from __future__ import annotations

import linkedin_capi

# Other modules add names when they are merged; the lead updates this list with them.
EXPECTED = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AdAccount",
    "AuthError",
    "AuthorizationFlow",
    "CapiError",
    "ConfigError",
    "Connection",
    "ConversionRule",
    "ConversionRules",
    "ExportConfig",
    "ExportInterrupted",
    "ExportResult",
    "FileTokenStore",
    "Journal",
    "JournalError",
    "MemoryTokenStore",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RetryPolicy",
    "SchemaError",
    "ServerError",
    "Token",
    "TokenStore",
    "ValidationFailed",
    "ValidationReport",
    "VersionError",
    "export",
    "validate",
]


def test_all_is_sorted() -> None:
    assert linkedin_capi.__all__ == sorted(linkedin_capi.__all__)
    assert len(set(linkedin_capi.__all__)) == len(linkedin_capi.__all__)


def test_all_is_pinned() -> None:
    assert linkedin_capi.__all__ == EXPECTED


def test_every_exported_name_exists() -> None:
    for name in linkedin_capi.__all__:
        assert getattr(linkedin_capi, name) is not None, name
