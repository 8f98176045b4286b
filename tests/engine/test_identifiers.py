"""Issue 13: LinkedIn's current identifier set, per LinkedIn-Version (audit D4, D10, E1, E2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import polars as pl
import pytest

import linkedin_capi as capi
from linkedin_capi.engine.payload import event_json
from linkedin_capi.errors import ConfigError, SchemaError

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
T = "2026-11-27T10:00:00Z"
UUID = "38400000-8cf0-11bd-b23e-10b96e40000d"
DIGEST = hashlib.sha256(b"203.0.113.7").hexdigest()
VERSIONS = ["202605", "202608", "202609", "202611"]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check(column: str, value: Any, version: str, **kw: Any) -> capi.ValidationReport:
    frame = pl.DataFrame({"conversionHappenedAt": [T], column: [value]})
    return capi.validate(frame, 1, now=NOW, api_version=version, **kw)


def sent_ids(report: capi.ValidationReport) -> list[dict[str, str]]:
    (raw,) = event_json(report.valid).to_list()
    ids: list[dict[str, str]] = json.loads(raw)["user"]["userIds"]
    return ids


# (idType, input, value sent) for valid input; the idType is sent under every version.
VALID = [
    ("PLAINTEXT_IP_ADDRESS", " 203.0.113.7 ", "203.0.113.7"),
    ("PLAINTEXT_IP_ADDRESS", "0.0.0.0", "0.0.0.0"),
    ("PLAINTEXT_IP_ADDRESS", "255.255.255.255", "255.255.255.255"),
    ("SHA256_IP_ADDRESS", "203.0.113.7", DIGEST),  # a plain IPv4 is hashed
    ("SHA256_IP_ADDRESS", DIGEST.upper(), DIGEST),  # a digest passes (lower-cased)
    ("GOOGLE_AID", UUID.upper(), UUID),
    ("GOOGLE_AID", "{" + UUID + "}", UUID),
    ("GOOGLE_AID", UUID.replace("-", ""), UUID),
    ("SHA256_EMAIL", "User@Example.com", sha("user@example.com")),
    ("ACXIOM_ID", " acx ", "acx"),
    ("LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID", "fat-1", "fat-1"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("id_type", "given", "sent"), VALID)
def test_valid_identifiers_are_normalized_and_sent(
    id_type: str, given: str, sent: str, version: str
) -> None:
    report = check(id_type, given, version)
    assert report.counts["valid"] == 1, report.invalid.to_dicts()
    assert sent_ids(report) == [{"idType": id_type, "idValue": sent}]


MALFORMED = [
    ("PLAINTEXT_IP_ADDRESS", "256.1.1.1"),
    ("PLAINTEXT_IP_ADDRESS", "10.0.0"),
    ("PLAINTEXT_IP_ADDRESS", "2001:db8::1"),  # IPv6: LinkedIn supports IPv4 only
    ("PLAINTEXT_IP_ADDRESS", "01.2.3.4.5"),
    ("SHA256_IP_ADDRESS", "2001:db8::1"),
    ("SHA256_IP_ADDRESS", "abc123"),
    ("SHA256_IP_ADDRESS", DIGEST[:63]),
    ("GOOGLE_AID", "00000000-0000-0000-0000-000000000000"),  # all zeros: no device
    ("GOOGLE_AID", "not-a-uuid"),
    ("GOOGLE_AID", UUID[:-1] + "g"),
    ("SHA256_EMAIL", "nope"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("id_type", "given"), MALFORMED)
def test_malformed_identifiers_make_the_row_invalid(id_type: str, given: str, version: str) -> None:
    report = check(id_type, given, version)
    assert report.counts["invalid"] == 1
    errors = report.invalid["errors"].item().to_list()
    assert errors[0].startswith(f"{id_type}: expected ")
    assert repr(given)[:20].strip("'") in errors[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_lead_only_row_is_valid_with_empty_user_ids(version: str) -> None:
    report = check("lead", "urn:li:leadGenFormResponse:42", version)
    assert report.counts["valid"] == 1
    (raw,) = event_json(report.valid).to_list()
    user = json.loads(raw)["user"]
    assert user == {"userIds": [], "lead": "urn:li:leadGenFormResponse:42"}


@pytest.mark.parametrize(
    ("version", "sent"), [("202605", True), ("202608", True), ("202609", False), ("202611", False)]
)
def test_moat_is_sent_only_before_202609(version: str, sent: bool) -> None:
    frame = pl.DataFrame(
        {
            "conversionHappenedAt": [T, T, T],
            "ORACLE_MOAT_ID": ["m1", "m2", None],
            "ACXIOM_ID": ["a", None, "c"],
        }
    )
    report = capi.validate(frame, 1, now=NOW, api_version=version)
    if sent:
        assert report.counts["valid"] == 3
        assert "ORACLE_MOAT_ID" in report.valid.columns
        assert any("ORACLE_MOAT_ID is reported as removed" in w for w in report.warnings)
        return
    assert report.counts == {"total": 3, "valid": 2, "invalid": 1, "skipped": 0}
    assert "ORACLE_MOAT_ID" not in report.valid.columns
    assert [w for w in report.warnings if "ORACLE_MOAT_ID" in w] == [
        f"2 rows: ORACLE_MOAT_ID not sent; LinkedIn-Version {version}'s schema has no "
        "ORACLE_MOAT_ID (dropped from 202609); rows with no other identifier are invalid"
    ]
    (errors,) = report.invalid["errors"].to_list()
    assert errors[0].startswith(
        f"user: no identifier LinkedIn-Version {version} accepts; ORACLE_MOAT_ID is not sent"
    )
    for raw in event_json(report.valid).to_list():
        assert "ORACLE_MOAT_ID" not in raw


def test_a_row_with_no_identifier_at_all_says_so() -> None:
    frame = pl.DataFrame(
        {"conversionHappenedAt": [T, T], "ACXIOM_ID": ["a", None]},
    )
    report = capi.validate(frame, 1, now=NOW, api_version="202609")
    (errors,) = report.invalid["errors"].to_list()
    assert errors[0].startswith("user: no identifier; give SHA256_EMAIL")
    assert "ORACLE_MOAT_ID" not in errors[0]  # not offered where it is not sent


NAMES = pl.DataFrame(
    {
        "conversionHappenedAt": [T, T],
        "firstName": [" Mary-Ann ", "Zoë"],
        "lastName": ["O'Neil", "Smith Jones"],
        "ACXIOM_ID": ["a", "b"],
    }
)


@pytest.mark.parametrize("version", ["202609", "202611"])
def test_hash_names_sends_normalized_digests(version: str) -> None:
    report = capi.validate(NAMES, 1, now=NOW, api_version=version, hash_names=True)
    infos = [json.loads(r)["user"]["userInfo"] for r in event_json(report.valid).to_list()]
    assert infos == [
        {"hashedFirstName": sha("maryann"), "hashedLastName": sha("oneil")},
        {"hashedFirstName": sha("zoë"), "hashedLastName": sha("smithjones")},
    ]


@pytest.mark.parametrize("version", ["202605", "202608"])
def test_hash_names_before_202609_is_a_config_error_naming_the_version(version: str) -> None:
    with pytest.raises(
        ConfigError, match=rf"from LinkedIn-Version 202609, but this run uses {version}"
    ):
        capi.validate(NAMES, 1, now=NOW, api_version=version, hash_names=True)


@pytest.mark.parametrize("version", ["202605", "202608"])
def test_hashed_name_columns_before_202609_are_a_schema_error(version: str) -> None:
    frame = pl.DataFrame(
        {
            "conversionHappenedAt": [T],
            "hashedFirstName": ["x"],
            "lastName": ["y"],
            "ACXIOM_ID": ["a"],
        }
    )
    with pytest.raises(SchemaError, match=rf"but this run uses {version}"):
        capi.validate(frame, 1, now=NOW, api_version=version)


def test_hashed_name_columns_pass_digests_through_and_mix_with_plain_names() -> None:
    digest = sha("mike")
    frame = pl.DataFrame(
        {
            "conversionHappenedAt": [T, T, T],
            "hashedFirstName": [digest.upper(), "Anne-Marie", "!!"],
            "lastName": ["Smith", "Doe", "Roe"],
        }
    )
    report = capi.validate(frame, 1, now=NOW, api_version="202609")
    assert report.counts["valid"] == 2
    infos = [json.loads(r)["user"]["userInfo"] for r in event_json(report.valid).to_list()]
    assert infos == [
        {"hashedFirstName": digest, "lastName": "Smith"},
        {"hashedFirstName": sha("annemarie"), "lastName": "Doe"},
    ]
    # nothing is left of "!!" once punctuation goes: an error, not the digest of ""
    (errors,) = report.invalid["errors"].to_list()
    assert errors[0].startswith("hashedFirstName: expected a name or a 64-character hex")


def test_hash_names_refuses_a_plain_and_a_hashed_column_for_the_same_name() -> None:
    frame = NAMES.with_columns(hashedFirstName=pl.lit(sha("x")))
    with pytest.raises(ConfigError, match="already is hashedFirstName"):
        capi.validate(frame, 1, now=NOW, api_version="202609", hash_names=True)


def test_identifier_coverage_counts_the_new_types() -> None:
    frame = pl.DataFrame(
        {
            "conversionHappenedAt": [T, T],
            "GOOGLE_AID": [UUID, None],
            "PLAINTEXT_IP_ADDRESS": [None, "10.0.0.1"],
        }
    )
    report = capi.validate(frame, 1, now=NOW, api_version="202609")
    coverage = {row["identifier"]: row["rows"] for row in report.identifier_coverage().to_dicts()}
    assert coverage["GOOGLE_AID"] == 1
    assert coverage["PLAINTEXT_IP_ADDRESS"] == 1
    assert coverage["SHA256_IP_ADDRESS"] == 0


def test_the_default_version_follows_now() -> None:
    frame = pl.DataFrame({"conversionHappenedAt": [T], "ORACLE_MOAT_ID": ["m"]})
    # now=2026-11-28: the default is 202609, which does not send MOAT
    assert capi.validate(frame, 1, now=NOW).counts["invalid"] == 1


# Every pairing of a plain or hashed first name with a plain or hashed last name: LinkedIn
# accepts mixed pairs from 202609 (audit D10), so each row is valid, carries userInfo and
# nothing else, and coverage must count it — the two views of one row have to agree.
NAME_PAIRS = [
    ({"firstName": "Ann"}, {"lastName": "Lee"}),
    ({"firstName": "Ann"}, {"hashedLastName": sha("lee")}),
    ({"hashedFirstName": sha("ann")}, {"lastName": "Lee"}),
    ({"hashedFirstName": sha("ann")}, {"hashedLastName": sha("lee")}),
]


@pytest.mark.parametrize(("first", "last"), NAME_PAIRS)
def test_coverage_counts_every_name_pair_validation_accepts(
    first: dict[str, str], last: dict[str, str]
) -> None:
    columns = {"conversionHappenedAt": [T, T], "ACXIOM_ID": [None, "a"]}
    columns |= {k: [v, None] for k, v in {**first, **last}.items()}
    report = capi.validate(pl.DataFrame(columns), 1, now=NOW, api_version="202609")
    assert report.counts["valid"] == 2  # row 0: the names are its only identifier
    info = json.loads(event_json(report.valid.filter(pl.col("_row") == 0)).item())["user"]
    assert set(info["userInfo"]) == {*first, *last} and info["userIds"] == []
    coverage = dict(report.identifier_coverage().select("identifier", "rows").iter_rows())
    assert coverage["first + last name"] == 1
    assert coverage["ACXIOM_ID"] == 1


def test_coverage_does_not_count_half_a_pair_in_any_spelling() -> None:
    frame = pl.DataFrame(
        {
            "conversionHappenedAt": [T, T, T],
            "ACXIOM_ID": ["a", "b", "c"],
            "firstName": ["Ann", None, None],
            "hashedFirstName": [None, sha("bo"), None],
            "lastName": [None, None, "Lee"],
        }
    )
    report = capi.validate(frame, 1, now=NOW, api_version="202609")
    assert report.counts["valid"] == 3
    assert all("userInfo" not in json.loads(r)["user"] for r in event_json(report.valid))
    coverage = dict(report.identifier_coverage().select("identifier", "rows").iter_rows())
    assert coverage["first + last name"] == 0
