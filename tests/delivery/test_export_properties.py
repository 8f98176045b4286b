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

from linkedin_capi.delivery.sending import BatchOutcome, send_batch
from linkedin_capi.engine.payload import Batch, body
from linkedin_capi.errors import APIError


class Response:
    """LinkedIn's answer to an accepted BATCH_CREATE of ``n`` events."""

    status_code = 200

    def __init__(self, n: int) -> None:
        self.headers = {"Content-Type": "application/json"}
        self.content = json.dumps({"elements": [{"status": 201}] * n}).encode()


class LinkedInLike:
    """Rejects bodies holding a bad event, naming indices (or not) like LinkedIn."""

    def __init__(self, bad: set[int], style: str) -> None:
        self.bad, self.style = bad, style
        self.accepted: list[int] = []
        self.calls = 0

    def send_events(self, data: bytes, hooks: Any = None) -> Response:
        self.calls += 1
        ids = [e["id"] for e in json.loads(data)["elements"]]
        assert ids, "an empty batch was sent"
        hits = [i for i, v in enumerate(ids) if v in self.bad]
        if not hits:
            self.accepted.extend(ids)
            return Response(len(ids))
        if self.style == "index":
            message = "".join(f"Index: {i}, ERROR :: /user :: bad\n" for i in hits)
            raise APIError(message, status=422)
        if self.style == "indices":
            raise APIError(f"bad, indices [{', '.join(map(str, hits))}] (0-indexed).", status=400)
        if self.style == "some":  # names only the first culprit: the rest are found later
            raise APIError(f"Index: {hits[0]}, ERROR :: /user :: bad", status=422)
        if self.style == "opaque-distinct":  # no index, but the text differs per bad event
            raise APIError(f"Bad request: event {ids[hits[0]]} is invalid", status=400)
        raise APIError("Bad request", status=400)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 300),
    bad=st.sets(st.integers(0, 299), max_size=20),
    style=st.sampled_from(["index", "indices", "some", "opaque", "opaque-distinct"]),
)
def test_each_row_settled_once_and_only_bad_rows_fail(n: int, bad: set[int], style: str) -> None:
    bad = {b for b in bad if b < n}
    texts = pl.Series([json.dumps({"id": i}) for i in range(n)])
    batch = Batch(rows=list(range(n)), body=body(texts), texts=texts)
    linkedin = LinkedInLike(bad, style)
    out = BatchOutcome()
    send_batch(linkedin, batch, out)  # type: ignore[arg-type]
    sent = [r for rows in out.sent for r in rows]
    assert not out.unknown and not out.stops
    assert sorted(sent + out.failed_rows) == list(range(n))  # every row exactly once
    if style == "opaque" and len(bad) > 1:
        # Identical messages with no index: when both halves of a split fail the same
        # way, bisection stops and that piece fails whole (it cannot tell rows apart).
        assert bad <= set(out.failed_rows)
    else:
        assert set(out.failed_rows) == bad  # one bad row never fails more than itself
    assert sorted(linkedin.accepted) == sorted(sent)  # nothing accepted twice
    assert len(linkedin.accepted) == len(set(linkedin.accepted))
    if style in {"index", "indices"}:
        assert linkedin.calls <= 2
    else:  # bisection: about 2·log2(n) requests per bad row, at most
        assert linkedin.calls <= 1 + 2 * max(1, len(bad)) * max(1, n.bit_length())


def test_a_rejection_of_every_piece_alike_stops_splitting_and_the_export() -> None:
    """A disabled rule: 3 requests for 5000 events, not 9,999; the export is told to stop."""
    message = (
        "Invalid Conversion information provided, this event(s) is associated to a "
        "conversion that's marked as deleted. Conversion enabled should be true"
    )

    class Disabled:
        calls = 0

        def send_events(self, data: bytes, hooks: Any = None) -> Any:
            self.calls += 1
            raise APIError(message, status=400)

    n = 5000
    texts = pl.Series([json.dumps({"id": i}) for i in range(n)])
    out = BatchOutcome()
    linkedin = Disabled()
    send_batch(linkedin, Batch(list(range(n)), body(texts), texts=texts), out)  # type: ignore[arg-type]
    assert linkedin.calls == 3
    assert sorted(out.failed_rows) == list(range(n)) and out.sent == []
    assert set(out.failed_errors) == {message}
    assert out.request_wrong is not None and "marked as deleted" in out.request_wrong


def test_every_element_blamed_never_sends_an_empty_batch() -> None:
    class BlameAll:
        calls = 0

        def send_events(self, data: bytes, hooks: Any = None) -> Any:
            self.calls += 1
            n = len(json.loads(data)["elements"])
            assert n, "an empty batch was sent"
            lines = "".join(f"Index: {i}, ERROR :: /x :: bad\n" for i in range(n))
            raise APIError(lines, status=422)

    texts = pl.Series([json.dumps({"id": i}) for i in range(3)])
    out = BatchOutcome()
    linkedin = BlameAll()
    send_batch(linkedin, Batch([0, 1, 2], body(texts), texts=texts), out)  # type: ignore[arg-type]
    assert linkedin.calls == 1 and sorted(out.failed_rows) == [0, 1, 2]


def test_transient_failure_fails_the_piece_only() -> None:
    class Flaky:
        calls = 0

        def send_events(self, data: bytes, hooks: Any = None) -> Any:
            from linkedin_capi.errors import ServerError

            raise ServerError("down", status=503)

    texts = pl.Series([json.dumps({"id": i}) for i in range(4)])
    out = BatchOutcome()
    send_batch(Flaky(), Batch(list(range(4)), body(texts), texts=texts), out)  # type: ignore[arg-type]
    assert out.unknown == [([0, 1, 2, 3], out.unknown[0][1])] and out.sent == []
    assert "HTTP 503" in out.unknown[0][1] and out.failed_rows == []


def test_a_sent_batch_is_freed_without_the_cycle_collector() -> None:
    """Nothing of ``send_batch`` keeps the batch alive once it returns (no reference cycle).

    A cycle kept every sent batch (a 2 MB body, and the string buffers of the slice its
    rows came from) until Python's cycle collector ran: ~200 MB more at 1M rows.
    """
    import gc
    import weakref

    for style, bad in (("index", set()), ("index", {1}), ("opaque", {2})):
        texts = pl.Series([json.dumps({"id": i}) for i in range(4)])
        batch = Batch(rows=list(range(4)), body=body(texts), texts=texts)
        gone = weakref.ref(batch)
        out = BatchOutcome()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            send_batch(LinkedInLike(bad, style), batch, out)  # type: ignore[arg-type]
            del batch
            assert gone() is None, f"the batch outlived send_batch ({style}, bad={bad})"
        finally:
            if was_enabled:
                gc.enable()
        assert sorted([r for rows in out.sent for r in rows] + out.failed_rows) == [0, 1, 2, 3]
