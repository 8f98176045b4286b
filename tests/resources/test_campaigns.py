"""Issue 13 item 5: campaigns and campaignConversions, against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import linkedin_capi as capi
from linkedin_capi.errors import ConfigError
from linkedin_capi.resources.campaigns import Campaign
from linkedin_capi.sandbox import Sandbox


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox().start()
    yield sandbox
    sandbox.stop()


def test_campaigns_are_listed_over_every_page(sb: Sandbox) -> None:
    extra = [sb.add_campaign(f"Extra {i}") for i in range(3)]
    conn = capi.Connection(**sb.connection_kwargs())
    from linkedin_capi.resources.campaigns import campaigns

    found = campaigns(conn, sb.account_id, page_size=2)
    assert [c.id for c in found][: len(sb.campaign_ids)] == list(sb.campaign_ids)
    assert len(found) == len(sb.campaign_ids) + len(extra)
    assert [c.id for c in conn.campaigns()] == [c.id for c in found]
    assert all(isinstance(c, Campaign) and c.urn.endswith(str(c.id)) for c in found)
    assert "Campaign(" in repr(found[0])
    assert str(found[0]).startswith(f"Campaign {found[0].id} ")
    assert found[0].urn in found[0]._repr_html_()


def test_associate_and_disassociate_through_campaign_conversions(sb: Sandbox) -> None:
    conn = capi.Connection(**sb.connection_kwargs())
    first, second = conn.campaigns()[:2]
    assert conn.rules.associate(sb.rule_id, [first, second.urn]) == sorted([first.id, second.id])
    linked = conn.rules.get(sb.rule_id).campaigns
    assert set(linked) >= {first.urn, second.urn}
    assert conn.rules.disassociate(sb.rule_id, [second.id]) == [second.id]
    linked = conn.rules.get(sb.rule_id).campaigns
    assert first.urn in linked and second.urn not in linked
    puts = [r for r in sb.requests if "campaignConversions" in r.path]
    assert [r.method for r in puts] == ["PUT", "PUT", "DELETE"]


def test_associate_needs_campaigns(sb: Sandbox) -> None:
    conn = capi.Connection(**sb.connection_kwargs())
    with pytest.raises(ConfigError, match="at least one campaign"):
        conn.rules.associate(sb.rule_id, [])
    with pytest.raises(ConfigError, match="expected a Campaign"):
        conn.rules.associate(sb.rule_id, ["nope"])
