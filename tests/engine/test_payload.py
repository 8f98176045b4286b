"""Event JSON (shape, omission, escaping) and BATCH_CREATE bodies."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest
from _support.engine import NOW, T_MS, URN, T, run, sha

import linkedin_capi as capi
from linkedin_capi.engine.payload import Batch, batch_bodies, body, event_json
from linkedin_capi.errors import ConfigError


def nulls(value: Any, path: str = "$") -> list[str]:
    """Paths of every None inside a JSON-like value."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in nulls(v, f"{path}[{i}]")]
    return []


def test_design_example_shape_exactly() -> None:
    df = pl.DataFrame(
        {
            "conversion": [123],
            "conversionHappenedAt": [1590739275000],
            "currencyCode": ["USD"],
            "amount": ["50.00"],
            "eventId": ["abc12345"],
            "SHA256_EMAIL": ["User@Example.com"],
            "firstName": ["Mike"],
            "lastName": ["Smith"],
            "companyName": ["Microsoft"],
            "title": ["Software Engineer"],
            "countryCode": ["US"],
            "lead": ["urn:li:leadGenFormResponse:123"],
            "externalIds": ["user_id_123"],
        }
    )
    import datetime as dt

    report = capi.validate(df, now=dt.datetime(2020, 6, 1, tzinfo=dt.UTC))
    expected = {
        "conversion": "urn:lla:llaPartnerConversion:123",
        "conversionHappenedAt": 1590739275000,
        "conversionValue": {"currencyCode": "USD", "amount": "50.00"},
        "eventId": "abc12345",
        "user": {
            "userIds": [{"idType": "SHA256_EMAIL", "idValue": sha("user@example.com")}],
            "userInfo": {
                "firstName": "Mike",
                "lastName": "Smith",
                "companyName": "Microsoft",
                "title": "Software Engineer",
                "countryCode": "US",
            },
            "lead": "urn:li:leadGenFormResponse:123",
            "externalIds": ["user_id_123"],
        },
    }
    (event,) = report.payloads()
    assert event == expected
    # key order as in DESIGN.md (LinkedIn does not care, humans reading bodies do)
    text = event_json(report.valid).item()
    assert list(json.loads(text)) == list(expected)
    assert list(json.loads(text)["user"]) == list(expected["user"])
    assert "null" not in text


def test_minimal_event_omits_every_optional_part() -> None:
    report = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]})
    assert event_json(report.valid).to_list() == [
        '{"conversion":"urn:lla:llaPartnerConversion:1","conversionHappenedAt":1724859000000,'
        '"user":{"userIds":[{"idType":"ACXIOM_ID","idValue":"a"}]}}'
    ]


def test_user_ids_is_present_and_empty_without_id_columns() -> None:
    report = run({"conversionHappenedAt": [T], "externalIds": ["e"]})
    assert report.payloads() == [
        {
            "conversion": f"{URN}1",
            "conversionHappenedAt": T_MS,
            "user": {"userIds": [], "externalIds": ["e"]},
        }
    ]


def test_partial_rows_never_carry_null() -> None:
    report = run(
        {
            "conversionHappenedAt": [T] * 4,
            "SHA256_EMAIL": ["u@x.io", None, None, None],
            "ACXIOM_ID": [None, "a", None, None],
            "firstName": [None, "F", "F", "F"],
            "lastName": [None, None, "L", "L"],
            "title": [None, None, None, "T"],
            "currencyCode": [None, None, None, "USD"],
            "amount": [None, None, None, 3],
            "eventId": [None, "e", None, None],
            "lead": [None, None, "urn:li:leadGenFormResponse:1", None],
            "externalIds": [None, None, None, "x"],
        }
    )
    assert report.ok
    events = report.payloads()
    assert [nulls(e) for e in events] == [[], [], [], []]
    assert events[0]["user"] == {"userIds": [{"idType": "SHA256_EMAIL", "idValue": sha("u@x.io")}]}
    assert events[1]["user"] == {"userIds": [{"idType": "ACXIOM_ID", "idValue": "a"}]}
    assert events[1]["eventId"] == "e"
    assert events[2]["user"] == {
        "userIds": [],
        "userInfo": {"firstName": "F", "lastName": "L"},
        "lead": "urn:li:leadGenFormResponse:1",
    }
    assert "conversionValue" not in events[2]
    assert events[3]["conversionValue"] == {"currencyCode": "USD", "amount": "3.00"}
    assert events[3]["user"] == {
        "userIds": [],
        "userInfo": {"firstName": "F", "lastName": "L", "title": "T"},
        "externalIds": ["x"],
    }


