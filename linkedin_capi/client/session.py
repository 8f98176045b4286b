"""The authenticated HTTP session to LinkedIn's REST API: credentials, tokens, retries, errors.

Every network call of the SDK (events, rules, ad accounts) goes through
:meth:`Client.request`, which adds the headers, refreshes the access token, retries
transient failures and raises mapped errors. :class:`~linkedin_capi.connection.Connection`
is the public facade built on it (rules, ad accounts, ``from_config``).
"""

from __future__ import annotations

import datetime as dt
import json as _json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, Self
from urllib.parse import quote, urlencode

import requests
from dotenv import dotenv_values
from pydantic import SecretStr

from linkedin_capi import _constants as C
from linkedin_capi.client._wire import Adapter, PreparedSends
from linkedin_capi.client.retry import RetryPolicy, parse_retry_after
from linkedin_capi.client.tokens import (
    FileTokenStore,
    MemoryTokenStore,
    Token,
    TokenStore,
    default_token_file,
)
from linkedin_capi.client.transport import (
    BearerAuth,
    NoRedirectOAuth2Session,
    SecretScrubber,
    allow_loopback_http,
    api_headers,
    build_session,
    check_request_url,
    check_url,
    detached,
    error_for,
    forget_tokens,
    origin,
)
from linkedin_capi.client.versions import choose_api_version
from linkedin_capi.errors import APIConnectionError, AuthError, CapiError, ConfigError

__all__ = ["AMBIGUOUS_STATUSES", "AttemptHooks", "Client", "may_have_been_processed"]

log = logging.getLogger("linkedin_capi.connection")  # the name users configure

Timeout = float | tuple[float, float]

#: Exceptions meaning "no (complete) HTTP answer": retried, then APIConnectionError.
_NO_ANSWER = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


class AttemptHooks(Protocol):
    """What a caller of :meth:`Client.send_events` may hook into every HTTP attempt.

    The export uses it to pace and count every attempt (retries included), to journal a
    batch ``unknown`` right before its bytes go on the wire, to count re-sends, and to stop
    (Ctrl-C) between attempts and during retry waits.
    """

    def before_attempt(self, resend: bool) -> None:
        """Called right before each HTTP attempt; ``resend``: the previous one was ambiguous.

        May block (pacing) or raise to stop (the exception propagates unchanged).
        """

    def retrying(self, ambiguous: bool) -> None:
        """Called after an attempt that failed and will be retried, before the wait.

        ``ambiguous``: the request may have been processed (a read timeout after the body
        was sent, a 504); otherwise it was not (a 503, a 429, a refused connection).
        """

    def sleep(self, seconds: float) -> None:
        """Wait between attempts (may raise to stop)."""


