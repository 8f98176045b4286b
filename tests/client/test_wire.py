"""The prepared-send path keeps the session's proxy and CA bundle (issue 16 item 2, issue 12).

Every request of a ``Connection`` goes through ``client/_wire.py`` (requests prepared once,
sent through the session's adapter). These tests drive real connections on loopback:

* ``HTTP_PROXY`` read at creation: the events POST and a GET go *through* a loopback
  proxy (it sees absolute request URIs), while the base URL's own port has no server;
* ``REQUESTS_CA_BUNDLE``: a TLS server with a self-signed certificate made here with the
  ``openssl`` command is trusted only through the bundle (without it: a connection error);
* redirects are covered by ``test_hostile_peers.py`` (302/307/308 from the events endpoint),
  which runs on this same path.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from linkedin_capi.client.retry import RetryPolicy
from linkedin_capi.connection import Connection
from linkedin_capi.errors import APIConnectionError

BODY = b'{"elements":[{"eventId":"e1"},{"eventId":"e2"}]}'


class _Server:
    """A loopback server answering every request like LinkedIn's BATCH_CREATE (2 × 201)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _do(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                server.seen.append((self.command, self.path, dict(self.headers.items())))
                data = json.dumps({"elements": [{"status": 201}] * 2}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _do

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        if tls is not None:
            self._http.socket = tls.wrap_socket(self._http.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def __enter__(self) -> _Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()


def _free_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    import socket

    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY",
                 "https_proxy", "ALL_PROXY", "all_proxy", "REQUESTS_CA_BUNDLE",
                 "CURL_CA_BUNDLE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def _conn(base_url: str) -> Connection:
    return Connection(
        access_token="AT-wire-test-token",
        api_version="202607",
        base_url=base_url,
        timeout=(5.0, 10.0),
        retry=RetryPolicy(attempts=1),
    )


def test_requests_go_through_the_proxy_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, no_proxy_env: None
) -> None:
    with _Server() as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        # Nothing listens on the base URL's port: only the proxy can answer.
        port = _free_port()
        conn = _conn(f"http://localhost:{port}/rest")
        try:
            for _ in range(2):  # the second send reuses the prepared request
                response = conn.send_events(BODY)
                assert response.status_code == 200
            conn.request("GET", "adAccounts", params={"q": "search"})
        finally:
            conn.close()
    paths = [path for _, path, _ in proxy.seen]
    assert paths == [
        f"http://localhost:{port}/rest/conversionEvents",
        f"http://localhost:{port}/rest/conversionEvents",
        f"http://localhost:{port}/rest/adAccounts?q=search",
    ]  # absolute URIs: a proxy request, not a direct one
    headers = proxy.seen[0][2]
    assert headers["Authorization"] == "Bearer AT-wire-test-token"
    assert headers["X-RestLi-Method"] == "BATCH_CREATE"
    assert headers["Content-Length"] == str(len(BODY))


def test_a_proxy_bypassed_by_no_proxy_is_not_used(
    monkeypatch: pytest.MonkeyPatch, no_proxy_env: None
) -> None:
    with _Server() as proxy, _Server() as direct:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        conn = _conn(f"http://127.0.0.1:{direct.port}/rest")
        try:
            assert conn.send_events(BODY).status_code == 200
        finally:
            conn.close()
    assert proxy.seen == []
    assert [path for _, path, _ in direct.seen] == ["/rest/conversionEvents"]


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made by the openssl command, valid 1 day)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_the_ca_bundle_from_the_environment_is_what_trusts_the_server(
    monkeypatch: pytest.MonkeyPatch, no_proxy_env: None, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    with _Server(tls=_tls(cert, key)) as server:
        base = f"https://127.0.0.1:{server.port}/rest"
        untrusted = _conn(base)  # the system's CAs: the self-signed certificate is refused
        try:
            with pytest.raises(APIConnectionError):
                untrusted.send_events(BODY)
        finally:
            untrusted.close()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        trusted = _conn(base)
        try:
            assert trusted.send_events(BODY).status_code == 200
        finally:
            trusted.close()
    assert [path for _, path, _ in server.seen] == ["/rest/conversionEvents"]


def test_a_send_reads_the_whole_answer(no_proxy_env: None) -> None:
    """The answer is read in the attempt (not lazily later), and the connection is reused."""
    with _Server() as server:
        conn = _conn(f"http://127.0.0.1:{server.port}/rest")
        try:
            first = conn.send_events(BODY)
            second = conn.send_events(BODY)
        finally:
            conn.close()
    for response in (first, second):
        assert response.json() == {"elements": [{"status": 201}, {"status": 201}]}
        assert response.request.method == "POST"


def test_prepared_requests_do_not_keep_a_token(no_proxy_env: None) -> None:
    """The cache holds requests prepared without ``Authorization``; each send adds it."""
    with _Server() as server:
        conn = _conn(f"http://127.0.0.1:{server.port}/rest")
        try:
            conn.send_events(BODY)
            cached = list(conn._sends._prepared.values())
        finally:
            conn.close()
    assert cached and all("Authorization" not in p.headers for p in cached)
    assert all("AT-wire-test-token" not in repr(vars(p)) for p in cached)
