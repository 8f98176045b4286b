"""Issue 13: every rule an export uses is checked before the first event (audit §3 item 1)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from _support.fake_linkedin import FakeClock, FakeLinkedIn, Reply, enabled_rule, make_conn

import linkedin_capi as capi
from linkedin_capi.engine.payload import rule_groups
from linkedin_capi.errors import ConfigError

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
T = "2026-11-27T10:00:00Z"


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    server = FakeLinkedIn().start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def rows(rules: list[Any]) -> pl.DataFrame:
    n = len(rules)
    return pl.DataFrame(
        {
            "conversionHappenedAt": [T] * n,
            "ACXIOM_ID": [f"a{i}" for i in range(n)],
            "conversion": rules,
        }
    )


def events_sent(fake: FakeLinkedIn) -> list[Any]:
    return [s for s in fake.seen if s.path.startswith("/rest/conversionEvents")]


BAD = [
    (
        enabled_rule(7, enabled=False),
        r"rule 'rule 7' \(id 7\) is disabled.*conn\.rules\.update\(7, enabled=True\)",
    ),
    (
        enabled_rule(7, conversionMethod="INSIGHT_TAG"),
        r"this is an Insight Tag.*rule.*conn\.rules\.ensure\(",
    ),
    (
        enabled_rule(7, account="urn:li:sponsoredAccount:2"),
        r"belongs to urn:li:sponsoredAccount:2, not to .*urn:li:sponsoredAccount:1",
    ),
]


@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize(("rule", "message"), BAD)
def test_a_bad_rule_is_refused_before_any_event(
    fake: FakeLinkedIn, clock: FakeClock, rule: dict[str, Any], message: str, streaming: bool
) -> None:
    fake.rules[7] = Reply(200, rule)
    data = rows([7, 7, 7])
    with pytest.raises(ConfigError, match=message) as info:
        capi.export(data.lazy() if streaming else data, make_conn(fake, clock), now=NOW)
    assert events_sent(fake) == []
    assert [s.path.split("?")[0] for s in fake.rule_requests] == ["/rest/conversions/7"]
    if not streaming:
        assert info.value.result is not None and info.value.result.failed == 3


def test_a_missing_rule_is_refused_before_any_event(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.rules[9] = Reply(404, {"status": 404, "message": "Conversion 9 not found"})
    with pytest.raises(ConfigError, match=r"conversion rule 9 .* was not found in ad account"):
        capi.export(rows([9]), make_conn(fake, clock), now=NOW)
    assert events_sent(fake) == []


def test_the_argument_and_row_rules_are_each_fetched_once_per_connection(
    fake: FakeLinkedIn, clock: FakeClock
) -> None:
    conn = make_conn(fake, clock)
    data = rows([5, None, 6, 5, None])
    for _ in range(2):
        result = capi.export(data, conn, 4, now=NOW)
        assert result.sent == 5
    fetched = sorted(re.sub(r"\?.*", "", s.path) for s in fake.rule_requests)
    assert fetched == ["/rest/conversions/4", "/rest/conversions/5", "/rest/conversions/6"]
    assert all("account=urn%3Ali%3AsponsoredAccount%3A1" in s.path for s in fake.rule_requests)


def test_one_bad_rule_among_good_ones_stops_everything(
    fake: FakeLinkedIn, clock: FakeClock
) -> None:
    fake.rules[6] = Reply(200, enabled_rule(6, enabled=False))
    with pytest.raises(ConfigError, match=r"id 6\) is disabled"):
        capi.export(rows([5, 6, 5]), make_conn(fake, clock), now=NOW)
    assert events_sent(fake) == []


def test_dry_run_checks_nothing(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.rules[7] = Reply(200, enabled_rule(7, enabled=False))
    result = capi.export(rows([7]), make_conn(fake, clock), now=NOW, dry_run=True)
    assert result.rows["status"].to_list() == ["dry_run"]
    assert fake.rule_requests == [] and fake.seen == []


def test_no_batch_carries_more_than_100_distinct_rules(
    fake: FakeLinkedIn, clock: FakeClock
) -> None:
    rules = [1000 + i % 250 for i in range(500)]
    result = capi.export(rows(rules), make_conn(fake, clock), now=NOW)
    assert result.sent == 500
    batches = events_sent(fake)
    assert len(batches) == 3
    per_batch = [{e["conversion"] for e in b.json()["elements"]} for b in batches]
    assert [len(r) for r in per_batch] == [100, 100, 50]
    assert set().union(*per_batch) == {f"urn:lla:llaPartnerConversion:{r}" for r in set(rules)}


def test_rule_groups_keep_small_frames_whole_and_row_order() -> None:
    df = pl.DataFrame({"_row": range(6), "conversion": ["a", "b", "a", "c", "b", "a"]})
    (whole,) = rule_groups(df)
    assert whole["_row"].to_list() == list(range(6))
    parts = [p["_row"].to_list() for p in rule_groups(df, max_rules=1)]
    assert parts == [[0, 2, 5], [1, 4], [3]]


def test_validation_follows_the_connection_version(fake: FakeLinkedIn, clock: FakeClock) -> None:
    data = pl.DataFrame(
        {"conversionHappenedAt": [T, T], "ORACLE_MOAT_ID": ["m", "n"], "ACXIOM_ID": ["a", None]}
    )
    old = capi.export(data, make_conn(fake, clock, api_version="202608"), 4, now=NOW)
    assert old.sent == 2
    new = capi.export(data, make_conn(fake, clock, api_version="202609"), 4, now=NOW)
    assert (new.sent, new.invalid) == (1, 1)
    sent = [e for b in events_sent(fake)[1:] for e in b.json()["elements"]]
    assert [e["user"]["userIds"] for e in sent] == [[{"idType": "ACXIOM_ID", "idValue": "a"}]]
