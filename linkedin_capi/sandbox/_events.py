"""LinkedIn-side validation of conversion events (audit rows C3–C9, D1–D12, E1).

Pure Python over parsed JSON. The sandbox must keep up with the SDK's export benchmark
(hundreds of thousands of events a second), so the common case — a valid event — runs
through type checks and set comparisons only; messages are formatted on the error path.

Error texts follow LinkedIn's Rest.li validator: one ``ERROR :: /path :: message`` line per
problem, the first line of each failing batch element prefixed with ``Index: N, ``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from linkedin_capi.sandbox import _schema as S
from linkedin_capi.sandbox._http import Response, api_error
from linkedin_capi.sandbox._messages import bad, line, render, unknown
from linkedin_capi.sandbox._schema import LEAD_URN_PREFIX, RULE_URN_PREFIX

#: How the 90-day / future-time 400 names its rows: the measured ``indices [..]`` text or
#: the documented ``batchIndex=N`` one (audit C6).
TimeErrorForm = Literal["indices", "batchIndex"]


@dataclass(frozen=True)
class EventSchema:
    """What one request's ``LinkedIn-Version`` (and the sandbox clock) allows in an event."""

    id_types: frozenset[str]
    user_info_fields: frozenset[str] = S.USER_INFO_FIELDS
    lead_only: bool = True

    @classmethod
    def for_version(cls, version: str, *, lead_only: bool = True) -> EventSchema:
        """The schema under ``version``; ``lead_only``: whether a lead alone identifies."""
        return cls(S.id_types(version), S.user_info_fields(version), lead_only)


def _optional_str(errs: list[str], obj: dict[str, Any], key: str, path: str) -> None:
    value = obj.get(key)
    if value is None:
        if key in obj:  # an explicit null: LinkedIn's schema has no nullable fields
            bad(errs, obj, key, path, "String")
    elif type(value) is not str:
        bad(errs, obj, key, path, "String")


def event_errors(event: Any, schema: EventSchema) -> list[str]:
    """Schema errors of one event as ``ERROR :: /path :: message`` lines; ``[]`` if none.

    Examples
    --------
    >>> event_errors({"conversion": "urn:lla:llaPartnerConversion:1",
    ...               "conversionHappenedAt": 1, "user": {"userIds": []},
    ...               "conversionValue": {"currencyCode": "USD", "amount": 19.9}},
    ...              EventSchema(frozenset({"SHA256_EMAIL"})))
    ['ERROR :: /conversionValue/amount :: 19.9 cannot be coerced to String']
    """
    if type(event) is not dict:
        return [line("", f"{render(event)} is not backed by a DataMap")]
    errs: list[str] = []
    conversion = event.get("conversion")
    if type(conversion) is str:
        if not conversion.startswith(RULE_URN_PREFIX):
            errs.append(line("/conversion", S.MSG_BAD_URN_PREFIX))
    else:
        bad(errs, event, "conversion", "/conversion", "String")
    if type(event.get("conversionHappenedAt")) is not int:
        bad(errs, event, "conversionHappenedAt", "/conversionHappenedAt", "Long")
    value = event.get("conversionValue")
    if type(value) is dict:
        if type(value.get("currencyCode")) is not str:
            bad(errs, value, "currencyCode", "/conversionValue/currencyCode", "String")
        if type(value.get("amount")) is not str:
            bad(errs, value, "amount", "/conversionValue/amount", "String")
        if not value.keys() <= S.VALUE_FIELDS:
            unknown(errs, value, S.VALUE_FIELDS, "/conversionValue")
    elif value is not None or "conversionValue" in event:
        bad(errs, event, "conversionValue", "/conversionValue", "Record")
    _optional_str(errs, event, "eventId", "/eventId")
    user = event.get("user")
    if type(user) is dict:
        _user_errors(errs, user, schema)
    else:
        bad(errs, event, "user", "/user", "Record")
    if not event.keys() <= S.EVENT_FIELDS:
        unknown(errs, event, S.EVENT_FIELDS, "")
    return errs


