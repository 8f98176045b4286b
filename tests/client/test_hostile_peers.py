"""Hostile peers: redirects, tracebacks with locals, Ctrl-C, and URLs aimed at other hosts.

127.0.0.2 plays "another host" (an attacker's): it records whatever reaches it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _support.fake_linkedin import (
    RESET,
    FakeClock,
    FakeLinkedIn,
    Reply,
    batch_ok,
    make_conn,
    running,
)
from _support.hostile import Recorder, capture, frame_names, leaks

from linkedin_capi import errors
from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.connection import AuthorizationFlow, Connection

CLIENT_SECRET = "client-secret-value"
REFRESH_TOKEN = "RT-initial-secret"
OLD_ACCESS_TOKEN = "AT-old-secret-123"
AUTH_CODE = "AUTH-CODE-secret-777"
ISSUED = "AT-fresh-"  # prefix of every access token the fake issues
SECRETS = (CLIENT_SECRET, REFRESH_TOKEN, OLD_ACCESS_TOKEN, AUTH_CODE, ISSUED, "RT-rotated-secret")


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    for server in running():
        server.api = lambda seen: batch_ok(seen) if seen.body else Reply(200, {"elements": []})
        yield server


@pytest.fixture
def other_host() -> Iterator[Recorder]:
    with Recorder("127.0.0.2") as recorder:
        yield recorder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def expired_conn(fake: FakeLinkedIn, clock: FakeClock, **kwargs: Any) -> Connection:
    """A connection whose access token has expired: the next call refreshes first."""
    from pydantic import SecretStr

    from linkedin_capi.client.tokens import MemoryTokenStore, Token

    store = MemoryTokenStore(
        Token(
            access_token=SecretStr(OLD_ACCESS_TOKEN),
            expires_at=clock() - 10,
            refresh_token=SecretStr(REFRESH_TOKEN),
        )
    )
    conn: Connection = make_conn(fake, clock, token_store=store, **kwargs)
    return conn


def make_flow(fake: FakeLinkedIn) -> AuthorizationFlow:
    return AuthorizationFlow(
        client_id="app-id",
        client_secret=CLIENT_SECRET,
        redirect_uri="https://localhost:8765/callback",
        token_url=fake.token_url,
        state="state-123",
        clock=FakeClock(1_790_000_000.0),
    )


def redirect_url() -> str:
    """A function, not a constant: IPython's VerboseTB shows the globals a line names."""
    return f"https://localhost:8765/callback?code={AUTH_CODE}&state=state-123"


# -- 1. no redirects -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_refresh_redirect_is_an_auth_error_never_a_repost(
    fake: FakeLinkedIn, clock: FakeClock, other_host: Recorder, status: int
) -> None:
    fake.queue_token(Reply(status, "", headers={"Location": f"{other_host.url}/steal?x=1"}))
    conn = make_conn(fake, clock)
    with pytest.raises(errors.AuthError) as info:
        conn.request("GET", "adAccounts")
    assert other_host.requests == []  # nothing re-posted to the other host
    assert len(fake.token_requests) == 1  # and not retried at LinkedIn either
    assert fake.api_requests == []  # no token from anywhere was used
    message = str(info.value)
    assert f"HTTP {status}" in message and "127.0.0.2" in message
    assert "x=1" not in message  # the query of the Location is not quoted
    assert info.value.status == status


def test_exchange_redirect_is_an_auth_error_never_a_repost(
    fake: FakeLinkedIn, other_host: Recorder
) -> None:
    fake.queue_token(Reply(307, "", headers={"Location": f"{other_host.url}/oauth/v2/token"}))
    flow = make_flow(fake)
    with pytest.raises(errors.AuthError, match=r"HTTP 307.*127\.0\.0\.2"):
        flow.exchange(redirect_url())
    assert other_host.requests == []
    assert len(fake.token_requests) == 1
    assert flow.token is None


@pytest.mark.parametrize("status", [302, 307, 308])
def test_api_redirect_is_an_api_error_and_sends_no_token_elsewhere(
    fake: FakeLinkedIn, clock: FakeClock, other_host: Recorder, status: int
) -> None:
    fake.queue(Reply(status, "", headers={"Location": f"{other_host.url}/rest/conversionEvents"}))
    conn = make_conn(fake, clock)
    with pytest.raises(errors.APIError) as info:
        conn.send_events(b'{"elements": [{"eventId": "e1"}]}')
    assert other_host.requests == []
    assert len(fake.api_requests) == 1  # a redirect is not retried
    assert info.value.status == status
    assert "127.0.0.2" in str(info.value)


# -- 2. secrets unreachable from tracebacks --------------------------------------------------

REFRESH_FAILURES = {
    "invalid_grant": [Reply(400, {"error": "invalid_grant", "error_description": "revoked"})],
    "invalid_client": [Reply(401, {"error": "invalid_client"})],
    "redirect": [Reply(307, "", headers={"Location": "http://127.0.0.2:9/x"})],
    "not json": [Reply(200, "<html>proxy login</html>")],
    "no access_token": [Reply(200, {"token_type": "bearer"})],
    "bad expires_in": [Reply(200, {"access_token": ISSUED + "x", "expires_in": "soon"})],
    "reset": [Reply(action=RESET)] * 5,
    "server error": [Reply(503, {"message": "busy"})] * 5,
}


