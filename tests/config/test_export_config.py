"""ExportConfig: the connector's ``--result`` options, read strictly and helpfully."""

from __future__ import annotations

import json
from typing import Any

import pytest

from linkedin_capi import _constants as C
from linkedin_capi.config import ExportConfig
from linkedin_capi.errors import ConfigError

SECRET = "s3cr3t-client-VALUE"
TOKEN = "AQX-refresh-token-VALUE"

# The seed document's example, verbatim: note the missing quote after refresh_token's value
# (and the unquoted conversion_rule_id placeholder further on).
SEED_EXAMPLE = (
    '{"type":"linkedin_ads_conversion_api","client_id":"client_id","client_secret":"'
    + SECRET
    + '","refresh_token":"'
    + TOKEN
    + ',"ad_account_id":"ad_account_id", "conversion_rule_id":conversion_rule_id,'
    '"use_conversion_rule_id":true,"skip_invalid_records":true}'
)

# The corrected version the README shows.
CORRECTED = f"""{{
  "type": "linkedin_ads_conversion_api",
  "client_id": "client_id",
  "client_secret": "{SECRET}",
  "refresh_token": "{TOKEN}",
  "ad_account_id": "5012345",
  "conversion_rule_id": 104012,
  "use_conversion_rule_id": true,
  "skip_invalid_records": true
}}"""


def base(**extra: Any) -> dict[str, Any]:
    return {
        "type": "linkedin_ads_conversion_api",
        "client_id": "cid",
        "client_secret": SECRET,
        "refresh_token": TOKEN,
        "ad_account_id": "5012345",
        **extra,
    }


def error(source: Any) -> str:
    with pytest.raises(ConfigError) as info:
        ExportConfig.from_td(source)
    message = str(info.value)
    assert SECRET not in message and TOKEN not in message
    return message


def test_corrected_seed_example() -> None:
    cfg = ExportConfig.from_td(CORRECTED)
    assert cfg.mode == "id"
    assert cfg.conversion_rule_id == 104012
    assert cfg.ad_account_id == "5012345"
    assert cfg.client_secret.get_secret_value() == SECRET
    assert cfg.refresh_token.get_secret_value() == TOKEN
    assert SECRET not in repr(cfg) and TOKEN not in repr(cfg) and SECRET not in str(cfg)


def test_malformed_seed_example_reports_line_column_and_key() -> None:
    message = error(SEED_EXAMPLE)
    pos = SEED_EXAMPLE.index('ad_account_id"')
    assert f"line 1, column {pos + 1}" in message
    assert "'refresh_token'" in message
    assert "missing quote" in message


def test_json_error_on_a_later_line() -> None:
    text = CORRECTED.replace('"skip_invalid_records": true', '"skip_invalid_records": true,')
    message = error(text)
    assert "line 10, column 1" in message


def test_defaults() -> None:
    cfg = ExportConfig.from_td(base(conversion_rule="Signups"))
    assert cfg.mode == "name"
    assert cfg.skip_invalid_records is True
    assert cfg.use_conversion_rule_id is False and cfg.create_new_conversion_rule is False
    assert (cfg.conversion_type, cfg.post_click_attribution_window) == ("ADD_TO_CART", 30)
    assert cfg.view_through_attribution_window == 7
    assert cfg.attribution_type == "LAST_TOUCH_BY_CAMPAIGN"
    assert cfg.campaign_auto_association == "ALL_CAMPAIGNS"
    assert cfg.export_options() == {"skip_invalid_records": True}


def test_every_key_of_the_seed_table_is_known() -> None:
    table = [
        "type", "client_id", "client_secret", "refresh_token", "ad_account_id",
        "conversion_rule", "use_conversion_rule_id", "conversion_rule_id",
        "create_new_conversion_rule", "conversion_rule_name", "conversion_type",
        "post_click_attribution_window", "view_through_attribution_window", "attribution_type",
        "campaign_auto_association", "skip_invalid_records",
    ]  # fmt: skip
    assert list(ExportConfig.model_fields) == table


