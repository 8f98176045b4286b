"""Steering a running sandbox: its clock, injected faults and token states.

A mixin of :class:`~linkedin_capi.sandbox.Sandbox`, kept apart so each module stays small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from linkedin_capi.sandbox import _oauth
from linkedin_capi.sandbox._errors import SandboxError
from linkedin_capi.sandbox._faults import Fault, FaultPlan, make_response
from linkedin_capi.sandbox._schema import SCOPES
from linkedin_capi.sandbox._state import Clock, State

MEMBER_URN = "urn:li:person:sandboxMember1"


def _check_count(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SandboxError(f"{name} must be an integer >= {minimum}, got {value!r}")


class Controls:
    """Clock, fault-injection and token controls (see :class:`Sandbox`)."""

    _clock: Clock
    _state: State
    _faults: FaultPlan

    # -- clock ---------------------------------------------------------------------------

    @property
    def now(self) -> dt.datetime:
        """The sandbox's current time (UTC)."""
        return self._clock.now()

    def set_now(self, moment: dt.datetime) -> None:
        """Freeze the sandbox clock at ``moment`` (naive = UTC)."""
        self._clock.set(moment)

    def advance(self, delta: dt.timedelta) -> None:
        """Move the sandbox clock by ``delta`` (tokens expire, versions sunset, quotas reset)."""
        self._clock.advance(delta)

    # -- fault injection -----------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        n: int = 1,
        *,
        body: Any = None,
        path: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry_after: int | None = None,
        after_processing: bool = False,
    ) -> None:
        """Answer the next ``n`` matching requests with ``status``.

        ``body``: dict/list (JSON), str or bytes; default LinkedIn's error body for the
        status. ``path``: ``None`` = any API call under ``/rest`` (not the token endpoint);
        ``"conversionEvents"`` = under ``/rest/conversionEvents``; ``"/oauth/v2/accessToken"``
        = absolute. ``after_processing=True`` handles the request first (events are
        stored) and only then answers with the fault, like a 504 after ingestion.
        """
        _check_count("n", n, 1)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise SandboxError(f"status must be an HTTP status code (100-599), got {status!r}")
        self._faults.add(
            Fault(
                n,
                path,
                make_response(status, body, dict(headers or {}), retry_after),
                after_processing,
            )
        )

    def drop_next(
        self, n: int = 1, *, path: str | None = None, after_processing: bool = False
    ) -> None:
        """Close the connection without any response for the next ``n`` matching requests.

        The request is read completely first. With ``after_processing=True`` it is also
        handled (events stored) before the socket closes: the answer is lost, the data not.
        """
        _check_count("n", n, 1)
        self._faults.add(Fault(n, path, None, after_processing))

    def set_latency(self, seconds: float, *, path: str | None = None) -> None:
        """Wait ``seconds`` before answering every request (or those under ``path``); 0 = none."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise SandboxError(f"seconds must be a number >= 0, got {seconds!r}")
        with self._faults.lock:
            self._faults.latency, self._faults.latency_path = seconds, path

    def set_quota(self, k: int | None, *, retry_after: int | None = None) -> None:
        """Answer 429 once ``k`` API calls were made today (sandbox clock, UTC); ``None`` lifts it.

        LinkedIn sends no ``Retry-After``; pass ``retry_after`` to add one.
        """
        if k is not None:
            _check_count("k", k, 0)
        with self._faults.lock:
            self._faults.quota, self._faults.quota_used = k, 0
            self._faults.quota_day, self._faults.quota_retry_after = None, retry_after

    def clear_faults(self) -> None:
        """Remove queued faults, latency and quota."""
        self._faults.clear()

    # -- tokens --------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Expire every access token: API calls get 401 ``EXPIRED_ACCESS_TOKEN``; refresh works."""
        with self._state.lock:
            past = self._clock.now() - dt.timedelta(seconds=1)
            for token in self._state.access_tokens.values():
                token.expires_at = min(token.expires_at, past)

    def expire_refresh_tokens(self) -> None:
        """Expire every refresh token: the token endpoint answers 400 ``invalid_grant``."""
        with self._state.lock:
            past = self._clock.now() - dt.timedelta(seconds=1)
            for token in self._state.refresh_tokens.values():
                token.expires_at = min(token.expires_at, past)

    def revoke_tokens(self) -> None:
        """Revoke every token: 401 ``REVOKED_ACCESS_TOKEN``, and refreshing fails too."""
        with self._state.lock:
            for token in [
                *self._state.access_tokens.values(),
                *self._state.refresh_tokens.values(),
            ]:
                token.revoked = True

    def issue_access_token(self, scopes: Sequence[str] = SCOPES, member: str | None = None) -> str:
        """Mint an extra access token, e.g. one lacking a scope."""
        value, _ = self._state.issue_access_token(member or MEMBER_URN, tuple(scopes), None)
        return value

    def authorization_code(self, redirect_uri: str, scopes: Sequence[str] = SCOPES) -> str:
        """A single-use authorization code, as if the member had consented."""
        return _oauth.issue_code(self._state, MEMBER_URN, redirect_uri, tuple(scopes))
