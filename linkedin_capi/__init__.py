"""linkedin-capi: LinkedIn Conversions API from Polars frames.

Importing the package registers the ``capi`` namespace on ``pl.DataFrame`` and
``pl.LazyFrame`` (``_namespace``), the display room's renderers (``display``), and the
finder that keeps the import paths of the first release working (``_moved``).

The rooms, in the order data flows through them: ``engine`` (pure Polars) → ``delivery``
(the export pipeline) → ``client`` (HTTP); ``resources`` (rules, accounts) and ``config``
use the client; ``connection`` is the facade over them; ``display``, ``cli`` and
``widgets`` are views; ``sandbox`` is an independent stand-in for LinkedIn.

The HTTP side (requests, OAuth, pydantic: the connection, the configuration, tokens, rules
and accounts) loads on first use of one of its names, so ``import linkedin_capi`` costs
little more than ``import polars`` and ``validate()`` never waits for it.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from linkedin_capi import _moved, _namespace, display  # noqa: F401  (see the docstring)
from linkedin_capi.client.retry import RetryPolicy
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

if TYPE_CHECKING:
    from linkedin_capi.client.tokens import FileTokenStore, MemoryTokenStore, Token, TokenStore
    from linkedin_capi.config import ExportConfig
    from linkedin_capi.connection import AuthorizationFlow, Connection
    from linkedin_capi.resources.accounts import AdAccount
    from linkedin_capi.resources.rules import ConversionRule, ConversionRules

logging.getLogger("linkedin_capi").addHandler(logging.NullHandler())

#: Public names loaded on first access → the module that defines them.
_LAZY: dict[str, str] = {
    "AdAccount": "linkedin_capi.resources.accounts",
    "AuthorizationFlow": "linkedin_capi.connection",
    "Connection": "linkedin_capi.connection",
    "ConversionRule": "linkedin_capi.resources.rules",
    "ConversionRules": "linkedin_capi.resources.rules",
    "ExportConfig": "linkedin_capi.config",
    "FileTokenStore": "linkedin_capi.client.tokens",
    "MemoryTokenStore": "linkedin_capi.client.tokens",
    "Token": "linkedin_capi.client.tokens",
    "TokenStore": "linkedin_capi.client.tokens",
}
#: Rooms that were attributes of the package when it imported them up front.
_LAZY_ROOMS = frozenset({"config", "connection", "resources"})


def __getattr__(name: str) -> Any:
    """Load a name of the HTTP side (or one of its rooms) on first access."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _LAZY_ROOMS:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The same names as if everything had been imported up front."""
    hidden = {"TYPE_CHECKING", "Any", "importlib", "_LAZY", "_LAZY_ROOMS", "__annotations__"}
    hidden |= {"__dir__", "__getattr__"}
    return sorted((set(globals()) - hidden) | set(_LAZY) | _LAZY_ROOMS)


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
