"""``linkedin-capi sandbox``: serve a sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from linkedin_capi.sandbox._errors import SandboxError
from linkedin_capi.sandbox._sandbox import Sandbox


def main(
    argv: Sequence[str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    max_page_size: int | None = None,
    store_events: bool = True,
    ready: Callable[[Sandbox], Any] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve a sandbox until Ctrl-C (``linkedin-capi sandbox``); print URLs and credentials.

    Command-line options (``argv``) override the keyword defaults. ``ready`` is called with
    the running sandbox; setting ``stop`` ends serving (both for embedding and tests).
    """
    parser = argparse.ArgumentParser(prog="linkedin-capi sandbox", description=main.__doc__)
    parser.add_argument("--host", default=host)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--max-page-size", type=int, default=max_page_size)
    parser.add_argument("--no-store-events", action="store_true", default=not store_events)
    args = parser.parse_args(list(argv) if argv is not None else [])
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        max_page_size=args.max_page_size,
        store_events=not args.no_store_events,
        # Nobody can read the log of a foreground server: keep it small.
        record_bodies=False,
        request_log_limit=1000,
    )
    waiter = stop or threading.Event()
    try:
        sandbox.start()
    except SandboxError as exc:  # e.g. a busy port: one line, no traceback
        print(f"linkedin-capi sandbox: {exc}", file=sys.stderr)
        return 2
    try:  # Ctrl-C may arrive at any point from here on, even while printing
        # These are the sandbox's fixed test credentials, not secrets.
        print(
            f"LinkedIn sandbox listening on {sandbox.url}\n"
            f"  base_url       {sandbox.base_url}\n"
            f"  token_url      {sandbox.token_url}\n"
            f"  client_id      {sandbox.client_id}\n"
            f"  client_secret  {sandbox.client_secret}\n"
            f"  refresh_token  {sandbox.refresh_token}\n"
            f"  access_token   {sandbox.access_token}\n"
            f"  ad account     {sandbox.account_id} (ACCOUNT_MANAGER), "
            f"{sandbox.viewer_account_id} (VIEWER)\n"
            f"  rule           {sandbox.rule_urn} (CONVERSIONS_API)\n"
            f"  received       {sandbox.url}/ and {sandbox.url}/_sandbox/events\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        if ready is not None:
            ready(sandbox)
        # Wake up now and then: with Polars' threads around, SIGINT may land on another
        # thread and never interrupt an untimed wait of the main thread.
        while not waiter.wait(0.2):
            pass
    except KeyboardInterrupt:
        print("Stopped; accepted events:", sandbox.event_count, file=sys.stderr)
    finally:
        sandbox.stop()
    return 0
