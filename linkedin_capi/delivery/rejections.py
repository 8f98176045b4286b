"""Which events of a rejected batch LinkedIn blamed (pure; no I/O).

LinkedIn validates a BATCH_CREATE all-or-nothing and names the failing elements in the
message (shared/docs/linkedin-api.md §2.7)::

    422  "Index: 0, ERROR :: /conversionValue/amount :: field is required ...\\n
          ERROR :: /user/userInfo/firstName :: ...\\nIndex: 3, ERROR :: ..."
    400  "... is older than 90 days, indices [0, 3] (0-indexed)."
    400  "Validation failed because [{field=Invalid Conversion time, batchIndex=0,
          type=INVALID_CONVERSION_TIME_FIELD_VALUE, message=...}]"   (the documented form)

:func:`failing_indices` turns such a message into ``{index: message for that event}``;
an empty answer means "no usable index" and the caller bisects instead.
"""

from __future__ import annotations

import re

__all__ = ["failing_indices", "split_halves"]

_INDEX_LINE = re.compile(r"Index:\s*(\d+)\s*,?\s*", re.IGNORECASE)
_BATCH_INDEX = re.compile(r"\{([^{}]*?\bbatchIndex\s*=\s*(\d+)[^{}]*)\}", re.IGNORECASE)
_INDICES = re.compile(
    r"ind(?:ices|ex)\s*\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]\s*(\((\d)-indexed\))?", re.IGNORECASE
)


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.splitlines()]
    return "; ".join(line for line in lines if line)


def failing_indices(message: str, size: int) -> dict[int, str]:
    """Map each element index named in ``message`` to the message about it.

    Indices outside ``range(size)`` are ignored. Text before the first ``Index:`` line
    (a preamble) is prepended to every element's message.

    Examples
    --------
    >>> failing_indices("Index: 0, ERROR :: /amount :: required\\nERROR :: /x :: bad\\n"
    ...                 "Index: 2, ERROR :: /user :: bad", size=3)
    {0: 'ERROR :: /amount :: required; ERROR :: /x :: bad', 2: 'ERROR :: /user :: bad'}
    >>> failing_indices("too old, indices [1, 4] (0-indexed).", size=5)
    {1: 'too old, indices [1, 4] (0-indexed).', 4: 'too old, indices [1, 4] (0-indexed).'}
    >>> failing_indices("Validation failed because [{field=Invalid Conversion time, "
    ...                 "batchIndex=1, type=T, message=Too old.}]", size=3)
    {1: 'field=Invalid Conversion time, batchIndex=1, type=T, message=Too old.'}
    >>> failing_indices("Internal error", size=5)
    {}
    """
    found: dict[int, str] = {}
    for match in _BATCH_INDEX.finditer(message):
        index = int(match.group(2))
        if 0 <= index < size:
            detail = _tidy(match.group(1))
            found[index] = f"{found[index]}; {detail}" if index in found else detail
    if found:
        return found
    pieces = _INDEX_LINE.split(message)
    if len(pieces) > 1:
        preamble = _tidy(pieces[0])
        for number, text in zip(pieces[1::2], pieces[2::2], strict=True):
            index = int(number)
            if 0 <= index < size:
                detail = _tidy(text) or _tidy(message)
                detail = f"{preamble}; {detail}" if preamble else detail
                found[index] = f"{found[index]}; {detail}" if index in found else detail
        if found:
            return found
    whole = _tidy(message)
    for match in _INDICES.finditer(message):
        offset = 1 if match.group(3) == "1" else 0
        for number in match.group(1).split(","):
            index = int(number) - offset
            if 0 <= index < size:
                found[index] = whole
    return found


def split_halves(size: int) -> tuple[range, range]:
    """Positions of the two halves a rejected, unexplained batch is re-sent as.

    Examples
    --------
    >>> split_halves(5)
    (range(0, 2), range(2, 5))
    """
    middle = size // 2
    return range(middle), range(middle, size)
