"""The :class:`Sandbox`: lifecycle, addresses, test credentials, seeded data, inspection."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from linkedin_capi.sandbox import _api, _oauth, _versions
from linkedin_capi.sandbox._controls import MEMBER_URN, Controls
from linkedin_capi.sandbox._errors import SandboxError
from linkedin_capi.sandbox._events import TimeErrorForm
from linkedin_capi.sandbox._faults import FaultPlan
from linkedin_capi.sandbox._fixtures import Fixtures
from linkedin_capi.sandbox._schema import RESTLI_PROTOCOL_VERSION, SCOPES
from linkedin_capi.sandbox._server import App, SandboxServer
from linkedin_capi.sandbox._state import (
    ACCESS_TOKEN_LIFETIME,
    REFRESH_TOKEN_LIFETIME,
    Clock,
    RecordedRequest,
    State,
    Token,
    rule_urn,
)

#: Where :meth:`Sandbox.connection` finds the SDK's client (imported only when called).
CLIENT_MODULE = "linkedin_capi.connection"


class Sandbox(Controls, Fixtures):
    """A LinkedIn stand-in served on ``http://127.0.0.1:<free port>``.

    Seeded deterministically with one member, two ad accounts (``account_id`` where the
    member is ACCOUNT_MANAGER, ``viewer_account_id`` where they are VIEWER), a
    CONVERSIONS_API rule (``rule_id``), an Insight Tag rule (``tag_rule_id``) and two
    campaigns of ``account_id`` (``campaign_ids``: one ACTIVE, one DRAFT).

    Its facts (versions, idTypes, rule types, windows, messages) are its own, written from
    ``shared/docs/linkedin-api-audit.md``; it imports nothing from the SDK. Where
    LinkedIn's answer is unmeasured it chooses, and says so: ``ORACLE_MOAT_ID`` gets a 422
    "is not an enum symbol" from LinkedIn-Version 202609 on (the schema dropped it; whether
    LinkedIn rejects or ignores it is unknown); the 100-rules-per-batch 400 and the 400s
    for qualified-lead types before 202608 or a disallowed window use its own texts.

    Parameters
    ----------
    host, port : str, int
        Where to listen; port 0 picks a free port.
    now : datetime, optional
        Freeze the sandbox clock here (naive = UTC). The clock decides token expiry,
        active ``LinkedIn-Version`` values and the 90-day event window. Default: real time.
    api_versions : Mapping[str, date], optional
        Published version → sunset date; default LinkedIn's published table
        (``_versions.PUBLISHED_SUNSETS``). Versions not in it are active for twelve months
        from their release month, by LinkedIn's support policy.
    max_page_size : int, optional
        Serve at most this many rules per list page, whatever ``count`` asked for, to
        exercise clients that page on what came back.
    dedup_event_ids : bool
        Emulate eventId deduplication: an event whose ``eventId`` was already accepted is
        acknowledged (201 in the batch answer) but not stored or counted again; see
        ``redelivered_event_ids``. LinkedIn documents eventId dedup only between the
        Insight Tag and CAPI (linkedin-api.md §2.6); CAPI↔CAPI dedup is not promised, so
        this is off by default.
    store_events : bool
        Keep every accepted event (``events``). ``False`` keeps only ``event_count`` and
        ``event_ids`` (for million-event benchmarks).
    request_log_limit : int, optional
        Keep only the newest this many entries in ``requests`` (default: all).
    record_bodies : bool
        Keep request bodies in the ``requests`` log.
    index_every_line : bool
        Prefix every 422 line with ``Index: N, `` (LinkedIn's recorded form prefixes only
        each failing element's first line).
    sleep : callable, optional
        How injected latency waits (tests pass a recorder). Default: an interruptible wait.
    wrong_method_indices : bool
        Name the rows of the 400 for a rule of another conversion method (the measured
        ``indices [..]`` form, default); ``False`` names none.
    time_error_form : {"indices", "batchIndex"}
        Text of the 400 for events outside the 90-day window: the measured
        ``indices [..] (0-indexed)`` form (default) or the documented
        ``[{field=Invalid Conversion time, batchIndex=N, …}]`` one.
    seed : bool
        Create the default accounts and rules.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        now: dt.datetime | None = None,
        api_versions: Mapping[str, dt.date] | None = None,
        max_page_size: int | None = None,
        store_events: bool = True,
        dedup_event_ids: bool = False,
        record_bodies: bool = True,
        request_log_limit: int | None = None,
        index_every_line: bool = False,
        wrong_method_indices: bool = True,
        time_error_form: TimeErrorForm = "indices",
        sleep: Callable[[float], Any] | None = None,
        seed: bool = True,
    ) -> None:
        if max_page_size is not None and max_page_size < 1:
            raise SandboxError(
                f"max_page_size must be a positive integer or None, got {max_page_size!r}"
            )
        if time_error_form not in ("indices", "batchIndex"):
            raise SandboxError(
                f"time_error_form must be 'indices' or 'batchIndex', got {time_error_form!r}"
            )
        self._host, self._port = host, port
        self._clock = Clock(now)
        self._state = State(
            self._clock,
            store_events=store_events,
            dedup_event_ids=dedup_event_ids,
            record_bodies=record_bodies,
            request_log_limit=request_log_limit,
        )
        self._faults = FaultPlan()
        self._stopping = threading.Event()
        self._client = _oauth.Client("sandbox-client-id", "sandbox-client-secret", MEMBER_URN)
        self._refresh_token = "sandbox-refresh-token"
        self._access_token = "sandbox-access-token"
        start = self._clock.now()
        self._state.refresh_tokens[self._refresh_token] = Token(
            MEMBER_URN, SCOPES, start + REFRESH_TOKEN_LIFETIME
        )
        self._state.access_tokens[self._access_token] = Token(
            MEMBER_URN, SCOPES, start + ACCESS_TOKEN_LIFETIME, refresh_token=self._refresh_token
        )
        config = _api.ApiConfig(
            api_versions=dict(
                api_versions if api_versions is not None else _versions.PUBLISHED_SUNSETS
            ),
            max_page_size=max_page_size,
            index_every_line=index_every_line,
            wrong_method_indices=wrong_method_indices,
            time_error_form=time_error_form,
        )
        self._app = App(
            self._state, self._faults, config, self._client, sleep or self._wait, self._index
        )
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self._started = False
        if seed:
            self._seed()

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Start serving in a background thread (idempotent); return ``self``."""
        if self._server is None:
            self._stopping.clear()
            try:
                self._server = SandboxServer((self._host, self._port), self._app)
            except OSError as exc:
                raise SandboxError(
                    f"cannot listen on {self._host}:{self._port} ({exc.strerror or exc}); "
                    "pass port=0 for a free port"
                ) from exc
            self._port = self._server.server_address[1]
            self._started = True
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},  # stop() waits at most one poll
                name=f"linkedin-capi-sandbox:{self._port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close open connections (idempotent)."""
        if self._server is not None:
            self._stopping.set()
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    close = stop

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"Sandbox({where}, events={self.event_count}, rules={len(self._state.rules)})"

    def _wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)  # wakes early when the sandbox stops

    # -- addresses and credentials -------------------------------------------------------

    @property
    def url(self) -> str:
        """The server root, ``http://127.0.0.1:<port>`` (kept after ``stop()``)."""
        if self._server is None and not self._started:
            raise SandboxError(
                "the sandbox is not running: use `with Sandbox() as sb:` or call .start()"
            )
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """The REST API root (LinkedIn: ``https://api.linkedin.com/rest``)."""
        return f"{self.url}/rest"

    @property
    def token_url(self) -> str:
        """The token endpoint (LinkedIn: ``https://www.linkedin.com/oauth/v2/accessToken``)."""
        return f"{self.url}{_oauth.TOKEN_PATH}"

    @property
    def authorization_url(self) -> str:
        """The consent page; it consents at once and redirects with a code."""
        return f"{self.url}{_oauth.AUTHORIZE_PATH}"

    @property
    def introspect_url(self) -> str:
        """The token introspection endpoint."""
        return f"{self.url}{_oauth.INTROSPECT_PATH}"

    @property
    def client_id(self) -> str:
        """The test application's client id."""
        return self._client.client_id

    @property
    def client_secret(self) -> str:
        """The test application's client secret (a fixed test value)."""
        return self._client.client_secret

    @property
    def refresh_token(self) -> str:
        """A refresh token of the default member (365 days from sandbox start)."""
        return self._refresh_token

    @property
    def access_token(self) -> str:
        """A live access token of the default member (60 days from sandbox start)."""
        return self._access_token

    member = MEMBER_URN
    api_version = _versions.DEFAULT_VERSION

    @property
    def rule_urn(self) -> str:
        """``urn:lla:llaPartnerConversion:<rule_id>`` of the seeded CONVERSIONS_API rule."""
        return rule_urn(self.rule_id)

    def api_headers(
        self, access_token: str | None = None, version: str | None = None
    ) -> dict[str, str]:
        """The headers of a well-formed API call (for hand-written requests in tests)."""
        return {
            "Authorization": f"Bearer {access_token or self._access_token}",
            "LinkedIn-Version": version or self.api_version,
            "X-Restli-Protocol-Version": RESTLI_PROTOCOL_VERSION,
        }

    def connection_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``linkedin_capi.Connection`` pointing at this sandbox.

        Examples
        --------
        >>> with Sandbox() as sb:
        ...     kwargs = sb.connection_kwargs(api_version="202608")
        >>> sorted(kwargs)  # doctest: +NORMALIZE_WHITESPACE
        ['ad_account_id', 'api_version', 'base_url', 'client_id', 'client_secret',
         'refresh_token', 'token_url']
        >>> kwargs["api_version"]
        '202608'
        """
        kwargs: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
            "ad_account_id": self.account_id,
            "api_version": self.api_version,
            "base_url": self.base_url,
            "token_url": self.token_url,
        }
        kwargs.update(overrides)
        return kwargs

    def connection(self, **overrides: Any) -> Any:
        """A ``linkedin_capi.connection.Connection`` configured for this sandbox.

        The one place the sandbox names the SDK: by module name, when called, to hand the
        user a client. The model of LinkedIn never uses it (the architecture test in
        ``tests/sandbox/`` allows exactly this import and no other).
        """
        try:
            module = importlib.import_module(CLIENT_MODULE)
        except ModuleNotFoundError as exc:  # only while the HTTP client is not installed
            raise SandboxError(
                "linkedin_capi.connection is not available in this build; use "
                "sandbox.connection_kwargs() with your own client"
            ) from exc
        kwargs = self.connection_kwargs(**overrides)
        accepts = inspect.signature(module.Connection).parameters
        if "clock" in accepts and "clock" not in kwargs:
            # Share the sandbox clock, so token expiry and version choice agree with it.
            kwargs["clock"] = lambda: self._clock.now().timestamp()
        return module.Connection(**kwargs)

    # -- what arrived --------------------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every accepted event, in arrival order (empty with ``store_events=False``)."""
        with self._state.lock:
            return list(self._state.events)

    @property
    def event_count(self) -> int:
        """How many events were accepted."""
        with self._state.lock:
            return self._state.event_count

    @property
    def event_ids(self) -> list[str]:
        """The ``eventId`` of every accepted event that had one, in arrival order."""
        with self._state.lock:
            return list(self._state.event_ids)

    @property
    def duplicate_event_ids(self) -> dict[str, int]:
        """eventIds accepted more than once → times (LinkedIn does not promise CAPI dedup)."""
        with self._state.lock:
            counts = Counter(self._state.event_ids)
        return {k: n for k, n in counts.items() if n > 1}

    @property
    def redelivered_event_ids(self) -> dict[str, int]:
        """eventIds sent again after being accepted → times (only with ``dedup_event_ids``)."""
        with self._state.lock:
            return dict(self._state.redelivered)

    @property
    def events_by_rule(self) -> dict[int, int]:
        """Accepted events per rule id."""
        with self._state.lock:
            return dict(self._state.events_by_rule)

    def clear_events(self) -> None:
        """Forget accepted events (counts included)."""
        with self._state.lock:
            self._state.events.clear()
            self._state.event_ids.clear()
            self._state.seen_event_ids.clear()
            self._state.redelivered.clear()
            self._state.event_count = 0
            self._state.events_by_rule.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order (including faulted and dropped ones)."""
        with self._state.lock:
            return list(self._state.requests)

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self._state.lock:
            self._state.requests.clear()

    def _index(self) -> dict[str, Any]:
        return {
            "sandbox": "linkedin-capi",
            "base_url": self.base_url,
            "token_url": self.token_url,
            "authorization_url": self.authorization_url,
            "ad_accounts": [self.account_id, self.viewer_account_id],
            "conversion_rule": self.rule_urn,
            "event_count": self.event_count,
            "events_by_rule": {str(k): v for k, v in self.events_by_rule.items()},
            "rules": [
                {"id": r["id"], "name": r["name"], "conversionMethod": r["conversionMethod"]}
                for r in self.rules
            ],
            "events_url": f"{self.url}/_sandbox/events",
        }
