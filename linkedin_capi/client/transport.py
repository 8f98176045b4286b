"""HTTP plumbing shared by every network call: sessions, headers, auth, error mapping.

:func:`error_for` is the *one* place that turns an HTTP failure (a response or a
``requests`` exception) into the error tree of :mod:`linkedin_capi.errors`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import requests.auth
from oauthlib.oauth2 import OAuth2Error
from pydantic import SecretStr
from requests_oauthlib import OAuth2Session
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from linkedin_capi._constants import LOOPBACK_HOSTS, REQUEST_ID_HEADERS, RESTLI_PROTOCOL_VERSION
from linkedin_capi.client._wire import Adapter
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
    "NoRedirectOAuth2Session",
    "SecretScrubber",
    "allow_loopback_http",
    "api_headers",
    "build_session",
    "check_request_url",
    "check_url",
    "detached",
    "error_for",
    "forget_tokens",
    "is_loopback",
    "origin",
    "redact",
    "redirect_target",
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
_SERVER_HINT = "LinkedIn had a transient failure; re-run later (with the same journal=)"


Origin = tuple[str, str, int]


def _parsed(name: str, url: str) -> tuple[str, str, int]:
    """Scheme, host and port of ``url`` *as urllib3 will connect to them*.

    requests hands the URL to urllib3's ``parse_url``, whose idea of the host can differ
    from :func:`urllib.parse.urlsplit`'s (``http://evil.example\\@127.0.0.1/``: urlsplit
    says 127.0.0.1, urllib3 connects to evil.example). Both must agree, and neither may see
    a user name or password in the URL.
    """
    try:
        parts = parse_url(url)
        split = urlsplit(url)
        split_port = split.port
    except (LocationParseError, ValueError):
        raise ConfigError(f"{name} is not a valid URL: {_shown(url)!r}") from None
    scheme = (parts.scheme or "").lower()
    host = (parts.host or "").lower().strip("[]")
    if scheme not in {"http", "https"} or not host:
        raise ConfigError(f"{name} must be an http(s) URL such as 'https://…', got {_shown(url)!r}")
    if parts.auth is not None or "@" in split.netloc or "@" in (parts.netloc or ""):
        raise ConfigError(
            f"{name} must not contain a user name or password (user@host), got {_shown(url)!r}"
        )
    if host != (split.hostname or "").lower().strip("[]") or "\\" in url.split("?")[0]:
        raise ConfigError(
            f"{name} is ambiguous (parsers disagree on its host, e.g. a backslash in it), got "
            f"{_shown(url)!r}"
        )
    port = parts.port or split_port or (443 if scheme == "https" else 80)
    return scheme, host, port


def _shown(url: str) -> str:
    """``url`` for an error message: no query string, no user info, bounded."""
    head = url.split("?", 1)[0].split("#", 1)[0]
    scheme, sep, rest = head.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = "…@" + rest.split("@", 1)[1]
    shown = f"{scheme}{sep}{rest}"
    return shown if len(shown) <= 200 else shown[:200] + "…"


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (where plain http:// is acceptable).

    Examples
    --------
    >>> is_loopback("http://127.0.0.1:8080/x"), is_loopback("http://evil.example\\@127.0.0.1/")
    (True, False)
    """
    try:
        return _parsed("url", url)[1] in LOOPBACK_HOSTS
    except ConfigError:
        return False


def origin(url: str) -> Origin:
    """``(scheme, host, port)`` urllib3 connects to for ``url`` (default ports filled in).

    Examples
    --------
    >>> origin("https://api.linkedin.com/rest")
    ('https', 'api.linkedin.com', 443)
    """
    return _parsed("url", url)


def check_url(name: str, url: str) -> str:
    """Reject URLs that are not https (plain http only for loopback hosts) or carry userinfo.

    Examples
    --------
    >>> check_url("base_url", "http://127.0.0.1:8080/rest/")
    'http://127.0.0.1:8080/rest'
    >>> check_url("base_url", "http://evil.example\\@127.0.0.1/")
    Traceback (most recent call last):
    ...
    linkedin_capi.errors.ConfigError: base_url must not contain a user name or password ...
    """
    scheme, host, _ = _parsed(name, url)
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ConfigError(
            f"{name} must use https:// (plain http:// is allowed only for 127.0.0.1 and "
            f"localhost), got {_shown(url)!r}"
        )
    return url.rstrip("/")


def check_request_url(url: str, allowed: Origin, *, name: str = "the request URL") -> str:
    """The one check every request passes: ``url`` must go to the ``allowed`` origin.

    Applied to what urllib3 will connect to, so a bearer token or a client secret is only
    ever sent to the host it belongs to (the connection's ``base_url``/``token_url``).

    Examples
    --------
    >>> check_request_url("https://api.linkedin.com/rest/x", origin("https://api.linkedin.com"))
    'https://api.linkedin.com/rest/x'
    >>> check_request_url("http://other.host/x", origin("https://api.linkedin.com"))
    Traceback (most recent call last):
    ...
    linkedin_capi.errors.ConfigError: the request URL must use https:// ...
    """
    return _checked_request_url(url, allowed, name)