def _user_errors(errs: list[str], user: dict[str, Any], schema: EventSchema) -> None:
    ids = user.get("userIds")
    if type(ids) is list:
        for n, item in enumerate(ids):
            if type(item) is not dict:
                errs.append(
                    line(f"/user/userIds/{n}", f"{render(item)} is not backed by a DataMap")
                )
                continue
            id_type = item.get("idType")
            if type(id_type) is str:
                if id_type not in schema.id_types:
                    path = f"/user/userIds/{n}/idType"
                    errs.append(line(path, f"{render(id_type)} is not an enum symbol"))
            else:
                bad(errs, item, "idType", f"/user/userIds/{n}/idType", "String")
            if type(item.get("idValue")) is not str:
                bad(errs, item, "idValue", f"/user/userIds/{n}/idValue", "String")
            if len(item) != 2:
                unknown(errs, item, S.USER_ID_FIELDS, f"/user/userIds/{n}")
    else:
        bad(errs, user, "userIds", "/user/userIds", "Array")
    info = user.get("userInfo")
    if type(info) is dict:
        _user_info_errors(errs, info, schema.user_info_fields)
    elif info is not None or "userInfo" in user:
        bad(errs, user, "userInfo", "/user/userInfo", "Record")
    lead = user.get("lead")
    if type(lead) is str:
        if not lead.startswith(LEAD_URN_PREFIX):
            errs.append(line("/user/lead", S.MSG_BAD_URN_PREFIX))
    elif lead is not None or "lead" in user:
        bad(errs, user, "lead", "/user/lead", "String")
    external = user.get("externalIds")
    if type(external) is list:
        for n, item in enumerate(external):
            if type(item) is not str:
                errs.append(
                    line(f"/user/externalIds/{n}", f"{render(item)} cannot be coerced to String")
                )
    elif external is not None or "externalIds" in user:
        bad(errs, user, "externalIds", "/user/externalIds", "Array")
    if not user.keys() <= S.USER_FIELDS:
        unknown(errs, user, S.USER_FIELDS, "/user")


def _user_info_errors(errs: list[str], info: dict[str, Any], allowed: frozenset[str]) -> None:
    """First and last name are required: plain, or (from 202609) hashed (audit D10)."""
    for plain, hashed in (("firstName", "hashedFirstName"), ("lastName", "hashedLastName")):
        if hashed in allowed and hashed in info:
            _optional_str(errs, info, hashed, f"/user/userInfo/{hashed}")
            _optional_str(errs, info, plain, f"/user/userInfo/{plain}")
        elif type(info.get(plain)) is not str:
            bad(errs, info, plain, f"/user/userInfo/{plain}", "String")
    for key in ("companyName", "title", "countryCode"):
        _optional_str(errs, info, key, f"/user/userInfo/{key}")
    if not info.keys() <= allowed:
        unknown(errs, info, allowed, "/user/userInfo")


def identified(user: dict[str, Any], lead_only: bool) -> bool:
    """Whether a schema-valid ``user`` carries one identifier of LinkedIn's OR-list.

    "An input request must provide at least one of the following": one of the idTypes, a
    valid userInfo combination (first and last name), a valid externalIds list, or a valid
    ``lead`` — "and the input shouldn't be empty string" (L-FAQ, L-SCHEMA, PS ao; audit D4).

    Examples
    --------
    >>> identified({"userIds": [{"idType": "GOOGLE_AID", "idValue": ""}]}, True)
    False
    >>> identified({"userIds": [], "lead": "urn:li:leadGenFormResponse:1"}, True)
    True
    """
    if any(item["idValue"] for item in user["userIds"]):
        return True
    info = user.get("userInfo")
    if (
        info is not None
        and (info.get("firstName") or info.get("hashedFirstName"))
        and (info.get("lastName") or info.get("hashedLastName"))
    ):
        return True
    if any(user.get("externalIds") or ()):
        return True
    return lead_only and bool(user.get("lead"))


def _indices(found: list[int]) -> str:
    return "[" + ", ".join(map(str, found)) + "]"


