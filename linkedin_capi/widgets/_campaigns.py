"""The RuleCreator's campaign picker: list an ad account's campaigns, link the chosen ones.

Only campaigns linked to a rule attribute its conversions in reporting (audit F2). LinkedIn
links campaigns automatically only at creation and only all of them or those whose
objective fits (``autoAssociationType``); to link *some*, the rule is created with no
auto-association and each chosen campaign is linked through ``campaignConversions``
(``conn.rules.associate``). Both calls are the library's; this module only turns their
results into menu options and a status line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from linkedin_capi.widgets._common import rules_of

__all__ = ["CHOSEN_CAMPAIGNS", "campaign_options", "link_campaigns"]

#: The "Link campaigns" value that shows the picker. It is the form's own: the rule is
#: created with no auto-association (``NONE``), then the picked campaigns are linked.
CHOSEN_CAMPAIGNS = "CHOSEN_CAMPAIGNS"
CHOSEN_LABEL = "Campaigns I choose (pick below)"


def campaign_options(conn: Any, account_id: int) -> list[tuple[str, int]]:
    """``(label, id)`` for every campaign of ``account_id`` (all pages), sorted by name.

    The label carries the status, so a draft or paused campaign is not mistaken for a
    running one.

    Examples
    --------
    >>> from linkedin_capi.sandbox import Sandbox
    >>> with Sandbox() as sb:
    ...     for label, campaign_id in campaign_options(sb.connection(), sb.account_id):
    ...         print(label)
    Sandbox retargeting (draft) — draft, 600000002
    Sandbox spring sale — active, 600000001
    """
    from linkedin_capi.resources.campaigns import campaigns

    found = campaigns(conn, int(account_id))
    found.sort(key=lambda c: (c.name.lower(), c.id))
    return [(_label(c), c.id) for c in found]


def _label(campaign: Any) -> str:
    name = campaign.name or "(no name)"
    status = (campaign.status or "status unknown").lower()
    return f"{name} — {status}, {campaign.id}"


def link_campaigns(
    conn: Any, account_id: int, rule: Any, chosen: Sequence[int]
) -> tuple[list[int], Any]:
    """Link ``chosen`` campaign ids to ``rule`` (``rules.associate``).

    Returns the ids linked and the rule read back (``rules.get``), so what the form shows
    and hands out lists the campaigns LinkedIn now has, not the rule as it was created.
    """
    rules = rules_of(conn, account_id)
    linked: list[int] = rules.associate(rule, list(chosen))
    return linked, rules.get(rule.id)
