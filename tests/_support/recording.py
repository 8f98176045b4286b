"""Recorded interactions (vcrpy via pytest-recording): scrubbing, recording targets, replay.

The integration tests ``tests/test_integration_*.py`` run against a :class:`Recording`:

* ``--record-mode=none`` (the default, CI): nothing listens anywhere. The test builds its
  :class:`~linkedin_capi.Connection` from the cassette's *target file*
  (``cassettes/<module>/<test>.target.json``: base URL, token URL, API version, client id,
  account and rule ids, the frozen clock; no secret) with placeholder secrets, and vcrpy
  answers from ``cassettes/<module>/<test>.yaml``. The network is blocked.
* ``--record-mode=rewrite`` (or ``once``/``all``/``new_episodes`` for a missing cassette):
  the test talks to the local LinkedIn sandbox — or, when the ``LINKEDIN_CAPI_*`` variables
  below are set, to LinkedIn itself — and the cassette and its target file are written.
  Tests marked ``sandbox_only`` (fault injection, the auto-consenting authorization page)
  always record from the sandbox.

Secrets never reach a cassette: the ``Authorization`` header, ``client_secret``,
``refresh_token``, ``access_token`` and ``code`` form fields are replaced on the request
side, and :func:`scrub_response` replaces token fields in JSON answers. Because vcrpy
applies the request filters to the live request too before matching, replays still match
request bodies exactly. ``Retry-After`` is rewritten to ``0`` so that replays never wait.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from linkedin_capi import _constants as C
from linkedin_capi.connection import Connection
from linkedin_capi.errors import ConfigError
from linkedin_capi.sandbox import Sandbox

#: What every scrubbed secret becomes in a cassette (and what replays send instead).
REDACTED = "REDACTED"
#: Form fields and query parameters that hold secrets (the one-time ``code`` included).
SECRET_FIELDS = ("client_secret", "refresh_token", "access_token", "code", "id_token")
#: JSON keys of token answers that hold secrets (not ``code``: error bodies use it for
#: LinkedIn's error code, which replays need).
SECRET_KEYS = ("client_secret", "refresh_token", "access_token", "id_token")
#: Where cassettes live: the top-level ``cassettes/`` directory, one folder per test module.
CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
#: The sandbox's clock while recording (and every recorded target's ``now``).
NOW = dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)
#: Preferred sandbox port while recording: stable URLs keep re-recorded cassettes diffable.
RECORD_PORT = 8765

#: Environment variables that switch recording from the sandbox to LinkedIn itself.
LIVE_REQUIRED = ("client_id", "client_secret", "ad_account_id")
LIVE_SECRETS = ("client_secret", "refresh_token", "access_token")


def vcr_config() -> dict[str, Any]:
    """The vcrpy options shared by every cassette test (no ``record_mode``: the CLI decides)."""
    return {
        "filter_headers": [("authorization", REDACTED), ("cookie", REDACTED)],
        "filter_post_data_parameters": [(name, REDACTED) for name in SECRET_FIELDS],
        "filter_query_parameters": [(name, REDACTED) for name in SECRET_FIELDS],
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        # Bodies matter: a replayed export must send exactly the recorded batches; so do the
        # headers that change what LinkedIn does with them (version, Rest.li method).
        "match_on": ["method", "scheme", "host", "port", "path", "query", "body", PROTOCOL],
    }


#: Name of the matcher comparing LinkedIn's protocol headers (see :func:`register`).
PROTOCOL = "linkedin_protocol_headers"
_PROTOCOL_HEADERS = ("linkedin-version", "x-restli-method", "x-restli-protocol-version")


def protocol_headers_match(r1: Any, r2: Any) -> None:
    """vcrpy matcher: same ``LinkedIn-Version``, ``X-RestLi-Method`` and protocol version.

    Raises ``AssertionError`` naming the first header that differs (vcrpy's convention).
    """
    for name in _PROTOCOL_HEADERS:
        a, b = _header(r1, name), _header(r2, name)
        if a != b:
            raise AssertionError(f"{name}: {a!r} != {b!r}")


def _header(request: Any, name: str) -> str | None:
    for key, value in request.headers.items():
        if key.lower() == name:
            return str(value)
    return None


def register(recorder: Any) -> None:
    """Make the custom matchers of :func:`vcr_config` known to a ``vcr.VCR``."""
    recorder.register_matcher(PROTOCOL, protocol_headers_match)


def _scrub_json(value: Any) -> tuple[Any, bool]:
    """Replace every secret-named key's value, at any depth; report whether anything changed."""
    changed = False
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in SECRET_KEYS and item not in (None, "", REDACTED):
                out[key], changed = REDACTED, True
            else:
                out[key], sub = _scrub_json(item)
                changed = changed or sub
        return out, changed
    if isinstance(value, list):
        items = [_scrub_json(item) for item in value]
        return [item for item, _ in items], any(sub for _, sub in items)
    return value, False


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy ``before_record_response``: token fields out, ``Retry-After: 0``, no cookies/Date.

    vcrpy hands over a deep copy, so the live client still sees the real answer.

    Examples
    --------
    >>> r = scrub_response({"headers": {"Retry-After": ["7"]},
    ...                     "body": {"string": b'{"access_token": "AQX", "expires_in": 5}'}})
    >>> r["headers"]
    {'Retry-After': ['0'], 'Content-Length': ['45']}
    >>> r["body"]["string"]
    b'{"access_token": "REDACTED", "expires_in": 5}'
    """
    headers: dict[str, list[str]] = response.get("headers", {})
    for name in list(headers):
        lowered = name.lower()
        if lowered == "retry-after":
            headers[name] = ["0"]
        elif lowered in ("set-cookie", "date"):  # no cookies; no churn in re-recorded diffs
            del headers[name]
    raw = response.get("body", {}).get("string")
    if not raw:
        return response
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return response
    data, changed = _scrub_json(data)
    if changed:
        body = json.dumps(data).encode()
        response["body"]["string"] = body
        # The stored length must agree with the new body, or the replayed read is cut short.
        for name in list(headers):
            if name.lower() == "content-length":
                del headers[name]
        headers["Content-Length"] = [str(len(body))]
    return response


# -- recording targets -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """What a test needs to repeat its recorded requests exactly (no secrets)."""

    kind: str  # "sandbox" or "linkedin"
    base_url: str
    token_url: str
    api_version: str
    client_id: str
    account_id: str
    rule_id: int | None
    now: float  # epoch seconds: the connection's frozen clock
    access_token: bool = True  # the connection started with an access token (no refresh)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> Target:
        if not path.exists():
            raise ConfigError(
                f"no recording at {path}: record it with "
                f"`uv run pytest --record-mode=rewrite -k <test>` (see docs_cassettes.md)"
            )
        return cls(**json.loads(path.read_text()))


def live_environment(environ: dict[str, str] | None = None) -> dict[str, str] | None:
    """The ``LINKEDIN_CAPI_*`` values to record against LinkedIn, or ``None`` (use the sandbox)."""
    env = dict(os.environ if environ is None else environ)
    found = {k: env.get(v, "").strip() for k, v in C.ENV_VARS.items()}
    has_token = found["refresh_token"] or found["access_token"]
    if all(found[k] for k in LIVE_REQUIRED) and has_token:
        return {k: v for k, v in found.items() if v}
    return None


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """Every secret a cassette must never contain: the sandbox's and any ``LINKEDIN_CAPI_*``."""
    sb = Sandbox(seed=False)  # not started: only its fixed test credentials are read
    values = [sb.client_secret, sb.refresh_token, sb.access_token]
    env = os.environ if environ is None else environ
    values += [env.get(C.ENV_VARS[k], "").strip() for k in LIVE_SECRETS]
    return [v for v in values if v]


class Recording:
    """One cassette test's view of "LinkedIn": a sandbox, LinkedIn itself, or a replay.

    Parameters
    ----------
    target_file : Path
        ``cassettes/<module>/<test>.target.json``.
    replaying : bool
        True when vcrpy only replays (the target is read back; nothing is started).
    sandbox_only : bool
        Record from the sandbox even when LinkedIn credentials are in the environment.
    """

    def __init__(self, target_file: Path, *, replaying: bool, sandbox_only: bool) -> None:
        self.replaying = replaying
        self.sandbox: Sandbox | None = None
        self._target_file = target_file
        self._live: dict[str, str] | None = None
        self._access_used: bool | None = None
        if replaying:
            self.target = Target.load(target_file)
            return
        live = None if sandbox_only else live_environment()
        if live is None:
            self.sandbox = _start_sandbox()
            self.target = Target(
                kind="sandbox",
                base_url=self.sandbox.base_url,
                token_url=self.sandbox.token_url,
                api_version=self.sandbox.api_version,
                client_id=self.sandbox.client_id,
                account_id=str(self.sandbox.account_id),
                rule_id=self.sandbox.rule_id,
                now=NOW.timestamp(),
            )
        else:
            self._live = live
            conversion = live.get("conversion", "").rsplit(":", 1)[-1]
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            self.target = Target(
                kind="linkedin",
                base_url=live.get("base_url", C.BASE_URL),
                token_url=live.get("token_url", C.TOKEN_URL),
                api_version=live.get("api_version", C.DEFAULT_API_VERSION),
                client_id=live["client_id"],
                account_id=live["ad_account_id"].rsplit(":", 1)[-1],
                rule_id=int(conversion) if conversion.isdigit() else None,
                now=now.timestamp(),
            )

    @property
    def now(self) -> dt.datetime:
        """The frozen "now" of this recording (event times are relative to it)."""
        return dt.datetime.fromtimestamp(self.target.now, dt.UTC)

    @property
    def rule_id(self) -> int:
        """The CONVERSIONS_API rule events go to."""
        if self.target.rule_id is None:
            raise ConfigError(
                f"set {C.ENV_VARS['conversion']} (a CONVERSIONS_API rule id) to record "
                "export tests against LinkedIn"
            )
        return self.target.rule_id

    def secret(self, name: str) -> str | None:
        """``client_secret``/``refresh_token``/``access_token`` of the target.

        A replay gets the placeholder: the recorded requests hold it in place of the value.
        """
        if name not in LIVE_SECRETS:
            raise ValueError(f"not a secret: {name!r}")
        if self.replaying:
            return REDACTED
        if self.sandbox is not None:
            return str(getattr(self.sandbox, name))
        assert self._live is not None
        return self._live.get(name)

    def connection(
        self,
        *,
        access_token: bool = True,
        sleep: Callable[[float], None] | None = None,
        **overrides: Any,
    ) -> Connection:
        """A connection to the target; ``access_token=False`` starts with a refresh.

        The clock is frozen at the target's ``now``, so token expiry and the version choice
        are the same at record and replay time.
        """
        t = self.target
        if self.replaying:
            access_token = t.access_token
        elif self._live is not None:
            access_token = access_token and "access_token" in self._live
        if self._access_used is not None and self._access_used != access_token:
            raise ConfigError("one recording, one kind of connection: pass the same access_token=")
        self._access_used = access_token
        kwargs: dict[str, Any] = {
            "client_id": t.client_id,
            "ad_account_id": t.account_id,
            "api_version": t.api_version,
            "base_url": t.base_url,
            "token_url": t.token_url,
            "clock": lambda: t.now,
            "sleep": sleep if sleep is not None else _never_sleep,
        }
        secrets = {k: self.secret(k) for k in LIVE_SECRETS}
        if not access_token:
            del secrets["access_token"]
        kwargs.update({k: v for k, v in secrets.items() if v is not None})
        kwargs.update(overrides)
        return Connection(**kwargs)

    def finish(self) -> None:
        """Stop the sandbox; after a recording, write the target file."""
        if self.sandbox is not None:
            self.sandbox.stop()
        if not self.replaying:
            used = self._access_used if self._access_used is not None else True
            dataclasses.replace(self.target, access_token=used).save(self._target_file)


def _never_sleep(seconds: float) -> None:
    """Tests never wait (replayed ``Retry-After`` is 0, and backoff is not waited out)."""


def _start_sandbox() -> Sandbox:
    try:
        return Sandbox(port=RECORD_PORT, now=NOW).start()
    except ConfigError:  # the port is taken: any port works, the target file records it
        return Sandbox(port=0, now=NOW).start()


def open_recording(
    target_file: Path, cassette: Path, record_mode: str, *, sandbox_only: bool
) -> Recording:
    """The :class:`Recording` for one test (call ``finish()`` when it is done)."""
    replaying = record_mode == "none" or (record_mode == "once" and cassette.exists())
    return Recording(target_file, replaying=replaying, sandbox_only=sandbox_only)
