"""SHA256_EMAIL: normalization, SHA-256 against hashlib, pass-through, empty strings."""

from __future__ import annotations

import re

import polars as pl
import pytest
from _support.engine import NOW, T, errors_by_row, one, run, sha

from linkedin_capi.engine import _splits
from linkedin_capi.engine.hashing import (
    hash_normalized_email,
    normalize_email,
    normalized_email_ok,
    sha256_email,
)
from linkedin_capi.engine.validate import make_plan, row_exprs

SEED_DIGEST = "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514"


def reference(address: str) -> str:
    """What LinkedIn expects: whitespace removed, lower-cased, SHA-256 lowercase hex."""
    return sha(re.sub(r"\s+", "", address).lower())


def hashed(values: list[str | None]) -> list[str | None]:
    df = pl.DataFrame({"e": values}, schema={"e": pl.String})
    return df.select(sha256_email(pl.col("e"))).to_series().to_list()


def test_seed_example_user_at_example_com() -> None:
    assert pl.select(normalize_email(pl.lit("User@Example.com"))).item() == "user@example.com"
    assert sha("user@example.com") == SEED_DIGEST
    assert hashed(["User@Example.com"]) == [SEED_DIGEST]
    report = run({"conversionHappenedAt": [T], "sha256_email": ["User@Example.com"]})
    assert report.valid["SHA256_EMAIL"].to_list() == [SEED_DIGEST]
    assert report.payloads()[0]["user"]["userIds"] == [
        {"idType": "SHA256_EMAIL", "idValue": SEED_DIGEST}
    ]


@pytest.mark.parametrize(
    "address",
    [
        "user@example.com",
        " User@Example.com ",
        "USER@EXAMPLE.COM",
        "user @ example.com",
        "\tuser@example.com\n",
        "user\u00a0@example.com",
        "first.last+tag@sub.example.co.uk",
        "Zoë.Müller@Exämple.de",
        "ÅSA@ÖRN.SE",
    ],
)
def test_addresses_hash_like_hashlib_after_normalization(address: str) -> None:
    assert hashed([address]) == [reference(address)]


def test_equal_addresses_in_different_spellings_share_one_digest() -> None:
    digests = hashed(["a.b@x.io", " A.B@X.IO", "a.b@x.io\r\n"])
    assert len(set(digests)) == 1


@pytest.mark.parametrize(
    "value",
    [
        SEED_DIGEST,
        SEED_DIGEST.upper(),
        f"  {SEED_DIGEST.upper()}  ",
        SEED_DIGEST[:32].upper() + SEED_DIGEST[32:],
    ],
)
def test_64_hex_digests_pass_through_lower_cased(value: str) -> None:
    assert hashed([value]) == [SEED_DIGEST]
    report = one("SHA256_EMAIL", [value])
    assert report.valid["SHA256_EMAIL"].to_list() == [SEED_DIGEST]


@pytest.mark.parametrize("value", ["", "   ", "\t\n", None])
def test_empty_strings_are_null_and_never_hashed(value: str | None) -> None:
    assert hashed([value]) == [None]
    report = run(
        {"conversionHappenedAt": [T, T], "SHA256_EMAIL": [value, "u@x.io"]},
        schema={"conversionHappenedAt": pl.String, "SHA256_EMAIL": pl.String},
    )
    # the empty row has no identifier left; the digest of "" is sent nowhere
    assert errors_by_row(report) == {
        0: [
            "user: no identifier; give SHA256_EMAIL, LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID, "
            "ACXIOM_ID, PLAINTEXT_IP_ADDRESS, SHA256_IP_ADDRESS, GOOGLE_AID, ORACLE_MOAT_ID, "
            "lead, externalIds, or both firstName and lastName"
        ]
    }
    assert sha("") not in str(report.valid.to_dicts())


def test_empty_email_with_another_identifier_is_valid_without_an_email_id() -> None:
    report = one("SHA256_EMAIL", ["", None, "u@x.io"])
    assert report.valid["SHA256_EMAIL"].to_list() == [None, None, sha("u@x.io")]
    ids = [p["user"]["userIds"] for p in report.payloads()]
    assert ids[0] == ids[1] == [{"idType": "ACXIOM_ID", "idValue": "acx"}]
    assert ids[2][0] == {"idType": "SHA256_EMAIL", "idValue": sha("u@x.io")}


