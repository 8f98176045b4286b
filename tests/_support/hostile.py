"""Hostile peers and prying tools for the security tests.

* :class:`Recorder` — a loopback server (127.0.0.2 plays "another host") that records
  every request and answers like a token endpoint, or stalls until released.
* :func:`leaks` — looks for secrets the way traceback viewers with locals do: the
  standard library's ``TracebackException(capture_locals=True)``, IPython's ``VerboseTB``
  (``%xmode Verbose``), ``rich.traceback`` with ``show_locals=True``, and a walk over every
  frame's ``f_locals`` of the exception and of everything chained to it (``__cause__``,
  ``__context__`` — suppressed or not), which is what Sentry serializes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Recorder:
    """A ThreadingHTTPServer on ``host`` that records requests (path, body)."""

    def __init__(self, host: str = "127.0.0.2", *, stall: bool = False) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.stall = stall
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _do(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append((self.command, self.path, body))
                recorder.arrived.set()
                if recorder.stall:
                    recorder.release.wait(30)
                data = json.dumps(
                    {"access_token": "AT-from-the-attacker", "expires_in": 5_184_000}
                ).encode()
                with contextlib.suppress(OSError):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            do_GET = do_POST = _do

        return Handler

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


def capture(call: Callable[[], object]) -> BaseException:
    """Run ``call`` and return what it raised (its traceback starts in this frame)."""
    try:
        call()
    except BaseException as exc:  # KeyboardInterrupt included: that is the point
        return exc
    raise AssertionError("expected an exception")


def _strings(value: Any, depth: int = 0, budget: list[int] | None = None) -> Iterator[str]:
    """What a viewer shows of ``value``: repr, plus the items of containers and dataclasses."""
    budget = budget if budget is not None else [5000]
    if budget[0] <= 0 or depth > 5:
        return
    budget[0] -= 1
    try:
        yield repr(value)
    except Exception:  # a broken repr shows nothing
        return
    if isinstance(value, str | bytes | bytearray):
        yield value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else value
        return
    if isinstance(value, dict):
        items: Iterable[Any] = [x for kv in list(value.items())[:500] for x in kv]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)[:500]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name, None) for f in dataclasses.fields(value)]
    else:
        return
    for item in items:
        yield from _strings(item, depth + 1, budget)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def views(exc: BaseException) -> dict[str, str]:
    """The text each tool would show for ``exc``."""
    out: dict[str, str] = {}
    out["traceback capture_locals"] = "".join(
        traceback.TracebackException.from_exception(exc, capture_locals=True).format()
    )
    from IPython.core.ultratb import VerboseTB

    out["IPython VerboseTB"] = VerboseTB(theme_name="nocolor").text(
        type(exc), exc, exc.__traceback__
    )
    from rich.console import Console
    from rich.traceback import Traceback

    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(
        Traceback.from_exception(
            type(exc), exc, exc.__traceback__, show_locals=True, max_frames=0, width=200
        )
    )
    out["rich show_locals"] = console.file.getvalue()  # type: ignore[attr-defined]
    walked: list[str] = []
    frames = 0
    for current in _chain(exc):
        walked.extend(_strings(current.args))
        walked.append(str(current))
        tb = current.__traceback__
        while tb is not None and frames < 500:
            frames += 1
            for name, value in tb.tb_frame.f_locals.items():
                walked.extend(f"{name}={s}" for s in _strings(value))
            tb = tb.tb_next
    out["f_locals walk (Sentry)"] = "\n".join(walked)
    return out


def leaks(exc: BaseException, secrets: Iterable[str]) -> list[str]:
    """``"<view>: <which secret>"`` for each secret a view of ``exc`` shows (names only)."""
    shown = views(exc)
    return [
        f"{view}: secret #{i}"
        for view, text in shown.items()
        for i, secret in enumerate(secrets)
        if secret in text
    ]


def frame_names(exc: BaseException) -> list[str]:
    """Qualified function names of every frame on ``exc``'s traceback and chain."""
    names = []
    for current in _chain(exc):
        tb = current.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            names.append(f"{code.co_filename}:{code.co_name}")
            tb = tb.tb_next
    return names