@pytest.mark.parametrize("case", sorted(REFRESH_FAILURES))
def test_failed_refresh_traceback_shows_no_secret(
    fake: FakeLinkedIn, clock: FakeClock, case: str
) -> None:
    fake.queue_token(*REFRESH_FAILURES[case])
    conn = expired_conn(fake, clock)
    exc = capture(lambda: conn.request("GET", "adAccounts"))
    assert isinstance(exc, errors.CapiError), repr(exc)
    assert leaks(exc, SECRETS) == []
    # raised fresh: nothing chained, no frame of requests-oauthlib/oauthlib/urllib3/requests
    assert exc.__cause__ is None and exc.__context__ is None
    assert not [n for n in frame_names(exc) if "site-packages" in n]


@pytest.mark.parametrize("case", ["invalid_grant", "redirect", "not json", "reset"])
def test_failed_exchange_traceback_shows_no_secret(fake: FakeLinkedIn, case: str) -> None:
    fake.queue_token(*REFRESH_FAILURES[case][:1])
    flow = make_flow(fake)
    exc = capture(lambda: flow.exchange(redirect_url()))
    assert isinstance(exc, errors.CapiError), repr(exc)
    assert leaks(exc, SECRETS) == []
    assert exc.__cause__ is None and exc.__context__ is None
    assert not [n for n in frame_names(exc) if "site-packages" in n]


def test_the_leak_check_sees_secrets_in_chained_frames() -> None:
    """The walk itself: a secret in a chained exception's frame locals is found."""

    def inner() -> None:
        refresh_token = REFRESH_TOKEN  # noqa: F841 - the local the walk must find
        raise ValueError("boom")

    def outer() -> None:
        try:
            inner()
        except ValueError:
            raise errors.AuthError("fresh") from None  # suppressed, still chained

    exc = capture(outer)
    found = leaks(exc, [REFRESH_TOKEN])
    assert "f_locals walk (Sentry)" in " ".join(found)
    assert "traceback capture_locals" not in " ".join(found)  # it honours suppression


def test_oauthlib_client_keeps_no_token_after_a_refresh(
    fake: FakeLinkedIn, clock: FakeClock
) -> None:
    conn = expired_conn(fake, clock)
    conn.request("GET", "adAccounts")
    assert conn.token.access_token is not None
    assert conn._oauth is not None
    client = conn._oauth._client
    assert client.access_token is None and client.refresh_token is None
    assert not client.token and not conn._oauth.token
    shown = " ".join(repr(v) for v in vars(client).values())
    assert ISSUED not in shown and "RT-rotated-secret" not in shown
    assert REFRESH_TOKEN not in shown


def test_oauthlib_client_keeps_no_token_or_code_after_an_exchange(fake: FakeLinkedIn) -> None:
    flow = make_flow(fake)
    flow.exchange(redirect_url())
    client = flow._session._client
    shown = " ".join(repr(v) for v in vars(client).values())
    assert ISSUED not in shown and "RT-rotated-secret" not in shown and AUTH_CODE not in shown


def test_ctrl_c_during_a_request_shows_no_token(clock: FakeClock) -> None:
    """SIGINT while urllib3 waits for the answer: the KeyboardInterrupt carries no frame of it."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        raise AssertionError("signals are delivered to the main thread only")
    with Recorder("127.0.0.1", stall=True) as stalled:
        conn = Connection(
            access_token=OLD_ACCESS_TOKEN,
            api_version="202607",
            base_url=stalled.url + "/rest",
            timeout=(5.0, 20.0),
            retry=RetryPolicy(attempts=1),
            sleep=clock.sleep,
            clock=clock,
        )

        def interrupt() -> None:
            if stalled.arrived.wait(10):
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

        threading.Thread(target=interrupt, daemon=True).start()
        exc = capture(lambda: conn.request("GET", "adAccounts"))
        assert isinstance(exc, KeyboardInterrupt), repr(exc)
        assert stalled.requests  # the request was on the wire when Ctrl-C came
        assert leaks(exc, SECRETS) == []
        assert not [n for n in frame_names(exc) if "site-packages" in n]
        assert exc.__context__ is None


# -- 3. one URL check for every request -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://other.host/rest/adAccounts",
        "https://other.host/rest/adAccounts",
        "http://evil.example\\@127.0.0.1/rest/adAccounts",
        "http://user:pw@127.0.0.1/rest/adAccounts",
        "http://127.0.0.2/rest/adAccounts",
        "ftp://127.0.0.1/rest/adAccounts",
    ],
)
def test_absolute_url_to_another_host_is_refused_before_sending(
    fake: FakeLinkedIn, clock: FakeClock, other_host: Recorder, url: str
) -> None:
    conn = make_conn(fake, clock)
    url = url.replace("127.0.0.2/", other_host.url.split("//")[1] + "/")
    with pytest.raises(errors.ConfigError):
        conn.request("GET", url)
    assert fake.seen == [] and fake.token_requests == [] and other_host.requests == []


def test_absolute_url_on_the_own_host_is_sent(fake: FakeLinkedIn, clock: FakeClock) -> None:
    conn = make_conn(fake, clock)
    assert conn.request("GET", fake.base_url + "/adAccounts").status_code == 200
    port = fake.base_url.split(":")[2].split("/")[0]
    with pytest.raises(errors.ConfigError, match="not at"):
        conn.request("GET", f"http://localhost:{port}/rest/adAccounts")  # another host name
    assert len(fake.api_requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example\\@127.0.0.1/rest",
        "http://evil.example@127.0.0.1/rest",
        "https://user:secret@api.linkedin.com/rest",
        "http://other.host/rest",
    ],
)
def test_base_and_token_urls_are_checked_like_requests(url: str) -> None:
    for key in ("base_url", "token_url"):
        with pytest.raises(errors.ConfigError) as info:
            Connection(access_token="AT-x", api_version="202607", **{key: url})
        assert "secret" not in str(info.value)
