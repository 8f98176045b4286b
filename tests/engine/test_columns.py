"""Column conform (case-insensitive names, duplicates, ignored, all-null) and dataset rules."""

from __future__ import annotations

import polars as pl
import pytest
from _support.engine import NOW, T_MS, T, run

import linkedin_capi as capi
from linkedin_capi._constants import CANONICAL_COLUMNS
from linkedin_capi.engine.columns import conform_columns, require_columns
from linkedin_capi.errors import SchemaError


@pytest.mark.parametrize(
    "name", ["CONVERSIONHAPPENEDAT", "conversionhappenedat", "ConversionHappenedAt"]
)
def test_seed_spellings_of_conversion_happened_at_conform(name: str) -> None:
    report = run({name: [T], "acxiom_id": ["x"]})
    assert report.valid.columns == ["_row", "conversion", "conversionHappenedAt", "ACXIOM_ID"]
    assert report.valid["conversionHappenedAt"].to_list() == [T_MS]


@pytest.mark.parametrize("canonical", CANONICAL_COLUMNS)
def test_every_canonical_name_folds_from_upper_and_lower_case(canonical: str) -> None:
    for variant in (canonical.upper(), canonical.lower(), canonical.swapcase()):
        c = conform_columns({variant: pl.String()})
        assert c.fields == {canonical: variant}
        assert c.renames == ({} if variant == canonical else {variant: canonical})
        assert c.ignored == []


def test_unknown_columns_are_ignored_in_input_order_and_never_sent() -> None:
    report = run(
        {"crm_segment": ["a"], "conversionHappenedAt": [T], "notes": ["u@x.io"], "ACXIOM_ID": ["x"]}
    )
    assert report.ignored_columns == ["crm_segment", "notes"]
    assert "crm_segment" not in report.valid.columns
    assert "u@x.io" not in str(report.payloads())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("conversionHappenedAt", "CONVERSIONHAPPENEDAT"),
        ("eventid", "EventId"),
        ("sha256_email", "SHA256_EMAIL"),
        ("amount", " Amount"),
    ],
)
def test_two_columns_folding_to_one_name_are_a_schema_error(a: str, b: str) -> None:
    df = pl.DataFrame({"ACXIOM_ID": ["x"], a: [T], b: [T]})
    with pytest.raises(SchemaError) as exc:
        capi.validate(df, 1, now=NOW)
    message = str(exc.value)
    assert repr(a) in message and repr(b) in message
    assert "columns found:" in message
    assert isinstance(exc.value, ValueError)


def test_row_column_name_is_reserved() -> None:
    with pytest.raises(SchemaError, match="_row"):
        run({"_row": [1], "conversionHappenedAt": [T], "ACXIOM_ID": ["x"]})


def test_object_dtype_column_is_a_schema_error() -> None:
    df = pl.DataFrame(
        {"conversionHappenedAt": [T], "ACXIOM_ID": pl.Series([object()], dtype=pl.Object)}
    )
    with pytest.raises(SchemaError, match="Python objects"):
        capi.validate(df, 1, now=NOW)


def test_an_object_dtype_extra_column_is_just_ignored() -> None:
    df = pl.DataFrame(
        {"conversionHappenedAt": [T], "ACXIOM_ID": ["x"], "blob": pl.Series([object()])}
    )
    report = capi.validate(df, 1, now=NOW)
    assert report.ignored_columns == ["blob"]
    assert report.counts["valid"] == 1


# -- all-null columns count as absent -------------------------------------------------------


def test_all_null_identifier_column_counts_as_absent_with_a_warning() -> None:
    report = run(
        {"conversionHappenedAt": [T, T], "ACXIOM_ID": ["x", "y"], "SHA256_EMAIL": [None, None]},
        schema={
            "conversionHappenedAt": pl.String,
            "ACXIOM_ID": pl.String,
            "SHA256_EMAIL": pl.String,
        },
    )
    assert report.counts["valid"] == 2
    assert "SHA256_EMAIL" not in report.valid.columns
    assert report.warnings == [
        "column 'SHA256_EMAIL' (SHA256_EMAIL) is entirely null and was ignored"
    ]


def test_all_null_column_is_absent_even_with_a_renamed_spelling() -> None:
    report = run(
        {
            "conversionHappenedAt": [T],
            "ACXIOM_ID": ["x"],
            "Amount": pl.Series([None], dtype=pl.Utf8),
        }
    )
    # amount absent → no "currencyCode: required" error, and a warning naming the input column
    assert report.ok
    assert report.warnings == ["column 'Amount' (amount) is entirely null and was ignored"]


def test_all_null_only_identifier_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="no identifier column"):
        run({"conversionHappenedAt": [T], "ACXIOM_ID": pl.Series([None], dtype=pl.String)})


def test_all_null_time_column_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="no 'conversionHappenedAt' column"):
        run({"conversionHappenedAt": pl.Series([None, None]), "ACXIOM_ID": ["x", "y"]})


def test_all_null_conversion_column_falls_back_to_the_argument() -> None:
    report = run(
        {
            "conversionHappenedAt": [T],
            "ACXIOM_ID": ["x"],
            "conversion": pl.Series([None], dtype=pl.Int64),
        },
        conversion=456,
    )
    assert report.valid["conversion"].to_list() == ["urn:lla:llaPartnerConversion:456"]