def test_every_key_set_in_create_mode() -> None:
    cfg = ExportConfig.from_td(
        json.dumps(
            base(
                conversion_rule="ignored in create mode",
                use_conversion_rule_id=False,
                conversion_rule_id="77",
                create_new_conversion_rule=True,
                conversion_rule_name="Demo requests",
                conversion_type="purchase",
                post_click_attribution_window=365,
                view_through_attribution_window="30",
                attribution_type="last_touch_by_conversion",
                campaign_auto_association="objective_based",
                skip_invalid_records=False,
            )
        )
    )
    assert cfg.mode == "create"
    assert cfg.conversion_rule_id == 77
    assert cfg.skip_invalid_records is False
    assert cfg.export_options() == {"skip_invalid_records": False}
    s = cfg.rule_settings()
    assert s.model_dump() == {
        "type": "PURCHASE",
        "post_click_window": 365,
        "view_through_window": 30,
        "attribution_type": "LAST_TOUCH_BY_CONVERSION",
        "auto_association": "OBJECTIVE_BASED",
        "enabled": True,
    }


def test_documented_typos_are_aliases() -> None:
    cfg = ExportConfig.from_td(
        base(
            use_conversion_rule_jd=True,
            conversion_rule_id=5,
            campaign_auto_association="all_campaings",
        )
    )
    assert cfg.use_conversion_rule_id is True and cfg.mode == "id"
    assert cfg.campaign_auto_association == "ALL_CAMPAIGNS"


def test_typo_alias_conflicting_with_the_real_key() -> None:
    message = error(
        base(use_conversion_rule_jd=True, use_conversion_rule_id=False, conversion_rule_id=5)
    )
    assert "use_conversion_rule_jd" in message and "disagree" in message


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("clientid", "client_id"),
        ("skip_invalid_record", "skip_invalid_records"),
        ("conversion_rule_ID", "conversion_rule_id"),
        ("post_click_window", "post_click_attribution_window"),
    ],
)
def test_unknown_keys_rejected_with_suggestion_and_known_list(key: str, suggestion: str) -> None:
    message = error(base(conversion_rule="x", **{key: "1"}))
    assert f"unknown key {key!r}" in message
    assert f"did you mean {suggestion!r}" in message
    assert "Known keys: type, client_id" in message


def test_unknown_key_without_suggestion() -> None:
    message = error(base(conversion_rule="x", zzz=1))
    assert "unknown key 'zzz'." not in message and "did you mean" not in message


@pytest.mark.parametrize("missing", ["type", "client_id", "client_secret", "refresh_token"])
def test_required_keys(missing: str) -> None:
    data = base(conversion_rule="x")
    del data[missing]
    assert f"{missing}: required but missing" in error(data)


def test_type_must_be_the_connector() -> None:
    assert "type: expected 'linkedin_ads_conversion_api'; got 'linkedin_ads'" in error(
        base(type="linkedin_ads", conversion_rule="x")
    )
    assert ExportConfig.from_td(base(type="LinkedIn_Ads_Conversion_API", conversion_rule="x"))


def test_wrong_types_reported_per_key_without_echoing_secrets() -> None:
    data = base(
        client_id=123, client_secret=987654, skip_invalid_records="maybe", conversion_rule=["x"]
    )
    message = error(data)
    assert message.startswith("4 problems in the --result configuration:\n- ")
    assert "client_id: input should be a valid string; got 123" in message
    assert "client_secret: input should be a valid string" in message
    assert "987654" not in message
    assert "skip_invalid_records: input should be a valid boolean" in message
    assert "conversion_rule: input should be a valid string" in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("conversion_type", "basket", "expected one of ADD_TO_CART"),
        ("post_click_attribution_window", 45, "expected one of 1, 7, 30, 90"),
        ("view_through_attribution_window", 365, "expected one of 1, 7, 30, 90"),
        ("attribution_type", "first_touch", "expected one of LAST_TOUCH_BY_CAMPAIGN"),
        ("campaign_auto_association", "some", "expected one of ALL_CAMPAIGNS"),
        ("conversion_rule_id", "abc", "expected a numeric id"),
        ("ad_account_id", "ad_account_id", "expected a numeric id"),
        ("conversion_rule_id", 1.5, "expected a numeric id"),
    ],
)
def test_bad_values(key: str, value: object, expected: str) -> None:
    message = error(base(conversion_rule="x", **{key: value}))
    assert f"{key}: {expected}" in message
    assert repr(value) in message


