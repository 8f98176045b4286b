"""Conversion rules: the model and the manager behind ``conn.rules``.

Settings checks live in :mod:`linkedin_capi.resources.rule_settings` (re-exported here).

A conversion rule is the counter LinkedIn adds events to; every event names one by URN
(``urn:lla:llaPartnerConversion:<id>``). Rules belong to an ad account. Only rules whose
``conversionMethod`` is ``CONVERSIONS_API`` accept streamed events.

Examples
--------
>>> rule_urn(104012)
'urn:lla:llaPartnerConversion:104012'
"""

from __future__ import annotations

import builtins
import logging
import warnings
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
)

from linkedin_capi import _constants as C
from linkedin_capi._render import as_html, as_text
from linkedin_capi.client.restli import Requester, encode, iter_elements, json_body, query
from linkedin_capi.errors import ConfigError
from linkedin_capi.resources.accounts import account_urn, resolve_account_id
from linkedin_capi.resources.campaigns import associate as _associate
from linkedin_capi.resources.rule_settings import (
    RuleSettings,
    check_attribution_type,
    check_auto_association,
    check_conversion_type,
    check_window,
)

__all__ = [
    "ConversionRule",
    "ConversionRules",
    "RuleList",
    "RuleSettings",
    "check_attribution_type",
    "check_auto_association",
    "check_conversion_type",
    "check_window",
    "rule_id",
    "rule_urn",
]

log = logging.getLogger("linkedin_capi.resources.rules")

OnDrift = Literal["warn", "error", "update"]

# -- the rule model -----------------------------------------------------------------------