def test_all_null_conversion_column_without_argument_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="no 'conversion' column and no conversion="):
        run(
            {
                "conversionHappenedAt": [T],
                "ACXIOM_ID": ["x"],
                "conversion": pl.Series([None], dtype=pl.Int64),
            },
            conversion=None,
        )


# -- dataset-level SchemaErrors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "conversion", "start"),
    [
        ({"ts": [T], "ACXIOM_ID": ["x"]}, 1, "no 'conversionHappenedAt' column"),
        ({"conversionHappenedAt": [T], "crm": ["x"]}, 1, "no identifier column"),
        ({"conversionHappenedAt": [T], "firstName": ["Mike"]}, 1, "no identifier column"),
        ({"conversionHappenedAt": [T], "ACXIOM_ID": ["x"]}, None, "no 'conversion' column"),
    ],
)
def test_dataset_level_schema_errors_list_the_columns_found(
    columns: dict[str, list[str]], conversion: int | None, start: str
) -> None:
    with pytest.raises(SchemaError) as exc:
        run(columns, conversion=conversion)
    message = str(exc.value)
    assert message.startswith(start)
    assert f"(columns found: {list(columns)})" in message


@pytest.mark.parametrize(
    "identifier",
    [
        {"SHA256_EMAIL": ["u@x.io"]},
        {"LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID": ["df5gf5-gh6t7-ph4j7h-fgf6n1"]},
        {"ACXIOM_ID": ["a"]},
        {"PLAINTEXT_IP_ADDRESS": ["203.0.113.7"]},
        {"SHA256_IP_ADDRESS": ["203.0.113.7"]},
        {"GOOGLE_AID": ["38400000-8cf0-11bd-b23e-10b96e40000d"]},
        {"lead": ["urn:li:leadGenFormResponse:1"]},
        {"externalIds": ["user_id_123"]},
        {"firstName": ["Mike"], "lastName": ["Smith"]},
    ],
)
def test_each_identifier_kind_satisfies_the_dataset_rule(identifier: dict[str, list[str]]) -> None:
    report = run({"conversionHappenedAt": [T], **identifier})
    assert report.counts["valid"] == 1


def test_moat_alone_satisfies_the_dataset_rule_only_before_202609() -> None:
    frame = pl.DataFrame({"conversionHappenedAt": [T], "ORACLE_MOAT_ID": ["m"]})
    old = capi.validate(frame, conversion=1, now=NOW, api_version="202608")
    assert old.counts["valid"] == 1
    new = capi.validate(frame, conversion=1, now=NOW, api_version="202609")
    assert new.counts["invalid"] == 1
    assert "ORACLE_MOAT_ID is not sent" in new.invalid["errors"].item()[0]


def test_require_columns_checks_time_first_then_identifier_then_conversion() -> None:
    with pytest.raises(SchemaError, match=r"^no 'conversionHappenedAt'"):
        require_columns([], ["a"], has_default_conversion=False)
    with pytest.raises(SchemaError, match=r"^no identifier"):
        require_columns(["conversionHappenedAt"], ["a"], has_default_conversion=False)
    with pytest.raises(SchemaError, match=r"^no 'conversion'"):
        require_columns(["conversionHappenedAt", "ACXIOM_ID"], ["a"], has_default_conversion=False)
    require_columns(["conversionHappenedAt", "ACXIOM_ID"], ["a"], has_default_conversion=True)
    require_columns(
        ["conversionHappenedAt", "ACXIOM_ID", "conversion"], ["a"], has_default_conversion=False
    )


@pytest.mark.parametrize("name", ["errors", "reason", "__capi_errors", "__capi_n_amount"])
def test_names_the_report_uses_are_a_schema_error(name: str) -> None:
    # invalid/skipped add "errors"/"reason" beside the input columns; a clash made Polars raise
    with pytest.raises(SchemaError, match=f"a column is called '{name}'"):
        run({"conversionHappenedAt": [T], "ACXIOM_ID": ["x"], name: ["y"]})


def test_report_names_in_other_case_are_just_ignored_columns() -> None:
    report = run({"conversionHappenedAt": [T, "x"], "ACXIOM_ID": ["x", "y"], "Errors": [1, 2]})
    assert report.invalid.columns == [
        "_row",
        "conversionHappenedAt",
        "ACXIOM_ID",
        "Errors",
        "errors",
    ]


@pytest.mark.parametrize("name", ["^.*$", "^A.*$", "*", "a|b", "^conversionHappenedAt$"])
def test_regex_looking_extra_column_names_are_plain_names(name: str) -> None:
    # Polars' select() reads "^…$" strings as regexes; the report must not
    report = run(
        {"conversionHappenedAt": [T, "x", "2020-01-01"], "ACXIOM_ID": ["a"] * 3, name: [1, 2, 3]}
    )
    assert report.ignored_columns == [name]
    assert report.invalid.columns == ["_row", "conversionHappenedAt", "ACXIOM_ID", name, "errors"]
    assert report.skipped.columns == ["_row", "conversionHappenedAt", "ACXIOM_ID", name, "reason"]
    assert report.invalid[name].to_list() == [2]
