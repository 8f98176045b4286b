"""export(): one outcome per row against a loopback LinkedIn, for every failure mode.

After each run :func:`check` asserts the invariants: the counts add up to the input, each
input row has exactly one outcome, and no event was accepted twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
import pytest
from _support.fake_linkedin import (
    HANG,
    RESET,
    FakeClock,
    FakeLinkedIn,
    Reply,
    Seen,
    batch_ok,
    running,
)
from _support.fake_linkedin import (
    make_conn as shared_make_conn,
)

import linkedin_capi as capi
from linkedin_capi import errors
from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.delivery.export import export
from linkedin_capi.delivery.rejections import failing_indices, split_halves

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
NOW_MS = int(NOW.timestamp() * 1000)


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    yield from running()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def frame(n: int, *, invalid: tuple[int, ...] = (), old: tuple[int, ...] = ()) -> pl.DataFrame:
    """``n`` events with eventId ``e<i>``; rows in ``invalid`` fail validation, ``old`` skip."""
    times = [NOW_MS - 86_400_000 * (100 if i in old else 1) - i for i in range(n)]
    amounts = ["-1" if i in invalid else "10.50" for i in range(n)]
    return pl.DataFrame(
        {
            "eventId": [f"e{i}" for i in range(n)],
            "conversionHappenedAt": times,
            "SHA256_EMAIL": [f"User{i}@Example.com" for i in range(n)],
            "currencyCode": ["usd"] * n,
            "amount": amounts,
        }
    )


def make_conn(fake: FakeLinkedIn, clock: FakeClock, **kwargs: Any) -> capi.Connection:
    """The shared test connection, with 3 attempts and rule 123 as the default."""
    options: dict[str, Any] = {
        "retry": RetryPolicy(attempts=3, base=1.0, cap=4.0, rand=lambda: 1.0),
        "conversion": 123,
    }
    options.update(kwargs)
    conn: capi.Connection = shared_make_conn(fake, clock, **options)
    return conn


def check(result: capi.ExportResult, fake: FakeLinkedIn, n: int) -> None:
    rows = result.rows
    assert rows.height == n
    assert rows.get_column("_row").to_list() == list(range(n))  # one outcome per input row
    counts = result.counts
    assert sum(counts[s] for s in ("sent", "failed", "invalid", "skipped", "dry_run")) == n
    accepted = fake.accepted_ids()
    assert len(accepted) == len(set(accepted)), "an event was accepted twice"
    sent = rows.filter(pl.col("status") == "sent").get_column("_row").to_list()
    assert sorted(accepted, key=lambda e: int(e[1:])) == [f"e{r}" for r in sent]
    assert rows.filter(pl.col("status") == "sent").get_column("error").null_count() == len(sent)
    assert (
        rows.filter(pl.col("status") != "sent").get_column("error").null_count()
        == (counts["dry_run"])
    )


def blame(bad: set[str], style: str) -> Callable[[Seen], Reply]:
    """An API that rejects batches holding events in ``bad`` the way LinkedIn does."""

    def answer(seen: Seen) -> Reply:
        elements = seen.json()["elements"]
        hits = [i for i, e in enumerate(elements) if e["eventId"] in bad]
        if not hits:
            return batch_ok(seen)
        if style == "index":
            lines = "".join(
                f"Index: {i}, ERROR :: /user/userIds :: bad id {elements[i]['eventId']}\n"
                f"ERROR :: /conversionValue :: also bad\n"
                for i in hits
            )
            return Reply(422, {"status": 422, "message": lines})
        if style == "indices":
            listed = ", ".join(map(str, hits))
            return Reply(
                400, {"status": 400, "message": f"Too old, indices [{listed}] (0-indexed)."}
            )
        return Reply(400, {"status": 400, "message": "Bad request body"})  # names no index

    return answer


# -- happy paths -------------------------------------------------------------------------


def test_sends_in_batches_and_joins_back(fake: FakeLinkedIn, clock: FakeClock) -> None:
    df = frame(12, invalid=(3,), old=(5,))
    result = df.capi.export(make_conn(fake, clock), batch_size=4, now=NOW, progress=False)
    check(result, fake, 12)
    assert (result.sent, result.failed, result.invalid, result.skipped) == (10, 0, 1, 1)
    assert not result.ok and result.report is not None
    # Two batches in flight by default: they may arrive in either order.
    assert sorted(len(s.json()["elements"]) for s in fake.api_requests) == [2, 4, 4]
    assert all(s.headers["x-restli-method"] == "BATCH_CREATE" for s in fake.api_requests)
    event = fake.accepted[0]
    assert event["conversion"] == "urn:lla:llaPartnerConversion:123"
    assert event["user"]["userIds"][0]["idType"] == "SHA256_EMAIL"
    joined = result.join(df)
    assert joined.columns == [*df.columns, "status", "error"]
    assert joined.row(3, named=True)["status"] == "invalid"
    assert joined.row(3, named=True)["error"].startswith("amount:")
    assert joined.row(5, named=True)["status"] == "skipped"
    assert "10 sent" in repr(result) and "ExportResult" in result._repr_html_()


def test_lazyframe_and_function_form(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock, conversion=None)
    result = frame(3).lazy().capi.export(conn, "urn:lla:llaPartnerConversion:9", now=NOW)
    check(result, fake, 3)
    assert result.ok and result.sent == 3
    assert fake.accepted[0]["conversion"] == "urn:lla:llaPartnerConversion:9"


def test_dry_run_sends_nothing(fake: FakeLinkedIn, clock: FakeClock) -> None:
    result = export(
        frame(7, invalid=(1,)), make_conn(fake, clock), dry_run=True, now=NOW, batch_size=2
    )
    check(result, fake, 7)
    assert result.counts["dry_run"] == 6 and result.sent == 0
    assert fake.api_requests == [] and fake.token_requests == []
    assert export(frame(2), None, 5, dry_run=True, now=NOW).counts["dry_run"] == 2


def test_skip_invalid_false_sends_nothing(fake: FakeLinkedIn, clock: FakeClock) -> None:
    with pytest.raises(
        errors.ValidationFailed, match=r"nothing was sent \(fields with problems: amount\)"
    ) as info:
        export(frame(5, invalid=(2,)), make_conn(fake, clock), skip_invalid_records=False, now=NOW)
    assert info.value.report.counts["invalid"] == 1
    assert fake.api_requests == []
    result = export(frame(5), make_conn(fake, clock), skip_invalid_records=False, now=NOW)
    assert result.sent == 5


@pytest.mark.parametrize("size", [0, 5001, -1, "10", 2.5, True])
def test_batch_size_checked(size: Any) -> None:
    with pytest.raises(errors.ConfigError, match="batch_size"):
        export(frame(2), None, 1, dry_run=True, batch_size=size, now=NOW)


def test_needs_connection_unless_dry_run() -> None:
    with pytest.raises(errors.ConfigError, match="Connection"):
        export(frame(2), None, 1, now=NOW)


def test_progress_callable_and_bar(
    fake: FakeLinkedIn, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[int] = []
    fake.api = blame({"e4"}, "index")
    result = export(frame(10), make_conn(fake, clock), batch_size=3, now=NOW, progress=seen.append)
    assert sum(seen) == result.sent == 9
    export(frame(10), make_conn(fake, clock), batch_size=3, now=NOW, progress=True)
    assert "event" in capsys.readouterr().err  # tqdm's text bar
    export(frame(2), make_conn(fake, clock), batch_size=3, now=NOW)  # one batch: no bar
    assert capsys.readouterr().err == ""


def test_element_errors_in_a_200_answer(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.api = lambda seen: Reply(
        200,
        {
            "elements": [
                {"status": 201},
                {"status": 400, "error": {"message": "bad user id"}},
                {"status": 201},
            ]
        },
    )
    result = export(frame(3), make_conn(fake, clock), now=NOW)
    assert result.rows.get_column("status").to_list() == ["sent", "failed", "sent"]
    assert result.rows.get_column("error")[1] == "HTTP 400: bad user id"


# -- LinkedIn rejects some events --------------------------------------------------------


@pytest.mark.parametrize("style", ["index", "indices", "opaque"])
def test_only_blamed_rows_fail(fake: FakeLinkedIn, clock: FakeClock, style: str) -> None:
    fake.api = blame({"e1", "e3", "e8"}, style)
    result = export(
        frame(10), make_conn(fake, clock), batch_size=5, now=NOW, progress=False, max_in_flight=1
    )
    check(result, fake, 10)
    failed = result.rows.filter(pl.col("status") == "failed")
    if style == "opaque":
        # Rows 1 and 3 fall into both halves of the first batch, rejected alike without an
        # index: bisection cannot tell rows apart there, so that batch fails whole.
        assert failed.get_column("_row").to_list() == [0, 1, 2, 3, 4, 8]
    else:
        assert failed.get_column("_row").to_list() == [1, 3, 8]
    messages = failed.get_column("error").to_list()
    if style == "index":
        assert (
            messages[0]
            == "ERROR :: /user/userIds :: bad id e1; ERROR :: /conversionValue :: also bad"
        )
        assert len(fake.api_requests) == 4  # 2 batches, each re-sent once without its bad rows
    elif style == "indices":
        assert messages[0].startswith("Too old, indices [1, 3]")
    else:
        assert set(messages) == {"Bad request body"}
    assert clock.sleeps == []  # rejections are not retried, they are split


@pytest.mark.parametrize("style", ["index", "opaque"])
def test_full_batch_with_first_middle_last_bad(
    fake: FakeLinkedIn, clock: FakeClock, style: str
) -> None:
    fake.api = blame({"e0", "e2499", "e4999"}, style)
    result = export(frame(5000), make_conn(fake, clock), now=NOW, progress=False)
    check(result, fake, 5000)
    failed = result.rows.filter(pl.col("status") == "failed").get_column("_row").to_list()
    if style == "index":
        assert failed == [0, 2499, 4999] and result.sent == 4997
        assert len(fake.api_requests) == 2
    else:
        # Both halves rejected alike with no index: not a row's fault as far as anyone can
        # tell, so the batch fails whole after 3 requests (not thousands).
        assert failed == list(range(5000)) and result.sent == 0
        assert len(fake.api_requests) == 3


def test_opaque_rejection_of_one_row_isolates_it(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.api = blame({"e2499"}, "opaque")
    result = export(frame(5000), make_conn(fake, clock), now=NOW, progress=False)
    check(result, fake, 5000)
    failed = result.rows.filter(pl.col("status") == "failed").get_column("_row").to_list()
    assert failed == [2499] and result.sent == 4999
    assert len(fake.api_requests) <= 1 + 2 * 13  # about 2·log2(5000) extra requests


def test_every_row_rejected_without_index(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.api = lambda seen: Reply(400, {"message": "nope"})
    result = export(frame(8), make_conn(fake, clock), batch_size=4, now=NOW)
    check(result, fake, 8)
    assert result.failed == 8 and result.sent == 0
    assert set(result.rows.get_column("error")) == {"nope"}
    assert len(fake.api_requests) == 2 * 3  # per batch: the batch, then both halves alike


# -- transient failures ------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_transient_then_ok(fake: FakeLinkedIn, clock: FakeClock, status: int) -> None:
    fake.queue(Reply(status, {"message": "busy"}), Reply(status, {"message": "busy"}))
    result = export(frame(6), make_conn(fake, clock), batch_size=3, now=NOW, max_in_flight=1)
    check(result, fake, 6)
    assert result.sent == 6 and clock.sleeps == [1.0, 2.0] and result.resent == 0


def test_504_is_retried_once_and_counted_as_resent(fake: FakeLinkedIn, clock: FakeClock) -> None:
    """A gateway timeout may have been processed: one retry, visible as a re-send."""
    fake.queue(Reply(504, {"message": "busy"}), Reply(504, {"message": "busy"}))
    result = export(frame(6), make_conn(fake, clock), batch_size=3, now=NOW, max_in_flight=1)
    check(result, fake, 6)
    assert result.rows.get_column("status").to_list() == ["failed"] * 3 + ["sent"] * 3
    assert "HTTP 504" in result.rows.get_column("error")[0]
    assert len(fake.api_requests) == 3 and clock.sleeps == [1.0]
    assert result.resent == 3 and "3 re-sent after an ambiguous failure" in result.summary()


def test_every_batch_fails_then_give_up(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.api = lambda seen: Reply(503, {"message": "UNDER_MAINTENANCE"})
    result = export(
        frame(10), make_conn(fake, clock), batch_size=2, now=NOW, progress=False, max_in_flight=1
    )
    check(result, fake, 10)
    assert result.failed == 10 and not result.ok
    assert len(fake.api_requests) == 3 * 3  # three batches × three attempts, then stop trying
    errors_ = result.rows.get_column("error").to_list()
    assert all("UNDER_MAINTENANCE" in e for e in errors_[:6])
    assert all(e.startswith("not sent: 3 batches in a row got no usable") for e in errors_[6:])
    assert result.stopped is not None


def test_429_storm_then_recovery(fake: FakeLinkedIn, clock: FakeClock) -> None:
    storm = Reply(429, {"message": "throttled"})
    fake.queue(storm, storm, storm)  # batch 1 exhausts its three attempts
    result = export(frame(6), make_conn(fake, clock), batch_size=3, now=NOW, max_in_flight=1)
    check(result, fake, 6)
    # A persistent 429 stops a DataFrame export too (it used to go on batch after batch).
    assert result.rows.get_column("status").to_list() == ["failed"] * 6
    assert "HTTP 429" in (result.stopped or "") and result.resume_at is not None
    assert "HTTP 429" in result.rows.get_column("error")[0]
    assert len(fake.api_requests) == 3 and clock.sleeps == [1.0, 2.0]


def test_timeout_then_ok(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.hang_seconds = 0.3
    fake.queue(Reply(action=HANG))
    conn = make_conn(fake, clock, timeout=(1.0, 0.05))
    result = export(frame(4), conn, now=NOW)
    check(result, fake, 4)
    assert result.sent == 4 and len(fake.api_requests) == 2


def test_reset_mid_request_then_ok(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.queue(Reply(action=RESET))
    result = export(frame(4), make_conn(fake, clock), batch_size=2, now=NOW)
    check(result, fake, 4)
    assert result.sent == 4 and len(fake.api_requests) == 3


def test_resets_exhausted_fail_rows(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.queue(*[Reply(action=RESET)] * 3)
    result = export(frame(4), make_conn(fake, clock), batch_size=2, now=NOW, max_in_flight=1)
    check(result, fake, 4)
    # A reset after sending may have been processed: retried once, then given up on.
    assert len(fake.api_requests) == 2 + 2 and result.resent == 2 + 2
    assert result.rows.get_column("status").to_list() == ["failed", "failed", "sent", "sent"]
    assert "could not talk to LinkedIn" in result.rows.get_column("error")[0]


# -- errors that stop the export ---------------------------------------------------------


def test_401_refresh_mid_export(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    fake.queue(Reply(200, {"elements": [{"status": 201}] * 2}), Reply(401, {"message": "expired"}))
    result = export(frame(4), conn, batch_size=2, now=NOW)
    check(result, fake, 4)
    assert result.sent == 4
    assert len(fake.api_requests) == 3  # batch 1; batch 2 rejected once, then re-sent
    assert len(fake.token_requests) == 2  # the initial token and one refresh after the 401
    assert fake.api_requests[-1].headers["authorization"] == "Bearer AT-fresh-2-xyz"


@pytest.mark.parametrize(
    ("reply", "error", "needle"),
    [
        (Reply(401, {"message": "revoked"}), errors.AuthError, "re-authorize"),
        (Reply(403, {"message": "No ad accounts found"}), errors.PermissionDeniedError, "role"),
        (Reply(404, {"message": "no such resource"}), errors.NotFoundError, "404"),
        (Reply(426, {"message": "version sunset"}), errors.VersionError, "202607"),
        (Reply(405, {"message": "method not allowed"}), errors.APIError, "405"),
    ],
)
def test_stopping_errors_carry_partial_result(
    fake: FakeLinkedIn, clock: FakeClock, reply: Reply, error: type[Exception], needle: str
) -> None:
    calls = {"n": 0}

    def answer(seen: Seen) -> Reply:
        calls["n"] += 1
        return batch_ok(seen) if calls["n"] == 1 else reply

    fake.api = answer
    with pytest.raises(error, match=needle) as info:
        export(
            frame(9, invalid=(8,)),
            make_conn(fake, clock),
            batch_size=3,
            now=NOW,
            progress=False,
            max_in_flight=1,
        )
    result = info.value.result  # type: ignore[attr-defined]
    assert isinstance(result, capi.ExportResult)
    check(result, fake, 9)
    assert result.rows.get_column("status").to_list() == (
        ["sent"] * 3 + ["failed"] * 5 + ["invalid"]
    )
    note = result.rows.get_column("error")[3]
    assert note.startswith("not sent: " + error.__name__)


def test_stop_during_split_keeps_earlier_outcomes(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.queue(
        Reply(422, {"message": "Index: 1, ERROR :: /x :: bad"}),
        Reply(403, {"message": "forbidden"}),
    )
    with pytest.raises(errors.PermissionDeniedError) as info:
        export(frame(4), make_conn(fake, clock), now=NOW)
    result = info.value.result
    check(result, fake, 4)
    assert result.rows.get_column("status").to_list() == ["failed"] * 4
    assert result.rows.get_column("error")[1] == "ERROR :: /x :: bad"
    assert result.rows.get_column("error")[0].startswith("not sent")


# -- pure parts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "size", "expected"),
    [
        (
            "Index: 0, ERROR :: /a :: x\nERROR :: /b :: y\n",
            2,
            {0: "ERROR :: /a :: x; ERROR :: /b :: y"},
        ),
        ("Index: 1, ERROR :: a\nIndex: 1, ERROR :: b", 2, {1: "ERROR :: a; ERROR :: b"}),
        ("Index: 0, ERROR :: a Index: 3, ERROR :: b", 5, {0: "ERROR :: a", 3: "ERROR :: b"}),
        ("Validation failed:\nIndex: 2, ERROR :: z", 3, {2: "Validation failed:; ERROR :: z"}),
        ("Index: 9, ERROR :: out of range", 3, {}),
        ("bad time, indices [0] (0-indexed).", 1, {0: "bad time, indices [0] (0-indexed)."}),
        (
            "x indices [1,2] (1-indexed)",
            3,
            {0: "x indices [1,2] (1-indexed)", 1: "x indices [1,2] (1-indexed)"},
        ),
        ("indices [7] (0-indexed)", 3, {}),
        ("Bad request", 3, {}),
        ("", 3, {}),
    ],
)
def test_failing_indices(message: str, size: int, expected: dict[int, str]) -> None:
    assert failing_indices(message, size) == expected


@pytest.mark.parametrize(("size", "left", "right"), [(2, 1, 1), (3, 1, 2), (5000, 2500, 2500)])
def test_split_halves(size: int, left: int, right: int) -> None:
    a, b = split_halves(size)
    assert (len(a), len(b)) == (left, right) and list(a) + list(b) == list(range(size))


def test_no_secret_or_email_in_logs(
    fake: FakeLinkedIn, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    fake.api = blame({"e1"}, "opaque")
    export(frame(4), make_conn(fake, clock), now=NOW)
    text = caplog.text
    assert not re.search(r"user\d+@example\.com", text, re.IGNORECASE)
    for secret in ("client-secret-value", "RT-initial-secret", "AT-fresh-1-xyz"):
        assert secret not in text
    assert json.dumps("bisecting")[1:-1] in text


def test_prefetch_keeps_order_and_propagates_errors() -> None:
    from linkedin_capi.delivery.sending import prefetched as _prefetched

    assert list(_prefetched(iter(range(50)))) == list(range(50))  # type: ignore[arg-type]

    def broken() -> Iterator[int]:
        yield 1
        raise ValueError("render failed")

    with pytest.raises(ValueError, match="render failed"):
        list(_prefetched(broken()))  # type: ignore[arg-type]
    stream = _prefetched(iter(range(10_000)))  # type: ignore[arg-type]
    assert next(stream) == 0
    stream.close()  # the consumer stops early: the render thread must stop too
    import threading

    assert not [t for t in threading.enumerate() if t.name == "linkedin-capi-render"]


def test_refresh_invalid_grant_stops_before_sending(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.queue_token(Reply(400, {"error": "invalid_grant", "error_description": "expired"}))
    with pytest.raises(errors.AuthError, match="re-authorize") as info:
        export(frame(6, invalid=(2,)), make_conn(fake, clock), batch_size=2, now=NOW)
    result = info.value.result
    check(result, fake, 6)
    assert (result.sent, result.failed, result.invalid) == (0, 5, 1)
    assert fake.api_requests == []


def test_nothing_valid_sends_nothing(fake: FakeLinkedIn, clock: FakeClock) -> None:
    result = export(frame(3, invalid=(0, 1, 2)), make_conn(fake, clock), now=NOW)
    check(result, fake, 3)
    assert result.invalid == 3 and result.requests == 0
    assert fake.api_requests == [] and fake.token_requests == []
    assert result.summary() == "3 rows: 3 invalid"


@pytest.mark.slow
def test_large_export_with_scattered_bad_rows(fake: FakeLinkedIn, clock: FakeClock) -> None:
    n = 100_000
    bad = {f"e{i}" for i in range(7, n, 2_001)}  # 50 rows across 20 batches
    styles = ["index", "indices", "opaque"]

    def answer(seen: Seen) -> Reply:
        first = int(seen.json()["elements"][0]["eventId"][1:])
        return blame(bad, styles[first % 3])(seen)

    fake.api = answer
    result = export(frame(n), make_conn(fake, clock), now=NOW, progress=False)
    check(result, fake, n)
    failed = result.rows.filter(pl.col("status") == "failed").get_column("_row").to_list()
    assert failed == sorted(int(b[1:]) for b in bad)
    assert result.sent == n - len(bad)