def may_have_been_processed(exc: BaseException) -> bool:
    """Whether a request that got no answer may still have reached LinkedIn.

    A read timeout, a connection reset or a broken answer after the request was sent is
    ambiguous; a connection that never opened (refused, DNS, connect timeout) is not.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps it
        name = type(reason).__name__
        if name in {"NewConnectionError", "NameResolutionError", "ConnectTimeoutError"}:
            return False
    return True


#: Seconds during which a failed token refresh is re-raised rather than tried again.
_REFRESH_COOLDOWN = 60.0

#: HTTP statuses after which LinkedIn may have processed the request (gateway timeout).
AMBIGUOUS_STATUSES = frozenset({504})


_SECRET_KEYS = frozenset({"client_secret", "refresh_token", "access_token"})


def _secret(value: str | SecretStr | None) -> SecretStr | None:
    if value is None or isinstance(value, SecretStr):
        return value
    text = str(value).strip()
    return SecretStr(text) if text else None


def _account_id(value: int | str | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if text.startswith(C.ACCOUNT_URN_PREFIX):
        text = text[len(C.ACCOUNT_URN_PREFIX) :]
    if not text.isdigit():
        raise ConfigError(
            f"ad_account_id must be a number or '{C.ACCOUNT_URN_PREFIX}<number>', got {value!r}"
        )
    return text


def environment() -> dict[str, str]:
    """The ``LINKEDIN_CAPI_*`` variables: the process environment over a ``./.env`` file.

    A ``.env`` file in the current directory is read when there is one (python-dotenv
    syntax); a variable set in the environment wins over the file. Only
    ``LINKEDIN_CAPI_*`` names are taken, and ``os.environ`` is never changed.
    """
    values: dict[str, str] = {}
    dotenv = Path.cwd() / ".env"
    if dotenv.is_file():
        for key, value in dotenv_values(dotenv).items():
            if key.startswith("LINKEDIN_CAPI_") and value is not None:
                values[key] = value
    values.update((k, v) for k, v in os.environ.items() if k.startswith("LINKEDIN_CAPI_"))
    return values


def _env_kwargs(env: Mapping[str, str]) -> dict[str, Any]:
    """Connection keywords from ``LINKEDIN_CAPI_*`` variables (secrets as SecretStr)."""
    kwargs: dict[str, Any] = {}
    for key, var in C.ENV_VARS.items():
        value = env.get(var, "").strip()
        if not value:
            continue
        if key == "token_file":
            kwargs["token_store"] = FileTokenStore(value)
        elif key in _SECRET_KEYS:
            kwargs[key] = SecretStr(value)
        else:
            kwargs[key] = value
    return kwargs


class _AttemptState:
    """Per request: whether the next attempt re-sends after an ambiguous failure."""

    __slots__ = ("resend",)

    def __init__(self) -> None:
        self.resend = False


class Client:
    """The authenticated session every request goes through (tokens, headers, retries).

    :class:`~linkedin_capi.connection.Connection` is the public face of this class and
    documents its parameters; the resources and the delivery room see only this part.
    """

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | SecretStr | None = None,
        refresh_token: str | SecretStr | None = None,
        access_token: str | SecretStr | None = None,
        ad_account_id: int | str | None = None,
        api_version: str | int | None = None,
        base_url: str = C.BASE_URL,
        token_url: str = C.TOKEN_URL,
        conversion: Any = None,
        token_store: TokenStore | None = None,
        timeout: Timeout = C.DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id.strip() if client_id else None
        self._client_secret = _secret(client_secret)
        given_refresh, given_access = _secret(refresh_token), _secret(access_token)
        # No clear-text secret stays in this frame (tracebacks with locals, debuggers).
        del client_secret, refresh_token, access_token
        self.ad_account_id = _account_id(ad_account_id)
        self.base_url = check_url("base_url", base_url)
        self.token_url = check_url("token_url", token_url)
        self.api_version = choose_api_version(
            api_version, dt.datetime.fromtimestamp(clock(), dt.UTC).date()
        )
        self.conversion = conversion
        self.timeout = timeout
        self.retry = retry or RetryPolicy(
            attempts=C.RETRY_ATTEMPTS,
            base=C.RETRY_BASE_SECONDS,
            cap=C.RETRY_CAP_SECONDS,
            retry_after_cap=C.RETRY_AFTER_CAP_SECONDS,
        )
        self._sleep = sleep
        self._clock = clock
        self.token_store: TokenStore = token_store or MemoryTokenStore()
        self._token = self._initial_token(given_refresh, given_access)
        self._lock = threading.RLock()
        # Refreshes attempted so far and the last one's failure: a worker that waited for
        # the lock while another worker's refresh failed re-raises that failure instead of
        # starting a refresh series of its own (single-flight under errors too).
        self._refreshes = 0
        self._refresh_error: CapiError | None = None
        self._refresh_failed_at = float("-inf")
        self._origin = origin(self.base_url)
        self._http = build_session(self.base_url)
        self._sends = PreparedSends(self._http)
        self._oauth: NoRedirectOAuth2Session | None = None

    # -- construction helpers ---------------------------------------------------------

    def _initial_token(self, refresh: SecretStr | None, access: SecretStr | None) -> Token:
        stored = self.token_store.load()
        if stored is not None:
            same_refresh = refresh is None or (
                stored.refresh_token is not None
                and stored.refresh_token.get_secret_value() == refresh.get_secret_value()
            )
            same_access = access is None or (
                stored.access_token is not None
                and stored.access_token.get_secret_value() == access.get_secret_value()
            )
            if same_refresh and same_access:
                return stored
        if refresh is None and access is None:
            raise ConfigError(
                "no credentials: pass refresh_token= (from "
                "linkedin_capi.client.oauth.AuthorizationFlow) or access_token=, set "
                f"{C.ENV_VARS['refresh_token']}, or use a token_store that holds a token"
            )
        if refresh is not None and (not self.client_id or self._client_secret is None):
            raise ConfigError(
                "refresh_token= needs client_id= and client_secret= (the developer app's "
                "credentials) to obtain access tokens"
            )
        return Token(access_token=access, refresh_token=refresh)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Build a connection from ``LINKEDIN_CAPI_*`` environment variables.

        ``LINKEDIN_CAPI_CLIENT_ID``, ``_CLIENT_SECRET``, ``_REFRESH_TOKEN``,
        ``_ACCESS_TOKEN``, ``_AD_ACCOUNT_ID``, ``_API_VERSION``, ``_BASE_URL``,
        ``_TOKEN_URL``, ``_CONVERSION`` map to the keywords of the same name;
        ``LINKEDIN_CAPI_TOKEN_FILE`` selects a :class:`~linkedin_capi.client.tokens.FileTokenStore`.
        Without a token variable, the tokens ``linkedin-capi auth login`` stored in
        :func:`~linkedin_capi.client.tokens.default_token_file` are used when that file
        exists. Called without ``environ``, a ``.env`` file in the current directory is
        read too (the environment wins over it). Keyword ``overrides`` win over both.

        Examples
        --------
        >>> env = {"LINKEDIN_CAPI_CLIENT_ID": "app", "LINKEDIN_CAPI_CLIENT_SECRET": "x",
        ...        "LINKEDIN_CAPI_REFRESH_TOKEN": "AQW", "LINKEDIN_CAPI_API_VERSION": "202607"}
        >>> Client.from_env(env).client_id
        'app'
        """
        env = environment() if environ is None else environ
        kwargs = _env_kwargs(env)
        stored = default_token_file(env)
        # os.environ's (and the .env file's) repr would show every secret in a
        # traceback's locals
        del environ, env
        kwargs.update(overrides)
        has_token = kwargs.get("refresh_token") or kwargs.get("access_token")
        if not has_token and kwargs.get("token_store") is None and stored.is_file():
            # What `linkedin-capi auth login` stored, found without any variable.
            kwargs["token_store"] = FileTokenStore(stored)
        has_store = kwargs.get("token_store") is not None and kwargs["token_store"].load()
        if not has_token and not has_store:
            keys = ("client_id", "client_secret")
            names = " and ".join(C.ENV_VARS[k] for k in keys)
            raise ConfigError(
                "found no credentials: sign in once with `linkedin-capi auth login` (it "
                f"stores tokens in {stored}), or set {C.ENV_VARS['refresh_token']} (or "
                f"{C.ENV_VARS['access_token']}); the client id and secret come from {names}"
            )
        return cls(**kwargs)

    # -- tokens ------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        """The current token (secrets stay redacted in its repr)."""
        return self._token

    @property
    def ad_account_urn(self) -> str | None:
        """``urn:li:sponsoredAccount:<id>`` or ``None``."""
        return f"{C.ACCOUNT_URN_PREFIX}{self.ad_account_id}" if self.ad_account_id else None

    def _secrets(self) -> list[str]:
        values = [self._client_secret, self._token.access_token, self._token.refresh_token]
        return [v.get_secret_value() for v in values if v is not None]

    def _can_refresh(self) -> bool:
        return self._token.refresh_token is not None

    def _live_access_token(self) -> SecretStr:
        seen = self._refreshes
        with self._lock:
            token = self._token
            if token.is_live(self._clock(), C.TOKEN_REFRESH_MARGIN):
                assert token.access_token is not None
                return token.access_token
            stored = self.token_store.load()
            if (
                stored is not None
                and stored.is_live(self._clock(), C.TOKEN_REFRESH_MARGIN)
                and stored.refresh_token == token.refresh_token
            ):
                # Another kernel sharing this store refreshed already: use its token.
                assert stored.access_token is not None
                self._token = stored
                return stored.access_token
            if not self._can_refresh():
                if token.access_token is not None:  # expiring, but nothing better to use
                    return token.access_token
                raise AuthError("no access token and no refresh token: re-authorize")
            self._raise_if_refresh_failed_since(seen)
            refreshed = self.refresh()
            assert refreshed.access_token is not None
            return refreshed.access_token

    def _raise_if_refresh_failed_since(self, seen: int) -> None:
        """Re-raise a refresh failure instead of starting another series (holds the lock).

        The failure of a refresh that ran while this thread waited, or of one that ended
        less than a minute ago: concurrent senders then share one refresh series.
        """
        error = self._refresh_error
        if error is None:
            return
        recent = self._clock() - self._refresh_failed_at < _REFRESH_COOLDOWN
        if self._refreshes != seen or recent:
            raise error

    def refresh(self) -> Token:
        """Exchange the refresh token for a new access token now, and store it.

        Transient failures (429, 5xx, timeouts) are retried like any call; an expired or
        revoked refresh token raises :class:`~linkedin_capi.errors.AuthError`.
        """
        with self._lock:
            previous = self._token
            if previous.refresh_token is None:
                raise AuthError(
                    "the access token is missing, expired or rejected and there is no refresh "
                    "token; re-authorize with linkedin_capi.client.oauth.AuthorizationFlow"
                )
            expires = previous.refresh_token_expires_at
            if expires is not None and expires <= self._clock():
                when = dt.datetime.fromtimestamp(expires, dt.UTC).date().isoformat()
                raise AuthError(
                    f"the refresh token expired on {when} (they last 365 days from consent); "
                    "re-authorize with linkedin_capi.client.oauth.AuthorizationFlow"
                )
            if not self.client_id or self._client_secret is None:
                raise AuthError(
                    "the access token needs refreshing but client_id/client_secret are missing; "
                    "pass them to Connection(...)"
                )
            self._refreshes += 1
            try:
                token: Token = self._with_retries("refresh", lambda: self._refresh_once(previous))
            except CapiError as exc:
                self._refresh_error, self._refresh_failed_at = exc, self._clock()
                raise
            self._refresh_error = None
            if token.access_token is None:
                raise AuthError("the token endpoint answered without an access_token")
            self._token = token
            self.token_store.save(token)
            left = (token.expires_at - self._clock()) / 86400 if token.expires_at else None
            log.info(
                "access token refreshed%s",
                f"; valid for {left:.1f} more days" if left is not None else "",
            )
            return token

    def _oauth_session(self) -> NoRedirectOAuth2Session:
        if self._oauth is None:
            session = NoRedirectOAuth2Session(client_id=self.client_id)
            session.mount("https://", self._http.get_adapter("https://"))

            def check(response: requests.Response) -> requests.Response:
                if response.status_code >= 300:  # a redirect is refused, never followed
                    raise error_for(response=response, secrets=self._secrets(), token_endpoint=True)
                return response

            session.register_compliance_hook("refresh_token_response", check)
            self._oauth = session
        return self._oauth

    def _refresh_once(self, previous: Token) -> Token:
        """One refresh-token exchange; failures leave as fresh errors, chained to nothing.

        requests-oauthlib's frames hold the client secret and the refresh token in their
        locals (the form, ``kwargs``), urllib3's hold the body. An exception raised in them
        keeps those frames on its traceback — which IPython ``%xmode Verbose``, rich,
        better_exceptions and Sentry print with locals. So every failure is caught here and
        a new exception (no traceback, ``__context__`` or ``__cause__`` into those frames)
        is raised after the ``except`` block has ended.
        """
        assert previous.refresh_token is not None and self._client_secret is not None
        session = self._oauth_session()
        failure: BaseException | None = None
        token: Token | None = None
        with SecretScrubber(self._secrets()).attached(), allow_loopback_http(self.token_url):
            try:
                token = Token.from_response(
                    session.refresh_token(
                        self.token_url,
                        refresh_token=previous.refresh_token.get_secret_value(),
                        client_id=self.client_id,
                        client_secret=self._client_secret.get_secret_value(),
                        timeout=self.timeout,
                    ),
                    now=self._clock(),
                    previous=previous,
                )
            except BaseException as exc:  # re-raised below, detached
                failure = detached(
                    exc,
                    secrets=self._secrets(),
                    usable="re-authorize with linkedin_capi.client.oauth.AuthorizationFlow",
                )
            finally:
                forget_tokens(session)  # oauthlib's client keeps no copy of the tokens
        if failure is not None:
            raise failure
        assert token is not None
        return token

    # -- requests ----------------------------------------------------------------------

    def _url(self, path: str, params: Mapping[str, Any] | str | None) -> str:
        url = path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"
        if not params:
            return url
        # A str is sent verbatim: Rest.li structures like (key:value) must stay literal.
        query = params if isinstance(params, str) else urlencode(params, quote_via=quote)
        return f"{url}{'&' if '?' in url else '?'}{query.lstrip('?')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | str | None = None,
        json: Any = None,
        body: bytes | None = None,
        restli_method: str | None = None,
        hooks: AttemptHooks | None = None,
        ambiguous_retries: int | None = None,
    ) -> requests.Response:
        """Call LinkedIn's REST API and return the (2xx) response.

        The URL (``path`` made absolute) must point at ``base_url``'s scheme, host and
        port, and redirects are never followed (a 3xx is an :class:`APIError`): the
        access token goes to no other host.

        Parameters
        ----------
        method : str
            ``"GET"``, ``"POST"``, ...
        path : str
            Relative to ``base_url`` (``"conversions"``) or an absolute URL.
        params : mapping or str, optional
            Query parameters. A mapping is percent-encoded (URNs included); a str is
            appended verbatim, for Rest.li syntax such as ``search=(status:(values:List(A)))``.
        json : object, optional
            Serialized to bytes here (never handed to the OAuth session).
        body : bytes, optional
            A ready JSON body (the export sends these).
        restli_method : str, optional
            ``X-RestLi-Method`` (``BATCH_CREATE``, ``PARTIAL_UPDATE``, ...).
        hooks : AttemptHooks, optional
            Called before every HTTP attempt and used for the waits between attempts.
        ambiguous_retries : int, optional
            Retries allowed after a failure LinkedIn may have processed (read timeout or
            reset after sending, 504); ``None``: the retry policy's attempts apply.

        Raises
        ------
        AuthError, VersionError, PermissionDeniedError, NotFoundError, RateLimitError,
        ServerError, APIConnectionError, APITimeoutError, APIError
        """
        if json is not None and body is not None:
            raise ConfigError("pass json= or body=, not both")
        url = check_request_url(self._url(path, params), self._origin)
        data = body
        if json is not None:
            data = _json.dumps(json, separators=(",", ":"), ensure_ascii=False).encode()
        headers = api_headers(
            self.api_version, restli_method=restli_method, has_body=data is not None
        )
        refreshed_after_401 = False
        state = _AttemptState()

        def send() -> requests.Response:
            nonlocal refreshed_after_401
            while True:
                used = self._live_access_token()
                seen = self._refreshes
                if hooks is not None:
                    hooks.before_attempt(state.resend)
                state.resend = False
                response = self._send(method, url, data, headers, used)
                if response.status_code != 401 or refreshed_after_401 or not self._can_refresh():
                    return response
                # LinkedIn revoked or expired the token early: refresh once, then resend.
                refreshed_after_401 = True
                with self._lock:
                    # Concurrent export workers all see the 401: only the first refreshes,
                    # the others resend with the token it obtained.
                    self._raise_if_refresh_failed_since(seen)
                    if self._token.access_token == used:
                        log.info(
                            "HTTP 401 from %s %s; refreshing the access token once", method, path
                        )
                        self.refresh()

        wait: Callable[[float], None] | None = None
        if hooks is not None:

            def wait(seconds: float) -> None:
                hooks.retrying(state.resend)  # resend: the attempt that failed was ambiguous
                hooks.sleep(seconds)

        response: requests.Response = self._with_retries(
            f"{method} {path}",
            send,
            raise_status=True,
            state=state,
            sleep=wait,
            ambiguous_retries=ambiguous_retries,
        )
        return response

    def _send(
        self,
        method: str,
        url: str,
        data: bytes | None,
        headers: dict[str, str],
        token: SecretStr,
    ) -> requests.Response:
        """One HTTP exchange, never following a redirect.

        The request is prepared once per URL and headers and sent through the session's
        adapter (:class:`~linkedin_capi.client._wire.PreparedSends`): the session's proxies,
        CA bundle and default headers, without re-merging them per request. A Ctrl-C lands
        in urllib3's frames, whose locals hold the ``Authorization`` header: it is replaced
        by a fresh ``KeyboardInterrupt`` raised outside them.
        """
        try:
            prepared = BearerAuth(token)(self._sends.prepare(method, url, data, headers))
            return self._sends.send(prepared, self.timeout)
        except KeyboardInterrupt:
            pass
        raise KeyboardInterrupt

    def abort_requests(self) -> int:
        """Cut every open connection now; requests in flight fail at once (from any thread).

        The export calls this after Ctrl-C once the batches in flight had their grace: a
        sender blocked in a slow read ends with a connection error instead of waiting for
        the read timeout. Returns how many connections were cut; the next request opens a
        new one.
        """
        cut = 0
        for adapter in {id(a): a for a in self._http.adapters.values()}.values():
            if isinstance(adapter, Adapter):
                cut += adapter.abort()
        return cut

    def send_events(self, body: bytes, *, hooks: AttemptHooks | None = None) -> requests.Response:
        """POST one ``{"elements": [...]}`` body to ``conversionEvents`` (BATCH_CREATE).

        A failure LinkedIn may have processed (read timeout or reset after the body was
        sent, 504) is retried at most once (:data:`linkedin_capi._constants.AMBIGUOUS_RETRIES`):
        each such retry may duplicate the batch's events at LinkedIn.
        """
        return self.request(
            "POST",
            C.CONVERSION_EVENTS_PATH,
            body=body,
            restli_method="BATCH_CREATE",
            hooks=hooks,
            ambiguous_retries=C.AMBIGUOUS_RETRIES,
        )

    def _with_retries(
        self,
        what: str,
        call: Callable[[], Any],
        *,
        raise_status: bool = False,
        state: _AttemptState | None = None,
        sleep: Callable[[float], None] | None = None,
        ambiguous_retries: int | None = None,
    ) -> Any:
        """Run ``call`` under the retry policy; map failures to the error tree."""
        policy = self.retry
        attempt = 0
        ambiguous_seen = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            error: CapiError
            ambiguous = False
            try:
                result = call()
            except _NO_ANSWER as exc:
                error = error_for(exc=exc, secrets=self._secrets())
                status: int | None = None
                ambiguous = may_have_been_processed(exc)
            except CapiError as exc:
                # Token-endpoint failures are retried by the refresh loop only, never again
                # by an enclosing request loop (that would multiply the attempts).
                status = getattr(exc, "status", None)
                transient = isinstance(exc, APIConnectionError) or (
                    status is not None and policy.should_retry(status)
                )
                if raise_status or not transient:
                    raise
                error = exc
            else:
                if not raise_status or result.status_code < 300:
                    return result
                status = result.status_code
                error = error_for(
                    response=result, api_version=self.api_version, secrets=self._secrets()
                )
                retry_after = parse_retry_after(result.headers.get("Retry-After"), self._clock())
                if not policy.should_retry(status):
                    raise error
                ambiguous = status in AMBIGUOUS_STATUSES
            if ambiguous:
                ambiguous_seen += 1
                if ambiguous_retries is not None and ambiguous_seen > ambiguous_retries:
                    log.warning(
                        "%s: %s may have been processed; not retried again (%d retry allowed)",
                        what,
                        error,
                        ambiguous_retries,
                    )
                    raise error
                if state is not None:
                    state.resend = True
            if attempt >= policy.attempts:
                log.warning("%s failed after %d attempts: %s", what, attempt, error)
                raise error
            wait = policy.delay(attempt, retry_after)
            log.warning(
                "%s: %s; retry %d/%d in %.1f s",
                what,
                f"HTTP {status}" if status else type(error).__name__,
                attempt + 1,
                policy.attempts,
                wait,
            )
            (sleep or self._sleep)(wait)

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()
        if self._oauth is not None:
            self._oauth.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        # getattr: also called on a half-built instance (tracebacks of a failed __init__).
        token: Token | None = getattr(self, "_token", None)
        if token is None or token.access_token is None:
            state = "none yet"
        elif token.expires_at is None:
            state = "set"
        else:
            until = dt.datetime.fromtimestamp(token.expires_at, dt.UTC)
            state = f"valid until {until:%Y-%m-%d %H:%M} UTC"
        return (
            f"{type(self).__name__}(client_id={getattr(self, 'client_id', None)!r}, "
            f"ad_account_id={getattr(self, 'ad_account_id', None)!r}, "
            f"api_version={getattr(self, 'api_version', None)!r}, "
            f"base_url={getattr(self, 'base_url', None)!r}, token={state})"
        )
