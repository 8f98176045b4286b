"""``linkedin-capi sandbox``: serve a sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from linkedin_capi.sandbox._errors import SandboxError
from linkedin_capi.sandbox._sandbox import Sandbox


def env_lines(sandbox: Sandbox) -> list[str]:
    """``NAME=value`` lines that point ``linkedin-capi`` and ``Connection.from_env()`` here."""
    values = {
        "LINKEDIN_CAPI_BASE_URL": sandbox.base_url,
        "LINKEDIN_CAPI_TOKEN_URL": sandbox.token_url,
        "LINKEDIN_CAPI_AUTHORIZATION_URL": sandbox.authorization_url,
        "LINKEDIN_CAPI_CLIENT_ID": sandbox.client_id,
        "LINKEDIN_CAPI_CLIENT_SECRET": sandbox.client_secret,
        "LINKEDIN_CAPI_REFRESH_TOKEN": sandbox.refresh_token,
        "LINKEDIN_CAPI_AD_ACCOUNT_ID": str(sandbox.account_id),
        "LINKEDIN_CAPI_CONVERSION": str(sandbox.rule_id),
        "LINKEDIN_CAPI_API_VERSION": sandbox.api_version,
    }
    return [f"{name}={shlex.quote(value)}" for name, value in values.items()]


def write_env_file(path: str, lines: Sequence[str]) -> None:
    """Write ``lines`` as a ``.env`` file (mode 0600, like any file holding credentials)."""
    target = Path(path).expanduser()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# linkedin-capi sandbox (test credentials, 127.0.0.1 only)\n")
        fh.writelines(f"{line}\n" for line in lines)


def main(
    argv: Sequence[str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    max_page_size: int | None = None,
    store_events: bool = True,
    ready: Callable[[Sandbox], Any] | None = None,
    stop: threading.Event | None = None,
    env_file: str | None = None,
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
    parser.add_argument("--env-file", default=env_file, help="also write the variables here")
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
        lines = env_lines(sandbox)
        if args.env_file:
            write_env_file(args.env_file, lines)
        print(
            f"LinkedIn sandbox listening on {sandbox.url}\n"
            "# Paste these lines into another shell (or use --env-file PATH), then run\n"
            "# linkedin-capi accounts / rules list / export FILE against the sandbox:\n"
            + "".join(f"export {line}\n" for line in lines)
            + f"# read-only ad account (VIEWER): {sandbox.viewer_account_id}; "
            f"received events: {sandbox.url}/_sandbox/events\n"
            + (f"# wrote the same variables to {args.env_file}\n" if args.env_file else "")
            + "Press Ctrl-C to stop.",
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