@pytest.mark.parametrize(
    "value",
    [
        "nope",
        "a@b",
        "a@@b.com",
        "@example.com",
        "user@",
        "user@example.",
        SEED_DIGEST[:63],
        SEED_DIGEST + "0",
        "g" * 64,
    ],
)
def test_values_that_are_neither_addresses_nor_digests_are_invalid(value: str) -> None:
    assert hashed([value]) == [None]
    report = one("SHA256_EMAIL", [value])
    (errors,) = report.invalid["errors"].to_list()
    shown = value if len(value) <= 40 else value[:40] + "…"
    assert errors == [
        "SHA256_EMAIL: expected an e-mail address or a 64-character hex SHA-256 digest, "
        f"got '{shown}'"
    ]


def test_non_string_email_column_is_invalid_not_hashed() -> None:
    report = one("SHA256_EMAIL", [12345], pl.Int64)
    assert report.invalid["errors"].to_list()[0][0].startswith("SHA256_EMAIL: expected")


@pytest.mark.parametrize(
    ("dtype", "value", "shown"),
    [(pl.Int64, 12345, "12345"), (pl.Float64, 1.5, "1.5"), (pl.Boolean, True, "true")],
)
def test_a_non_string_email_column_reads_as_text_in_a_stored_stage(
    dtype: pl.DataType, value: object, shown: str
) -> None:
    """Its general reading is a stored stage, as for text: inlined into every expression
    that read it, Polars took 5 s to plan a one-row Int64 column."""
    df = pl.DataFrame({"conversionHappenedAt": [T, T], "ACXIOM_ID": ["a", "b"]}).with_columns(
        pl.Series("SHA256_EMAIL", [value, None], dtype=dtype)
    )
    plan = make_plan(df.schema, 1, now=NOW, nulls=df)
    assert "__capi_q_SHA256_EMAIL" in row_exprs(df, plan).staged
    report = run(df)
    assert report.counts == {"total": 2, "valid": 1, "invalid": 1, "skipped": 0}
    (message,) = report.invalid["errors"].to_list()[0]
    assert message.startswith("SHA256_EMAIL: expected an e-mail address") and shown in message


def test_plain_addresses_never_reach_the_valid_frame_or_payload() -> None:
    addresses = ["Secret.Person@Example.com", "other@example.org"]
    report = one("SHA256_EMAIL", addresses)
    text = str(report.valid.to_dicts()) + str(report.payloads())
    for address in addresses:
        assert address.lower() not in text.lower()
    assert report.valid["SHA256_EMAIL"].to_list() == [reference(a) for a in addresses]


def test_the_check_predicate_is_true_exactly_where_a_digest_comes_out() -> None:
    values = [
        "user@example.com",
        SEED_DIGEST,
        SEED_DIGEST[:63],
        "g" * 64,
        "nope",
        "a@b",
        "",
        None,
        "a@" + "b" * 249 + ".co",  # 254 bytes: the longest address accepted
        "a@" + "b" * 250 + ".co",
    ]
    stage = normalize_email(pl.col("e"))
    out = pl.DataFrame({"e": values}, schema={"e": pl.String}).select(
        ok=normalized_email_ok(stage), digest=hash_normalized_email(stage)
    )
    assert out["ok"].to_list() == out["digest"].is_not_null().to_list()
    assert out["ok"].to_list() == [True, True] + [False] * 6 + [True, False]


def test_counting_rows_computes_no_sha256() -> None:
    """The status pass reads the e-mail predicate, so Polars prunes the hash from it; the
    valid rows' values still hash."""
    df = pl.DataFrame(
        {"conversionHappenedAt": [T, T], "SHA256_EMAIL": [" Jo <U@x.io>", "nope"],
         "firstName": ["A", "B"], "lastName": ["C", None]}
    )  # fmt: skip
    rx = row_exprs(df, make_plan(df.schema, 1, now=NOW, nulls=df))
    evaluated = _splits.evaluated(df.lazy().with_row_index("_row"), rx)
    status = evaluated.select(_splits._status(rx), *_splits._live_warnings(rx))
    assert "sha2_256" not in status.explain()
    assert "sha2_256" in _splits.valid_of(evaluated, rx).explain()
    report = run(dict(df.to_dict()))
    assert report.counts["invalid"] == 1
    assert report.valid["SHA256_EMAIL"].to_list() == [sha("u@x.io")]
