"""The :class:`Sandbox`: lifecycle, addresses, test credentials, seeded data, inspection."""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import inspect
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from linkedin_capi.sandbox import _api, _oauth, _versions
from linkedin_capi.sandbox import _schema as S
from linkedin_capi.sandbox._controls import MEMBER_URN, Controls
from linkedin_capi.sandbox._errors import SandboxError
from linkedin_capi.sandbox._events import TimeErrorForm
from linkedin_capi.sandbox._faults import FaultPlan
from linkedin_capi.sandbox._rules import rule_errors, settings_error
from linkedin_capi.sandbox._schema import ACCOUNT_URN_PREFIX, RESTLI_PROTOCOL_VERSION, SCOPES
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

MANAGER_ACCOUNT_ID = 510_000_001
VIEWER_ACCOUNT_ID = 510_000_002
CAPI_RULE_ID = 10_000_001
TAG_RULE_ID = 10_000_002
CAMPAIGN_ID = 600_000_001
#: Where :meth:`Sandbox.connection` finds the SDK's client (imported only when called).
CLIENT_MODULE = "linkedin_capi.connection"


class Sandbox(Controls):
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
    account_id = MANAGER_ACCOUNT_ID
    viewer_account_id = VIEWER_ACCOUNT_ID
    rule_id = CAPI_RULE_ID
    tag_rule_id = TAG_RULE_ID
    campaign_ids = (CAMPAIGN_ID, CAMPAIGN_ID + 1)
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

    # -- accounts and rules --------------------------------------------------------------

    def add_account(
        self,
        name: str,
        *,
        id: int | None = None,
        role: str | None = "ACCOUNT_MANAGER",
        currency: str = "USD",
        status: str = "ACTIVE",
        type: str = "BUSINESS",
        test: bool = False,
        member: str | None = None,
    ) -> dict[str, Any]:
        """Create an ad account on which ``member`` (default: the sandbox member) has ``role``.

        ``role=None`` creates an account the member cannot see.
        """
        if role is not None and role not in S.ROLES:
            raise SandboxError(f"role must be one of {sorted(S.ROLES)} or None, got {role!r}")
        with self._state.lock:
            account_id = (
                id if id is not None else max(self._state.accounts, default=MANAGER_ACCOUNT_ID) + 1
            )
            created = int(self._clock.now().timestamp() * 1000)
            account: dict[str, Any] = {
                "id": account_id,
                "name": name,
                "currency": currency,
                "status": status,
                "type": type,
                "test": test,
                "reference": f"urn:li:organization:{account_id + 1_000_000}",
                "servingStatuses": ["RUNNABLE"] if status == "ACTIVE" else ["STOPPED"],
                "version": {"versionTag": "1"},
                "changeAuditStamps": {
                    "created": {"actor": "urn:li:unknown:0", "time": created},
                    "lastModified": {"actor": "urn:li:unknown:0", "time": created},
                },
            }
            self._state.accounts[account_id] = account
            if role is not None:
                self._state.roles[(member or MEMBER_URN, account_id)] = role
            return copy.deepcopy(account)

    def add_rule(
        self,
        name: str,
        *,
        account: int | str | None = None,
        type: str = "PURCHASE",
        conversion_method: str = "CONVERSIONS_API",
        enabled: bool = True,
        id: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Create a conversion rule directly (no HTTP), e.g. to seed a test; return it.

        ``account`` is an id or URN (default: ``account_id``). Other keyword arguments are
        LinkedIn rule fields (``attributionType=...``, ``postClickAttributionWindowSize=...``).
        """
        acct = account if account is not None else self.account_id
        urn = acct if isinstance(acct, str) else f"{ACCOUNT_URN_PREFIX}{acct}"
        body = {
            "name": name,
            "account": urn,
            "type": type,
            "conversionMethod": conversion_method,
            "enabled": enabled,
            **fields,
        }
        problems = rule_errors(body, partial=False)
        setting = settings_error(body, None)
        if problems or setting:
            raise SandboxError(
                "add_rule: LinkedIn would reject this rule:\n"
                + "\n".join([*problems, *([setting] if setting else [])])
            )
        return copy.deepcopy(self._state.new_rule(body, rule_id=id))

    def update_rule(self, rule_id: int, **fields: Any) -> dict[str, Any]:
        """Change a stored rule directly (no HTTP), e.g. ``update_rule(id, enabled=False)``.

        Events for a disabled rule get LinkedIn's 400 "…marked as deleted…"; one with
        ``conversionMethod="INSIGHT_TAG_URL_MATCH_RULES"`` the wrong-method 400. Unlike the
        API's PARTIAL_UPDATE this may change the method, to build such rules for tests.
        """
        problems = rule_errors(fields, partial=True)
        if problems:
            raise SandboxError("update_rule: not a valid rule change:\n" + "\n".join(problems))
        with self._state.lock:
            rule = self._state.rules.get(rule_id)
            if rule is None:
                raise SandboxError(f"update_rule: no conversion rule {rule_id} in the sandbox")
            setting = settings_error({**rule, **fields}, None)
            if setting:
                raise SandboxError(f"update_rule: LinkedIn would reject this rule: {setting}")
            rule.update(fields)
            rule["lastModified"] = int(self._clock.now().timestamp() * 1000)
            return copy.deepcopy(rule)

    def share_rule(self, rule_id: int, account: int | str | None = None) -> None:
        """Share a rule with another ad account (default: ``account_id``).

        A shared rule is listed by ``q=account`` for that account only when
        ``conversionOwnershipTypes`` asks for ``SHARED`` (from 202605), with
        ``ownershipType: "SHARED"``; GET, campaign association and (for its owner
        account's members only) events work as for owned rules.
        """
        acct = account if account is not None else self.account_id
        urn = acct if isinstance(acct, str) else f"{ACCOUNT_URN_PREFIX}{acct}"
        with self._state.lock:
            if rule_id not in self._state.rules:
                raise SandboxError(f"share_rule: no conversion rule {rule_id} in the sandbox")
            if self._state.rules[rule_id]["account"] == urn:
                raise SandboxError(f"share_rule: rule {rule_id} is owned by {urn} already")
            self._state.shared.setdefault(rule_id, set()).add(urn)

    def add_shared_rule(self, name: str, **fields: Any) -> dict[str, Any]:
        """A rule owned by a new ad account the member cannot see, shared with ``account_id``."""
        owner = self.add_account(f"Owner of {name}", role=None)
        rule = self.add_rule(name, account=owner["id"], **fields)
        self.share_rule(rule["id"])
        return rule

    def add_campaign(
        self,
        name: str,
        *,
        account: int | None = None,
        status: str = "ACTIVE",
        id: int | None = None,
        objective_type: str = "WEBSITE_CONVERSION",
    ) -> dict[str, Any]:
        """Create a campaign in an ad account (default ``account_id``); return it."""
        if status not in S.CAMPAIGN_STATUSES:
            raise SandboxError(
                f"status must be one of {sorted(S.CAMPAIGN_STATUSES)}, got {status!r}"
            )
        acct = account if account is not None else self.account_id
        with self._state.lock:
            if acct not in self._state.accounts:
                raise SandboxError(f"add_campaign: no ad account {acct} in the sandbox")
            cid = id if id is not None else max(self._state.campaigns, default=CAMPAIGN_ID) + 1
            campaign: dict[str, Any] = {
                "id": cid,
                "name": name,
                "account": f"{ACCOUNT_URN_PREFIX}{acct}",
                "campaignGroup": f"urn:li:sponsoredCampaignGroup:{acct + 100_000_000}",
                "status": status,
                "type": "SPONSORED_UPDATES",
                "objectiveType": objective_type,
                "test": False,
            }
            self._state.campaigns[cid] = campaign
            return copy.deepcopy(campaign)

    @property
    def campaigns(self) -> list[dict[str, Any]]:
        """Every campaign (copies), by id."""
        with self._state.lock:
            return [copy.deepcopy(c) for _, c in sorted(self._state.campaigns.items())]

    def rule(self, rule_id: int) -> dict[str, Any]:
        """One stored rule (a copy)."""
        with self._state.lock:
            if rule_id not in self._state.rules:
                raise KeyError(
                    f"no conversion rule {rule_id} in the sandbox; "
                    f"rules: {sorted(self._state.rules)}"
                )
            return copy.deepcopy(self._state.rules[rule_id])

    @property
    def rules(self) -> list[dict[str, Any]]:
        """Every stored conversion rule (copies), by id."""
        with self._state.lock:
            return [copy.deepcopy(r) for _, r in sorted(self._state.rules.items())]

    @property
    def accounts(self) -> list[dict[str, Any]]:
        """Every ad account (copies), by id."""
        with self._state.lock:
            return [copy.deepcopy(a) for _, a in sorted(self._state.accounts.items())]

    def _seed(self) -> None:
        self.add_account("Sandbox Outdoor Co.", id=MANAGER_ACCOUNT_ID, role="ACCOUNT_MANAGER")
        self.add_account(
            "Sandbox Agency Client (read-only)", id=VIEWER_ACCOUNT_ID, role="VIEWER", currency="EUR"
        )
        self.add_rule("Sandbox purchase (Conversions API)", id=CAPI_RULE_ID, type="PURCHASE")
        self.add_rule(
            "Sandbox sign-up (Insight Tag)",
            id=TAG_RULE_ID,
            type="SIGN_UP",
            conversion_method="INSIGHT_TAG_URL_MATCH_RULES",
        )
        self.add_campaign("Sandbox spring sale", id=CAMPAIGN_ID)
        self.add_campaign("Sandbox retargeting (draft)", id=CAMPAIGN_ID + 1, status="DRAFT")

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
