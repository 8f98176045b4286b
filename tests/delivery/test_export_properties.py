"""Property tests of the split/bisect delivery logic (pure: a stand-in send_events).

HTTP behaviour is tested against a real loopback server elsewhere; here Hypothesis drives
the bookkeeping with random bad-row sets, batch sizes and message styles.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from linkedin_capi.delivery._batches import _deliver, _NoBar, _Outcomes
from linkedin_capi.engine.payload import Batch, body
from linkedin_capi.errors import APIError


class Response:
    content = b'{"elements":[]}'


class LinkedInLike:
    """Rejects bodies holding a bad event, naming indices (or not) like LinkedIn."""

    def __init__(self, bad: set[int], style: str) -> None:
        self.bad, self.style = bad, style
        self.accepted: list[int] = []
        self.calls = 0

    def send_events(self, data: bytes) -> Response:
        self.calls += 1
        ids = [e["id"] for e in json.loads(data)["elements"]]
        hits = [i for i, v in enumerate(ids) if v in self.bad]
        if not hits:
            self.accepted.extend(ids)
            return Response()
        if self.style == "index":
            message = "".join(f"Index: {i}, ERROR :: /user :: bad\n" for i in hits)
            raise APIError(message, status=422)
        if self.style == "indices":
            raise APIError(f"bad, indices [{', '.join(map(str, hits))}] (0-indexed).", status=400)
        if self.style == "some":  # names only the first culprit: the rest are found later
            raise APIError(f"Index: {hits[0]}, ERROR :: /user :: bad", status=422)
        raise APIError("Bad request", status=400)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 300),
    bad=st.sets(st.integers(0, 299), max_size=20),
    style=st.sampled_from(["index", "indices", "some", "opaque"]),
)
def test_each_row_settled_once_and_only_bad_rows_fail(n: int, bad: set[int], style: str) -> None:
    bad = {b for b in bad if b < n}
    texts = pl.Series([json.dumps({"id": i}) for i in range(n)])
    batch = Batch(rows=list(range(n)), body=body(texts), texts=texts)
    linkedin = LinkedInLike(bad, style)
    out = _Outcomes(_NoBar())
    transient = _deliver(linkedin, batch, out)  # type: ignore[arg-type]
    sent = [r for rows in out.sent for r in rows]
    assert not transient
    assert sorted(sent + out.failed_rows) == list(range(n))  # every row exactly once
    assert set(out.failed_rows) == bad  # one bad row never fails more than itself
    assert sorted(linkedin.accepted) == sorted(sent)  # nothing accepted twice
    assert len(linkedin.accepted) == len(set(linkedin.accepted))
    if style in {"index", "indices"}:
        assert linkedin.calls <= 2
    else:  # bisection: about 2·log2(n) requests per bad row, at most
        assert linkedin.calls <= 1 + 2 * len(bad) * max(1, n.bit_length())


def test_transient_failure_fails_the_piece_only() -> None:
    class Flaky:
        calls = 0

        def send_events(self, data: bytes) -> Any:
            from linkedin_capi.errors import ServerError

            raise ServerError("down", status=503)

    texts = pl.Series([json.dumps({"id": i}) for i in range(4)])
    out = _Outcomes(_NoBar())
    assert _deliver(Flaky(), Batch(list(range(4)), body(texts), texts=texts), out)  # type: ignore[arg-type]
    assert out.failed_rows == [0, 1, 2, 3] and out.sent == []
