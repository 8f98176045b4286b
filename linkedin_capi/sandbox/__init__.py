"""A local LinkedIn: the Conversions API, its OAuth endpoints and ad accounts on 127.0.0.1.

LinkedIn has no sandbox and no validate-only mode. :class:`Sandbox` is a stand-in (the
LocalStack/moto idea): a real HTTP server on a free loopback port that answers like
LinkedIn does — statuses, error bodies and messages from ``linkedin-api-audit.md`` and
``linkedin-api.md``, in tables of its own (it imports nothing from the SDK) — stores what
it accepted so tests and demos can look at it, and takes fault injection (forced statuses,
dropped connections, latency, a request quota).

Examples
--------
>>> import json, urllib.request
>>> with Sandbox() as sb:
...     req = urllib.request.Request(f"{sb.base_url}/adAccountUsers?q=authenticatedUser",
...                                  headers=sb.api_headers())
...     roles = [e["role"] for e in json.load(urllib.request.urlopen(req))["elements"]]
>>> roles
['ACCOUNT_MANAGER', 'VIEWER']

From a shell: ``linkedin-capi sandbox`` (or ``python -m linkedin_capi.sandbox``).
"""

from __future__ import annotations

from linkedin_capi.sandbox._cli import main
from linkedin_capi.sandbox._errors import SandboxError
from linkedin_capi.sandbox._sandbox import Sandbox
from linkedin_capi.sandbox._state import RecordedRequest

__all__ = ["RecordedRequest", "Sandbox", "SandboxError", "main"]
