"""Rest.li validator messages: ``ERROR :: /path :: message`` lines and how values are quoted.

Shared by the event and the rule validators (``linkedin-api.md`` §2.2, §2.7).
"""

from __future__ import annotations

import json
from typing import Any

from linkedin_capi.sandbox import _schema as S


def render(value: Any) -> str:
    """A value as LinkedIn quotes it in messages (JSON: strings quoted, numbers bare)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


#: Every character ``str.splitlines`` breaks on, escaped as ``\\uXXXX``.
_LINE_BREAKS = {c: f"\\u{c:04x}" for c in (10, 11, 12, 13, 28, 29, 30, 133, 0x2028, 0x2029)}


def line(path: str, message: str) -> str:
    """One validator line.

    Examples
    --------
    >>> line("/foo", "unrecognized field found but not allowed")
    'ERROR :: /foo :: unrecognized field found but not allowed'
    """
    text = f"ERROR :: {path} :: {message}"
    if not text.isprintable():  # rare: keep each problem on one line of the message
        text = text.translate(_LINE_BREAKS)
    return text


def bad(errs: list[str], obj: dict[str, Any], key: str, path: str, kind: str) -> None:
    """Record a missing field or a value of the wrong type at ``path``."""
    if key not in obj:
        errs.append(line(path, S.MSG_REQUIRED))
        return
    value = obj[key]
    if kind == "Record":
        errs.append(line(path, f"{render(value)} is not backed by a DataMap"))
    elif kind == "Array":
        errs.append(line(path, f"{render(value)} is not backed by a DataList"))
    else:
        errs.append(line(path, f"{render(value)} cannot be coerced to {kind}"))


def unknown(errs: list[str], obj: dict[str, Any], allowed: frozenset[str], base: str) -> None:
    for key in obj:
        if key not in allowed:
            errs.append(line(f"{base}/{key}", S.MSG_UNKNOWN_FIELD))