class ConversionRule(BaseModel):
    """A conversion rule as LinkedIn returns it.

    Attributes use snake_case; LinkedIn's camelCase names are accepted as input.

    Examples
    --------
    >>> rule = ConversionRule(id=104012, name="Signups", conversionMethod="CONVERSIONS_API")
    >>> rule.urn
    'urn:lla:llaPartnerConversion:104012'
    >>> rule.streamable
    True
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    id: int
    name: str = ""
    account: str | None = None
    conversion_method: str | None = Field(default=None, alias="conversionMethod")
    type: str | None = None
    enabled: bool = True
    attribution_type: str | None = Field(default=None, alias="attributionType")
    post_click_window: int | None = Field(default=None, alias="postClickAttributionWindowSize")
    view_through_window: int | None = Field(default=None, alias="viewThroughAttributionWindowSize")
    value_type: str | None = Field(default=None, alias="valueType")
    campaigns: list[str] = Field(default_factory=list)
    ownership_type: str | None = Field(default=None, alias="ownershipType", repr=False)
    created: int | None = None
    last_modified: int | None = Field(default=None, alias="lastModified")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def urn(self) -> str:
        """The URN events use: ``urn:lla:llaPartnerConversion:<id>``."""
        return f"{C.RULE_URN_PREFIX}{self.id}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def shared(self) -> bool:
        """True for a rule another ad account owns and shares with this one (audit F8)."""
        return self.ownership_type == "SHARED"

    @property
    def streamable(self) -> bool:
        """True when the rule accepts Conversions API events (method CONVERSIONS_API)."""
        return self.conversion_method in (None, C.CONVERSIONS_API_METHOD)

    def _repr_html_(self) -> str:
        return as_html(self)

    def __str__(self) -> str:
        return as_text(self)

    def differences(self, settings: RuleSettings) -> dict[str, tuple[object, object]]:
        """Settings that differ from ``settings``: ``{name: (live, wanted)}``.

        Settings LinkedIn did not return are not compared; ``auto_association`` never is
        (LinkedIn applies it once, at creation).
        """
        live = {
            "type": self.type,
            "post_click_window": self.post_click_window,
            "view_through_window": self.view_through_window,
            "attribution_type": self.attribution_type,
            "enabled": self.enabled,
        }
        wanted = settings.model_dump()
        return {k: (v, wanted[k]) for k, v in live.items() if v is not None and v != wanted[k]}


def rule_id(rule: ConversionRule | int | str) -> int:
    """The numeric id of a rule given as a model, an int, a digit string or a URN.

    Examples
    --------
    >>> rule_id("urn:lla:llaPartnerConversion:42"), rule_id(" 42 "), rule_id(42)
    (42, 42, 42)
    """
    if isinstance(rule, ConversionRule):
        return rule.id
    if isinstance(rule, int) and not isinstance(rule, bool) and rule > 0:
        return rule
    if isinstance(rule, str):
        text = rule.strip()
        if text.startswith(C.RULE_URN_PREFIX):
            text = text[len(C.RULE_URN_PREFIX) :]
        if text.isdigit() and int(text) > 0:
            return int(text)
    raise ConfigError(
        f"conversion rule: expected a numeric id, a '{C.RULE_URN_PREFIX}<id>' URN or a "
        f"ConversionRule; got {rule!r}"
    )


def rule_urn(rule: ConversionRule | int | str) -> str:
    """The event URN of a rule given as a model, an id or a URN.

    Examples
    --------
    >>> rule_urn(7)
    'urn:lla:llaPartnerConversion:7'
    """
    return f"{C.RULE_URN_PREFIX}{rule_id(rule)}"


def _describe(diff: dict[str, tuple[object, object]]) -> str:
    return ", ".join(f"{k} is {live!r} (wanted {want!r})" for k, (live, want) in diff.items())


class RuleList(list[ConversionRule]):
    """The rules ``conn.rules.list()`` returns: a plain list that shows itself as a table.

    Examples
    --------
    >>> rules = RuleList([ConversionRule(id=7, name="Leads", type="LEAD", enabled=True)])
    >>> print(repr(rules).splitlines()[2])
     7  Leads  Lead  –           –             –            yes
    """

    def _repr_html_(self) -> str:
        return as_html(self)

    def __repr__(self) -> str:
        return as_text(self)


# -- the manager ------------------------------------------------------------------------------


class ConversionRules:
    """Conversion rules of one ad account: ``list``, ``get``, ``find``, ``create``, ``ensure``,
    ``update``. Available as ``conn.rules``.

    Parameters
    ----------
    conn
        A :class:`~linkedin_capi.Connection` (anything with its ``request`` method).
    ad_account_id
        The account; defaults to ``conn.ad_account_id``, else the one usable account of the
        authenticated member (see :func:`linkedin_capi.resources.accounts.choose_account`).

    Examples
    --------
    >>> rules = conn.rules                                        # doctest: +SKIP
    >>> rule = rules.ensure("Demo requests", type="lead")         # doctest: +SKIP
    >>> rule.urn                                                  # doctest: +SKIP
    'urn:lla:llaPartnerConversion:104012'
    """

    def __init__(self, conn: Requester, ad_account_id: int | str | None = None) -> None:
        self._conn = conn
        self._given_account = ad_account_id
        self._chosen: str | None = None  # the auto-chosen account, looked up once

    def __repr__(self) -> str:
        account = self._given_account or getattr(self._conn, "ad_account_id", None)
        return f"ConversionRules(ad_account_id={account!r})"

    @property
    def account_urn(self) -> str:
        """``urn:li:sponsoredAccount:<id>`` of the account these rules belong to.

        The account given here wins, then ``conn.ad_account_id`` (read on every call, so
        changing it on the connection takes effect), then the member's one usable account
        (looked up once).
        """
        if self._given_account is not None:
            return account_urn(self._given_account)
        if getattr(self._conn, "ad_account_id", None) is None and self._chosen is None:
            self._chosen = resolve_account_id(self._conn)
        return account_urn(getattr(self._conn, "ad_account_id", None) or self._chosen or "")

    def _account_param(self) -> str:
        return f"account={encode(self.account_urn)}"

    def list(
        self, *, conversions_api_only: bool = False, page_size: int = C.RULE_PAGE_SIZE
    ) -> RuleList:
        """Every rule of the account, from every page (a list that prints as a table).

        Parameters
        ----------
        conversions_api_only
            Keep only rules that accept streamed events (``conversionMethod`` CONVERSIONS_API).
        page_size
            Rows asked for per request (LinkedIn may return fewer; paging continues).
        """
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ConfigError(f"page_size: expected a positive integer; got {page_size!r}")
        finder = "q=account&" + self._account_param()
        if str(getattr(self._conn, "api_version", ""))[:6] >= C.OWNERSHIP_TYPES_FROM:
            # LinkedIn lists only OWNED rules unless asked (audit F8): ask for shared too,
            # so find() and ensure() see rules shared within the Business Manager.
            finder += "&conversionOwnershipTypes=List(OWNED,SHARED)"
        rules = [
            ConversionRule.model_validate(e)
            for e in iter_elements(self._conn, "/conversions", finder, page_size=page_size)
        ]
        if conversions_api_only:
            rules = [r for r in rules if r.streamable]
        return RuleList(rules)

    def get(self, rule: ConversionRule | int | str) -> ConversionRule:
        """One rule by id, URN or model (fresh from LinkedIn).

        Raises
        ------
        NotFoundError, PermissionDeniedError
            The rule does not exist, or is not visible to this member.
        """
        rid = rule_id(rule)
        resp = self._conn.request("GET", f"/conversions/{rid}", params=self._account_param())
        return ConversionRule.model_validate({"id": rid, **json_body(resp)})

    def find(self, name: str) -> ConversionRule | None:
        """The rule named exactly ``name`` (every page is searched), or ``None``.

        Rules shared with the account by another one (``rule.shared``) are included.
        When several rules share the name, a Conversions API rule is preferred, then an
        enabled one, then an owned one, then the lowest id; a warning is logged.
        """
        matches = [r for r in self.list() if r.name == name]
        if not matches:
            return None
        matches.sort(key=lambda r: (not r.streamable, not r.enabled, r.shared, r.id))
        if len(matches) > 1:
            log.warning(
                "%d conversion rules are named %r (ids %s); using %d",
                len(matches),
                name,
                ", ".join(str(r.id) for r in matches),
                matches[0].id,
            )
        return matches[0]

    def create(
        self,
        name: str,
        *,
        type: str = C.DEFAULT_CONVERSION_TYPE,
        post_click_window: int = C.DEFAULT_POST_CLICK_WINDOW,
        view_through_window: int = C.DEFAULT_VIEW_THROUGH_WINDOW,
        attribution_type: str = C.DEFAULT_ATTRIBUTION_TYPE,
        auto_association: str | None = C.DEFAULT_AUTO_ASSOCIATION,
        enabled: bool = True,
    ) -> ConversionRule:
        """Create a Conversions API rule (always a new one; see :meth:`ensure` for re-runs).

        Settings are checked before any request. ``auto_association`` links campaigns once,
        at creation: ``ALL_CAMPAIGNS``, ``OBJECTIVE_BASED``, or ``NONE``/``None`` (no link).

        Raises
        ------
        ConfigError
            A bad name or setting (the message lists the valid choices).
        """
        settings = RuleSettings.of(
            type=type,
            post_click_window=post_click_window,
            view_through_window=view_through_window,
            attribution_type=attribution_type,
            auto_association=auto_association,
            enabled=enabled,
        )
        return self._create(_check_name(name), settings)

    def associate(
        self, rule: ConversionRule | int | str, campaigns: Iterable[Any]
    ) -> builtins.list[int]:
        """Link ``campaigns`` (models, ids or URNs) to ``rule`` via ``campaignConversions``.

        Only linked campaigns attribute the rule's conversions in reporting. Returns the
        campaign ids linked (one ``PUT`` each; linking twice is harmless).
        """
        return _associate(self._conn, rule_id(rule), campaigns, link=True)

    def disassociate(
        self, rule: ConversionRule | int | str, campaigns: Iterable[Any]
    ) -> builtins.list[int]:
        """Unlink ``campaigns`` from ``rule`` (one ``DELETE`` each); the campaign ids."""
        return _associate(self._conn, rule_id(rule), campaigns, link=False)

    def _version(self) -> str | None:
        version = getattr(self._conn, "api_version", None)
        return str(version) if version is not None else None

    def _create(self, name: str, settings: RuleSettings) -> ConversionRule:
        check_conversion_type(settings.type, api_version=self._version())
        body = {
            "name": name,
            "account": self.account_urn,
            "conversionMethod": C.CONVERSIONS_API_METHOD,
            **settings.body(),
        }
        params = None
        if settings.auto_association != C.NO_AUTO_ASSOCIATION:
            params = query(autoAssociationType=settings.auto_association)
        resp = self._conn.request("POST", "/conversions", params=params, json=body)
        echoed = json_body(resp)
        new_id = resp.headers.get("x-restli-id") or echoed.get("id")
        if new_id is None:
            raise ConfigError(  # pragma: no cover - LinkedIn always sends one (§3.1)
                "LinkedIn created the rule but sent no id (no x-restli-id header, no body id)"
            )
        rule = ConversionRule.model_validate({**body, **echoed, "id": rule_id(str(new_id))})
        log.info("created conversion rule %d (%r)", rule.id, name)
        return rule

    def ensure(self, name: str, *, on_drift: OnDrift = "warn", **settings: Any) -> ConversionRule:
        """Find the rule named ``name`` or create it: re-runs never make a second rule.

        Parameters
        ----------
        name
            Exact rule name.
        on_drift
            What to do when the rule exists with other settings than asked for:
            ``"warn"`` (default) — use it as it is and emit a ``UserWarning`` naming every
            difference (a scheduled job keeps running; fix with :meth:`update`);
            ``"error"`` — raise ConfigError; ``"update"`` — apply the settings with
            PARTIAL_UPDATE.
        **settings
            As for :meth:`create`.

        Raises
        ------
        ConfigError
            Bad settings (checked before any request); a rule with that name exists but is
            not a Conversions API rule; or drift with ``on_drift="error"``.
        """
        wanted = RuleSettings.of(**settings)
        name = _check_name(name)
        if on_drift not in ("warn", "error", "update"):
            raise ConfigError(f"on_drift: expected 'warn', 'error' or 'update'; got {on_drift!r}")
        rule = self.find(name)
        if rule is None:
            return self._create(name, wanted)
        if not rule.streamable:
            raise ConfigError(
                f"conversion rule {name!r} (id {rule.id}) exists but its conversionMethod is "
                f"{rule.conversion_method}, so it cannot receive Conversions API events; "
                "choose another name"
            )
        diff = rule.differences(wanted)
        if not diff:
            return rule
        message = (
            f"conversion rule {name!r} (id {rule.id}) exists with other settings: {_describe(diff)}"
        )
        if on_drift == "error":
            raise ConfigError(message + "; call conn.rules.update(...) or change the settings")
        if on_drift == "update" and rule.shared:
            raise ConfigError(
                message + f"; it is shared by {rule.account or 'another ad account'}, so only "
                "its owner can change it (on_drift='warn' uses it as it is)"
            )
        if on_drift == "update":
            changes: dict[str, Any] = {k: want for k, (_, want) in diff.items()}
            return self.update(rule, **changes)
        warnings.warn(
            message + "; using it unchanged (conn.rules.update(...) applies the settings)",
            UserWarning,
            stacklevel=2,
        )
        log.warning("%s", message)
        return rule

    def update(
        self,
        rule: ConversionRule | int | str,
        *,
        name: str | None = None,
        type: str | None = None,
        post_click_window: int | None = None,
        view_through_window: int | None = None,
        attribution_type: str | None = None,
        enabled: bool | None = None,
    ) -> ConversionRule:
        """Change some settings of a rule with a Rest.li PARTIAL_UPDATE.

        Only the settings given and different from the live rule are sent; nothing is sent
        when nothing changes. Returns the rule with the changes applied.

        Raises
        ------
        ConfigError
            A bad value (checked before the update request).
        """
        current = rule if isinstance(rule, ConversionRule) else self.get(rule)
        # Check only what is asked: a live rule may carry a type newer than our list.
        asked: dict[str, Any] = {}
        if type is not None:
            asked["type"] = check_conversion_type(type, api_version=self._version())
        new_type = asked.get("type", current.type)
        if post_click_window is not None:
            asked["post_click_window"] = check_window(
                post_click_window, kind="post_click", conversion_type=new_type
            )
        elif "type" in asked and current.post_click_window == C.LONG_WINDOW:
            check_window(C.LONG_WINDOW, kind="post_click", conversion_type=new_type)
        if view_through_window is not None:
            asked["view_through_window"] = check_window(view_through_window, kind="view_through")
        if attribution_type is not None:
            asked["attribution_type"] = check_attribution_type(attribution_type)
        if enabled is not None:
            if not isinstance(enabled, bool):
                raise ConfigError(f"enabled: expected True or False; got {enabled!r}")
            asked["enabled"] = enabled
        changed = {k: v for k, v in asked.items() if getattr(current, k) != v}
        patch = {_API_NAMES[k]: v for k, v in changed.items()}
        if name is not None and _check_name(name) != current.name:
            patch["name"] = changed["name"] = name
        if not patch:
            return current
        self._conn.request(
            "POST",
            f"/conversions/{current.id}",
            params=self._account_param(),
            json={"patch": {"$set": patch}},
            restli_method="PARTIAL_UPDATE",
        )
        log.info("updated conversion rule %d: %s", current.id, ", ".join(patch))
        return current.model_copy(update=changed)


_API_NAMES = {
    "type": "type",
    "post_click_window": "postClickAttributionWindowSize",
    "view_through_window": "viewThroughAttributionWindowSize",
    "attribution_type": "attributionType",
    "enabled": "enabled",
}


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"conversion rule name: expected a non-empty string; got {name!r}")
    return name
