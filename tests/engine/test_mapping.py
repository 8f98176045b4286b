"""mapping=, built-in aliases, equal-right conflicts and "did you mean" warnings."""

from __future__ import annotations

import polars as pl
import pytest
from _support.engine import NOW, T_MS, T, sha

import linkedin_capi as capi
from linkedin_capi.engine.columns import ALIASES, alias_key, conform_columns
from linkedin_capi.errors import ConfigError, SchemaError


def test_mapping_feeds_fields_and_report_mapping_shows_it() -> None:
    df = pl.DataFrame({"Created Date": [T], "Email": ["Jane@Acme.com"], "crm": ["x"]})
    r = capi.validate(
        df,
        conversion=1,
        now=NOW,
        mapping={"Created Date": "conversionHappenedAt", "Email": "sha256_email"},
    )
    assert r.counts["valid"] == 1
    assert r.valid["SHA256_EMAIL"].item() == sha("jane@acme.com")
    assert r.valid["conversionHappenedAt"].item() == T_MS
    assert r.mapping == {"Created Date": "conversionHappenedAt", "Email": "SHA256_EMAIL"}
    assert r.ignored_columns == ["crm"]


def test_warehouse_names_are_aliases_and_nothing_is_dropped() -> None:
    df = pl.DataFrame(
        {
            "conversion_happened_at": [T],
            "event_id": ["000123"],
            "email": ["a@b.co"],
            "li_fat_id": ["abc-1"],
            "first_name": ["Jane"],
            "last_name": ["Doe"],
            "country_code": ["US"],
        }
    )
    r = capi.validate(df, conversion=1, now=NOW)
    assert r.ignored_columns == []
    assert r.mapping == {
        "conversion_happened_at": "conversionHappenedAt",
        "event_id": "eventId",
        "email": "SHA256_EMAIL",
        "li_fat_id": "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID",
        "first_name": "firstName",
        "last_name": "lastName",
        "country_code": "countryCode",
    }
    (event,) = r.payloads()
    assert event["eventId"] == "000123"
    assert event["user"]["userInfo"] == {
        "firstName": "Jane",
        "lastName": "Doe",
        "countryCode": "US",
    }


@pytest.mark.parametrize("field", sorted({*ALIASES.values()}))
def test_every_field_has_snake_kebab_and_spaced_aliases(field: str) -> None:
    import re

    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", field).replace("_", " ").lower().split()
    for sep in ("_", "-", " "):
        assert ALIASES[alias_key(sep.join(words))] == field


def test_an_alias_never_beats_the_field_name_and_is_ignored_with_a_warning() -> None:
    df = pl.DataFrame({"conversionHappenedAt": [T], "SHA256_EMAIL": ["a@b.co"], "email": ["z@z.z"]})
    r = capi.validate(df, conversion=1, now=NOW)
    assert r.valid["SHA256_EMAIL"].item() == sha("a@b.co")
    assert "email" in r.ignored_columns
    assert any("'email' was ignored: it is an alias of 'SHA256_EMAIL'" in w for w in r.warnings)


@pytest.mark.parametrize(
    ("columns", "mapping", "both"),
    [
        (["email", "e-mail"], None, ("email", "e-mail")),
        (["Email", "SHA256_EMAIL"], {"Email": "SHA256_EMAIL"}, ("Email", "SHA256_EMAIL")),
        (["a", "b"], {"a": "eventId", "b": "eventid"}, ("a", "b")),
    ],
)
def test_equal_right_claims_are_a_schema_error_naming_both(
    columns: list[str], mapping: dict[str, str] | None, both: tuple[str, str]
) -> None:
    with pytest.raises(SchemaError) as err:
        conform_columns(dict.fromkeys(columns, pl.String()), mapping)
    assert repr(both[0]) in str(err.value) and repr(both[1]) in str(err.value)


def test_bad_mappings_are_clear_errors() -> None:
    schema = {"x": pl.String()}
    with pytest.raises(SchemaError, match="not in the data"):
        conform_columns(schema, {"y": "eventId"})
    with pytest.raises(ConfigError, match="not a LinkedIn field"):
        conform_columns(schema, {"x": "nonsense"})


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("\u0405HA256_EMAIL", "SHA256_EMAIL"),  # Cyrillic Ѕ
        ("SHA\u0392256_EMAIL", "SHA256_EMAIL"),  # a stray Greek Beta
        ("ＳＨＡ256_EMAIL", "SHA256_EMAIL"),  # full-width letters
        ("conversionHapenedAt", "conversionHappenedAt"),  # typo
        ("ACXIOM-IDD", "ACXIOM_ID"),
    ],
)
def test_near_misses_warn_did_you_mean(name: str, field: str) -> None:
    df = pl.DataFrame(
        {
            "conversionHappenedAt" if field != "conversionHappenedAt" else "lead": [T],
            "eventId": ["e"],
            "lastName": ["x"],
            "firstName": ["y"],
            name: ["a@b.co"],
        }
    )
    c = conform_columns(df.schema)
    assert name in c.ignored
    assert any(f"did you mean {field!r}" in n and repr(name) in n for n in c.notes)


def test_no_hint_for_unrelated_columns() -> None:
    c = conform_columns({"crm_segment": pl.String(), "notes": pl.String()})
    assert c.notes == []


def test_invisible_characters_in_a_name_still_reach_the_field_and_show_in_mapping() -> None:
    name = "SHA256\u200b_EMAIL"
    c = conform_columns({name: pl.String()})
    assert c.fields == {"SHA256_EMAIL": name}
    assert c.mapping == {name: "SHA256_EMAIL"}
