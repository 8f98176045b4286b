"""Sandbox fault injection, request log, concurrency and the ``sandbox`` command."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from _support.sandbox_helpers import NOW, Api, event, make_sandbox

from linkedin_capi.sandbox import Sandbox, SandboxError, main


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = make_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def api(sb: Sandbox) -> Api:
    return Api(sb)


USERS = "adAccountUsers?q=authenticatedUser"


def test_fail_next_answers_n_times_then_recovers(sb: Sandbox, api: Api) -> None:
    sb.fail_next(500, n=2)
    statuses = [api.call("GET", USERS).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    first = sb.requests[0]
    assert first.status == 500


def test_fail_next_default_bodies_are_linkedin_shaped(sb: Sandbox, api: Api) -> None:
    sb.fail_next(503)
    sb.fail_next(429)
    unavailable = api.call("GET", USERS)
    assert unavailable.json()["code"] == "UNDER_MAINTENANCE"
    throttled = api.call("GET", USERS)
    assert (
        throttled.json()["message"]
        == "Resource level throttle limit for calls to this resource is reached."
    )
    assert "Retry-After" not in throttled.headers
    assert throttled.headers["x-li-request-id"]


def test_fail_next_custom_body_headers_and_path(sb: Sandbox, api: Api) -> None:
    sb.fail_next(502, body="<html>bad gateway</html>", path="conversionEvents", retry_after=3)
    assert api.call("GET", USERS).status_code == 200  # other paths are untouched
    assert api.token(api.refresh_form()).status_code == 200  # the token endpoint too
    r = api.batch([event(sb.rule_urn)])
    assert (r.status_code, r.text, r.headers["Retry-After"]) == (
        502,
        "<html>bad gateway</html>",
        "3",
    )
    assert sb.event_count == 0
    assert api.batch([event(sb.rule_urn)]).status_code == 200


def test_fail_the_token_endpoint(sb: Sandbox, api: Api) -> None:
    sb.fail_next(
        400,
        body={"error": "invalid_grant", "error_description": "revoked"},
        path="/oauth/v2/accessToken",
    )
    r = api.token(api.refresh_form())
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    assert api.token(api.refresh_form()).status_code == 200


def test_fail_after_processing_stores_the_events(sb: Sandbox, api: Api) -> None:
    sb.fail_next(504, after_processing=True)
    r = api.batch([event(sb.rule_urn, eventId="kept")])
    assert r.status_code == 504
    assert sb.event_ids == ["kept"]


def test_drop_next_closes_without_an_answer(sb: Sandbox, api: Api) -> None:
    sb.drop_next(path="conversionEvents")
    with pytest.raises(requests.ConnectionError):
        api.batch([event(sb.rule_urn)])
    assert sb.event_count == 0
    assert api.batch([event(sb.rule_urn)]).status_code == 200  # the next one is answered
    assert [q.status for q in sb.requests] == [None, 200]


def test_drop_after_processing_loses_the_answer_not_the_data(sb: Sandbox, api: Api) -> None:
    sb.drop_next(after_processing=True)
    with pytest.raises(requests.ConnectionError):
        api.batch([event(sb.rule_urn, eventId="once")])
    api.batch([event(sb.rule_urn, eventId="once")])  # a client's retry
    assert sb.duplicate_event_ids == {"once": 2}


def test_quota_gives_429_after_k_calls_and_resets_at_midnight(sb: Sandbox, api: Api) -> None:
    sb.set_quota(2)
    statuses = [api.call("GET", USERS).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api.token(api.refresh_form()).status_code == 200  # OAuth is not counted
    over = api.call("GET", USERS)
    assert over.json()["code"] == "TOO_MANY_REQUESTS"
    assert "Retry-After" not in over.headers
    sb.advance(dt.timedelta(hours=12))  # 2026-10-21 00:00 UTC
    assert api.call("GET", USERS).status_code == 200
    sb.set_quota(0, retry_after=60)
    assert api.call("GET", USERS).headers["Retry-After"] == "60"
    sb.set_quota(None)
    assert api.call("GET", USERS).status_code == 200


def test_latency_uses_the_injected_sleep() -> None:
    waits: list[float] = []
    with make_sandbox(sleep=waits.append) as sb:
        api = Api(sb)
        sb.set_latency(0.25, path="conversionEvents")
        api.call("GET", USERS)
        api.batch([event(sb.rule_urn)])
        assert waits == [0.25]
        sb.set_latency(1.5)
        api.token(api.refresh_form())
        assert waits == [0.25, 1.5]
        sb.clear_faults()
        api.call("GET", USERS)
        assert waits == [0.25, 1.5]


def test_real_latency_makes_clients_time_out_and_stop_still_returns(sb: Sandbox, api: Api) -> None:
    sb.set_latency(30)
    with pytest.raises(requests.Timeout):
        api.call("GET", USERS, timeout=0.2)
    sb.stop()  # wakes the waiting handler instead of hanging for 30 s


def test_request_log_shows_what_the_token_endpoint_received(sb: Sandbox, api: Api) -> None:
    api.token(api.refresh_form())
    logged = sb.requests[-1]
    assert logged.path == "/oauth/v2/accessToken"
    assert set(logged.form) == {"grant_type", "refresh_token", "client_id", "client_secret"}
    assert "authorization" not in logged.headers
    assert sb.client_secret not in repr(logged)
    assert sb.client_secret not in repr(sb)
    sb.clear_requests()
    assert sb.requests == []


def test_concurrent_batches_are_all_counted(sb: Sandbox) -> None:
    errors: list[int] = []

    def send(worker: int) -> None:
        api = Api(sb)
        for i in range(5):
            r = api.batch([event(sb.rule_urn, eventId=f"w{worker}-{i}-{j}") for j in range(20)])
            if r.status_code != 200:
                errors.append(r.status_code)

    threads = [threading.Thread(target=send, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sb.event_count == 8 * 5 * 20
    assert len(set(sb.event_ids)) == 800


def test_stop_closes_kept_alive_connections(sb: Sandbox, api: Api) -> None:
    url, headers = f"{sb.base_url}/{USERS}", sb.api_headers()
    assert api.http.get(url, headers=headers, timeout=5).status_code == 200  # socket kept open
    sb.stop()
    with pytest.raises(requests.ConnectionError):
        api.http.get(url, headers=headers, timeout=5)


def test_main_prints_urls_and_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    seen: list[Sandbox] = []

    def ready(sandbox: Sandbox) -> None:
        seen.append(sandbox)
        r = requests.get(f"{sandbox.base_url}/{USERS}", headers=sandbox.api_headers(), timeout=10)
        assert r.status_code == 200
        stop.set()

    assert main(["--max-page-size", "3"], ready=ready, stop=stop) == 0
    out = capsys.readouterr().out
    assert seen[0].base_url in out
    assert "sandbox-client-secret" in out and "sandbox-refresh-token" in out


def test_main_on_a_busy_port_prints_one_line_and_fails(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = sb.url.rsplit(":", 1)[1]
    assert main(["--port", busy]) == 2
    err = capsys.readouterr().err
    assert err.startswith("linkedin-capi sandbox: cannot listen on 127.0.0.1:")
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_python_dash_m_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkedin_capi.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("LinkedIn sandbox listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        assert requests.get(url + "/", timeout=10).json()["sandbox"] == "linkedin-capi"
        proc.send_signal(subprocess.signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def test_frozen_clock_is_the_given_moment(sb: Sandbox) -> None:
    assert sb.now == NOW


def test_sandbox_modules_import_no_polars_or_oauth_libraries() -> None:
    import ast
    from pathlib import Path

    import linkedin_capi.sandbox as pkg

    banned = {"polars", "requests", "requests_oauthlib", "oauthlib"}
    for source in Path(pkg.__file__).parent.glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not {n.split(".")[0] for n in names} & banned, (source.name, names)


@pytest.mark.parametrize(
    "call",
    [
        lambda sb: sb.fail_next(0),
        lambda sb: sb.fail_next(500, n=0),
        lambda sb: sb.fail_next("500"),
        lambda sb: sb.drop_next(-1),
        lambda sb: sb.set_latency(-1),
        lambda sb: sb.set_quota(-3),
        lambda sb: sb.add_rule("typo", type="PURCHSE"),
        lambda sb: sb.add_account("x", role="OWNER"),
    ],
)
def test_bad_control_arguments_raise_config_errors(sb: Sandbox, call: Any) -> None:
    with pytest.raises(SandboxError):
        call(sb)


def test_busy_port_is_a_config_error(sb: Sandbox) -> None:
    with pytest.raises(SandboxError, match="cannot listen"):
        Sandbox(port=int(sb.url.rsplit(":", 1)[1])).start()


def test_other_processes_can_see_what_arrived(sb: Sandbox, api: Api) -> None:
    api.batch([event(sb.rule_urn, eventId=f"e{i}") for i in range(3)])
    index = requests.get(sb.url + "/", timeout=10).json()
    assert (index["event_count"], index["events_by_rule"]) == (3, {str(sb.rule_id): 3})
    page = requests.get(f"{sb.url}/_sandbox/events?start=1&count=5", timeout=10).json()
    assert page["total"] == 3
    assert [e["eventId"] for e in page["elements"]] == ["e1", "e2"]


def test_request_log_limit_keeps_the_newest() -> None:
    with make_sandbox(request_log_limit=2) as sb:
        api = Api(sb)
        for _ in range(3):
            api.call("GET", USERS)
        assert [q.request_id for q in sb.requests] == ["SBX0000000002", "SBX0000000003"]
