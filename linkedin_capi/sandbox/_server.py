"""Sockets: a ``ThreadingHTTPServer`` on loopback and the request pipeline around the routes.

Per request: read it fully, wait out any injected latency, apply a queued fault or the
quota, route (OAuth endpoints or the REST API), record it in the request log, and answer
with an ``x-li-request-id`` header — or close the socket without answering when a dropped
connection is injected.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from linkedin_capi.sandbox import _api, _oauth
from linkedin_capi.sandbox import _schema as S
from linkedin_capi.sandbox._faults import FaultPlan
from linkedin_capi.sandbox._http import Request, Response, api_error, json_response
from linkedin_capi.sandbox._state import RecordedRequest, State

logger = logging.getLogger("linkedin_capi.sandbox")


class App:
    """The sandbox's request pipeline, independent of sockets."""

    def __init__(
        self,
        state: State,
        faults: FaultPlan,
        config: _api.ApiConfig,
        client: _oauth.Client,
        sleep: Callable[[float], Any],
        index: Callable[[], dict[str, Any]],
    ) -> None:
        self.state = state
        self.faults = faults
        self.config = config
        self.client = client
        self.sleep = sleep
        self.index = index

    def respond(self, req: Request) -> Response | None:
        """The response to ``req``, or ``None`` to drop the connection unanswered."""
        request_id = self.state.next_request_id()
        delay = self.faults.latency_for(req.path)
        if delay > 0:
            self.sleep(delay)
        fault = self.faults.take(req.path)
        response: Response | None
        if fault is not None and not fault.after_processing:
            response = _copy(fault.response)
        else:
            today = self.state.clock.now().date()
            response = self.faults.over_quota(req.path, today) or self._route(req)
            if fault is not None:  # processed (events stored), then the answer is replaced
                response = _copy(fault.response)
        self.state.record(
            RecordedRequest(
                method=req.method,
                path=req.path,
                query=req.query,
                headers=req.headers,
                body=req.body if self.state.record_bodies else None,
                status=None if response is None else response.status,
                request_id=request_id,
            )
        )
        if response is not None:
            response.headers["x-li-request-id"] = request_id
            if req.path.startswith("/rest/"):
                response.headers.setdefault("X-RestLi-Protocol-Version", "2.0.0")
        return response

    def _route(self, req: Request) -> Response:
        try:
            path = req.path
            if path.startswith("/rest/"):
                return _api.handle(req, self.state, self.config)
            if path == _oauth.TOKEN_PATH:
                return _oauth.token(req, self.state, self.client)
            if path == _oauth.AUTHORIZE_PATH and req.method == "GET":
                return _oauth.authorize(req, self.state, self.client)
            if path == _oauth.INTROSPECT_PATH:
                return _oauth.introspect(req, self.state, self.client)
            if path == "/" and req.method == "GET":
                return json_response(200, self.index())
            if path == "/_sandbox/events" and req.method == "GET":
                return self._events_page(req)
            return api_error(404, S.MSG_NO_RESOURCE, code="NOT_FOUND")
        except Exception:  # a sandbox bug must still answer like a server would
            logger.exception("sandbox failed on %s %s", req.method, req.path)
            return api_error(500, "Internal Server Error", code="INTERNAL_SERVER_ERROR")

    def _events_page(self, req: Request) -> Response:
        """``GET /_sandbox/events?start=&count=``: what was accepted, for other processes."""
        try:
            start = max(0, int(req.param("start") or 0))
            count = max(0, int(req.param("count") or 100))
        except ValueError:
            return api_error(400, "start and count must be integers")
        with self.state.lock:
            stored = self.state.events if self.state.store_events else self.state.event_ids
            page = list(stored[start : start + count])
            total = self.state.event_count
        return json_response(200, {"total": total, "start": start, "elements": page})


def _copy(response: Response | None) -> Response | None:
    if response is None:
        return None
    return Response(response.status, response.body, dict(response.headers))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as LinkedIn (and the SDK's session) use
    server_version = "linkedin-capi-sandbox"
    sys_version = ""
    timeout = 60  # idle keep-alive connections end on their own
    server: SandboxServer

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in one write, and without Nagle's delay: otherwise a
        # client's delayed ACK adds ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _handle(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        elif headers.get("content-length", "").strip().isdigit():
            body = self.rfile.read(int(headers["content-length"]))
        elif "content-length" in headers:
            self.close_connection = True
            self._send(api_error(400, "Content-Length must be a non-negative integer"))
            return
        elif self.command in ("POST", "PUT", "PATCH"):
            self.close_connection = True  # the unread body makes the stream unusable
            self._send(api_error(411, "Length Required: send a Content-Length header"))
            return
        else:
            body = b""
        split = urlsplit(self.path)
        req = Request(self.command, split.path, split.query, headers, body)
        response = self.server.app.respond(req)
        if response is None:
            self._drop()
        else:
            self._send(response)

    def _read_chunked(self) -> bytes:
        out = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(out)
            out += self.rfile.read(size)
            self.rfile.readline()

    def _send(self, response: Response) -> None:
        # Built by hand so status line, headers and body leave in a single write.
        self.log_request(response.status)
        reason = self.responses.get(response.status, ("",))[0]
        head = [
            f"{self.protocol_version} {response.status} {reason}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        head += [f"{name}: {value}" for name, value in response.headers.items()]
        has_body = response.status not in (204, 304)
        if has_body:
            head.append(f"Content-Length: {len(response.body)}")
        if self.close_connection:
            head.append("Connection: close")
        payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if has_body and self.command != "HEAD":
            payload += response.body
        self.wfile.write(payload)

    def _drop(self) -> None:
        """Close the socket without a byte of response (an injected dropped connection)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines never hold secrets (tokens travel in headers and bodies).
        logger.debug("%s - " + format, self.address_string(), *args)


class SandboxServer(ThreadingHTTPServer):
    """A threading HTTP server that can close its open keep-alive connections on stop."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (timeout, dropped test) is routine, not a traceback on stderr.
        logger.debug("connection from %s ended abruptly", client_address, exc_info=True)

    def close_connections(self) -> None:
        """Shut down every open client connection (used on stop)."""
        with self._open_lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
