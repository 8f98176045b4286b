"""Catch the OAuth redirect on a localhost port (``linkedin-capi auth login --listen``)."""

from __future__ import annotations

import http.server
import threading
import urllib.parse

from linkedin_capi.errors import ConfigError

__all__ = ["wait_for_redirect"]

_PAGE = (
    b"<html><body><p>linkedin-capi received the authorization. "
    b"You can close this tab.</p></body></html>"
)


def wait_for_redirect(redirect_uri: str, *, timeout: float = 300.0) -> str:
    """Serve ``redirect_uri``'s host and port until the browser arrives; return its URL.

    Only ``localhost`` / ``127.0.0.1`` redirect URIs with an explicit port can be caught.
    """
    parts = urllib.parse.urlsplit(redirect_uri)
    if parts.hostname not in {"localhost", "127.0.0.1"} or not parts.port:
        raise ConfigError(
            f"--listen needs a redirect URI on localhost with a port, got {redirect_uri!r}; "
            "paste the redirect URL instead"
        )
    received: list[str] = []
    done = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if urllib.parse.urlsplit(self.path).path != (parts.path or "/"):
                self.send_error(404)
                return
            received.append(f"{parts.scheme}://{parts.netloc}{self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(_PAGE)))
            self.end_headers()
            self.wfile.write(_PAGE)
            done.set()

        def log_message(self, format: str, *args: object) -> None:
            pass  # the query string holds the authorization code: never log it

    server = http.server.HTTPServer(("127.0.0.1", parts.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        if not done.wait(timeout):
            raise ConfigError(f"no browser arrived at {redirect_uri} within {timeout:.0f} s")
    finally:
        server.shutdown()
        server.server_close()
    return received[0]
