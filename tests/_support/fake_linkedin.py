"""A loopback HTTP server that answers like LinkedIn's REST and OAuth endpoints.

Tests script it with :meth:`FakeLinkedIn.queue` (replies served in order, then the
default) or by replacing :attr:`FakeLinkedIn.api`. Only batches answered 200 count as
*accepted*, so tests can assert that no event was accepted twice.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

RESET = "reset"  # close the connection with a TCP RST after reading the request
HANG = "hang"  # answer only after the client gave up (read timeout)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON, str/bytes → as is
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None  # RESET or HANG


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))


_RULE_GET = re.compile(r"^/rest/conversions/(\d+)(?:\?|$)")


def enabled_rule(rule_id: int, **changes: Any) -> dict[str, Any]:
    """A rule as ``GET /rest/conversions/<id>`` returns it: enabled, CAPI, of account 1."""
    return {
        "id": rule_id,
        "name": f"rule {rule_id}",
        "account": "urn:li:sponsoredAccount:1",
        "conversionMethod": "CONVERSIONS_API",
        "enabled": True,
        "type": "LEAD",
        **changes,
    }


def batch_ok(seen: Seen) -> Reply:
    """LinkedIn's answer to an accepted BATCH_CREATE: one 201 per element."""
    n = len(seen.json()["elements"])
    return Reply(200, {"elements": [{"status": 201}] * n})


class FakeLinkedIn:
    """ThreadingHTTPServer on 127.0.0.1 (free port) with recorded requests."""

    def __init__(self, hang_seconds: float = 0.6) -> None:
        self.seen: list[Seen] = []
        self.token_requests: list[Seen] = []
        self.accepted: list[dict[str, Any]] = []  # events of batches answered 200
        self.replies: deque[Reply] = deque()
        self.token_replies: deque[Reply] = deque()
        self.api: Callable[[Seen], Reply] = batch_ok
        #: Called in the handler thread once an answer is written and flushed (kill tests).
        self.after_reply: Callable[[Seen, Reply], None] | None = None
        self.hang_seconds = hang_seconds
        self.issued = 0
        #: Rules served to the export's rule check (``GET /rest/conversions/<id>``), by id;
        #: a missing id is an enabled Conversions API rule of account 1. Those requests are
        #: kept in ``rule_requests``, not ``seen`` (they are not part of a script).
        self.rules: dict[int, Reply] = {}
        self.rule_requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    # -- scripting -------------------------------------------------------------------

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def queue_token(self, *replies: Reply) -> None:
        self.token_replies.extend(replies)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/rest"

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/oauth/v2/accessToken"

    @property
    def api_requests(self) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith("/rest")]

    def accepted_ids(self) -> list[str]:
        return [e["eventId"] for e in self.accepted]

    def start(self) -> FakeLinkedIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def close(self) -> None:
        """Release the port of a server that was never started."""
        self._server.server_close()

    # -- answering -------------------------------------------------------------------

    def _token_default(self, seen: Seen) -> Reply:
        self.issued += 1
        return Reply(
            200,
            {
                "access_token": f"AT-fresh-{self.issued}-xyz",
                "expires_in": 5_184_000,
                "refresh_token": "RT-rotated-secret",
                "refresh_token_expires_in": 31_536_000,
                "scope": "r_ads,rw_conversions",
            },
        )

    def _answer(self, seen: Seen) -> Reply:
        with self._lock:
            if seen.path.startswith("/oauth"):
                self.token_requests.append(seen)
                return (
                    self.token_replies.popleft()
                    if self.token_replies
                    else self._token_default(seen)
                )
            rule = _RULE_GET.match(seen.path) if seen.method == "GET" else None
            if rule is not None:
                self.rule_requests.append(seen)
                rid = int(rule.group(1))
                return self.rules.get(rid) or Reply(200, enabled_rule(rid))
            self.seen.append(seen)
            reply = self.replies.popleft() if self.replies else None
        if reply is None:
            reply = self.api(seen)
        if reply.status == 200 and reply.action is None and seen.path.endswith("conversionEvents"):
            with self._lock:
                self.accepted.extend(seen.json()["elements"])
        return reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like LinkedIn
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall per answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _do(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                reply = fake._answer(seen)
                if reply.action == RESET:
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    self.close_connection = True
                    return
                if reply.action == HANG:
                    time.sleep(fake.hang_seconds)
                if isinstance(reply.body, bytes):
                    data = reply.body
                elif isinstance(reply.body, str):
                    data = reply.body.encode()
                elif reply.body is None:
                    data = b""
                else:
                    data = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("x-li-request-id", f"REQ-{len(fake.seen)}")
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True
                    return
                if fake.after_reply is not None:
                    fake.after_reply(seen, reply)

            do_GET = do_POST = do_DELETE = _do

            def finish(self) -> None:
                with contextlib.suppress(OSError):
                    super().finish()

        return Handler


class FakeClock:
    """Injected clock + sleep: sleeping advances time and is recorded, never waits."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def running() -> Iterator[FakeLinkedIn]:
    server = FakeLinkedIn().start()
    try:
        yield server
    finally:
        server.stop()


def make_conn(fake: FakeLinkedIn, clock: FakeClock, **kwargs: Any) -> Any:
    """A ``Connection`` to ``fake`` with test credentials, a fake clock and fast retries."""
    from linkedin_capi.client.retry import RetryPolicy
    from linkedin_capi.connection import Connection

    options: dict[str, Any] = {
        "client_id": "app-id",
        "client_secret": "client-secret-value",
        "refresh_token": "RT-initial-secret",
        "api_version": "202607",
        "ad_account_id": 1,
        "base_url": fake.base_url,
        "token_url": fake.token_url,
        "sleep": clock.sleep,
        "clock": clock,
        "timeout": (2.0, 2.0),
        "retry": RetryPolicy(attempts=5, base=1.0, cap=8.0, rand=lambda: 1.0),
    }
    options.update(kwargs)
    return Connection(**options)
