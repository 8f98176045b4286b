"""The sandbox's event validator answers every JSON value with a LinkedIn status, never a crash."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from linkedin_capi.sandbox._events import EventSchema, Rule, check_events, event_errors
from linkedin_capi.sandbox._schema import id_types

RULE = "urn:lla:llaPartnerConversion:1"
KINDS = id_types("202607")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
fields = st.sampled_from(
    ["conversion", "conversionHappenedAt", "conversionValue", "eventId", "user", "extra"]
)
user_fields = st.sampled_from(["userIds", "userInfo", "lead", "externalIds", "other"])


def valid_event() -> dict[str, Any]:
    return {
        "conversion": RULE,
        "conversionHappenedAt": 500,
        "conversionValue": {"currencyCode": "USD", "amount": "1.00"},
        "eventId": "e",
        "user": {
            "userIds": [{"idType": "SHA256_EMAIL", "idValue": "x"}],
            "userInfo": {"firstName": "a", "lastName": "b"},
            "lead": "urn:li:leadGenFormResponse:1",
            "externalIds": ["c"],
        },
    }


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(fields, user_fields, json_values, st.booleans()), max_size=4), json_values
)
def test_mutated_events_get_a_status_or_pass(
    mutations: list[tuple[str, str, Any, bool]], anything: Any
) -> None:
    event = valid_event()
    for field, user_field, value, inside_user in mutations:
        if inside_user and isinstance(event.get("user"), dict):
            event["user"][user_field] = value
        else:
            event[field] = value
    for element in (event, anything):
        response = check_events(
            [element],
            schema=EventSchema(KINDS),
            window=(0, 1000),
            rules={RULE: Rule("CONVERSIONS_API", enabled=True)},
            batch=True,
        )
        errors = event_errors(element, EventSchema(KINDS))
        if response is None:
            assert errors == []
        else:
            assert response.status in (400, 403, 422)
            body = json.loads(response.body)
            assert body["status"] == response.status
            if response.status == 422:
                assert body["message"].startswith("Index: 0, ERROR :: ")
                assert len(body["message"].splitlines()) == len(errors)


def test_the_unmutated_event_passes() -> None:
    response = check_events(
        [valid_event()],
        schema=EventSchema(KINDS),
        window=(0, 1000),
        rules={RULE: Rule("CONVERSIONS_API", enabled=True)},
        batch=True,
    )
    assert response is None