NASTY = [
    'Mi"ke',
    "back\\slash",
    "new\nline",
    "tab\tand\rreturn",
    "Zoë Ñandú 李 😀",
    "</script><b>",
    "ctrl\u0001\u001fend",
    "\u2028line sep\u2029",
    '\\"',
    "{}[],:",
]


@pytest.mark.parametrize("text", NASTY)
def test_json_escaping_of_free_text_fields(text: str) -> None:
    frame = pl.DataFrame(
        {
            "conversionHappenedAt": [T],
            "firstName": [text],
            "lastName": [text],
            "companyName": [text],
            "title": [text],
            "eventId": [text],
            "ACXIOM_ID": [text],
            "ORACLE_MOAT_ID": [text],
            "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID": [text],
            "externalIds": pl.Series([[text]]),
        }
    )
    # 202608: the last version whose schema still has ORACLE_MOAT_ID.
    report = capi.validate(frame, 1, now=NOW, api_version="202608")
    expected = text.strip()
    (raw,) = event_json(report.valid).to_list()
    event = json.loads(raw)
    info = event["user"]["userInfo"]
    assert info == {
        "firstName": expected,
        "lastName": expected,
        "companyName": expected,
        "title": expected,
    }
    assert event["eventId"] == expected
    assert event["user"]["externalIds"] == [expected]
    assert [u["idValue"] for u in event["user"]["userIds"]] == [expected] * 3
    parsed = json.loads(body([raw]))
    assert parsed == {"elements": [event]}


def test_body_bytes() -> None:
    assert body([]) == b'{"elements":[]}'
    assert body(pl.Series([], dtype=pl.String)) == b'{"elements":[]}'
    assert body(['{"a":1}']) == b'{"elements":[{"a":1}]}'
    events = pl.Series(['{"a":"é"}', '{"b":2}'])
    assert body(events) == body(events.to_list()) == '{"elements":[{"a":"é"},{"b":2}]}'.encode()
    assert isinstance(body(events), bytes)


def test_event_json_of_an_empty_frame() -> None:
    report = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]}).valid.clear()
    assert event_json(report).to_list() == []


# -- batches ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_5001() -> pl.DataFrame:
    n = 5001
    df = pl.DataFrame(
        {
            "conversionHappenedAt": [T_MS] * n,
            "ACXIOM_ID": [f"a{i}" for i in range(n)],
            "eventId": [f"e{i}" for i in range(n)],
        }
    )
    report = capi.validate(df, 9, now=NOW)
    assert report.valid.height == n
    return report.valid


@pytest.mark.parametrize(
    ("n", "sizes"),
    [(0, []), (1, [1]), (4999, [4999]), (5000, [5000]), (5001, [5000, 1])],
)
def test_batch_boundaries(valid_5001: pl.DataFrame, n: int, sizes: list[int]) -> None:
    valid = valid_5001.head(n)
    batches = list(batch_bodies(valid))
    assert [len(b.rows) for b in batches] == sizes
    assert [len(b.events) for b in batches] == sizes
    assert [r for b in batches for r in b.rows] == list(range(n))
    for b in batches:
        assert isinstance(b, Batch)
        assert b.body == body(b.events)
        elements = json.loads(b.body)["elements"]
        assert [e["eventId"] for e in elements] == [f"e{r}" for r in b.rows]


