"""The connector's ``--result`` configuration, and turning it into a conversion rule.

Scheduled jobs drove the Treasure Data connector with a JSON ``--result`` option;
:meth:`ExportConfig.from_td` reads the same JSON (or a dict) and checks it strictly: unknown
keys are errors (with the known ones listed), JSON syntax errors give line and column, and
wrong values are reported per key. The connector's own documentation typos are accepted
(``use_conversion_rule_jd``, ``all_campaings``).

The rule is chosen in exactly one of three modes:

* **name** (default): ``conversion_rule`` names an existing rule, looked up on every page;
* **id**: ``use_conversion_rule_id: true`` and ``conversion_rule_id``;
* **create**: ``create_new_conversion_rule: true`` and ``conversion_rule_name`` plus the
  attribution settings; resolved with ``conn.rules.ensure`` so a scheduled re-run finds the
  rule it created the first time instead of creating another.

Examples
--------
>>> cfg = ExportConfig.from_td('''{"type": "linkedin_ads_conversion_api",
...   "client_id": "abc", "client_secret": "s3cret", "refresh_token": "r3fresh",
...   "ad_account_id": "5012345", "conversion_rule_id": 104012,
...   "use_conversion_rule_id": true}''')
>>> cfg.mode, cfg.conversion_rule_id, cfg.client_secret
('id', 104012, SecretStr('**********'))
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import threading
import warnings
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from linkedin_capi import _constants as C
from linkedin_capi.client.restli import Requester
from linkedin_capi.errors import ConfigError
from linkedin_capi.resources.accounts import account_id
from linkedin_capi.resources.rules import (
    ConversionRule,
    ConversionRules,
    RuleSettings,
    check_attribution_type,
    check_auto_association,
    check_conversion_type,
    check_window,
    rule_id,
    rule_urn,
)

__all__ = ["ConfiguredRule", "ExportConfig", "resolve_rule"]

log = logging.getLogger("linkedin_capi.config")

Mode = Literal["name", "id", "create"]

#: Misspellings printed in the connector's documentation, accepted for compatibility.
_KEY_ALIASES = {"use_conversion_rule_jd": "use_conversion_rule_id"}
_VALUE_ALIASES = {"ALL_CAMPAINGS": "ALL_CAMPAIGNS"}
_SECRET_KEYS = frozenset({"client_secret", "refresh_token"})


class ExportConfig(BaseModel):
    """The Treasure Data connector's ``--result`` options (one model, checked, canonical).

    Build it with :meth:`from_td` from the JSON string (or a dict) a scheduled job used.
    Defaults follow the connector: ``skip_invalid_records`` true, windows 30/7 days,
    ``LAST_TOUCH_BY_CAMPAIGN``, ``ALL_CAMPAIGNS``, ``ADD_TO_CART``. Enum values are
    case-insensitive. ``ad_account_id`` may be left out: the member's one usable account is
    then chosen at export time (the connector's auto-populate).

    Attributes
    ----------
    mode : {"name", "id", "create"}
        How the conversion rule is chosen (see the module docstring).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    type: str
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr
    ad_account_id: str | None = None
    conversion_rule: str | None = None
    use_conversion_rule_id: bool = Field(
        default=False,
        validation_alias=AliasChoices("use_conversion_rule_id", "use_conversion_rule_jd"),
    )
    conversion_rule_id: int | None = None
    create_new_conversion_rule: bool = False
    conversion_rule_name: str | None = None
    conversion_type: str = C.DEFAULT_CONVERSION_TYPE
    post_click_attribution_window: int = C.DEFAULT_POST_CLICK_WINDOW
    view_through_attribution_window: int = C.DEFAULT_VIEW_THROUGH_WINDOW
    attribution_type: str = C.DEFAULT_ATTRIBUTION_TYPE
    campaign_auto_association: str = C.DEFAULT_AUTO_ASSOCIATION
    skip_invalid_records: bool = True

    # -- per-key checks ---------------------------------------------------------------

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, v: object) -> object:
        if isinstance(v, str) and v.strip().lower() == C.TD_CONNECTOR_TYPE:
            return C.TD_CONNECTOR_TYPE
        raise ConfigError(f"type: expected {C.TD_CONNECTOR_TYPE!r}; got {v!r}")

    @field_validator("ad_account_id", mode="before")
    @classmethod
    def _account(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None  # left blank: chosen from the member's accounts at export time
        if isinstance(v, int | str):
            try:
                return account_id(v)
            except ConfigError:
                pass
        raise ConfigError(
            f"ad_account_id: expected a numeric id or '{C.ACCOUNT_URN_PREFIX}<id>'; got {v!r}"
        )

    @field_validator("conversion_rule", "conversion_rule_name", mode="before")
    @classmethod
    def _blank(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("conversion_rule_id", mode="before")
    @classmethod
    def _rule_id(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if isinstance(v, int | str):
            try:
                return rule_id(v)
            except ConfigError:
                pass
        raise ConfigError(
            f"conversion_rule_id: expected a numeric id (int or string) or "
            f"'{C.RULE_URN_PREFIX}<id>'; got {v!r}"
        )

    @field_validator("conversion_type", mode="before")
    @classmethod
    def _conversion_type(cls, v: object) -> str:
        return check_conversion_type(v, what="conversion_type")

    @field_validator("post_click_attribution_window", mode="before")
    @classmethod
    def _click(cls, v: object, info: ValidationInfo) -> int:
        return check_window(
            v,
            kind="post_click",
            conversion_type=info.data.get("conversion_type"),
            what="post_click_attribution_window",
        )

    @field_validator("view_through_attribution_window", mode="before")
    @classmethod
    def _view(cls, v: object) -> int:
        return check_window(v, kind="view_through", what="view_through_attribution_window")

    @field_validator("attribution_type", mode="before")
    @classmethod
    def _attribution(cls, v: object) -> str:
        return check_attribution_type(v, what="attribution_type")

    @field_validator("campaign_auto_association", mode="before")
    @classmethod
    def _association(cls, v: object) -> str:
        if isinstance(v, str):
            v = _VALUE_ALIASES.get(v.strip().upper(), v)
        return check_auto_association(v, what="campaign_auto_association")

    # -- the three modes ------------------------------------------------------------------

    @model_validator(mode="after")
    def _one_mode(self) -> ExportConfig:
        if self.use_conversion_rule_id and self.create_new_conversion_rule:
            raise ConfigError(
                "use_conversion_rule_id and create_new_conversion_rule are both true; "
                "choose one way to pick the conversion rule"
            )
        if self.create_new_conversion_rule and self.conversion_rule_name is None:
            raise ConfigError(
                "create_new_conversion_rule is true, so conversion_rule_name is required "
                "(the name of the rule to create, or to reuse on later runs)"
            )
        if self.use_conversion_rule_id and self.conversion_rule_id is None:
            raise ConfigError("use_conversion_rule_id is true, so conversion_rule_id is required")
        if self.mode == "name" and self.conversion_rule is None:
            hint = ""
            if self.conversion_rule_id is not None:
                hint = "; to use conversion_rule_id, also set use_conversion_rule_id: true"
            elif self.conversion_rule_name is not None:
                hint = "; to create conversion_rule_name, also set create_new_conversion_rule: true"
            raise ConfigError(
                "conversion_rule (the name of an existing rule) is required unless "
                "use_conversion_rule_id or create_new_conversion_rule is true" + hint
            )
        return self

    @property
    def mode(self) -> Mode:
        """``"create"``, ``"id"`` or ``"name"``: how the conversion rule is chosen."""
        if self.create_new_conversion_rule:
            return "create"
        if self.use_conversion_rule_id:
            return "id"
        return "name"

    def rule_settings(self) -> RuleSettings:
        """The attribution settings for creating (or checking) the rule in create mode."""
        return RuleSettings.of(
            type=self.conversion_type,
            post_click_window=self.post_click_attribution_window,
            view_through_window=self.view_through_attribution_window,
            attribution_type=self.attribution_type,
            auto_association=self.campaign_auto_association,
        )

    def export_options(self) -> dict[str, Any]:
        """Keyword arguments for ``df.capi.export`` that this configuration sets."""
        return {"skip_invalid_records": self.skip_invalid_records}

    # -- reading ----------------------------------------------------------------------------

    @classmethod
    def from_td(cls, source: str | bytes | Mapping[str, Any]) -> ExportConfig:
        """Read a ``--result`` configuration: a JSON string/bytes or a mapping.

        A mapping of the form ``{"out": {...}}`` (a TD workflow's ``out:`` block) is
        unwrapped.

        Raises
        ------
        ConfigError
            Malformed JSON (with line and column), unknown keys (with the known ones), wrong
            values or types (one line per key), or an inconsistent rule mode. Secret values
            are never quoted.

        Examples
        --------
        >>> ExportConfig.from_td('{"type": "linkedin_ads_conversion_api", "clientid": 1}')
        Traceback (most recent call last):
        ...
        linkedin_capi.errors.ConfigError: unknown key 'clientid' (did you mean 'client_id'?)
        Known keys: type, client_id, ...
        """
        # The text and the parsed dict hold the client secret and the refresh token: no
        # error is raised while a frame of this call still holds them in a local (a
        # traceback with locals — IPython %xmode Verbose, rich, Sentry — would show them).
        data, problem = _load(source)
        del source
        failure: ConfigError | None = None
        cfg: ExportConfig | None = None
        if problem is None:
            assert data is not None
            problem = _check_keys(data)
        if problem is None:
            try:
                cfg = cls.model_validate(data)
            except ValidationError as exc:
                failure = _config_error(exc)
        del data
        if problem is not None:
            failure = ConfigError(problem)
        if failure is not None:
            raise failure
        assert cfg is not None
        return cfg


def _known_keys() -> list[str]:
    return list(ExportConfig.model_fields)


#: Bounds of a ``--config``/``--result`` document (a real one is a few hundred bytes).
MAX_CONFIG_BYTES = 1_000_000
MAX_CONFIG_DEPTH = 32
_MAX_NUMBER_DIGITS = 100
_WHAT = "--result configuration"


def parse_config_json(text: str | bytes) -> tuple[Any, str | None]:
    """Parse a configuration document strictly; ``(value, None)`` or ``(None, problem)``.

    Strict means: at most :data:`MAX_CONFIG_BYTES` bytes of UTF-8, objects nested at most
    :data:`MAX_CONFIG_DEPTH` deep, no key twice in one object, no number longer than 100
    digits. Every problem is one line that quotes no value (the document holds secrets).
    Nothing is raised, so no exception's traceback leads into frames holding the text.

    Examples
    --------
    >>> parse_config_json('{"skip_invalid_records": false, "skip_invalid_records": true}')[1]
    "--result configuration: key 'skip_invalid_records' appears twice in one object ..."
    >>> parse_config_json("[" * 100 + "]" * 100)[1]
    '--result configuration is nested deeper than 32 levels'
    """
    if len(text) > MAX_CONFIG_BYTES:
        return None, f"{_WHAT} is larger than {MAX_CONFIG_BYTES:,} bytes ({len(text):,})"
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, (
                f"{_WHAT} is not UTF-8 text (byte {exc.start:,} is not valid UTF-8); save "
                "the file as UTF-8"
            )
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES:
        return None, f"{_WHAT} is larger than {MAX_CONFIG_BYTES:,} bytes"
    problems: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out and not problems:
                problems.append(
                    f"{_WHAT}: key {key[:80]!r} appears twice in one object (which one is "
                    "meant? keep one)"
                )
            out[key] = value
        return out

    def number(kind: str) -> Any:
        def parse(digits: str) -> Any:
            if len(digits) > _MAX_NUMBER_DIGITS:
                if not problems:
                    problems.append(
                        f"{_WHAT}: a number has {len(digits):,} digits (at most "
                        f"{_MAX_NUMBER_DIGITS} allowed)"
                    )
                return 0
            return int(digits) if kind == "int" else float(digits)

        return parse

    value: Any = None
    problem: str | None = None
    try:
        value = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_int=number("int"),
            parse_float=number("float"),
        )
    except json.JSONDecodeError as exc:
        problem = _json_error(text, exc)
    except RecursionError:
        problem = f"{_WHAT} is nested deeper than {MAX_CONFIG_DEPTH} levels"
    except ValueError as exc:  # anything else json itself refuses
        problem = f"{_WHAT} is not valid JSON ({type(exc).__name__})"
    del text
    if problem is None and problems:
        problem = problems[0]
    if problem is None and _depth(value) > MAX_CONFIG_DEPTH:
        problem = f"{_WHAT} is nested deeper than {MAX_CONFIG_DEPTH} levels"
    return (None, problem) if problem is not None else (value, None)


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON (iterative; stops counting past the bound)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_CONFIG_DEPTH:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _load(source: str | bytes | Mapping[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    data: Any
    if isinstance(source, str | bytes | bytearray):
        data, problem = parse_config_json(source)
        if problem is not None:
            return None, problem
    elif isinstance(source, Mapping):
        if _depth(dict(source)) > MAX_CONFIG_DEPTH:
            return None, f"{_WHAT} is nested deeper than {MAX_CONFIG_DEPTH} levels"
        data = dict(source)
    else:
        return None, (f"{_WHAT}: expected a JSON string or a dict; got {type(source).__name__}")
    if not isinstance(data, dict):
        return None, f"{_WHAT}: expected a JSON object {{...}}; got {type(data).__name__}"
    if set(data) == {"out"} and isinstance(data["out"], Mapping):
        data = dict(data["out"])
    return data, None


_KEY_BEFORE = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:')


def _json_error(text: str, exc: json.JSONDecodeError) -> str:
    # Never quote the text itself: it holds the client secret and the refresh token.
    where = f"line {exc.lineno}, column {exc.colno}"
    keys = _KEY_BEFORE.findall(text[: exc.pos])
    near = f", in or just after the value of {keys[-1]!r}" if keys else ""
    return (
        f"--result configuration is not valid JSON: {exc.msg} at {where}{near}. "
        "Check for a missing quote or comma there; strings need double quotes, "
        'e.g. "refresh_token": "...", "ad_account_id": "5012345".'
    )


def _check_keys(data: dict[str, Any]) -> str | None:
    known = _known_keys()
    accepted = set(known) | set(_KEY_ALIASES)
    problems = []
    for key in data:
        if not isinstance(key, str):
            problems.append(f"key {key!r} is not a string")
        elif key not in accepted:
            folded = key.strip().lower()
            close = [folded] if folded in known else difflib.get_close_matches(folded, known, n=1)
            problems.append(
                f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
            )
    if problems:
        return _join(problems) + f"\nKnown keys: {', '.join(known)}"
    for typo, key in _KEY_ALIASES.items():
        if typo in data and key in data and data[typo] != data[key]:
            return f"{typo!r} (a documented misspelling of {key!r}) and {key!r} disagree"
    return None


def _config_error(exc: ValidationError) -> ConfigError:
    problems = []
    for err in exc.errors():
        key = str(err["loc"][0]) if err["loc"] else ""
        key = _KEY_ALIASES.get(key, key)
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigError):
            problems.append(str(cause))
        elif err["type"] == "missing":
            problems.append(f"{key}: required but missing")
        else:
            got = "" if key in _SECRET_KEYS else f"; got {err['input']!r:.80}"
            problems.append(f"{key}: {err['msg'].lower()}{got}")
    return ConfigError(_join(problems))


def _join(problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"{len(problems)} problems in the --result configuration:\n- " + "\n- ".join(problems)


# -- resolving the rule ---------------------------------------------------------------------


def _rules(conn: Requester) -> ConversionRules:
    existing = getattr(conn, "rules", None)
    return existing if isinstance(existing, ConversionRules) else ConversionRules(conn)


def resolve_rule(conn: Requester, cfg: ExportConfig) -> ConversionRule | str:
    """The conversion rule ``cfg`` names: a URN in id mode, else a :class:`ConversionRule`.

    * id mode: the URN, without a request;
    * name mode: ``conn.rules.find(name)`` over every page;
    * create mode: ``conn.rules.ensure(name, **settings)`` — found on re-runs, created once.

    Raises
    ------
    ConfigError
        No rule has that name (the message lists the Conversions API rules there are), or
        the rule is not a Conversions API rule.
    """
    if cfg.mode == "id":
        assert cfg.conversion_rule_id is not None  # enforced by the model
        return rule_urn(cfg.conversion_rule_id)
    rules = _rules(conn)
    if cfg.mode == "create":
        assert cfg.conversion_rule_name is not None
        settings = cfg.rule_settings()
        return rules.ensure(cfg.conversion_rule_name, **settings.model_dump())
    assert cfg.conversion_rule is not None
    rule = rules.find(cfg.conversion_rule)
    if rule is None:
        names = sorted({r.name for r in rules.list(conversions_api_only=True)})
        shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
        folded = {n.casefold(): n for n in names}
        close = folded.get(cfg.conversion_rule.casefold()) or next(
            iter(difflib.get_close_matches(cfg.conversion_rule, names, n=1)), None
        )
        hint = f" (did you mean {close!r}?)" if close else ""
        raise ConfigError(
            f"no conversion rule named {cfg.conversion_rule!r}{hint} in ad account "
            f"{rules.account_urn}; Conversions API rules there: {shown or 'none'}. "
            "Names must match exactly; or set create_new_conversion_rule: true with "
            "conversion_rule_name to create it."
        )
    if not rule.streamable:
        raise ConfigError(
            f"conversion rule {rule.name!r} (id {rule.id}) has conversionMethod "
            f"{rule.conversion_method}; only CONVERSIONS_API rules accept uploaded events"
        )
    if not rule.enabled:
        message = (
            f"conversion rule {rule.name!r} (id {rule.id}) is disabled; LinkedIn records "
            "events only for enabled rules (conn.rules.update(rule, enabled=True))"
        )
        warnings.warn(message, UserWarning, stacklevel=2)
        log.warning("%s", message)
    return rule


class ConfiguredRule:
    """The rule an :class:`ExportConfig` names, resolved on first use (at export time).

    ``Connection.from_config`` sets this as the connection's default ``conversion``; the
    export reads ``.urn``, which resolves once (thread-safe) and caches.

    Examples
    --------
    >>> rule = ConfiguredRule(conn, cfg)          # doctest: +SKIP
    >>> rule.urn                                  # doctest: +SKIP
    'urn:lla:llaPartnerConversion:104012'
    """

    def __init__(self, conn: Requester, cfg: ExportConfig) -> None:
        self._conn = conn
        self._cfg = cfg
        self._lock = threading.Lock()
        self._resolved: ConversionRule | str | None = None

    @property
    def mode(self) -> Mode:
        """The configuration's rule mode."""
        return self._cfg.mode

    @property
    def resolved(self) -> bool:
        """Whether the rule has been looked up (or created) yet."""
        return self._resolved is not None

    def resolve(self) -> ConversionRule | str:
        """Look the rule up (or ensure it) now; later calls return the same answer."""
        with self._lock:
            if self._resolved is None:
                self._resolved = resolve_rule(self._conn, self._cfg)
            return self._resolved

    @property
    def urn(self) -> str:
        """``urn:lla:llaPartnerConversion:<id>``, resolving on first access."""
        return rule_urn(self.resolve())

    @property
    def id(self) -> int:
        """The numeric rule id, resolving on first access."""
        return rule_id(self.resolve())

    def __repr__(self) -> str:
        cfg = self._cfg
        target = {
            "name": cfg.conversion_rule,
            "id": cfg.conversion_rule_id,
            "create": cfg.conversion_rule_name,
        }[cfg.mode]
        state = f", urn={rule_urn(self._resolved)!r}" if self._resolved is not None else ""
        return f"ConfiguredRule(mode={cfg.mode!r}, rule={target!r}{state})"