@functools.lru_cache(maxsize=256)
def _checked_request_url(url: str, allowed: Origin, name: str) -> str:
    """:func:`check_request_url`, remembered: the events URL is checked once, not per POST.

    The check is a pure function of its arguments; a refusal raises and is not cached.
    """
    check_url(name, url)
    target = _parsed(name, url)
    if target != allowed:
        scheme, host, port = allowed
        raise ConfigError(
            f"{name} {_shown(url)!r} points at {target[0]}://{target[1]}:{target[2]}, not at "
            f"this connection's {scheme}://{host}:{port}; the SDK sends credentials only to "
            "its own host (use a second Connection for another one)"
        )
    return url


def redirect_target(response: requests.Response) -> str:
    """Where a 3xx answer pointed (scheme, host, port and path; no query or user info)."""
    location = response.headers.get("Location") or ""
    if not location:
        return "nowhere (no Location header)"
    try:
        absolute = urljoin(response.url or "", location)
    except ValueError:
        absolute = location
    return repr(_shown(absolute))


class NoRedirectSession(requests.Session):
    """A ``requests.Session`` that never follows a redirect (a 3xx is returned as is).

    Callers also pass ``allow_redirects=False``; this is the second lock.
    """

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


class NoRedirectOAuth2Session(OAuth2Session):  # type: ignore[misc]
    """An ``OAuth2Session`` that never follows a redirect.

    requests-oauthlib posts the token form with requests' defaults, which follow a 307/308
    with the same body: the client secret and the refresh token would go to whatever host
    the ``Location`` names, even over plain http. Here every request is sent with
    ``allow_redirects=False`` and no answer names a redirect target (a second lock), so a
    3xx reaches the compliance hooks, which turn it into an :class:`AuthError`.
    """

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs["allow_redirects"] = False
        response: requests.Response = super().request(method, url, *args, **kwargs)
        return response


def detached(exc: BaseException, *, secrets: Iterable[str], usable: str) -> BaseException:
    """An exception standing for ``exc`` that leads back to none of the frames it crossed.

    Token-endpoint calls run through requests-oauthlib and urllib3 frames whose locals hold
    the client secret, the refresh token or the authorization code. The exception returned
    here has no traceback, no ``__context__`` and no ``__cause__``; raise it *after* the
    ``except`` block (inside one, Python would chain the original again).

    Parameters
    ----------
    exc : BaseException
        What the token call raised.
    secrets : iterable of str
        Scrubbed from any message taken over from ``exc``.
    usable : str
        What to do next, appended to "the answer was not usable" messages.
    """
    fresh: BaseException
    if isinstance(exc, KeyboardInterrupt):
        fresh = KeyboardInterrupt()
    elif isinstance(exc, SystemExit):
        fresh = SystemExit(exc.code)
    elif isinstance(exc, CapiError):
        fresh = exc  # built by the SDK from a redacted message: only its links are cut
    elif isinstance(exc, OAuth2Error):
        fresh = AuthError(f"the token endpoint's answer was not usable ({exc.error}); {usable}")
    elif isinstance(exc, requests.RequestException):
        fresh = error_for(exc=exc, secrets=secrets)
    elif isinstance(exc, Exception):
        fresh = AuthError(
            f"the token endpoint's answer was not usable ({type(exc).__name__}); {usable}"
        )
    else:
        fresh = exc
    fresh.__traceback__ = None
    fresh.__context__ = None
    fresh.__cause__ = None
    fresh.__suppress_context__ = False
    return fresh


def forget_tokens(session: OAuth2Session) -> None:
    """Drop every token and code requests-oauthlib / oauthlib keep after an exchange.

    ``session.token = {}`` alone leaves ``access_token``/``refresh_token`` on the oauthlib
    client (its setter only *adds* attributes), in clear, for as long as the session lives.
    """
    client = session._client
    for attribute in ("access_token", "refresh_token", "code", "mac_key", "_expires_at"):
        if hasattr(client, attribute):
            setattr(client, attribute, None)
    session.token = {}


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

    The adapter (:class:`~linkedin_capi.client._wire.Adapter`) can cut its open
    connections from another thread (the export's Ctrl-C).
    """
    session = NoRedirectSession()
    adapter = Adapter(pool_connections=4, pool_maxsize=4, max_retries=0)
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
    if response is not None and 300 <= response.status_code < 400:
        return _redirect_error(response, token_endpoint=token_endpoint)
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


def _redirect_error(response: requests.Response, *, token_endpoint: bool) -> CapiError:
    status = response.status_code
    where = redirect_target(response)
    rid = request_id(response)
    if token_endpoint:
        return AuthError(
            f"the token endpoint answered HTTP {status}, redirecting to {where}; the SDK never "
            "follows redirects there (that would re-send the client secret and the refresh "
            "token) — check token_url",
            status=status,
            request_id=rid,
        )
    return APIError(
        f"LinkedIn answered with a redirect to {where}",
        status=status,
        request_id=rid,
        hint="the SDK never follows redirects (the access token would go along); check "
        "base_url and the request path",
    )


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
