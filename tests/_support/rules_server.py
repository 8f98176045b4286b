"""A scripted loopback server for the rule/account tests: LinkedIn's /conversions,
/adAccountUsers and /adAccounts, with short pages and ``total = -1`` like the real thing.

It records every request (method, path, query, headers, JSON body) so tests can assert what
LinkedIn would have received.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ACCOUNT = "urn:li:sponsoredAccount:5012345"


@dataclass
class Received:
    method: str
    path: str
    raw_query: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class State:
    """What the fake LinkedIn knows; tests edit it directly."""

    rules: dict[int, dict[str, Any]] = field(default_factory=dict)
    account_users: list[dict[str, Any]] = field(default_factory=list)
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: At most this many rows per page whatever ``count`` asks (LinkedIn's short pages).
    page_cap: int = 3
    #: ``paging.total`` to report; -1 = unknown, None = the true total.
    total: int | None = -1
    next_id: int = 900_001
    received: list[Received] = field(default_factory=list)
    #: Serve the first page whatever ``start`` says (a server that ignores paging).
    ignore_start: bool = False
    #: Send the created rule's id only in the body (no x-restli-id header).
    id_in_body_only: bool = False

    def add_rule(self, name: str, **fields: Any) -> dict[str, Any]:
        rule = {
            "id": self.next_id,
            "name": name,
            "account": ACCOUNT,
            "conversionMethod": "CONVERSIONS_API",
            "type": "ADD_TO_CART",
            "enabled": True,
            "attributionType": "LAST_TOUCH_BY_CAMPAIGN",
            "postClickAttributionWindowSize": 30,
            "viewThroughAttributionWindowSize": 7,
            "campaigns": [],
            **fields,
        }
        self.rules[rule["id"]] = rule
        self.next_id += 1
        return rule

    def requests_to(self, method: str, path_prefix: str) -> list[Received]:
        return [r for r in self.received if r.method == method and r.path.startswith(path_prefix)]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> Received:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        rec = Received(
            method=self.command,
            path=parts.path,
            raw_query=parts.query,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=json.loads(raw) if raw else None,
        )
        self.server.state.received.append(rec)
        return rec

    def do_GET(self) -> None:
        rec = self._record()
        st = self.server.state
        if rec.path == "/conversions":
            if rec.query.get("q") != ["account"] or rec.query.get("account") != [ACCOUNT]:
                return self._send(400, {"status": 400, "message": "bad finder"})
            rows = sorted(st.rules.values(), key=lambda r: r["id"])
            return self._page(rec, rows)
        m = re.fullmatch(r"/conversions/(\d+)", rec.path)
        if m:
            rule = st.rules.get(int(m.group(1)))
            if rule is None:
                return self._send(404, {"status": 404, "message": "Not found"})
            return self._send(200, rule)
        if rec.path == "/adAccountUsers":
            if rec.query.get("q") != ["authenticatedUser"]:
                return self._send(400, {"status": 400, "message": "bad finder"})
            return self._page(rec, st.account_users)
        m = re.fullmatch(r"/adAccounts/(\d+)", rec.path)
        if m:
            acct = st.accounts.get(int(m.group(1)))
            if acct is None:
                return self._send(404, {"status": 404, "message": "Not found"})
            return self._send(200, acct)
        return self._send(404, {"status": 404, "message": f"no route {rec.path}"})

    def _page(self, rec: Received, rows: list[dict[str, Any]]) -> None:
        st = self.server.state
        start = 0 if st.ignore_start else int(rec.query.get("start", ["0"])[0])
        count = int(rec.query.get("count", ["10"])[0])
        chunk = rows[start : start + min(count, st.page_cap)]
        total = len(rows) if st.total is None else st.total
        self._send(
            200,
            {
                "paging": {"start": start, "count": count, "links": [], "total": total},
                "elements": chunk,
            },
        )

    def do_POST(self) -> None:
        rec = self._record()
        st = self.server.state
        if rec.path == "/conversions":
            if rec.query.get("q"):
                return self._send(400, {"status": 400, "message": "unexpected finder"})
            body = dict(rec.body or {})
            missing = [k for k in ("name", "account", "conversionMethod", "type") if k not in body]
            if missing:
                return self._send(422, {"status": 422, "message": f"missing {missing}"})
            rule = st.add_rule(body.pop("name"), **body)
            headers = (
                {}
                if st.id_in_body_only
                else {"x-restli-id": str(rule["id"]), "Location": f"/conversions/{rule['id']}"}
            )
            return self._send(201, rule, headers)
        m = re.fullmatch(r"/conversions/(\d+)", rec.path)
        if m and rec.headers.get("x-restli-method", "").upper() == "PARTIAL_UPDATE":
            rule = st.rules.get(int(m.group(1)))
            if rule is None:
                return self._send(404, {"status": 404, "message": "Not found"})
            rule.update(rec.body["patch"]["$set"])
            return self._send(204)
        return self._send(404, {"status": 404, "message": f"no route POST {rec.path}"})


class _Server(ThreadingHTTPServer):
    state: State


@dataclass
class RulesServer:
    state: State
    base_url: str


def serve() -> Iterator[RulesServer]:
    """Run the server on a free loopback port for the duration of a fixture."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = State()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield RulesServer(server.state, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def decoded(raw_query: str) -> str:
    return unquote(raw_query)


def connection(base_url: str, ad_account_id: str | None = "5012345") -> Any:
    """A real ``Connection`` pointed at the loopback server (a fixed access token)."""
    from linkedin_capi.connection import Connection

    return Connection(
        access_token="loopback-token",
        ad_account_id=ad_account_id,
        base_url=base_url,
        api_version="202607",
    )
