"""Conversion-rule settings are checked (and made canonical) before any request."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkedin_capi import _constants as C
from linkedin_capi.errors import ConfigError
from linkedin_capi.resources.rules import (
    ConversionRule,
    RuleSettings,
    check_auto_association,
    check_conversion_type,
    check_window,
    rule_id,
    rule_urn,
)


def test_defaults_follow_the_connector() -> None:
    s = RuleSettings.of()
    assert s.model_dump() == {
        "type": "ADD_TO_CART",
        "post_click_window": 30,
        "view_through_window": 7,
        "attribution_type": "LAST_TOUCH_BY_CAMPAIGN",
        "auto_association": "ALL_CAMPAIGNS",
        "enabled": True,
    }


def test_thirty_seven_conversion_types_including_qualified_lead() -> None:
    assert len(C.CONVERSION_TYPES) == 37
    assert len(set(C.CONVERSION_TYPES)) == 37
    assert "QUALIFIED_LEAD" in C.CONVERSION_TYPES


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("add_to_cart", "ADD_TO_CART"),
        (" Lead ", "LEAD"),
        ("key page view", "KEY_PAGE_VIEW"),
        ("sales-qualified-lead", "SALES_QUALIFIED_LEAD"),
    ],
)
def test_conversion_type_is_case_insensitive(given: str, canonical: str) -> None:
    assert check_conversion_type(given) == canonical
    assert RuleSettings.of(type=given).type == canonical


@pytest.mark.parametrize("bad", ["ADD_TO_BASKET", "", 3, None])
def test_bad_conversion_type_lists_the_choices(bad: object) -> None:
    with pytest.raises(ConfigError) as info:
        RuleSettings.of(type=bad)
    message = str(info.value)
    assert "ADD_TO_CART" in message and "QUALIFIED_LEAD" in message
    assert repr(bad) in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("days", [1, 7, 30, 90, "7"])
def test_windows_allowed_for_every_type(days: object) -> None:
    s = RuleSettings.of(type="SIGN_UP", post_click_window=days, view_through_window=days)
    assert s.post_click_window == int(str(days)) == s.view_through_window


@pytest.mark.parametrize("kind", sorted(C.LONG_WINDOW_TYPES))
def test_365_post_click_for_the_long_window_types(kind: str) -> None:
    assert RuleSettings.of(type=kind.lower(), post_click_window=365).post_click_window == 365


def test_365_post_click_refused_for_other_types_with_the_reason() -> None:
    with pytest.raises(ConfigError, match=r"365 days is only allowed .* type is SIGN_UP"):
        RuleSettings.of(type="SIGN_UP", post_click_window=365)


def test_365_view_through_refused() -> None:
    with pytest.raises(ConfigError, match=r"view_through_window: expected one of 1, 7, 30, 90"):
        RuleSettings.of(type="PURCHASE", view_through_window=365)


@pytest.mark.parametrize("bad", [0, 14, 45, -7, True, "thirty", 30.0])
def test_bad_windows(bad: object) -> None:
    with pytest.raises(ConfigError, match=r"post_click_window: expected .*1, 7, 30, 90"):
        RuleSettings.of(post_click_window=bad)


def test_every_bad_setting_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        RuleSettings.of(type="nope", view_through_window=2, attribution_type="first_touch")
    message = str(info.value)
    assert "conversion type" in message
    assert "view_through_window" in message
    assert "LAST_TOUCH_BY_CAMPAIGN, LAST_TOUCH_BY_CONVERSION" in message


def test_unknown_setting_names_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"unknown rule setting\(s\) post_click.*known: type"):
        RuleSettings.of(post_click=30)


def test_auto_association() -> None:
    assert check_auto_association("objective_based") == "OBJECTIVE_BASED"
    assert check_auto_association(None) == "NONE"
    with pytest.raises(ConfigError, match="ALL_CAMPAIGNS, OBJECTIVE_BASED, NONE"):
        check_auto_association("SOME_CAMPAIGNS")


def test_window_check_without_a_type_allows_365() -> None:
    assert check_window(365, kind="post_click") == 365


def test_rule_model_reads_linkedins_shape() -> None:
    rule = ConversionRule.model_validate(
        {
            "id": 14488340,
            "name": "Conversion API Segment 5",
            "account": "urn:li:sponsoredAccount:5012345",
            "conversionMethod": "CONVERSIONS_API",
            "type": "LEAD",
            "enabled": True,
            "attributionType": "LAST_TOUCH_BY_CAMPAIGN",
            "postClickAttributionWindowSize": 90,
            "viewThroughAttributionWindowSize": 30,
            "created": 1698115671440,
            "lastModified": 1698115671440,
            "campaigns": [],
            "associatedCampaigns": [],
            "urlRules": [],
        }
    )
    assert rule.urn == "urn:lla:llaPartnerConversion:14488340"
    assert rule.model_dump()["urn"] == rule.urn
    assert ConversionRule.model_validate(rule.model_dump()) == rule
    assert (rule.type, rule.post_click_window, rule.view_through_window) == ("LEAD", 90, 30)
    assert rule.streamable
    assert rule.differences(RuleSettings.of(type="lead", post_click_window=90)) == {
        "view_through_window": (30, 7)
    }
    tag = ConversionRule(id=1, name="x", conversionMethod="INSIGHT_TAG_URL_MATCH_RULES")
    assert not tag.streamable


@pytest.mark.parametrize("given", [42, "42", " 42", "urn:lla:llaPartnerConversion:42"])
def test_rule_ids(given: int | str) -> None:
    assert rule_id(given) == 42
    assert rule_urn(given) == "urn:lla:llaPartnerConversion:42"


@pytest.mark.parametrize("bad", ["abc", "urn:li:sponsoredAccount:42", 0, -1, True, "", 4.2])
def test_bad_rule_ids(bad: object) -> None:
    with pytest.raises(ConfigError, match="expected a numeric id"):
        rule_id(bad)  # type: ignore[arg-type]


# -- properties -----------------------------------------------------------------------------


@given(kind=st.sampled_from(C.CONVERSION_TYPES), flips=st.lists(st.booleans(), min_size=40))
def test_any_casing_of_a_type_is_accepted(kind: str, flips: list[bool]) -> None:
    mixed = "".join(c.lower() if f else c for c, f in zip(kind, flips, strict=False))
    assert check_conversion_type(mixed) == kind


@given(days=st.integers(min_value=-1000, max_value=1000))
def test_windows_are_exactly_the_documented_ones(days: int) -> None:
    allowed = days in C.POST_CLICK_WINDOWS
    try:
        check_window(days, kind="view_through")
    except ConfigError:
        assert days not in C.VIEW_THROUGH_WINDOWS
    else:
        assert days in C.VIEW_THROUGH_WINDOWS
    try:
        check_window(days, kind="post_click", conversion_type="SIGN_UP")
    except ConfigError:
        assert not allowed
    else:
        assert allowed
    try:
        check_window(days, kind="post_click", conversion_type="LEAD")
    except ConfigError:
        assert not allowed and days != 365
    else:
        assert allowed or days == 365