def test_365_window_depends_on_the_type() -> None:
    msg = error(
        base(conversion_rule="x", conversion_type="sign_up", post_click_attribution_window=365)
    )
    assert "365 days is only allowed" in msg and "SIGN_UP" in msg


@pytest.mark.parametrize(
    ("given", "stored"),
    [(5012345, "5012345"), ("5012345", "5012345"), ("urn:li:sponsoredAccount:5012345", "5012345"),
     ("", None), (None, None)],
)  # fmt: skip
def test_ad_account_id_forms(given: object, stored: str | None) -> None:
    assert (
        ExportConfig.from_td(base(conversion_rule="x", ad_account_id=given)).ad_account_id == stored
    )


@pytest.mark.parametrize("given", [104012, "104012", "urn:lla:llaPartnerConversion:104012"])
def test_conversion_rule_id_int_or_string(given: object) -> None:
    cfg = ExportConfig.from_td(base(use_conversion_rule_id=True, conversion_rule_id=given))
    assert cfg.conversion_rule_id == 104012


# -- modes ---------------------------------------------------------------------------------


def test_name_mode_needs_a_name() -> None:
    assert "conversion_rule (the name of an existing rule) is required" in error(base())


def test_name_mode_hints_at_the_forgotten_flag() -> None:
    assert "also set use_conversion_rule_id: true" in error(base(conversion_rule_id=5))
    assert "also set create_new_conversion_rule: true" in error(base(conversion_rule_name="New"))


def test_id_mode_needs_an_id() -> None:
    assert "use_conversion_rule_id is true, so conversion_rule_id is required" in error(
        base(use_conversion_rule_id=True, conversion_rule="by name")
    )


def test_create_mode_needs_a_name() -> None:
    assert "conversion_rule_name is required" in error(
        base(create_new_conversion_rule=True, conversion_rule="existing", conversion_rule_name=" ")
    )


def test_exactly_one_mode() -> None:
    assert "choose one way" in error(
        base(use_conversion_rule_id=True, conversion_rule_id=1,
             create_new_conversion_rule=True, conversion_rule_name="n")
    )  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "mode"),
    [({"conversion_rule": "Signups"}, "name"),
     ({"use_conversion_rule_id": "true", "conversion_rule_id": "9"}, "id"),
     ({"create_new_conversion_rule": True, "conversion_rule_name": "New"}, "create")],
)  # fmt: skip
def test_modes(extra: dict[str, Any], mode: str) -> None:
    assert ExportConfig.from_td(base(**extra)).mode == mode


# -- input forms ----------------------------------------------------------------------------


def test_bytes_and_workflow_out_block() -> None:
    assert ExportConfig.from_td(CORRECTED.encode()).mode == "id"
    assert ExportConfig.from_td({"out": base(conversion_rule="x")}).mode == "name"


@pytest.mark.parametrize("source", ["[1, 2]", '"text"', "null"])
def test_json_that_is_not_an_object(source: str) -> None:
    assert "expected a JSON object" in error(source)


def test_not_json_at_all() -> None:
    assert "expected a JSON string or a dict; got int" in error(42)
    assert "not UTF-8" in error(b"\xff\xfe{")


def test_connector_type_constant() -> None:
    assert C.TD_CONNECTOR_TYPE == "linkedin_ads_conversion_api"


def test_public_names() -> None:
    import linkedin_capi as capi
    from linkedin_capi.resources.accounts import AdAccount
    from linkedin_capi.resources.rules import ConversionRule, ConversionRules

    assert capi.ExportConfig is ExportConfig
    assert (capi.ConversionRule, capi.ConversionRules, capi.AdAccount) == (
        ConversionRule,
        ConversionRules,
        AdAccount,
    )
    assert {"ExportConfig", "ConversionRule", "AdAccount"} <= set(capi.__all__)
