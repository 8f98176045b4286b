"""The notebook forms, headless: set ``.value``, ``click()``, read what the form shows.

Every test talks to a real :class:`~linkedin_capi.sandbox.Sandbox` on 127.0.0.1, so the
forms go through the same HTTP calls a notebook makes.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
import traitlets

from linkedin_capi import _constants as C
from linkedin_capi.errors import ConfigError
from linkedin_capi.sandbox import Sandbox
from linkedin_capi.widgets import ExportPanel, RuleCreator, RulePicker


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def conn(sb: Sandbox) -> Any:
    connection = sb.connection(sleep=lambda _s: None)
    yield connection
    connection.close()


def rule_posts(sb: Sandbox) -> list[Any]:
    return [r for r in sb.requests if r.method == "POST" and r.path.endswith("/conversions")]


# -- packaging --------------------------------------------------------------------------------


def test_package_import_does_not_import_widgets() -> None:
    code = (
        "import sys, linkedin_capi; "
        "bad = [m for m in ('ipywidgets', 'linkedin_capi.widgets') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# -- RuleCreator: the fields -----------------------------------------------------------------


def test_account_menu_lists_usable_accounts_and_defaults_to_the_connections(
    sb: Sandbox, conn: Any
) -> None:
    other = sb.add_account("Client B", role="CAMPAIGN_MANAGER")
    creator = RuleCreator(conn)
    ids = [value for _, value in creator.account.options]
    assert ids == [sb.account_id, other["id"]]  # the VIEWER account is not offered
    assert sb.viewer_account_id not in ids
    assert creator.account.value == sb.account_id
    assert "Sandbox Outdoor Co." in creator.account.options[0][0]

    second = RuleCreator(sb.connection(ad_account_id=other["id"]))
    assert second.account.value == other["id"]


def test_conversion_types_have_readable_labels(conn: Any) -> None:
    creator = RuleCreator(conn)
    labels = dict(creator.type.options)
    assert set(labels.values()) == set(C.CONVERSION_TYPES)
    assert labels["Add to cart"] == "ADD_TO_CART"
    assert labels["Marketing qualified lead"] == "MARKETING_QUALIFIED_LEAD"
    assert creator.type.value == C.DEFAULT_CONVERSION_TYPE


def test_post_click_windows_follow_the_type(conn: Any) -> None:
    creator = RuleCreator(conn)
    creator.type.value = "PURCHASE"
    assert [d for _, d in creator.post_click.options] == [1, 7, 30, 90, 180, 365]
    creator.type.value = "SAVE"
    assert [d for _, d in creator.post_click.options] == [1, 7, 30, 90, 180]


def test_365_days_with_a_type_that_does_not_allow_it(conn: Any) -> None:
    creator = RuleCreator(conn)
    creator.type.value = "PURCHASE"
    creator.post_click.value = 365
    creator.type.value = "SIGN_UP"
    # The form never holds the invalid combination: it falls back and says why.
    assert creator.post_click.value == C.DEFAULT_POST_CLICK_WINDOW
    assert "365-day post-click window is only available" in creator.status.value
    with pytest.raises(traitlets.TraitError):
        creator.post_click.value = 365
    # A window the new type allows is kept.
    creator.post_click.value = 90
    creator.type.value = "LEAD"
    assert creator.post_click.value == 90


def test_initial_settings_and_bad_ones(conn: Any) -> None:
    creator = RuleCreator(
        conn,
        name="Leads",
        type="lead",
        post_click_window=365,
        attribution_type="last touch by conversion",
    )
    assert (creator.name.value, creator.type.value, creator.post_click.value) == (
        "Leads",
        "LEAD",
        365,
    )
    assert creator.attribution.value == "LAST_TOUCH_BY_CONVERSION"
    with pytest.raises(ConfigError, match="post_click_window: expected one of 1, 7, 30, 90"):
        RuleCreator(conn, type="SAVE", post_click_window=365)
    with pytest.raises(ConfigError, match="unknown rule setting"):
        RuleCreator(conn, colour="red")


# -- RuleCreator: creating ----------------------------------------------------------------------


def test_create_sends_every_field_and_shows_the_rule(sb: Sandbox, conn: Any) -> None:
    seen: list[Any] = []
    creator = RuleCreator(conn)
    creator.on_rule(seen.append)
    creator.name.value = "Demo requests"
    creator.type.value = "QUALIFIED_LEAD"
    creator.post_click.value = 365
    creator.view_through.value = 30
    creator.attribution.value = "LAST_TOUCH_BY_CONVERSION"
    creator.auto_association.value = "OBJECTIVE_BASED"
    creator.enabled.value = False
    creator.create_button.click()

    rule = creator.rule
    assert rule is not None and seen == [rule]
    stored = sb.rule(rule.id)
    assert stored["name"] == "Demo requests"
    assert stored["type"] == "QUALIFIED_LEAD"
    assert stored["postClickAttributionWindowSize"] == 365
    assert stored["viewThroughAttributionWindowSize"] == 30
    assert stored["attributionType"] == "LAST_TOUCH_BY_CONVERSION"
    assert stored["enabled"] is False
    assert stored["conversionMethod"] == "CONVERSIONS_API"
    (post,) = rule_posts(sb)
    assert post.query.get("autoAssociationType") == ["OBJECTIVE_BASED"]
    # The form shows the result: id, URN, settings.
    assert "Created conversion rule" in creator.status.value
    assert f"urn:lla:llaPartnerConversion:{rule.id}" in creator.status.value
    assert "Qualified lead" in creator.status.value and "365 days" in creator.status.value
    assert not creator.create_button.disabled
    assert creator.create_button.description == "Create rule"


def test_no_auto_association_sends_no_parameter(sb: Sandbox, conn: Any) -> None:
    creator = RuleCreator(conn, name="Quiet", auto_association="NONE")
    creator.create_button.click()
    (post,) = rule_posts(sb)
    assert "autoAssociationType" not in post.query
    assert creator.rule is not None


def test_create_in_the_chosen_account(sb: Sandbox, conn: Any) -> None:
    other = sb.add_account("Client B", role="CAMPAIGN_MANAGER")
    creator = RuleCreator(conn, name="B rule")
    creator.account.value = other["id"]
    creator.create_button.click()
    assert creator.rule is not None
    assert sb.rule(creator.rule.id)["account"] == f"urn:li:sponsoredAccount:{other['id']}"


def test_button_is_disabled_while_working(conn: Any) -> None:
    states: list[tuple[bool, str]] = []
    creator: RuleCreator | None = None

    def record(_seconds: float) -> None:  # the sandbox's latency hook runs mid-request
        if creator is not None:
            states.append((creator.create_button.disabled, creator.create_button.description))

    with Sandbox(sleep=record) as slow:
        slow_conn = slow.connection()
        creator = RuleCreator(slow_conn, name="Slow one")
        slow.set_latency(0.5)
        creator.create_button.click()
    assert states and all(s == (True, "Working…") for s in states)
    assert not creator.create_button.disabled
    assert creator.rule is not None


def test_existing_name_offers_the_existing_rule(sb: Sandbox, conn: Any) -> None:
    seen: list[Any] = []
    name = "Sandbox purchase (Conversions API)"
    creator = RuleCreator(conn, name=name, type="PURCHASE", post_click_window=90)
    creator.on_rule(seen.append)
    before = len(sb.rules)
    creator.create_button.click()

    assert len(sb.rules) == before and rule_posts(sb) == []  # nothing created
    assert creator.rule is None
    assert creator.use_existing_button.layout.display is None  # shown
    assert "already exists" in creator.status.value
    assert f"urn:lla:llaPartnerConversion:{sb.rule_id}" in creator.status.value
    assert "post_click_window is 30 (form: 90)" in creator.status.value

    creator.use_existing_button.click()
    assert creator.rule is not None and creator.rule.id == sb.rule_id
    assert seen == [creator.rule]
    assert creator.use_existing_button.layout.display == "none"
    assert "Using existing conversion rule" in creator.status.value


def test_editing_the_name_withdraws_the_offer(conn: Any) -> None:
    creator = RuleCreator(conn, name="Sandbox purchase (Conversions API)")
    creator.create_button.click()
    creator.name.value = "Something else"
    assert creator.use_existing_button.layout.display == "none"
    creator.use_existing_button.click()  # a stale click does nothing
    assert creator.rule is None


def test_existing_insight_tag_rule_is_refused(sb: Sandbox, conn: Any) -> None:
    creator = RuleCreator(conn, name="Sandbox sign-up (Insight Tag)")
    creator.create_button.click()
    assert creator.rule is None
    assert "ConfigError" in creator.status.value
    assert "cannot receive Conversions API events" in creator.status.value
    assert creator.use_existing_button.layout.display == "none"


def test_empty_name_is_an_error_in_the_form(sb: Sandbox, conn: Any) -> None:
    creator = RuleCreator(conn)
    sb.clear_requests()
    creator.name.value = "   "
    creator.create_button.click()
    assert "rule name: enter a name" in creator.status.value
    assert sb.requests == []


@pytest.mark.parametrize(
    ("status", "error"),
    [(403, "PermissionDeniedError"), (404, "NotFoundError"), (422, "APIError")],
)
def test_api_errors_are_shown_in_the_form(sb: Sandbox, conn: Any, status: int, error: str) -> None:
    creator = RuleCreator(conn, name="Will fail")
    sb.fail_next(status, path="conversions")
    creator.create_button.click()
    assert creator.rule is None
    assert error in creator.status.value
    assert f">{status}</td>" in creator.status.value  # the HTTP status, in the details
    assert not creator.create_button.disabled


def test_account_list_failure_is_shown(sb: Sandbox) -> None:
    sb.fail_next(403, path="adAccountUsers")
    creator = RuleCreator(sb.connection())
    assert "PermissionDeniedError" in creator.status.value
    assert creator.account.options == ()


def test_member_with_only_viewer_accounts() -> None:
    with Sandbox(seed=False) as viewer_only:
        viewer_only.add_account("Read only", role="VIEWER")
        creator = RuleCreator(viewer_only.connection(ad_account_id=None))
        assert creator.account.options == ()
        assert "every account of this member is VIEWER only" in creator.status.value
        creator.name.value = "x"
        creator.create_button.click()
        assert "ad account: no account to create the rule in" in creator.status.value
        assert rule_posts(viewer_only) == []
    assert creator.rule is None


# -- RulePicker ----------------------------------------------------------------------------------


def test_picker_lists_conversions_api_rules_and_searches(sb: Sandbox, conn: Any) -> None:
    sb.add_rule("Demo requests", type="LEAD")
    sb.add_rule("demo signups", type="SIGN_UP")
    picker = RulePicker(conn)
    names = [label for label, _ in picker.select.options]
    assert not any("Insight Tag" in n for n in names)
    assert len(names) == 3
    picker.search.value = "DEMO"
    assert [label.split(" (")[0] for label, _ in picker.select.options] == [
        "Demo requests",
        "demo signups",
    ]
    seen: list[Any] = []
    picker.on_rule(seen.append)
    picker.select.value = picker.select.options[0][1]
    assert picker.rule is not None and picker.rule.name == "Demo requests"
    assert seen == [picker.rule]
    assert picker.rule.urn in picker.status.value
    picker.search.value = "nothing matches"
    assert picker.select.options == ()
    assert picker.rule.name == "Demo requests"  # filtering keeps the choice


def test_picker_refresh_sees_new_rules_and_shows_errors(sb: Sandbox, conn: Any) -> None:
    picker = RulePicker(conn)
    sb.add_rule("Added later")
    picker.refresh_button.click()
    assert any("Added later" in label for label, _ in picker.select.options)
    sb.fail_next(403, path="conversions")
    picker.refresh_button.click()
    assert "PermissionDeniedError" in picker.status.value


# -- ExportPanel ---------------------------------------------------------------------------


def frame(n_valid: int = 3, n_bad: int = 1) -> pl.DataFrame:
    now = dt.datetime.now(dt.UTC)
    times = [(now - dt.timedelta(hours=i + 1)).isoformat() for i in range(n_valid)]
    return pl.DataFrame(
        {
            "conversionHappenedAt": times + ["not a time"] * n_bad,
            "SHA256_EMAIL": [f"user{i}@example.com" for i in range(n_valid + n_bad)],
            "eventId": [f"ev-{i}" for i in range(n_valid + n_bad)],
        }
    )


def test_export_panel_validates_sends_and_shows_progress(sb: Sandbox, conn: Any) -> None:
    panel = ExportPanel(frame(5, 2), conn, conversion=sb.rule_id, batch_size=2)
    assert panel.report is not None and panel.report.counts["invalid"] == 2
    assert "ValidationReport" in panel.report_view.value
    assert panel.send_button.description == "Send 5 events"
    assert panel.picker is None
    panel.send_button.click()
    assert sb.event_count == 5
    assert panel.result is not None and panel.result.sent == 5
    assert (panel.progress.value, panel.progress.max) == (5, 5)
    assert "ExportResult" in panel.result_view.value and "5 sent" in panel.result_view.value
    assert not panel.send_button.disabled


def test_export_panel_without_skipping_invalid_rows_sends_nothing(sb: Sandbox, conn: Any) -> None:
    panel = ExportPanel(frame(2, 1), conn, conversion=sb.rule_id)
    panel.skip_invalid.value = False
    panel.send_button.click()
    assert sb.event_count == 0
    assert "ValidationFailed" in panel.result_view.value


def test_export_panel_dry_run(sb: Sandbox, conn: Any) -> None:
    panel = ExportPanel(frame(2, 0), conn, conversion=sb.rule_id)
    panel.dry_run.value = True
    panel.send_button.click()
    assert sb.event_count == 0
    assert panel.result is not None and panel.result.counts["dry_run"] == 2


def test_export_panel_picks_a_rule_when_none_is_given(sb: Sandbox, conn: Any) -> None:
    panel = ExportPanel(frame(2, 0), conn)
    assert panel.picker is not None
    # No conversion anywhere: validation says so in the panel, and nothing can be sent.
    assert "SchemaError" in panel.report_view.value
    assert panel.send_button.disabled
    panel.picker.select.value = sb.rule_id
    assert panel.report is not None and panel.report.counts["valid"] == 2
    assert not panel.send_button.disabled
    panel.send_button.click()
    assert sb.events_by_rule == {sb.rule_id: 2}


def test_export_panel_shows_api_errors_and_the_partial_result(sb: Sandbox, conn: Any) -> None:
    panel = ExportPanel(frame(2, 0), conn, conversion=sb.rule_id)
    sb.fail_next(403, path="conversionEvents")
    panel.send_button.click()
    assert "PermissionDeniedError" in panel.result_view.value
    assert panel.progress.bar_style == "danger"
    assert not panel.send_button.disabled


def test_send_button_is_disabled_while_sending() -> None:
    states: list[tuple[bool, bool, int]] = []
    panel: ExportPanel | None = None

    def record(_seconds: float) -> None:  # the sandbox's latency hook runs mid-request
        if panel is not None:
            states.append(
                (panel.send_button.disabled, panel.validate_button.disabled, panel.progress.value)
            )

    with Sandbox(sleep=record) as slow:
        panel = ExportPanel(frame(4, 0), slow.connection(), conversion=slow.rule_id, batch_size=2)
        slow.set_latency(0.5, path="conversionEvents")
        panel.send_button.click()
    # Two batches: the bar advanced between them, and both buttons stayed disabled.
    assert [s[:2] for s in states] == [(True, True), (True, True)]
    assert [s[2] for s in states] == [0, 2]
    assert not panel.send_button.disabled and not panel.validate_button.disabled
    assert panel.progress.value == 4


def test_export_panel_reads_local_times_and_amounts_with_its_options(
    sb: Sandbox, conn: Any
) -> None:
    import zoneinfo

    ny = zoneinfo.ZoneInfo("America/New_York")
    local = (dt.datetime.now(ny) - dt.timedelta(days=1)).replace(
        hour=15, minute=15, second=0, microsecond=0
    )
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [local.strftime("%m/%d/%Y %I:%M %p")],
            "SHA256_EMAIL": ["jo@example.com"],
            "amount": ["1,250"],
            "currencyCode": ["USD"],
        }
    )
    plain = ExportPanel(df, conn, conversion=sb.rule_id)
    assert plain.report is not None and plain.report.counts["invalid"] == 1
    panel = ExportPanel(
        df,
        conn,
        conversion=sb.rule_id,
        timezone="America/New_York",
        date_format="%m/%d/%Y %I:%M %p",
        decimal_comma=False,
    )
    assert panel.report is not None and panel.report.counts["valid"] == 1
    panel.send_button.click()
    (event,) = sb.events
    assert event["conversionHappenedAt"] == int(local.timestamp() * 1000)
    assert event["conversionValue"]["amount"] == "1250"
