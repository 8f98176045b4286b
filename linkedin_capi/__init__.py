"""linkedin-capi: LinkedIn Conversions API from Polars frames.

Importing the package registers the ``capi`` namespace on ``pl.DataFrame`` and
``pl.LazyFrame``.
"""

from __future__ import annotations

import logging

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

logging.getLogger("linkedin_capi").addHandler(logging.NullHandler())

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthError",
    "CapiError",
    "ConfigError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SchemaError",
    "ServerError",
    "ValidationFailed",
    "VersionError",
]