def time_error(found: list[int], form: TimeErrorForm) -> str:
    """The 400 message for events outside the 90-day window, in the measured or documented form.

    Examples
    --------
    >>> time_error([0, 3], "indices")  # doctest: +ELLIPSIS
    'Conversion time should be within 90 days and not exceed ..., indices [0, 3] (0-indexed).'
    >>> time_error([2], "batchIndex")  # doctest: +NORMALIZE_WHITESPACE
    'Validation failed because [{field=Invalid Conversion time, batchIndex=2,
     type=INVALID_CONVERSION_TIME_FIELD_VALUE, message=Conversion time should be within 90 days.}]'
    """
    if form == "batchIndex":
        entries = ", ".join(S.MSG_TIME_WINDOW_ENTRY.format(index=i) for i in found)
        return S.MSG_TIME_WINDOW_DOCUMENTED.format(entries=entries)
    return S.MSG_TIME_WINDOW.format(indices=_indices(found))


@dataclass(frozen=True)
class Rule:
    """What the event check needs to know of a rule the caller may stream to."""

    method: str
    enabled: bool


def check_events(
    elements: list[Any],
    *,
    schema: EventSchema,
    window: tuple[int, int],
    rules: Mapping[str, Rule],
    batch: bool,
    index_every_line: bool = False,
    wrong_method_indices: bool = True,
    time_form: TimeErrorForm = "indices",
) -> Response | None:
    """Validate events all-or-nothing; the error response, or ``None`` when all pass.

    Checks run in this order: schema (422, every problem of every element), LinkedIn's
    identifier OR-list (400, the documented message, no rows named), unknown or
    inaccessible rules (403), disabled rules (400, the documented message, no rows named),
    rules of another conversion method (400, measured form naming the indices), then the
    90-day / not-in-the-future window (400). The order between the 400s is the sandbox's.

    Parameters
    ----------
    elements : list
        Parsed events.
    schema : EventSchema
        What the request's LinkedIn-Version allows.
    window : tuple of int
        Inclusive ``(oldest, newest)`` ``conversionHappenedAt`` in epoch milliseconds.
    rules : Mapping[str, Rule]
        Rule URN → method and state, for the rules the caller may stream to.
    batch : bool
        ``True`` for BATCH_CREATE (messages name element indices).
    index_every_line : bool
        Prefix every error line, not only each element's first, with ``Index: N, ``.
    wrong_method_indices : bool
        Name the rows of a wrong-method 400 (measured); ``False`` names none.
    time_form : {"indices", "batchIndex"}
        The measured or the documented text of the 90-day 400.
    """
    lines: list[str] = []
    late: list[int] = []
    wrong_method: list[int] = []
    unknown_rule = disabled = anonymous = False
    lo, hi = window
    for i, event in enumerate(elements):
        errs = event_errors(event, schema)
        if errs:
            if batch:
                prefix = f"Index: {i}, "
                lines.append(prefix + errs[0])
                lines.extend((prefix + e if index_every_line else e) for e in errs[1:])
            else:
                lines.extend(errs)
            continue
        if lines:  # business checks are moot once the schema failed somewhere
            continue
        if not identified(event["user"], schema.lead_only):
            anonymous = True
        happened = event["conversionHappenedAt"]
        if happened < lo or happened > hi:
            late.append(i)
        rule = rules.get(event["conversion"])
        if rule is None:
            unknown_rule = True
        elif not rule.enabled:
            disabled = True
        elif rule.method != S.CONVERSIONS_API:
            wrong_method.append(i)
    if lines:
        return api_error(422, "\n".join(lines) + "\n")
    if anonymous:
        return api_error(400, S.MSG_NO_IDENTIFIER)
    if unknown_rule:
        return api_error(403, S.MSG_NO_AD_ACCOUNTS)
    if disabled:
        return api_error(400, S.MSG_RULE_DISABLED)
    if wrong_method:
        if not wrong_method_indices:
            return api_error(400, S.MSG_WRONG_METHOD.split(", indices")[0])
        return api_error(400, S.MSG_WRONG_METHOD.format(indices=_indices(wrong_method)))
    if late:
        return api_error(400, time_error(late, time_form))
    return None