def test_small_batches_keep_row_order_and_row_keys() -> None:
    report = run(
        {
            "conversionHappenedAt": [T, "bad", T, T, "bad", T, T],
            "ACXIOM_ID": list("abcdefg"),
        }
    )
    batches = list(batch_bodies(report.valid, batch_size=2))
    assert [b.rows for b in batches] == [[0, 2], [3, 5], [6]]
    ids = [json.loads(e)["user"]["userIds"][0]["idValue"] for b in batches for e in b.events]
    assert ids == list("acdfg")
    assert [json.loads(e) for b in batches for e in b.events] == report.payloads()


@pytest.mark.parametrize("size", [0, -1, 5001, True, False, 2.0, "10", None])
def test_bad_batch_sizes_are_config_errors(size: Any) -> None:
    valid = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]}).valid
    with pytest.raises(ConfigError, match="batch_size"):
        list(batch_bodies(valid, batch_size=size))


def test_batch_size_limits_are_inclusive() -> None:
    valid = run({"conversionHappenedAt": [T], "ACXIOM_ID": ["a"]}).valid
    assert len(list(batch_bodies(valid, batch_size=1))) == 1
    assert len(list(batch_bodies(valid, batch_size=5000))) == 1


def test_batch_bodies_agree_with_event_texts_for_uniform_and_mixed_batches() -> None:
    """Uniform batches are written in one piece, mixed ones joined: same bytes either way."""
    import polars as pl

    from linkedin_capi.engine.payload import batch_bodies, body, event_json

    n = 10
    valid = pl.DataFrame(
        {
            "_row": pl.Series(range(n), dtype=pl.UInt32),
            "conversion": ["urn:lla:llaPartnerConversion:1"] * n,
            "conversionHappenedAt": [1_700_000_000_000 + i for i in range(n)],
            # batch 0 (rows 0-3): all have an eventId; batch 1 (4-7): none; batch 2: mixed
            "eventId": ["a", "b", "c", "d", None, None, None, None, "i", None],
            "SHA256_EMAIL": ["0" * 64] * n,
        }
    )
    batches = list(batch_bodies(valid, batch_size=4))
    assert [b.rows for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    for batch in batches:
        assert batch.body == body(event_json(valid.filter(pl.col("_row").is_in(batch.rows))))
        assert batch.events == event_json(valid.filter(pl.col("_row").is_in(batch.rows))).to_list()
    assert b'"eventId":"a"' in batches[0].body and b"eventId" not in batches[1].body


@pytest.mark.parametrize("n", [1, 2, 15, 16, 17, 32, 33, 49, 64, 65, 70, 71])
def test_bodies_written_in_pieces_side_by_side_keep_every_batch_in_order(n: int) -> None:
    """Many batches are encoded in up to four runs at once (1 to 4 runs of 2-event batches
    here, some with a short last batch): none lost, doubled or reordered."""
    import polars as pl

    from linkedin_capi.engine.payload import (
        _PIECE_BATCHES,
        _RENDER_PIECES,
        batch_bodies,
        body,
        event_json,
    )

    assert _RENDER_PIECES == 4 and _PIECE_BATCHES == 8  # the cases above span 1 to 4 runs
    valid = pl.DataFrame(
        {
            "_row": pl.Series(range(n), dtype=pl.UInt32),
            "conversion": ["urn:lla:llaPartnerConversion:1"] * n,
            "conversionHappenedAt": [1_700_000_000_000 + i for i in range(n)],
            "eventId": [f"e{i}" for i in range(n)],
        }
    )
    batches = list(batch_bodies(valid, batch_size=2))
    assert [r for b in batches for r in b.rows] == list(range(n))
    for batch in batches:
        texts = event_json(valid.filter(pl.col("_row").is_in(batch.rows)))
        assert batch.body == body(texts)
        ids = [e["eventId"] for e in json.loads(batch.body)["elements"]]
        assert ids == [f"e{r}" for r in batch.rows]
