"""Connection: headers, token refresh, retries and error mapping against a loopback server."""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from _support.fake_linkedin import (
    HANG,
    RESET,
    FakeClock,
    FakeLinkedIn,
    Reply,
    make_conn,
    running,
)
from pydantic import SecretStr

from linkedin_capi import errors
from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.client.tokens import FileTokenStore, MemoryTokenStore, Token
from linkedin_capi.connection import Connection

SECRETS = ("client-secret-value", "RT-initial-secret", "RT-rotated-secret", "AT-fresh-")


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    yield from running()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def post(conn: Connection) -> Any:
    return conn.request(
        "POST",
        "conversionEvents",
        json={"elements": [{"eventId": "e1"}]},
        restli_method="BATCH_CREATE",
    )


# -- headers and tokens ------------------------------------------------------------------


def test_headers_body_and_first_refresh(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    response = post(conn)
    assert response.status_code == 200
    [seen] = fake.api_requests
    assert seen.path == "/rest/conversionEvents"
    assert seen.headers["authorization"] == "Bearer AT-fresh-1-xyz"
    assert seen.headers["linkedin-version"] == "202607"
    assert seen.headers["x-restli-protocol-version"] == "2.0.0"
    assert seen.headers["x-restli-method"] == "BATCH_CREATE"
    assert seen.headers["content-type"] == "application/json"
    assert seen.body == b'{"elements":[{"eventId":"e1"}]}'
    [token_request] = fake.token_requests
    assert token_request.form() == {
        "grant_type": "refresh_token",
        "refresh_token": "RT-initial-secret",
        "client_id": "app-id",
        "client_secret": "client-secret-value",
    }
    assert "authorization" not in token_request.headers  # credentials in the body only
    assert conn.token.expires_at == pytest.approx(clock.now + 5_184_000)
    assert conn.token.refresh_token is not None
    assert conn.token.refresh_token.get_secret_value() == "RT-rotated-secret"


def test_token_reused_then_refreshed_before_expiry(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    post(conn)
    post(conn)
    assert len(fake.token_requests) == 1
    assert conn.token.expires_at is not None
    clock.now = conn.token.expires_at - 301  # just outside the 300 s margin
    post(conn)
    assert len(fake.token_requests) == 1
    clock.now += 2  # inside the margin
    post(conn)
    assert len(fake.token_requests) == 2
    assert fake.api_requests[-1].headers["authorization"] == "Bearer AT-fresh-2-xyz"


def test_given_access_token_used_without_refresh(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(
        fake,
        clock,
        access_token="AT-given-secret",
        refresh_token=None,
        client_id=None,
        client_secret=None,
    )
    post(conn)
    assert fake.token_requests == []
    assert fake.api_requests[0].headers["authorization"] == "Bearer AT-given-secret"


def test_401_refreshes_once_and_resends(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock, access_token="AT-stale-secret")
    fake.queue(Reply(401, {"status": 401, "code": "EXPIRED_ACCESS_TOKEN", "message": "expired"}))
    assert post(conn).status_code == 200
    assert [s.headers["authorization"] for s in fake.api_requests] == [
        "Bearer AT-stale-secret",
        "Bearer AT-fresh-1-xyz",
    ]
    assert len(fake.token_requests) == 1
    assert clock.sleeps == []


def test_401_after_refresh_is_auth_error(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock, access_token="AT-stale-secret")
    unauthorized = Reply(401, {"status": 401, "code": "REVOKED_ACCESS_TOKEN", "message": "revoked"})
    fake.queue(unauthorized, unauthorized, unauthorized)
    with pytest.raises(errors.AuthError, match="re-authorize") as info:
        post(conn)
    assert "revoked" in str(info.value)
    assert len(fake.api_requests) == 2  # the original and one resend after the refresh
    assert len(fake.token_requests) == 1


def test_401_without_refresh_token_is_auth_error(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock, access_token="AT-x-secret", refresh_token=None)
    fake.queue(Reply(401, {"message": "Invalid access token"}))
    with pytest.raises(errors.AuthError):
        post(conn)
    assert fake.token_requests == []


def test_refresh_invalid_grant_says_reauthorize(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    fake.queue_token(
        Reply(
            400,
            {
                "error": "invalid_grant",
                "error_description": "The provided refresh token is invalid",
            },
        )
    )
    with pytest.raises(errors.AuthError, match="re-authorize") as info:
        post(conn)
    assert "invalid_grant" in str(info.value)
    assert fake.api_requests == []
    assert len(fake.token_requests) == 1  # a 400 from the token endpoint is not retried


def test_refresh_retried_on_5xx(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    fake.queue_token(Reply(503, "down"), Reply(500, "down"))
    assert post(conn).status_code == 200
    assert len(fake.token_requests) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_refresh_without_new_refresh_token_keeps_old(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    fake.queue_token(Reply(200, {"access_token": "AT-only-secret", "expires_in": 100}))
    post(conn)
    assert conn.token.refresh_token == SecretStr("RT-initial-secret")
    assert conn.token.expires_at == pytest.approx(clock.now + 100)


def test_expired_refresh_token_fails_without_network(fake: FakeLinkedIn, clock: FakeClock) -> None:
    store = MemoryTokenStore(
        Token(refresh_token=SecretStr("RT-initial-secret"), refresh_token_expires_at=clock.now - 10)
    )
    conn = make_conn(fake, clock, token_store=store)
    with pytest.raises(errors.AuthError, match="expired on"):
        post(conn)
    assert fake.token_requests == [] and fake.api_requests == []


# -- status mapping ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls", "needle"),
    [
        (400, errors.APIError, "bad"),
        (403, errors.PermissionDeniedError, "role"),
        (404, errors.NotFoundError, "base_url"),
        (422, errors.APIError, "bad"),
        (426, errors.VersionError, "api_version="),
    ],
)
def test_status_mapping_no_retry(
    fake: FakeLinkedIn, clock: FakeClock, status: int, cls: type[errors.APIError], needle: str
) -> None:
    conn = make_conn(fake, clock)
    fake.queue(Reply(status, {"status": status, "message": "bad thing", "code": "SOME_CODE"}))
    with pytest.raises(cls, match=needle) as info:
        post(conn)
    err = info.value
    assert type(err) is cls
    assert err.status == status
    assert err.message == "bad thing"
    assert err.request_id == "REQ-1"
    assert err.code == "SOME_CODE"
    assert len(fake.api_requests) == 1
    assert clock.sleeps == []
    if status == 426:
        assert "202607" in str(err)


def test_non_json_error_body(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    fake.queue(Reply(404, "<html>no such\n page</html>"))
    with pytest.raises(errors.NotFoundError, match="no such page"):
        post(conn)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_transient_status_retried_then_ok(
    fake: FakeLinkedIn, clock: FakeClock, status: int
) -> None:
    conn = make_conn(fake, clock)
    fake.queue(Reply(status, {"message": "busy"}), Reply(status, {"message": "busy"}))
    assert post(conn).status_code == 200
    assert len(fake.api_requests) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_429_storm_gives_rate_limit_error_with_capped_backoff(
    fake: FakeLinkedIn, clock: FakeClock
) -> None:
    conn = make_conn(
        fake, clock, retry=RetryPolicy(attempts=6, base=1.0, cap=8.0, rand=lambda: 1.0)
    )
    fake.api = lambda seen: Reply(429, {"message": "Resource level throttle limit reached"})
    with pytest.raises(errors.RateLimitError, match="midnight UTC") as info:
        post(conn)
    assert info.value.status == 429
    assert len(fake.api_requests) == 6
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert fake.accepted == []


def test_retry_after_honoured_and_capped(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(
        fake, clock, retry=RetryPolicy(attempts=3, retry_after_cap=30.0, rand=lambda: 1.0)
    )
    fake.queue(Reply(429, {}, {"Retry-After": "7"}), Reply(503, {}, {"Retry-After": "3600"}))
    assert post(conn).status_code == 200
    assert clock.sleeps == [7.0, 30.0]


def test_5xx_exhausted_is_server_error(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock, retry=RetryPolicy(attempts=2, rand=lambda: 0.0))
    fake.api = lambda seen: Reply(502, "Bad Gateway")
    with pytest.raises(errors.ServerError) as info:
        post(conn)
    assert info.value.status == 502
    assert len(fake.api_requests) == 2


def test_connection_reset_retried(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    fake.queue(Reply(action=RESET))
    assert post(conn).status_code == 200
    assert len(fake.api_requests) == 2
    assert len(clock.sleeps) == 1


def test_connection_reset_exhausted(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock, retry=RetryPolicy(attempts=3, rand=lambda: 0.0))
    fake.api = lambda seen: Reply(action=RESET)
    with pytest.raises(errors.APIConnectionError) as info:
        post(conn)
    assert info.value.status is None
    assert len(fake.api_requests) == 3


def test_timeout_retried_then_timeout_error(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.hang_seconds = 0.3
    conn = make_conn(
        fake, clock, timeout=(1.0, 0.05), retry=RetryPolicy(attempts=2, rand=lambda: 0.0)
    )
    fake.api = lambda seen: Reply(action=HANG)
    with pytest.raises(errors.APITimeoutError, match="timeout"):
        post(conn)
    assert len(fake.api_requests) == 2
    assert fake.accepted == []


def test_refused_connection(clock: FakeClock) -> None:
    server = FakeLinkedIn()
    base, token = server.base_url, server.token_url
    server.close()  # never started; nothing listens on that port any more
    conn = Connection(
        client_id="a",
        client_secret="client-secret-value",
        access_token="AT-x-secret",
        api_version="202607",
        base_url=base,
        token_url=token,
        sleep=clock.sleep,
        clock=clock,
        retry=RetryPolicy(attempts=2, rand=lambda: 0.0),
    )
    with pytest.raises(errors.APIConnectionError, match="base_url"):
        post(conn)
    assert len(clock.sleeps) == 1


def test_params_encoding(fake: FakeLinkedIn, clock: FakeClock) -> None:
    fake.api = lambda seen: Reply(200, {"elements": []})
    conn = make_conn(fake, clock)
    conn.request(
        "GET", "conversions", params={"q": "account", "account": "urn:li:sponsoredAccount:1"}
    )
    conn.request("GET", "adAccounts", params="q=search&search=(status:(values:List(ACTIVE)))")
    first, second = fake.api_requests
    assert first.path == "/rest/conversions?q=account&account=urn%3Ali%3AsponsoredAccount%3A1"
    assert second.path == "/rest/adAccounts?q=search&search=(status:(values:List(ACTIVE)))"
    assert "content-type" not in first.headers
    assert first.body == b""


# -- secrets -----------------------------------------------------------------------------


def test_secrets_never_in_repr_logs_or_errors(
    fake: FakeLinkedIn, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, third-party DEBUG logging included
    conn = make_conn(fake, clock, access_token="AT-stale-secret")
    fake.queue(
        Reply(401, {"message": "expired"}),
        Reply(500, {"message": "token AT-fresh-1-xyz broke"}),
        Reply(403, {"message": "echo client-secret-value RT-rotated-secret"}),
    )
    with pytest.raises(errors.PermissionDeniedError) as info:
        post(conn)
    texts = [
        repr(conn),
        str(info.value),
        repr(info.value),
        repr(conn.token),
        str(conn.token),
        repr(conn.token_store),
        caplog.text,
    ]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        for secret in (*SECRETS, "AT-stale-secret"):
            assert secret not in text, (secret, text[:300])
    assert any("refresh" in r.getMessage() for r in caplog.records)


# -- configuration -----------------------------------------------------------------------


def test_from_env(clock: FakeClock, tmp_path: Any) -> None:
    env = {
        "LINKEDIN_CAPI_CLIENT_ID": "app",
        "LINKEDIN_CAPI_CLIENT_SECRET": "client-secret-value",
        "LINKEDIN_CAPI_REFRESH_TOKEN": "RT-initial-secret",
        "LINKEDIN_CAPI_AD_ACCOUNT_ID": "urn:li:sponsoredAccount:507",
        "LINKEDIN_CAPI_API_VERSION": "202607",
        "LINKEDIN_CAPI_BASE_URL": "http://127.0.0.1:9/rest",
        "LINKEDIN_CAPI_CONVERSION": "42",
        "LINKEDIN_CAPI_TOKEN_FILE": str(tmp_path / "t.json"),
    }
    conn = Connection.from_env(env, clock=clock)
    assert (conn.client_id, conn.ad_account_id, conn.conversion) == ("app", "507", "42")
    assert conn.base_url == "http://127.0.0.1:9/rest"
    assert isinstance(conn.token_store, FileTokenStore)
    with pytest.raises(errors.ConfigError, match="LINKEDIN_CAPI_REFRESH_TOKEN"):
        Connection.from_env({"LINKEDIN_CAPI_CLIENT_ID": "app"})


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"base_url": "http://api.example.com/rest"}, "https"),
        ({"token_url": "ftp://x"}, "http"),
        ({"ad_account_id": "acct-1"}, "ad_account_id"),
        ({"api_version": "2026-07"}, "YYYYMM"),
        ({"api_version": "202613"}, "month"),
        ({"refresh_token": None}, "no credentials"),
        ({"client_secret": None}, "client_secret"),
    ],
)
def test_config_errors(kwargs: dict[str, Any], needle: str) -> None:
    options: dict[str, Any] = {"client_id": "a", "client_secret": "s", "refresh_token": "r"}
    options.update(kwargs)
    with pytest.raises(errors.ConfigError, match=needle):
        Connection(**options)


def test_version_warnings() -> None:
    sunset = dt.datetime(2026, 9, 1, tzinfo=dt.UTC).timestamp()  # 202509 sunsets 2026-09-15
    with pytest.warns(FutureWarning, match=r"202509 is sunset on 2026-09-15 \(in 14 days\)"):
        Connection(
            client_id="a",
            client_secret="s",
            refresh_token="r",
            api_version="202509",
            clock=lambda: sunset,
        )
    with pytest.warns(FutureWarning, match="was sunset"):
        Connection(
            client_id="a",
            client_secret="s",
            refresh_token="r",
            api_version="202509",
            clock=lambda: sunset + 30 * 86400,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        conn = Connection(client_id="a", client_secret="s", refresh_token="r", clock=lambda: sunset)
        assert conn.api_version == "202608"  # out a month on 2026-09-01
        late = dt.datetime(2027, 7, 1, tzinfo=dt.UTC).timestamp()  # 202607 sunsets in 14 days
        conn = Connection(client_id="a", client_secret="s", refresh_token="r", clock=lambda: late)
        assert conn.api_version == "202609"
        assert (
            Connection(
                client_id="a", client_secret="s", refresh_token="r", api_version="203001"
            ).api_version
            == "203001"
        )


# -- token stores ------------------------------------------------------------------------


def test_file_store_roundtrip_mode_and_absolute_expiry(tmp_path: Any) -> None:
    path = tmp_path / "sub" / "token.json"
    store = FileTokenStore(path)
    assert store.load() is None
    token = Token(
        access_token=SecretStr("AT-x-secret"),
        expires_at=1234.5,
        refresh_token=SecretStr("RT-y-secret"),
        refresh_token_expires_at=99999.0,
    )
    store.save(token)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert store.load() == token
    assert '"expires_at": 1234.5' in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["token.json"]  # no temp files left
    assert "secret" not in repr(store.load())
    path.write_text("[1, 2]")
    with pytest.raises(errors.ConfigError, match="delete it"):
        store.load()


def test_connection_persists_and_reuses_stored_token(
    fake: FakeLinkedIn, clock: FakeClock, tmp_path: Any
) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    post(make_conn(fake, clock, token_store=store))
    assert len(fake.token_requests) == 1
    # A new session (another kernel) reuses the stored live token: no second refresh.
    conn = make_conn(
        fake, clock, token_store=FileTokenStore(tmp_path / "token.json"), refresh_token=None
    )
    post(conn)
    assert len(fake.token_requests) == 1
    assert fake.api_requests[-1].headers["authorization"] == "Bearer AT-fresh-1-xyz"
    # A different refresh token (a fresh consent) wins over the stored one.
    conn = make_conn(fake, clock, token_store=store, refresh_token="RT-new-consent")
    post(conn)
    assert fake.token_requests[-1].form()["refresh_token"] == "RT-new-consent"


def _sdk_locals(tb: Any) -> str:
    """repr of every local of every linkedin_capi frame in a traceback."""
    texts = []
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__", "").startswith("linkedin_capi"):
            texts.extend(f"{k}={v!r}" for k, v in frame.f_locals.items())
        tb = tb.tb_next
    return "\n".join(texts)


def test_no_clear_secret_in_traceback_locals(fake: FakeLinkedIn, clock: FakeClock) -> None:
    with pytest.raises(errors.ConfigError) as info:
        Connection(
            client_id="a",
            client_secret="client-secret-value",
            refresh_token="RT-initial-secret",
            base_url="http://example.com",
        )
    with pytest.raises(errors.ConfigError) as env_info:
        Connection.from_env(
            {
                "LINKEDIN_CAPI_CLIENT_SECRET": "client-secret-value",
                "LINKEDIN_CAPI_REFRESH_TOKEN": "RT-initial-secret",
                "LINKEDIN_CAPI_API_VERSION": "bad",
            }
        )
    fake.queue_token(Reply(400, {"error": "invalid_grant", "error_description": "gone"}))
    with pytest.raises(errors.AuthError) as refresh_info:
        post(make_conn(fake, clock))
    for exc_info in (info, env_info, refresh_info):
        text = _sdk_locals(exc_info.tb)
        assert text  # the frames were inspected
        for secret in SECRETS:
            assert secret not in text, secret


def test_shared_store_refreshed_by_another_session(
    fake: FakeLinkedIn, clock: FakeClock, tmp_path: Any
) -> None:
    path = tmp_path / "token.json"
    first = make_conn(fake, clock, token_store=FileTokenStore(path))
    second = make_conn(fake, clock, token_store=FileTokenStore(path))
    post(first)  # refreshes and stores (RT rotated)
    post(second)  # finds no live token of its own: refreshes too (different refresh token)
    assert len(fake.token_requests) == 2
    assert second.token.expires_at is not None
    clock.now = second.token.expires_at - 100  # both tokens are about to expire
    post(first)  # refreshes once and stores
    post(second)  # adopts the stored token instead of refreshing again
    assert len(fake.token_requests) == 3
    assert fake.api_requests[-1].headers["authorization"] == "Bearer AT-fresh-3-xyz"
