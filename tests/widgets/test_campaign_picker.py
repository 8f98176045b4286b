"""RuleCreator's campaign picker, headless, against a real sandbox (issue 13, item 5).

"Link campaigns" → "Campaigns I choose" lists the chosen ad account's campaigns (every
page of ``adCampaigns``); after the rule is created the picked ones are linked through
``campaignConversions``, and the sandbox's rule must then hold exactly those campaigns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from linkedin_capi.sandbox import Sandbox
from linkedin_capi.widgets import RuleCreator

CHOSEN = "CHOSEN_CAMPAIGNS"
URN = "urn:li:sponsoredCampaign:"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def conn(sb: Sandbox) -> Iterator[Any]:
    connection = sb.connection(sleep=lambda _s: None)
    yield connection
    connection.close()


def requests_to(sb: Sandbox, method: str, part: str) -> list[Any]:
    return [r for r in sb.requests if r.method == method and part in r.path]


def test_the_picker_appears_only_when_chosen_and_lists_the_accounts_campaigns(
    sb: Sandbox, conn: Any
) -> None:
    other = sb.add_account("Client B", role="CAMPAIGN_MANAGER")
    theirs = sb.add_campaign("B's launch", account=other["id"])
    creator = RuleCreator(conn)
    assert creator.campaigns.layout.display == "none"
    assert requests_to(sb, "GET", "adCampaigns") == []  # nothing fetched until asked

    creator.auto_association.value = CHOSEN
    assert creator.campaigns.layout.display is None
    ids = [v for _, v in creator.campaigns.options]
    assert sorted(ids) == sorted(sb.campaign_ids)
    labels = [label for label, _ in creator.campaigns.options]
    assert labels == sorted(labels, key=str.lower)  # by name
    assert "Sandbox retargeting (draft) — draft" in labels[0]  # the status is shown
    assert "2 campaigns in this ad account" in creator.status.value

    creator.account.value = other["id"]  # another account: its campaigns only
    assert [v for _, v in creator.campaigns.options] == [theirs["id"]]

    creator.auto_association.value = "ALL_CAMPAIGNS"
    assert creator.campaigns.layout.display == "none"
    assert creator.campaigns.options == ()


def test_every_page_of_campaigns_is_listed(sb: Sandbox, conn: Any) -> None:
    added = [sb.add_campaign(f"Campaign {i:03d}")["id"] for i in range(120)]
    creator = RuleCreator(conn, auto_association=CHOSEN)
    assert sorted(v for _, v in creator.campaigns.options) == sorted([*sb.campaign_ids, *added])
    pages = requests_to(sb, "GET", "adCampaigns")
    assert len(pages) == 2 and "pageToken" in pages[1].query  # 122 campaigns, 100 a page


def test_create_links_the_picked_campaigns(sb: Sandbox, conn: Any) -> None:
    third = sb.add_campaign("Autumn", status="PAUSED")
    seen: list[Any] = []
    creator = RuleCreator(conn, name="Picked", auto_association=CHOSEN)
    creator.on_rule(seen.append)
    picked = (sb.campaign_ids[0], third["id"])
    creator.campaigns.value = picked
    creator.create_button.click()

    rule = creator.rule
    assert rule is not None and seen == [rule]
    stored = sb.rule(rule.id)
    assert sorted(stored["campaigns"]) == sorted(f"{URN}{c}" for c in picked)
    # .rule (and the panel) is the rule read back after linking, not as it was created
    assert sorted(rule.campaigns) == sorted(stored["campaigns"])
    shown = re.sub(r"<td[^>]*>", "<td>", creator.status.value)
    assert "<td>campaigns</td><td>2</td>" in shown
    (post,) = requests_to(sb, "POST", "/conversions")
    assert "autoAssociationType" not in post.query  # created unlinked, then linked
    assert len(requests_to(sb, "PUT", "campaignConversions")) == 2
    assert "Created conversion rule" in creator.status.value
    assert "Linked 2 campaigns" in creator.status.value and "Autumn" in creator.status.value
    assert not creator.create_button.disabled and not creator.campaigns.disabled


def test_choosing_but_picking_none_is_an_error_before_any_request(sb: Sandbox, conn: Any) -> None:
    creator = RuleCreator(conn, name="Nothing picked", auto_association=CHOSEN)
    before = len(sb.rules)
    creator.create_button.click()
    assert creator.rule is None and len(sb.rules) == before
    assert requests_to(sb, "POST", "/conversions") == []
    assert "campaigns: pick at least one campaign" in creator.status.value


def test_a_failed_listing_is_shown_in_the_form(sb: Sandbox, conn: Any) -> None:
    creator = RuleCreator(conn)
    sb.fail_next(403, path="adAccounts")
    creator.auto_association.value = CHOSEN
    assert creator.campaigns.options == ()
    assert "PermissionDeniedError" in creator.status.value
    assert "HTTP 403" in creator.status.value


def test_a_failed_link_keeps_the_rule_and_says_so_then_use_existing_retries(
    sb: Sandbox, conn: Any
) -> None:
    creator = RuleCreator(conn, name="Half done", auto_association=CHOSEN)
    creator.campaigns.value = (sb.campaign_ids[0],)
    sb.fail_next(403, path="campaignConversions")
    creator.create_button.click()

    rule = creator.rule
    assert rule is not None  # the rule exists: the form says so and hands it out
    assert sb.rule(rule.id)["campaigns"] == []
    assert "campaigns were not linked" in creator.status.value
    assert not creator.create_button.disabled

    creator.create_button.click()  # same name: the existing rule is offered
    assert creator.use_existing_button.layout.display is None
    creator.use_existing_button.click()
    assert sb.rule(rule.id)["campaigns"] == [f"{URN}{sb.campaign_ids[0]}"]
    assert "Linked 1 campaign:" in creator.status.value


def test_everything_is_disabled_while_linking() -> None:
    states: list[tuple[bool, bool, str]] = []
    creator: RuleCreator | None = None

    def record(_seconds: float) -> None:  # the sandbox's latency hook runs mid-request
        if creator is not None:
            states.append(
                (
                    creator.create_button.disabled,
                    creator.campaigns.disabled,
                    creator.create_button.description,
                )
            )

    with Sandbox(sleep=record) as slow:
        creator = RuleCreator(slow.connection(), name="Slow", auto_association=CHOSEN)
        creator.campaigns.value = tuple(slow.campaign_ids)
        slow.set_latency(0.5, path="campaignConversions")
        creator.create_button.click()
        linked = slow.rule(creator.rule.id)["campaigns"] if creator.rule else []
    assert len(states) == 2  # one per link request
    assert all(s == (True, True, "Working…") for s in states)
    assert len(linked) == 2
    assert not creator.create_button.disabled and not creator.campaigns.disabled
