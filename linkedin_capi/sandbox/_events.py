"""LinkedIn-side validation of conversion events (``linkedin-api.md`` §2.2–§2.7).

Pure Python over parsed JSON. The sandbox must keep up with the SDK's export benchmark
(hundreds of thousands of events a second), so the common case — a valid event — runs
through type checks and set comparisons only; messages are formatted on the error path.

Error texts follow LinkedIn's Rest.li validator: one ``ERROR :: /path :: message`` line per
problem, the first line of each failing batch element prefixed with ``Index: N, ``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linkedin_capi.sandbox import _schema as S
from linkedin_capi.sandbox._facts import LEAD_URN_PREFIX, RULE_URN_PREFIX
from linkedin_capi.sandbox._http import Response, api_error
from linkedin_capi.sandbox._messages import bad, line, render, unknown


def _optional_str(errs: list[str], obj: dict[str, Any], key: str, path: str) -> None:
    value = obj.get(key)
    if value is None:
        if key in obj:  # an explicit null: LinkedIn's schema has no nullable fields
            bad(errs, obj, key, path, "String")
    elif type(value) is not str:
        bad(errs, obj, key, path, "String")


def event_errors(event: Any, id_types: frozenset[str]) -> list[str]:
    """Schema errors of one event as ``ERROR :: /path :: message`` lines; ``[]`` if none.

    Examples
    --------
    >>> event_errors({"conversion": "urn:lla:llaPartnerConversion:1",
    ...               "conversionHappenedAt": 1, "user": {"userIds": []},
    ...               "conversionValue": {"currencyCode": "USD", "amount": 19.9}},
    ...              frozenset({"SHA256_EMAIL"}))
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
        _user_errors(errs, user, id_types)
    else:
        bad(errs, event, "user", "/user", "Record")
    if not event.keys() <= S.EVENT_FIELDS:
        unknown(errs, event, S.EVENT_FIELDS, "")
    return errs


def _user_errors(errs: list[str], user: dict[str, Any], id_types: frozenset[str]) -> None:
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
                if id_type not in id_types:
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
        for key in ("firstName", "lastName"):
            if type(info.get(key)) is not str:
                bad(errs, info, key, f"/user/userInfo/{key}", "String")
        for key in ("companyName", "title", "countryCode"):
            _optional_str(errs, info, key, f"/user/userInfo/{key}")
        if not info.keys() <= S.USER_INFO_FIELDS:
            unknown(errs, info, S.USER_INFO_FIELDS, "/user/userInfo")
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


def _indices(found: list[int]) -> str:
    return "[" + ", ".join(map(str, found)) + "]"


def check_events(
    elements: list[Any],
    *,
    id_types: frozenset[str],
    window: tuple[int, int],
    rules: Mapping[str, str],
    batch: bool,
    index_every_line: bool = False,
) -> Response | None:
    """Validate events all-or-nothing; the error response, or ``None`` when all pass.

    Checks run in LinkedIn's order of severity: schema (422, every problem of every
    element), then unknown or inaccessible rules (403), then rules of another conversion
    method (400), then the 90-day / not-in-the-future window (400).

    Parameters
    ----------
    elements : list
        Parsed events.
    id_types : frozenset of str
        idType symbols valid under the request's LinkedIn-Version.
    window : tuple of int
        Inclusive ``(oldest, newest)`` ``conversionHappenedAt`` in epoch milliseconds.
    rules : Mapping[str, str]
        Rule URN → conversionMethod, for the rules the caller may stream to.
    batch : bool
        ``True`` for BATCH_CREATE (messages name element indices).
    index_every_line : bool
        Prefix every error line, not only each element's first, with ``Index: N, ``.
    """
    lines: list[str] = []
    late: list[int] = []
    wrong_method: list[int] = []
    unknown_rule = False
    lo, hi = window
    for i, event in enumerate(elements):
        errs = event_errors(event, id_types)
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
        happened = event["conversionHappenedAt"]
        if happened < lo or happened > hi:
            late.append(i)
        method = rules.get(event["conversion"])
        if method is None:
            unknown_rule = True
        elif method != "CONVERSIONS_API":
            wrong_method.append(i)
    if lines:
        return api_error(422, "\n".join(lines) + "\n")
    if unknown_rule:
        return api_error(403, S.MSG_NO_AD_ACCOUNTS)
    if wrong_method:
        return api_error(400, S.MSG_WRONG_METHOD.format(indices=_indices(wrong_method)))
    if late:
        return api_error(400, S.MSG_TIME_WINDOW.format(indices=_indices(late)))
    return None
