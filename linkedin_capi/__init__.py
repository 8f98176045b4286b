"""linkedin-capi: LinkedIn Conversions API from Polars frames.

Importing the package registers the ``capi`` namespace on ``pl.DataFrame`` and
``pl.LazyFrame``.
"""

from __future__ import annotations

import logging

from linkedin_capi import _namespace  # noqa: F401  (registers df.capi / lf.capi)
from linkedin_capi._ratelimit import RateLimit
from linkedin_capi._retry import RetryPolicy
from linkedin_capi.accounts import AdAccount
from linkedin_capi.authorize import AuthorizationFlow
from linkedin_capi.config import ExportConfig
from linkedin_capi.connection import Connection
from linkedin_capi.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthError,
    CapiError,
    ConfigError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SchemaError,
    ServerError,
    ValidationFailed,
    VersionError,
)
from linkedin_capi.export import export
from linkedin_capi.journal import Journal
from linkedin_capi.report import ValidationReport
from linkedin_capi.result import ExportResult
from linkedin_capi.rules import ConversionRule, ConversionRules
from linkedin_capi.tokens import FileTokenStore, MemoryTokenStore, Token, TokenStore
from linkedin_capi.validate import validate

logging.getLogger("linkedin_capi").addHandler(logging.NullHandler())

__all__ = [
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
    "ExportResult",
    "FileTokenStore",
    "Journal",
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
