"""The one error tree of linkedin-capi.

Every exception the SDK raises on purpose is defined here and nowhere else::

    CapiError
    ├── SchemaError            (also ValueError)  the dataset as a whole is unusable
    ├── ConfigError            (also ValueError)  a bad option, setting or configuration file
    │   └── JournalError                          the export journal is held by another export,
    │                                             records other events, or cannot be written
    ├── ValidationFailed                          skip_invalid_records=False and some rows are
    │                                             invalid; carries ``.report``; nothing was sent
    ├── AuthError                                 no usable access token: re-authorize
    └── APIError                                  an HTTP failure (status, message, request id)
        ├── VersionError                          HTTP 426 / unknown or sunset LinkedIn-Version
        ├── PermissionDeniedError                 HTTP 403 (role on the ad account, unknown rule)
        ├── NotFoundError                         HTTP 404
        ├── RateLimitError                        HTTP 429 that outlived the retries
        ├── ServerError                           HTTP 5xx that outlived the retries
        └── APIConnectionError                    no HTTP answer at all (reset, refused, ...)
            └── APITimeoutError                   the answer did not arrive in time

    KeyboardInterrupt
    └── ExportInterrupted                         Ctrl-C stopped an export; carries ``.result``

Bad *rows* are never raised: they are data in ``ValidationReport.invalid``.

An error that stops an export part-way carries the partial ``ExportResult`` as
``.result`` (``None`` when nothing had been attempted yet).

Messages say what was expected, what arrived, and what to do next. Secrets never appear
in them: the SDK builds every message itself and never formats a token or a client
secret into one.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthError",
    "CapiError",
    "ConfigError",
    "ExportInterrupted",
    "JournalError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SchemaError",
    "ServerError",
    "ValidationFailed",
    "VersionError",
]


class CapiError(Exception):
    """Base class of every error raised by linkedin-capi.

    ``result`` is the partial ``ExportResult`` when an export stopped part-way.
    """

    result: Any = None


class SchemaError(CapiError, ValueError):
    """The dataset as a whole cannot be validated (missing or duplicated columns).

    Examples
    --------
    >>> raise SchemaError("no 'conversionHappenedAt' column; columns found: ['email']")
    Traceback (most recent call last):
    ...
    linkedin_capi.errors.SchemaError: no 'conversionHappenedAt' column; columns found: ['email']
    """


class ConfigError(CapiError, ValueError):
    """An option, setting or configuration file is invalid."""


class JournalError(ConfigError):
    """The export journal cannot be used for this export.

    Another process or kernel holds it (the message names the holder), it records other
    events (another ad account, rule or base URL), the file is a SQLite database of
    something else, or writing to it failed (disk full). ``result`` is the partial
    ``ExportResult`` when the export had started.
    """


class ExportInterrupted(KeyboardInterrupt):
    """Ctrl-C (or ``SIGINT``) stopped an export; ``result`` holds what happened so far.

    A ``KeyboardInterrupt``, so scripts and notebook cells still stop. No batch starts
    after the interrupt; batches in flight got a short grace and are otherwise ``unknown``
    in the journal (a re-run with the same ``journal=`` resolves them).
    """

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


class ValidationFailed(CapiError):
    """Some rows are invalid and ``skip_invalid_records=False``: nothing was sent.

    The full :class:`~linkedin_capi.engine.report.ValidationReport` is available as ``.report``.
    """

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


class AuthError(CapiError):
    """No usable access token could be obtained; the member must re-authorize.

    When LinkedIn answered, ``status``, ``request_id`` and ``code`` (e.g.
    ``invalid_grant``, ``REVOKED_ACCESS_TOKEN``) say what it answered; otherwise ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.code = code


class APIError(CapiError):
    """LinkedIn answered with an HTTP failure (or did not answer at all).

    Attributes
    ----------
    status : int or None
        The HTTP status code; ``None`` when no response arrived.
    message : str
        LinkedIn's own message (the ``message`` field of the error body), or a description
        of the transport failure.
    request_id : str or None
        The ``x-li-request-id`` / ``x-li-uuid`` response header, for LinkedIn support.
    code : str or None
        LinkedIn's symbolic ``code`` (``INVALID_ACCESS_TOKEN``, ``VERSION_MISSING``, ...).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.message = message
        self.request_id = request_id
        self.code = code
        self.hint = hint
        parts = [f"HTTP {status}: {message}" if status is not None else message]
        if code:
            parts.append(f"(code {code})")
        if hint:
            parts.append(f"— {hint}")
        if request_id:
            parts.append(f"[request id {request_id}]")
        super().__init__(" ".join(parts))


class VersionError(APIError):
    """The ``LinkedIn-Version`` is unknown or sunset (HTTP 426)."""


class PermissionDeniedError(APIError):
    """HTTP 403: the member lacks a role on the ad account, or the rule is not theirs."""


class NotFoundError(APIError):
    """HTTP 404: the resource or path does not exist."""


class RateLimitError(APIError):
    """HTTP 429 persisted after every retry (LinkedIn quotas reset at midnight UTC)."""


class ServerError(APIError):
    """HTTP 5xx persisted after every retry."""


class APIConnectionError(APIError):
    """No HTTP response arrived (connection refused or reset, DNS failure, ...)."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""
