"""Issue 13: rule settings by LinkedIn-Version, and the version default by date (F4, F5, B1, B5)."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from linkedin_capi import _constants as C
from linkedin_capi.client.versions import choose_api_version, policy_sunset
from linkedin_capi.errors import ConfigError
from linkedin_capi.resources.rule_settings import RuleSettings, check_conversion_type, check_window
from linkedin_capi.resources.rules import ConversionRule


@pytest.mark.parametrize(
    ("version", "allowed"),
    [("202601", False), ("202607", False), ("202608", True), ("202609", True), ("202703", True)],
)
@pytest.mark.parametrize("kind", ["MARKETING_QUALIFIED_LEAD", "SALES_QUALIFIED_LEAD"])
def test_qualified_lead_types_only_from_202608(kind: str, version: str, allowed: bool) -> None:
    if allowed:
        assert check_conversion_type(kind.lower(), api_version=version) == kind
    else:
        with pytest.raises(
            ConfigError, match=rf"{kind}: .*from LinkedIn-Version 202608 .*{version}"
        ):
            check_conversion_type(kind, api_version=version)


@pytest.mark.parametrize("version", ["202601", "202607"])
def test_other_types_are_not_gated(version: str) -> None:
    assert check_conversion_type("QUALIFIED_LEAD", api_version=version) == "QUALIFIED_LEAD"


@pytest.mark.parametrize("kind", ["SIGN_UP", "LEAD", "MARKETING_QUALIFIED_LEAD", "OTHER"])
def test_180_day_post_click_window_for_every_type(kind: str) -> None:
    assert check_window(180, kind="post_click", conversion_type=kind) == 180
    assert RuleSettings.of(type=kind, post_click_window=180).post_click_window == 180


@pytest.mark.parametrize(
    ("kind", "ok"),
    [
        ("PURCHASE", True),
        ("LEAD", True),
        ("MARKETING_QUALIFIED_LEAD", True),
        ("SALES_QUALIFIED_LEAD", True),
        ("SIGN_UP", False),
    ],
)
def test_365_days_only_for_the_listed_types(kind: str, ok: bool) -> None:
    if ok:
        assert check_window(365, kind="post_click", conversion_type=kind) == 365
    else:
        with pytest.raises(ConfigError, match="365 days is only allowed"):
            check_window(365, kind="post_click", conversion_type=kind)


def test_view_through_windows_did_not_grow() -> None:
    with pytest.raises(ConfigError):
        check_window(180, kind="view_through")


def test_shared_rules_say_so_in_their_repr() -> None:
    shared = ConversionRule.model_validate({"id": 3, "ownershipType": "SHARED"})
    owned = ConversionRule.model_validate({"id": 4, "ownershipType": "OWNED"})
    assert shared.shared and not owned.shared
    assert "shared=True" in repr(shared) and "shared=False" in repr(owned)


def test_the_table_has_202609_and_the_corrected_202608() -> None:
    assert C.API_VERSIONS["202609"] == dt.date(2027, 9, 15)
    assert C.API_VERSIONS["202608"] == dt.date(2027, 8, 17)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 10, 1), "202509"),  # the table's first version, out a month
        (dt.date(2026, 9, 20), "202608"),  # 202609 is not out a month yet
        (dt.date(2026, 10, 1), "202609"),
        (dt.date(2026, 12, 1), "202609"),
        (dt.date(2027, 8, 15), "202609"),  # 31 days before its sunset
    ],
)
def test_default_version_inside_the_table(today: dt.date, expected: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert choose_api_version(None, today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2027, 8, 16), "202707"),
        (dt.date(2028, 3, 1), "202802"),
        (dt.date(2031, 1, 9), "203012"),
    ],
)
def test_default_version_after_the_table_ends_follows_the_policy(
    today: dt.date, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(C, "_table_warned", False)
    with pytest.warns(UserWarning, match="table ends at 202609; using .* refresh the table"):
        version = choose_api_version(None, today)
    assert version == expected
    assert (policy_sunset(version) - today).days > C.VERSION_WARN_DAYS
    with warnings.catch_warnings():  # the warning is given once
        warnings.simplefilter("error")
        assert choose_api_version(None, today) == expected


def test_default_version_before_the_table_follows_the_policy_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert choose_api_version(None, dt.date(2024, 9, 1)) == "202408"


def test_an_unknown_newer_version_passed_explicitly_is_accepted() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert choose_api_version("202712", dt.date(2026, 12, 1)) == "202712"
