"""HTTP plumbing shared by every network call: sessions, headers, auth, error mapping.

:func:`error_for` is the *one* place that turns an HTTP failure (a response or a
``requests`` exception) into the error tree of :mod:`linkedin_capi.errors`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import requests.auth
from pydantic import SecretStr

from linkedin_capi._constants import LOOPBACK_HOSTS, REQUEST_ID_HEADERS, RESTLI_PROTOCOL_VERSION
from linkedin_capi.client.versions import version_hint
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
    ServerError,
    VersionError,
)

__all__ = [
    "BearerAuth",
    "SecretScrubber",
    "allow_loopback_http",
    "api_headers",
    "build_session",
    "check_url",
    "error_for",
    "is_loopback",
    "redact",
    "request_id",
]

REDACTED = "**********"
_MESSAGE_LIMIT = 2000  # LinkedIn's multi-line 422 messages can be long; keep them whole-ish

_PERMISSION_HINT = (
    "the authorized member needs an ad-account role other than VIEWER "
    "(ACCOUNT_BILLING_ADMIN, ACCOUNT_MANAGER, CAMPAIGN_MANAGER or CREATIVE_MANAGER) and the "
    "conversion rule must belong to that ad account; check conn.ad_accounts() and the rule id"
)
_NOT_FOUND_HINT = "check base_url, the ad account id and the conversion rule id"
_RATE_HINT = "LinkedIn's daily quotas reset at midnight UTC; try again later or send fewer calls"
_SERVER_HINT = "LinkedIn had a transient failure; re-run later (eventId deduplicates resends)"


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (where plain http:// is acceptable)."""
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def check_url(name: str, url: str) -> str:
    """Reject URLs that are not https (plain http only for loopback hosts).

    Examples
    --------
    >>> check_url("base_url", "http://127.0.0.1:8080/rest/")
    'http://127.0.0.1:8080/rest'
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL such as 'https://…', got {url!r}")
    if parts.scheme == "http" and not is_loopback(url):
        raise ConfigError(
            f"{name} must use https:// (plain http:// is allowed only for 127.0.0.1 and "
            f"localhost), got {url!r}"
        )
    return url.rstrip("/")


@contextlib.contextmanager
def allow_loopback_http(url: str) -> Iterator[None]:
    """Let oauthlib talk plain http to a loopback token endpoint, and to nothing else.

    oauthlib refuses http:// unless ``OAUTHLIB_INSECURE_TRANSPORT`` is set; the variable is
    set only for the duration of one call to a loopback URL.
    """
    key = "OAUTHLIB_INSECURE_TRANSPORT"
    if urlsplit(url).scheme == "http" and is_loopback(url) and key not in os.environ:
        os.environ[key] = "1"
        try:
            yield
        finally:
            os.environ.pop(key, None)
    else:
        yield


def build_session(base_url: str | None = None) -> requests.Session:
    """A keep-alive session; retries are ours (``_retry``), so urllib3's are off.

    The environment (``HTTPS_PROXY``/``NO_PROXY`` for ``base_url``, ``REQUESTS_CA_BUNDLE``)
    is read once here instead of on every request: requests otherwise re-scans the whole
    environment and looks for ``~/.netrc`` per call, a measurable share of a 1M-event
    export. Changing those variables afterwards needs a new ``Connection``.
    """
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=4, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if base_url is not None:
        session.proxies.update(requests.utils.get_environ_proxies(base_url))
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
        session.trust_env = False
    return session


class BearerAuth(requests.auth.AuthBase):
    """Adds ``Authorization: Bearer …`` at send time.

    The token stays a ``SecretStr`` in our frames, so no local variable of the SDK holds
    it in clear (tracebacks with locals, debuggers, notebook variable explorers).
    """

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = "Bearer " + self._token.get_secret_value()
        return request

    def __repr__(self) -> str:
        return f"BearerAuth({REDACTED})"


def api_headers(
    api_version: str, *, restli_method: str | None = None, has_body: bool = False
) -> dict[str, str]:
    """Headers for a LinkedIn REST call (DESIGN.md "HTTP behaviour"), auth excepted.

    Examples
    --------
    >>> api_headers("202607", restli_method="BATCH_CREATE", has_body=True)["X-RestLi-Method"]
    'BATCH_CREATE'
    """
    headers = {
        "LinkedIn-Version": api_version,
        "X-Restli-Protocol-Version": RESTLI_PROTOCOL_VERSION,
        "Accept": "application/json",
    }
    if has_body:
        headers["Content-Type"] = "application/json"
    if restli_method:
        headers["X-RestLi-Method"] = restli_method
    return headers


#: ``access_token=…``, ``"refresh_token": "…"`` and friends in forms, JSON and reprs.
_SECRET_FIELD = re.compile(
    r"""(?P<key>['"]?(?:access_token|refresh_token|client_secret|id_token)['"]?"""
    r"""\s*[:=]\s*['"]?)(?P<value>[^'"&,\s}]+)""",
    re.IGNORECASE,
)

#: The authorization code in a redirect URL or a token-request form.
_AUTH_CODE = re.compile(r"((?:^|[?&])code=)[^&#\s]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove secrets from ``text``: known values, and any token-like field's value.

    Examples
    --------
    >>> redact("bad token AQXsecret", ["AQXsecret"])
    'bad token **********'
    >>> redact('{"access_token": "AQV1", "expires_in": 60}')
    '{"access_token": "**********", "expires_in": 60}'
    """
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _AUTH_CODE.sub(lambda m: m.group(1) + REDACTED, text)
    return _SECRET_FIELD.sub(lambda m: m.group("key") + REDACTED, text)


def request_id(response: requests.Response) -> str | None:
    """The request-identifying header LinkedIn support asks for, if present."""
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return value
    return None


def _body_fields(response: requests.Response) -> tuple[str, str | None]:
    """LinkedIn's ``message`` and ``code`` (or OAuth's ``error_description``/``error``)."""
    text = response.text or ""
    try:
        data: Any = json.loads(text) if text else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = data.get("message") or data.get("error_description") or data.get("error")
        code = data.get("code") or data.get("error")
        if isinstance(message, str) and message.strip():
            return message.strip(), str(code) if code else None
    text = " ".join(text.split())
    if text:
        return text[:_MESSAGE_LIMIT], None
    return response.reason or "no message", None


def error_for(
    *,
    response: requests.Response | None = None,
    exc: BaseException | None = None,
    api_version: str | None = None,
    secrets: Iterable[str] = (),
    token_endpoint: bool = False,
) -> CapiError:
    """Map a failed HTTP exchange to the SDK's error tree (the only such mapping).

    Parameters
    ----------
    response : requests.Response, optional
        An answer with a 4xx/5xx status.
    exc : BaseException, optional
        A ``requests`` exception raised instead of an answer (timeout, reset, refused).
    api_version : str, optional
        The LinkedIn-Version sent, named in a :class:`VersionError`.
    secrets : iterable of str
        Values scrubbed from every message (tokens, client secret).
    token_endpoint : bool
        The exchange was with the OAuth token endpoint: 4xx answers become
        :class:`AuthError` (``invalid_grant`` = expired or revoked refresh token).
    """
    secrets = list(secrets)
    if response is None:
        what = type(exc).__name__ if exc is not None else "no response"
        detail = redact(str(exc), secrets)[:300] if exc is not None else ""
        if isinstance(exc, requests.Timeout):
            return APITimeoutError(
                f"LinkedIn did not answer in time ({what}: {detail}); the request was retried "
                "and gave up — raise timeout= or try again later"
            )
        return APIConnectionError(
            f"could not talk to LinkedIn ({what}: {detail}); check the network, proxy and base_url"
        )

    status = response.status_code
    message, code = _body_fields(response)
    message = redact(message, secrets)
    rid = request_id(response)
    kwargs: dict[str, Any] = {"status": status, "request_id": rid, "code": code}
    if token_endpoint and 400 <= status < 500 and status != 429:
        if code == "invalid_grant":
            return AuthError(
                f"LinkedIn refused the refresh token (invalid_grant: {message}); it has expired "
                "(refresh tokens last 365 days from consent) or was revoked — re-authorize "
                "with linkedin_capi.client.oauth.AuthorizationFlow and use the new refresh token",
                **kwargs,
            )
        if code in {"invalid_client", "unauthorized_client"} or status == 401:
            return AuthError(
                f"LinkedIn refused the client credentials (HTTP {status}: {message}); check "
                "client_id and client_secret in the developer portal (Auth tab)",
                **kwargs,
            )
        return AuthError(
            f"the token request failed (HTTP {status}: {message}); re-authorize with "
            "linkedin_capi.client.oauth.AuthorizationFlow",
            **kwargs,
        )
    if status == 401:
        ident = f" [request id {rid}]" if rid else ""
        return AuthError(
            f"HTTP 401: {message}{ident} — LinkedIn rejected the access token even after a "
            "refresh; re-authorize (linkedin_capi.client.oauth.AuthorizationFlow) and pass the new "
            "refresh token",
            **kwargs,
        )
    if status == 426 or code in {"VERSION_MISSING", "NONEXISTENT_VERSION"}:
        return VersionError(message, hint=version_hint(api_version), **kwargs)
    if status == 403:
        return PermissionDeniedError(message, hint=_PERMISSION_HINT, **kwargs)
    if status == 404:
        return NotFoundError(message, hint=_NOT_FOUND_HINT, **kwargs)
    if status == 429:
        return RateLimitError(message, hint=_RATE_HINT, **kwargs)
    if status >= 500:
        return ServerError(message, hint=_SERVER_HINT, **kwargs)
    return APIError(message, **kwargs)


class SecretScrubber(logging.Filter):
    """Scrubs known secrets from records of third-party loggers.

    requests-oauthlib logs the refresh body (client secret, refresh token) and the token
    response at DEBUG. While the SDK talks to the token endpoint this filter sits on those
    loggers, so even a user who turned on DEBUG everywhere sees ``**********``.
    """

    #: Loggers of our dependencies that format token material at DEBUG.
    LOGGERS = (
        "requests_oauthlib.oauth2_session",
        "oauthlib.oauth2.rfc6749.parameters",
        "oauthlib.oauth2.rfc6749.clients.base",
        "urllib3.connectionpool",
    )

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken third-party format string: drop its arguments
            message = str(record.msg)
        record.msg = redact(message, self._secrets)
        record.args = None
        return True

    @contextlib.contextmanager
    def attached(self) -> Iterator[None]:
        """Attach to :attr:`LOGGERS` for the duration of a ``with`` block."""
        loggers = [logging.getLogger(name) for name in self.LOGGERS]
        for logger in loggers:
            logger.addFilter(self)
        try:
            yield
        finally:
            for logger in loggers:
                logger.removeFilter(self)
