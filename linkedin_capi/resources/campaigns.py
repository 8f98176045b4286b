"""Campaigns of an ad account, and linking them to conversion rules (issue 13, item 5).

* ``GET /rest/adAccounts/<id>/adCampaigns?q=search`` with cursor paging (``pageSize``,
  ``pageToken``, ``metadata.nextPageToken``) lists the account's campaigns (api.md §3.5).
* ``PUT /rest/campaignConversions/(campaign:<urn>,conversion:<urn>)`` with body
  ``{"campaign": …, "conversion": …}`` → 204 links one campaign to a rule; ``DELETE`` on the
  same key unlinks it (URNs inside the key percent-encoded, Rest.li 2.0).

Only campaigns linked to a rule attribute its conversions in reporting (audit F2).

Examples
--------
>>> campaign_key(12, 34)
'(campaign:urn%3Ali%3AsponsoredCampaign%3A12,conversion:urn%3Alla%3AllaPartnerConversion%3A34)'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from linkedin_capi import _constants as C
from linkedin_capi._render import as_html, as_text
from linkedin_capi.client.restli import Requester, encode, json_body
from linkedin_capi.errors import APIError, ConfigError

__all__ = ["CAMPAIGN_URN_PREFIX", "Campaign", "associate", "campaign_key", "campaigns"]

CAMPAIGN_URN_PREFIX = "urn:li:sponsoredCampaign:"
_PAGE_SIZE = 100


class Campaign(BaseModel):
    """A campaign of an ad account (the fields the finder returns)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    id: int
    name: str = ""
    status: str | None = None
    account: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def urn(self) -> str:
        """``urn:li:sponsoredCampaign:<id>``."""
        return f"{CAMPAIGN_URN_PREFIX}{self.id}"

    def _repr_html_(self) -> str:
        return as_html(self)

    def __str__(self) -> str:
        return as_text(self)


def campaign_id(campaign: Campaign | int | str) -> int:
    """The numeric id of a campaign given as a model, an int, a digit string or a URN."""
    if isinstance(campaign, Campaign):
        return campaign.id
    if isinstance(campaign, int) and not isinstance(campaign, bool) and campaign > 0:
        return campaign
    if isinstance(campaign, str):
        text = campaign.strip().removeprefix(CAMPAIGN_URN_PREFIX)
        if text.isascii() and text.isdigit() and int(text) > 0:
            return int(text)
    raise ConfigError(
        f"campaign: expected a Campaign, an id or '{CAMPAIGN_URN_PREFIX}<id>'; got {campaign!r:.60}"
    )


def campaign_key(campaign: int, rule: int) -> str:
    """The Rest.li 2.0 compound key of one campaign-rule link (URNs percent-encoded)."""
    return (
        f"(campaign:{encode(f'{CAMPAIGN_URN_PREFIX}{campaign}')},"
        f"conversion:{encode(f'{C.RULE_URN_PREFIX}{rule}')})"
    )


def campaigns(conn: Requester, account_id: int, *, page_size: int = _PAGE_SIZE) -> list[Campaign]:
    """Every campaign of ``account_id``, following ``nextPageToken`` (bounded by MAX_PAGES)."""
    out: list[Campaign] = []
    token: str | None = None
    for _ in range(C.MAX_PAGES):
        params = f"q=search&pageSize={page_size}"
        if token:
            params += f"&pageToken={encode(token)}"
        resp = conn.request("GET", f"/adAccounts/{account_id}/adCampaigns", params=params)
        body: dict[str, Any] = json_body(resp)
        elements = body.get("elements") or []
        out.extend(Campaign.model_validate(e) for e in elements)
        token = (body.get("metadata") or {}).get("nextPageToken")
        if not token or not elements:
            return out
    raise APIError(f"adCampaigns kept paging after {C.MAX_PAGES} pages; stopped")


def associate(
    conn: Requester, rule: int, items: Iterable[Campaign | int | str], *, link: bool
) -> list[int]:
    """Link (``link=True``) or unlink ``items`` and ``rule``, one request each; their ids."""
    ids = sorted({campaign_id(c) for c in items})
    if not ids:
        raise ConfigError("campaigns: give at least one campaign (conn.campaigns() lists them)")
    for cid in ids:
        path = f"/campaignConversions/{campaign_key(cid, rule)}"
        if link:
            urns = {
                "campaign": f"{CAMPAIGN_URN_PREFIX}{cid}",
                "conversion": f"{C.RULE_URN_PREFIX}{rule}",
            }
            conn.request("PUT", path, json=urns)
        else:
            conn.request("DELETE", path)
    return ids
