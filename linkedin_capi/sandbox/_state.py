"""Everything the sandbox remembers: clock, accounts, rules, tokens, accepted events, log.

One :class:`State` per sandbox, guarded by one re-entrant lock: the HTTP server answers on
many threads while a test inspects the state from its own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from linkedin_capi.sandbox._events import Rule
from linkedin_capi.sandbox._schema import ACCOUNT_URN_PREFIX, READ_ONLY_ROLE, RULE_URN_PREFIX

ACCESS_TOKEN_LIFETIME = dt.timedelta(days=60)  # linkedin-api.md §5
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=365)
CODE_LIFETIME = dt.timedelta(minutes=30)


def to_ms(moment: dt.datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return int(moment.timestamp() * 1000)


class Clock:
    """The sandbox's notion of *now*: real UTC time, or a frozen, movable instant.

    Examples
    --------
    >>> clock = Clock(dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    >>> clock.advance(dt.timedelta(days=1)); clock.now().date()
    datetime.date(2026, 8, 2)
    """

    def __init__(self, frozen: dt.datetime | None = None) -> None:
        self._frozen = _aware(frozen) if frozen is not None else None
        self._offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        """The current sandbox time (timezone-aware, UTC)."""
        if self._frozen is not None:
            return self._frozen
        return dt.datetime.now(dt.UTC) + self._offset

    def set(self, moment: dt.datetime) -> None:
        """Freeze the clock at ``moment`` (naive datetimes are taken as UTC)."""
        self._frozen = _aware(moment)

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        if self._frozen is not None:
            self._frozen += delta
        else:
            self._offset += delta


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass
class Token:
    """An access token, refresh token or authorization code issued by the sandbox."""

    member: str
    scopes: tuple[str, ...]
    expires_at: dt.datetime
    revoked: bool = False
    redirect_uri: str | None = None  # authorization codes only
    refresh_token: str | None = None  # access tokens: the refresh token they came from

    def __repr__(self) -> str:  # never show token values; there are none here, but be safe
        return f"Token(member={self.member!r}, expires_at={self.expires_at.isoformat()})"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the sandbox received, for tests to inspect.

    ``headers`` has lower-cased names. ``body`` is ``None`` when bodies are not recorded.
    ``status`` is ``None`` when the connection was dropped without an answer.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes | None
    status: int | None
    request_id: str

    @property
    def form(self) -> dict[str, str]:
        """The form fields of a form-encoded body (first value of each)."""
        from urllib.parse import parse_qs

        raw = (self.body or b"").decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def __repr__(self) -> str:
        # Bodies and headers can hold tokens and client secrets: leave them out.
        return (
            f"RecordedRequest({self.method} {self.path} -> {self.status}, "
            f"request_id={self.request_id!r})"
        )


@dataclass
class State:
    """The sandbox's data. Hold ``lock`` for every read or write."""

    clock: Clock
    store_events: bool = True
    dedup_event_ids: bool = False
    record_bodies: bool = True
    request_log_limit: int | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    roles: dict[tuple[str, int], str] = field(default_factory=dict)  # (member, account id)
    rules: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: rule id → account URNs the rule is shared with (besides its owner account)
    shared: dict[int, set[str]] = field(default_factory=dict)
    campaigns: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    event_count: int = 0
    seen_event_ids: set[str] = field(default_factory=set)
    redelivered: dict[str, int] = field(default_factory=dict)
    events_by_rule: dict[int, int] = field(default_factory=dict)
    access_tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, Token] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _ids: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)
    _rule_ids: Callable[[], int] = field(
        default_factory=lambda: itertools.count(20_000_001).__next__
    )

    # -- ids ------------------------------------------------------------------------------

    def next_request_id(self) -> str:
        """A fresh ``x-li-request-id`` value (deterministic order, unique per sandbox)."""
        return f"SBX{self._ids():010d}"

    def next_object_id(self) -> int:
        """A fresh internal id (created event objects)."""
        return self._ids()

    # -- accounts and rules -----------------------------------------------------------------

    def add_account(self, account: dict[str, Any], member: str, role: str) -> None:
        """Store an ad account and the member's role on it."""
        with self.lock:
            self.accounts[int(account["id"])] = account
            self.roles[(member, int(account["id"]))] = role

    def role(self, member: str, account_urn: str) -> str | None:
        """The member's role on an account URN, or ``None`` without access."""
        if not account_urn.startswith(ACCOUNT_URN_PREFIX):
            return None
        tail = account_urn[len(ACCOUNT_URN_PREFIX) :]
        if not tail.isdigit():
            return None
        return self.roles.get((member, int(tail)))

    def new_rule(self, fields: dict[str, Any], rule_id: int | None = None) -> dict[str, Any]:
        """Store a rule (fields already validated) with defaults filled in; return it."""
        with self.lock:
            rid = rule_id if rule_id is not None else self._rule_ids()
            now = to_ms(self.clock.now())
            rule: dict[str, Any] = {
                "id": rid,
                "name": fields["name"],
                "account": fields["account"],
                "conversionMethod": fields["conversionMethod"],
                "type": fields["type"],
                "enabled": fields.get("enabled", True),
                "attributionType": fields.get("attributionType", "LAST_TOUCH_BY_CAMPAIGN"),
                "postClickAttributionWindowSize": fields.get("postClickAttributionWindowSize", 30),
                "viewThroughAttributionWindowSize": fields.get(
                    "viewThroughAttributionWindowSize", 7
                ),
                "valueType": fields.get("valueType", "DYNAMIC"),
                "created": now,
                "lastModified": now,
                "campaigns": list(fields.get("campaigns", [])),
                "associatedCampaigns": list(fields.get("associatedCampaigns", [])),
                "urlRules": list(fields.get("urlRules", [])),
            }
            if "value" in fields:
                rule["value"] = dict(fields["value"])
            self.rules[rid] = rule
            return rule

    def writable_rules(self, member: str) -> dict[str, Rule]:
        """Rule URN → method and state, for the rules the member may stream events to.

        Those of accounts where the member has a role other than VIEWER (audit G2).
        """
        with self.lock:
            return {
                f"{RULE_URN_PREFIX}{rid}": Rule(rule["conversionMethod"], bool(rule["enabled"]))
                for rid, rule in self.rules.items()
                if (role := self.role(member, rule["account"])) and role != READ_ONLY_ROLE
            }

    def accounts_of(self, rule_id: int) -> list[str]:
        """The owner account URN of a rule, then those it is shared with."""
        with self.lock:
            rule = self.rules[rule_id]
            return [rule["account"], *sorted(self.shared.get(rule_id, ()))]

    # -- events -----------------------------------------------------------------------------

    def accept_events(self, elements: list[Any]) -> None:
        """Store validated events (or only their count and eventIds).

        With ``dedup_event_ids`` an event whose ``eventId`` was accepted before is
        acknowledged but not stored again (counted in ``redelivered``).
        """
        with self.lock:
            if self.dedup_event_ids:
                fresh = []
                for e in elements:
                    event_id = e.get("eventId")
                    if event_id is None or event_id not in self.seen_event_ids:
                        fresh.append(e)
                        if event_id is not None:
                            self.seen_event_ids.add(event_id)
                    else:
                        self.redelivered[event_id] = self.redelivered.get(event_id, 0) + 1
                elements = fresh
            self.event_count += len(elements)
            if self.store_events:
                self.events.extend(elements)
            ids = [e["eventId"] for e in elements if "eventId" in e]
            self.event_ids.extend(ids)
            by_rule: dict[str, int] = {}
            for e in elements:
                urn = e["conversion"]
                by_rule[urn] = by_rule.get(urn, 0) + 1
            for urn, n in by_rule.items():
                rid = int(urn[len(RULE_URN_PREFIX) :])
                self.events_by_rule[rid] = self.events_by_rule.get(rid, 0) + n
                if rid in self.rules:
                    self.rules[rid]["lastEventReceived"] = to_ms(self.clock.now())

    # -- tokens -----------------------------------------------------------------------------

    def issue_access_token(
        self, member: str, scopes: tuple[str, ...], refresh_token: str | None
    ) -> tuple[str, Token]:
        """Mint an access token (60 days, capped by its refresh token's life)."""
        with self.lock:
            now = self.clock.now()
            expires = now + ACCESS_TOKEN_LIFETIME
            if refresh_token is not None and refresh_token in self.refresh_tokens:
                expires = min(expires, self.refresh_tokens[refresh_token].expires_at)
            value = f"sbx-at-{secrets.token_urlsafe(24)}"
            token = Token(member, scopes, expires, refresh_token=refresh_token)
            self.access_tokens[value] = token
            return value, token

    def issue_refresh_token(self, member: str, scopes: tuple[str, ...]) -> tuple[str, Token]:
        """Mint a refresh token (365 days, fixed from issue: refreshing never extends it)."""
        with self.lock:
            value = f"sbx-rt-{secrets.token_urlsafe(24)}"
            token = Token(member, scopes, self.clock.now() + REFRESH_TOKEN_LIFETIME)
            self.refresh_tokens[value] = token
            return value, token

    def record(self, entry: RecordedRequest) -> None:
        """Append to the request log (keeping the newest ``request_log_limit`` entries)."""
        with self.lock:
            self.requests.append(entry)
            if self.request_log_limit is not None and len(self.requests) > self.request_log_limit:
                del self.requests[: len(self.requests) - self.request_log_limit]


def rule_urn(rule_id: int) -> str:
    """The event-side URN of a rule id."""
    return f"{RULE_URN_PREFIX}{rule_id}"
