"""Ad accounts the authenticated member can use, and picking the one to upload to.

LinkedIn lists the member's accounts and roles with ``GET /adAccountUsers?q=authenticatedUser``
(no names); names come from ``GET /adAccounts/<id>``. A ``VIEWER`` can neither upload events
nor manage rules, so such accounts are listed but flagged ``usable=False``.

Examples
--------
>>> account_id("urn:li:sponsoredAccount:5012345"), account_urn(5012345)
('5012345', 'urn:li:sponsoredAccount:5012345')
>>> a = AdAccount(id=1, name="EU", role="VIEWER")
>>> a.usable, a.urn
(False, 'urn:li:sponsoredAccount:1')
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, computed_field

from linkedin_capi import _constants as C
from linkedin_capi._render import as_html, as_text
from linkedin_capi.client.restli import Requester, iter_elements, json_body
from linkedin_capi.errors import ConfigError, NotFoundError, PermissionDeniedError

__all__ = [
    "AccountList",
    "AdAccount",
    "account_id",
    "account_urn",
    "ad_accounts",
    "authenticated_member",
    "choose_account",
    "resolve_account_id",
]

log = logging.getLogger("linkedin_capi.resources.accounts")

#: adAccountUsers rows per page; the real finder answers everything at once.
_PAGE_SIZE = 1000


class AdAccount(BaseModel):
    """An ad account the member holds a role on.

    Attributes
    ----------
    id : int
        The numeric account id (the connector's "Ad Account ID").
    name : str or None
        The account name (``None`` when LinkedIn would not tell).
    role : str
        The member's role: ``ACCOUNT_BILLING_ADMIN``, ``ACCOUNT_MANAGER``,
        ``CAMPAIGN_MANAGER``, ``CREATIVE_MANAGER`` or ``VIEWER``.
    status, currency, type, test
        As LinkedIn reports them (``None`` when unknown).
    urn : str
        ``urn:li:sponsoredAccount:<id>``.
    usable : bool
        False for ``VIEWER``: uploads and rule changes would be refused (403).
    """

    model_config = ConfigDict(frozen=True)

    id: int
    name: str | None = None
    role: str
    status: str | None = None
    currency: str | None = None
    type: str | None = None
    test: bool | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def urn(self) -> str:
        """``urn:li:sponsoredAccount:<id>``."""
        return account_urn(self.id)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def usable(self) -> bool:
        """True when the role allows uploading events (anything but VIEWER)."""
        return self.role not in C.READ_ONLY_ROLES

    def _repr_html_(self) -> str:
        return as_html(self)

    def label(self) -> str:
        """One line for messages and menus: ``5012345 "EU shop" (ACCOUNT_MANAGER)``."""
        name = f' "{self.name}"' if self.name else ""
        return f"{self.id}{name} ({self.role})"


class AccountList(list[AdAccount]):
    """The accounts ``conn.ad_accounts()`` returns: a list that shows itself as a table.

    Examples
    --------
    >>> print(repr(AccountList([AdAccount(id=1, name="EU", role="VIEWER")])))
    id  name  role    usable  status  currency  test
    --  ----  ------  ------  ------  --------  ----
     1  EU    VIEWER  no      –       –         –
    """

    def _repr_html_(self) -> str:
        return as_html(self)

    def __repr__(self) -> str:
        return as_text(self)


def account_id(value: int | str) -> str:
    """The numeric id (as a string) of an account given as an int, digits or a URN.

    Raises
    ------
    ConfigError
        Anything else.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(C.ACCOUNT_URN_PREFIX):
            text = text[len(C.ACCOUNT_URN_PREFIX) :]
        if text.isdigit() and int(text) > 0:
            return str(int(text))
    raise ConfigError(
        f"ad_account_id: expected a numeric id or '{C.ACCOUNT_URN_PREFIX}<id>'; got {value!r}"
    )


def account_urn(value: int | str) -> str:
    """``urn:li:sponsoredAccount:<id>`` for an account id or URN."""
    return f"{C.ACCOUNT_URN_PREFIX}{account_id(value)}"


def ad_accounts(conn: Requester) -> AccountList:
    """Every ad account the authenticated member has a role on, with names.

    Parameters
    ----------
    conn
        A :class:`~linkedin_capi.Connection`.

    Returns
    -------
    list of AdAccount
        In LinkedIn's order; an account listed twice keeps its first role.
    """
    accounts: dict[int, AdAccount] = {}
    for element in iter_elements(
        conn, "/adAccountUsers", "q=authenticatedUser", page_size=_PAGE_SIZE
    ):
        urn = element.get("account")
        role = element.get("role")
        if not isinstance(urn, str) or not isinstance(role, str):
            log.warning("skipping an adAccountUsers element without account/role")
            continue
        aid = int(account_id(urn))
        if aid not in accounts:
            accounts[aid] = AdAccount.model_validate(
                {"id": aid, "role": role, **_details(conn, aid)}
            )
    return AccountList(accounts.values())


def authenticated_member(conn: Requester) -> str | None:
    """The URN of the member the token belongs to (``urn:li:person:...``), if LinkedIn says.

    Read from the first ``adAccountUsers?q=authenticatedUser`` element (scope ``r_ads``; no
    profile scope needed). ``None`` when the member has no ad account role at all.
    """
    for element in iter_elements(
        conn, "/adAccountUsers", "q=authenticatedUser", page_size=_PAGE_SIZE
    ):
        user = element.get("user")
        if isinstance(user, str) and user:
            return user
    return None


def _details(conn: Requester, aid: int) -> dict[str, object]:
    try:
        data = json_body(conn.request("GET", f"/adAccounts/{aid}"))
    except (NotFoundError, PermissionDeniedError) as exc:
        # The role listing is what matters; a missing name must not hide the account.
        log.info("no details for ad account %d (HTTP %s)", aid, exc.status)
        return {}
    keys = ("name", "status", "currency", "type", "test")
    return {k: data[k] for k in keys if data.get(k) is not None}


def choose_account(accounts: Sequence[AdAccount]) -> AdAccount:
    """The one usable account, like the connector's auto-populated "Ad Account ID".

    Raises
    ------
    ConfigError
        None or several usable accounts; the message lists them so you can pass
        ``ad_account_id=...``.
    """
    usable = [a for a in accounts if a.usable]
    if len(usable) == 1:
        return usable[0]
    if not usable:
        seen = "; ".join(a.label() for a in accounts) or "none"
        raise ConfigError(
            "no ad account you can upload to: conversions need a role other than VIEWER "
            f"(accounts found: {seen}). Ask an account manager for a role, or re-authorize "
            "as a member who has one."
        )
    raise ConfigError(
        f"{len(usable)} ad accounts are usable; choose one with ad_account_id=...: "
        + "; ".join(a.label() for a in usable)
    )


def resolve_account_id(conn: Requester) -> str:
    """``conn.ad_account_id`` if set, else the member's one usable account (see above)."""
    given = getattr(conn, "ad_account_id", None)
    if given is not None:
        return account_id(given)
    chosen = choose_account(ad_accounts(conn))
    log.info("using ad account %s, the only one this member can upload to", chosen.label())
    return str(chosen.id)
