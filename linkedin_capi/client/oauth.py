"""Getting a first refresh token: LinkedIn's OAuth 2.0 authorization-code flow.

For people who have client credentials but no refresh token yet::

    flow = AuthorizationFlow(client_id="…", client_secret="…",
                             redirect_uri="https://localhost:8765/callback")
    print(flow.url)                       # open it, sign in, allow rw_conversions + r_ads
    token = flow.exchange("https://localhost:8765/callback?code=…&state=…")
    conn = flow.connection(ad_account_id=507)

The redirect URI must be listed on the app's Auth tab exactly as given here.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from pydantic import SecretStr

from linkedin_capi import _constants as C
from linkedin_capi.client.tokens import MemoryTokenStore, Token, TokenStore
from linkedin_capi.client.transport import (
    NoRedirectOAuth2Session,
    SecretScrubber,
    allow_loopback_http,
    check_url,
    detached,
    error_for,
    forget_tokens,
)
from linkedin_capi.errors import AuthError, ConfigError

__all__ = ["CodeFlow"]


class CodeFlow:
    """Build the consent URL, then trade the redirect's ``code`` for tokens.

    Parameters
    ----------
    client_id, client_secret : str
        The developer app's credentials.
    redirect_uri : str
        Where LinkedIn sends the browser back (must match the app's setting exactly).
    scopes : sequence of str
        Default ``("rw_conversions", "r_ads")``: upload events, manage rules, list accounts.
    state : str, optional
        Anti-CSRF value echoed by LinkedIn; random when omitted.
    token_store : TokenStore, optional
        Where :meth:`exchange` saves the tokens (default: in memory).

    Examples
    --------
    >>> flow = CodeFlow(client_id="app", client_secret="s3cr3t",
    ...                 redirect_uri="https://localhost/cb", state="xyz")
    >>> flow.url
    'https://www.linkedin.com/oauth/v2/authorization?response_type=code&client_id=app&redirect_uri=https%3A%2F%2Flocalhost%2Fcb&scope=rw_conversions+r_ads&state=xyz'
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | SecretStr,
        redirect_uri: str,
        scopes: Sequence[str] = C.SCOPES,
        state: str | None = None,
        authorization_url: str = C.AUTHORIZATION_URL,
        token_url: str = C.TOKEN_URL,
        token_store: TokenStore | None = None,
        timeout: float | tuple[float, float] = C.DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id or not client_secret:
            raise ConfigError("AuthorizationFlow needs client_id= and client_secret=")
        self.client_id = client_id
        self._client_secret = (
            client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        )
        del client_secret  # no clear-text secret left in this frame's locals
        self.redirect_uri = redirect_uri
        self.scopes = tuple(scopes)
        self.state = state or secrets.token_urlsafe(24)
        self.authorization_url = check_url("authorization_url", authorization_url)
        self.token_url = check_url("token_url", token_url)
        self.token_store: TokenStore = token_store or MemoryTokenStore()
        self.timeout = timeout
        self._clock = clock
        self._session = NoRedirectOAuth2Session(
            client_id, redirect_uri=redirect_uri, scope=list(self.scopes), state=self.state
        )
        # LinkedIn returns the granted scopes comma-separated; oauthlib expects spaces and
        # would otherwise report a "scope changed" error for the very scopes it asked for.
        self._session.register_compliance_hook("access_token_response", self._check_response)
        self.token: Token | None = None

    @property
    def url(self) -> str:
        """The consent page to open in a browser."""
        with allow_loopback_http(self.authorization_url):
            url, _ = self._session.authorization_url(self.authorization_url, state=self.state)
        return str(url)

    def _check_response(self, response: requests.Response) -> requests.Response:
        if response.status_code >= 300:  # a redirect is refused, never followed
            raise error_for(
                response=response,
                secrets=[self._client_secret.get_secret_value()],
                token_endpoint=True,
            )
        try:
            data = response.json()
        except ValueError:
            return response
        if isinstance(data, dict) and isinstance(data.get("scope"), str):
            data["scope"] = " ".join(s for s in data["scope"].replace(",", " ").split() if s)
            response._content = json.dumps(data).encode()
        return response

    def exchange(self, redirect_url: str) -> Token:
        """Trade the ``code`` in LinkedIn's redirect URL for tokens, and store them.

        Raises
        ------
        AuthError
            The member refused, the ``state`` does not match, or LinkedIn refused the code
            (codes live about 30 minutes and work once).
        """
        query = parse_qs(urlsplit(redirect_url).query)
        del redirect_url  # it holds the one-time code
        if "error" in query:
            error = query["error"][0]
            detail = query.get("error_description", [""])[0]
            raise AuthError(
                f"LinkedIn did not authorize the app ({error}: {detail}); open flow.url again "
                "and press Allow"
            )
        if query.get("state", [None])[0] != self.state:
            raise AuthError(
                "the redirect URL's state does not match this flow's (a stale or forged "
                "redirect); open flow.url again and paste the URL it redirects to"
            )
        if "code" not in query:
            raise ConfigError(
                "the redirect URL has no ?code=…; paste the full URL the browser was sent to"
            )
        code = SecretStr(query.pop("code")[0])
        # Failures leave as fresh errors raised after the except block: requests-oauthlib's
        # and urllib3's frames hold the secret and the code in their locals, and a chained
        # traceback (IPython %xmode Verbose, rich, Sentry) would show them.
        failure: BaseException | None = None
        token: Token | None = None
        with (
            SecretScrubber(
                [self._client_secret.get_secret_value(), code.get_secret_value()]
            ).attached(),
            allow_loopback_http(self.token_url),
        ):
            try:
                token = Token.from_response(
                    self._session.fetch_token(
                        self.token_url,
                        code=code.get_secret_value(),
                        client_secret=self._client_secret.get_secret_value(),
                        include_client_id=True,  # credentials in the form body, as LinkedIn wants
                        timeout=self.timeout,
                    ),
                    now=self._clock(),
                )
            except BaseException as exc:  # re-raised below, detached
                failure = detached(
                    exc,
                    secrets=[self._client_secret.get_secret_value(), code.get_secret_value()],
                    usable="open flow.url again",
                )
            finally:
                forget_tokens(self._session)
        del code
        if failure is not None:
            raise failure
        assert token is not None
        self.token = token
        self.token_store.save(token)
        return token

    def connection_options(self, **kwargs: Any) -> dict[str, Any]:
        """Keywords for a connection that uses the tokens from :meth:`exchange`."""
        if self.token is None:
            raise ConfigError("call flow.exchange(redirect_url) before flow.connection()")
        options: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "token_store": self.token_store,
            "token_url": self.token_url,
            "clock": self._clock,
        }
        options.update(kwargs)
        return options

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(client_id={self.client_id!r}, "
            f"redirect_uri={self.redirect_uri!r}, scopes={self.scopes!r})"
        )
