"""Rules, accounts, connections and export results as Jupyter and terminals show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

from linkedin_capi.delivery.result import ExportResult
from linkedin_capi.resources.accounts import AccountList, AdAccount
from linkedin_capi.resources.rules import ConversionRule, RuleList
from linkedin_capi.sandbox import Sandbox


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def conn(sb: Sandbox) -> Iterator[Any]:
    connection = sb.connection(sleep=lambda _s: None)
    yield connection
    connection.close()


def test_rule_list_is_a_list_that_prints_as_a_table(sb: Sandbox, conn: Any) -> None:
    rules = conn.rules.list()
    assert isinstance(rules, RuleList) and isinstance(rules, list)
    assert [r.id for r in rules] == [sb.rule_id, sb.tag_rule_id]
    lines = repr(rules).splitlines()
    assert lines[0].split() == [
        "id",
        "name",
        "type",
        "post-click",
        "view-through",
        "attribution",
        "enabled",
    ]
    assert str(sb.rule_id) in lines[2] and "Purchase" in lines[2] and "30 days" in lines[2]
    page = rules._repr_html_()
    assert "2 rules" in page
    # The Insight Tag rule is marked: events cannot be sent to it.
    assert "not for the Conversions API" in page
    assert page.count("not for the Conversions API") == 1


def test_conversions_api_only_list_is_a_rule_list_too(conn: Any) -> None:
    assert isinstance(conn.rules.list(conversions_api_only=True), RuleList)


def test_one_rule_shows_id_urn_and_settings(sb: Sandbox, conn: Any) -> None:
    rule = conn.rules.get(sb.rule_id)
    page = rule._repr_html_()
    assert f"<code>urn:lla:llaPartnerConversion:{sb.rule_id}</code>" in page
    assert "Purchase" in page and "30 days" in page and "Last touch by campaign" in page
    text = str(rule)
    assert f"URN                  urn:lla:llaPartnerConversion:{sb.rule_id}" in text
    assert repr(rule).startswith("ConversionRule(")  # the model's repr is unchanged


def test_rule_names_are_escaped() -> None:
    rule = ConversionRule(id=1, name="<img src=x onerror=alert(1)>")
    assert "<img" not in rule._repr_html_()
    assert "&lt;img" in rule._repr_html_()
    assert "<img" not in RuleList([rule])._repr_html_()


def test_accounts_show_role_and_usability(sb: Sandbox, conn: Any) -> None:
    accounts = conn.ad_accounts()
    assert isinstance(accounts, AccountList)
    text = repr(accounts)
    manager, viewer = text.splitlines()[2:4]
    assert str(sb.account_id) in manager and "ACCOUNT_MANAGER" in manager and " yes " in manager
    assert str(sb.viewer_account_id) in viewer and "VIEWER" in viewer and " no " in viewer
    page = accounts._repr_html_()
    assert "Sandbox Outdoor Co." in page and "2 accounts" in page
    one = AdAccount(id=5, name="<b>EU</b>", role="VIEWER")._repr_html_()
    assert "AdAccount" in one and "&lt;b&gt;EU" in one and "<b>EU" not in one


def test_connection_html_shows_state_never_secrets(sb: Sandbox, conn: Any) -> None:
    before = conn._repr_html_()
    assert "none yet" in before
    conn.ad_accounts()  # fetches an access token
    after = conn._repr_html_()
    assert "set, valid until" in after
    assert str(sb.account_id) in after and "202607" in after and "sunset" in after
    live = conn.token.access_token.get_secret_value()
    for secret in (sb.client_secret, sb.refresh_token, live):
        assert secret not in before and secret not in after


def test_export_result_html_counts_and_top_problems() -> None:
    rows = pl.DataFrame(
        {
            "_row": pl.Series(range(6), dtype=pl.UInt32),
            "status": ["sent", "sent", "failed", "invalid", "invalid", "skipped"],
            "error": [
                None,
                None,
                "LinkedIn: user jane@example.com unknown",
                "amount: not a number",
                "amount: not a number",
                "conversionHappenedAt: older than 90 days",
            ],
        }
    )
    result = ExportResult(rows=rows, report=None, requests=3)
    page = result._repr_html_()
    assert "2 sent" in page and "1 failed" in page and "2 invalid" in page and "1 skipped" in page
    assert "needs attention" in page and "3 requests" in page
    assert "Most frequent problems" in page
    assert "amount: not a number</td><td style='text-align:right" in page
    assert "jane@example.com" not in page and "j***@example.com" in page
    text = str(result).splitlines()
    assert text[0] == "ExportResult: 6 rows: 2 sent, 1 failed, 2 invalid, 1 skipped"
    assert text[1] == "  2 invalid: amount: not a number"
    assert text[2] == "  1 failed: LinkedIn: user j***@example.com unknown"
    assert "j***@example.com" in str(result)


def test_export_result_groups_linkedin_messages_with_numbers_stripped_and_shows_them_whole() -> (
    None
):
    fix = "Conversion's method should be CONVERSIONS_API (rule urn:lla:llaPartnerConversion:{})"
    rows = pl.DataFrame(
        {
            "_row": pl.Series(range(3), dtype=pl.UInt32),
            "status": ["failed"] * 3,
            "error": [f"/elements/{i}: " + fix.format(100 + i) for i in range(3)],
        }
    )
    result = ExportResult(rows=rows, report=None)
    assert result.reasons().select("status", "rows").rows() == [("failed", 3)]
    text = str(result)
    assert "  3 failed: /elements/0: " + fix.format(100) in text  # whole, not cut at 48
    page = result._repr_html_()
    assert "<details><summary>" in page and "should be CONVERSIONS_API" in page


def test_export_result_from_the_sandbox(sb: Sandbox, conn: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [(now - dt.timedelta(hours=1)).isoformat(), "bad"],
            "SHA256_EMAIL": ["a@b.co", "c@d.co"],
        }
    )
    result = df.capi.export(conn, conversion=sb.rule_id, progress=False)
    page = result._repr_html_()
    assert "1 sent" in page and "1 invalid" in page
    assert repr(result) == "ExportResult(2 rows: 1 sent, 1 invalid, ok=False)"


def test_views_registered_by_name_name_real_classes() -> None:
    """The display registry names the HTTP side's classes instead of importing them."""
    import importlib

    from linkedin_capi.display._registry import _VIEWS

    named = [cls for cls, _html, _text in _VIEWS if isinstance(cls, str)]
    assert len(named) == 6  # rules, rule lists, accounts, account lists, connection, campaigns
    for dotted in named:
        module, _, qualname = dotted.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), qualname), type), dotted


def test_a_subclass_of_a_named_class_finds_its_view() -> None:
    from linkedin_capi._render import as_html
    from linkedin_capi.connection import Connection
    from linkedin_capi.display.views import connection_html

    class MyConnection(Connection):
        pass

    conn = MyConnection(access_token="t", ad_account_id=1)
    page = as_html(conn)
    assert page == connection_html(conn)
    assert not page.startswith("<pre>")  # not the default: the plain repr
