"""The public facade: :class:`Connection` over the client, the resources and the config.

:class:`~linkedin_capi.client.session.Client` is the authenticated HTTP session;
``Connection`` adds what a user reaches through it — ``conn.rules``, ``conn.ad_accounts()``,
``Connection.from_config`` — the way a client object stands above its resources. Rules and
accounts only see the session as a :class:`~linkedin_capi.client.restli.Requester`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from linkedin_capi._render import as_html
from linkedin_capi.client.oauth import CodeFlow
from linkedin_capi.client.session import Client
from linkedin_capi.config import ConfiguredRule, ExportConfig
from linkedin_capi.resources.accounts import AdAccount, ad_accounts
from linkedin_capi.resources.campaigns import Campaign, campaigns
from linkedin_capi.resources.rule_check import RuleCheck
from linkedin_capi.resources.rules import ConversionRule, ConversionRules

__all__ = ["AuthorizationFlow", "Connection", "connection_from_config"]


class Connection(Client):
    """Credentials and an HTTP session for LinkedIn's Conversions API.

    Parameters
    ----------
    client_id, client_secret : str
        The developer app's credentials (needed to refresh the access token).
    refresh_token : str, optional
        A refresh token from the authorization-code flow
        (:class:`linkedin_capi.client.oauth.AuthorizationFlow`).
    access_token : str, optional
        An access token to use until it expires (or is rejected) — e.g. a Campaign
        Manager "Direct API" token, which needs no client credentials.
    ad_account_id : int or str, optional
        The ad account (number or ``urn:li:sponsoredAccount:<n>``) for rules and accounts.
    api_version : str, optional
        ``LinkedIn-Version`` (``YYYYMM``); default: a version active today. Versions that
        sunset within 30 days give a ``FutureWarning``.
    base_url, token_url : str
        Overridable for tests and proxies; plain http only for 127.0.0.1/localhost.
    conversion : int, str or ConversionRule, optional
        Default conversion rule for :func:`linkedin_capi.delivery.export.export`.
    token_store : TokenStore, optional
        Where tokens are kept (default: in memory). Tokens found there win over the
        arguments unless a *different* refresh token is passed (a fresh consent).
    timeout : float or (float, float)
        Connect and read timeouts in seconds.
    retry : RetryPolicy, optional
        Attempts and backoff for 429, 5xx, timeouts and connection errors.
    sleep, clock : callable
        Injected ``time.sleep`` and ``time.time`` (tests never really wait).

    Examples
    --------
    >>> conn = Connection(client_id="app", client_secret="s3cr3t", refresh_token="AQW",
    ...                   ad_account_id=123, api_version="202607")
    >>> "s3cr3t" in repr(conn), conn.ad_account_urn
    (False, 'urn:li:sponsoredAccount:123')
    """

    @classmethod
    def from_config(cls, cfg: ExportConfig, **overrides: Any) -> Connection:
        """Build a connection from the connector's ``--result`` options.

        The configured rule (name, id, or create-once) becomes the default ``conversion``
        and is resolved lazily, at export time. ``overrides`` are any keyword of
        ``Connection(...)`` and win over ``cfg``
        (see :func:`linkedin_capi.config.connection_from_config`).

        Examples
        --------
        >>> cfg = ExportConfig.from_td({"type": "linkedin_ads_conversion_api",  # doctest: +SKIP
        ...     "client_id": "app", "client_secret": "x", "refresh_token": "AQW",
        ...     "conversion_rule": "Demo requests"})
        >>> conn = Connection.from_config(cfg)                                  # doctest: +SKIP
        >>> conn.conversion                                                      # doctest: +SKIP
        ConfiguredRule(mode='name', rule='Demo requests')
        """
        return connection_from_config(cfg, connection_class=cls, **overrides)

    @cached_property
    def rules(self) -> ConversionRules:
        """The conversion rules of ``ad_account_id`` (or of the one usable account)."""
        return ConversionRules(self)

    @cached_property
    def _rule_check(self) -> RuleCheck:
        return RuleCheck(self.rules)

    def check_rules(self, rules: Iterable[ConversionRule | int | str]) -> None:
        """Check that every rule in ``rules`` can receive events, before any is sent.

        Each distinct rule is fetched once per connection (``GET /rest/conversions/{id}``);
        ``export`` calls this before its first event.

        Raises
        ------
        ConfigError
            A rule does not exist in the ad account, is disabled (fix:
            ``conn.rules.update(rule, enabled=True)``), is an Insight Tag rule (create a
            Conversions API rule with ``conn.rules.ensure(...)``), or belongs to another
            ad account.
        """
        self._rule_check.check(r.id if isinstance(r, ConversionRule) else r for r in rules)

    def campaigns(self) -> list[Campaign]:
        """The campaigns of the connection's ad account (every page)."""
        account = self.rules.account_urn.rsplit(":", 1)[-1]
        return campaigns(self, int(account))

    def ad_accounts(self) -> list[AdAccount]:
        """The ad accounts the authenticated member has a role on (VIEWERs: ``usable=False``)."""
        return ad_accounts(self)

    def _repr_html_(self) -> str:
        return as_html(self)


class AuthorizationFlow(CodeFlow):
    __doc__ = CodeFlow.__doc__

    def connection(self, **kwargs: Any) -> Connection:
        """A :class:`Connection` using the tokens from :meth:`exchange`."""
        return Connection(**self.connection_options(**kwargs))


def connection_from_config(
    cfg: ExportConfig, *, connection_class: type[Connection] | None = None, **overrides: Any
) -> Connection:
    """A Connection built from ``cfg`` whose default rule is the configured one (lazy).

    ``overrides`` are any ``Connection`` keyword arguments and win over the configuration
    (``conversion=`` replaces the configured rule). ``Connection.from_config`` calls this.

    Examples
    --------
    >>> cfg = ExportConfig.from_td({"type": "linkedin_ads_conversion_api", "client_id": "app",
    ...     "client_secret": "x", "refresh_token": "AQW", "conversion_rule": "Demo requests"})
    >>> conn = connection_from_config(cfg, api_version="202607")
    >>> conn.conversion
    ConfiguredRule(mode='name', rule='Demo requests')
    """
    cls = connection_class or Connection
    options: dict[str, Any] = {
        "client_id": cfg.client_id,
        "client_secret": cfg.client_secret,
        "refresh_token": cfg.refresh_token,
        "ad_account_id": cfg.ad_account_id,
    }
    options.update(overrides)
    conn = cls(**options)
    if "conversion" not in overrides:
        conn.conversion = ConfiguredRule(conn, cfg)
    return conn
