"""linkedin-capi: LinkedIn Conversions API from Polars frames.

Importing the package registers the ``capi`` namespace on ``pl.DataFrame`` and
``pl.LazyFrame`` (``_namespace``), the display room's renderers (``display``), and the
finder that keeps the import paths of the first release working (``_moved``).

The rooms, in the order data flows through them: ``engine`` (pure Polars) → ``delivery``
(the export pipeline) → ``client`` (HTTP); ``resources`` (rules, accounts) and ``config``
use the client; ``connection`` is the facade over them; ``display``, ``cli`` and
``widgets`` are views; ``sandbox`` is an independent stand-in for LinkedIn.
"""

from __future__ import annotations

import logging

from linkedin_capi import _moved, _namespace, display  # noqa: F401  (see the docstring)
from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.client.tokens import FileTokenStore, MemoryTokenStore, Token, TokenStore
from linkedin_capi.config import ExportConfig
from linkedin_capi.connection import AuthorizationFlow, Connection
from linkedin_capi.delivery.export import export
from linkedin_capi.delivery.journal import Journal
from linkedin_capi.delivery.ratelimit import RateLimit
from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.engine.validate import validate
from linkedin_capi.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthError,
    CapiError,
    ConfigError,
    ExportInterrupted,
    JournalError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SchemaError,
    ServerError,
    ValidationFailed,
    VersionError,
)
from linkedin_capi.resources.accounts import AdAccount
from linkedin_capi.resources.rules import ConversionRule, ConversionRules

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
