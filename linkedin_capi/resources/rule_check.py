"""The rule check an export makes before its first event (issue 13, audit §3 item 1).

LinkedIn answers every event for a disabled ("deleted") rule, an Insight Tag rule or a rule
of another account with a 400 or 403 that names no rows; without this check an export
bisects each batch into thousands of requests that all fail. So every rule the export will
use is fetched once per connection (``GET /rest/conversions/{id}``) and must exist, be a
``CONVERSIONS_API`` rule, be enabled and belong to the connection's ad account.

Examples
--------
>>> why = problem_with(ConversionRule(id=7, name="Old", enabled=False), "urn:li:sponsoredAccount:1")
>>> why[why.index("Enable"):]
'Enable it: conn.rules.update(7, enabled=True)'
"""

from __future__ import annotations

from collections.abc import Iterable
from threading import Lock

from linkedin_capi import _constants as C
from linkedin_capi.errors import CapiError, ConfigError, NotFoundError, PermissionDeniedError
from linkedin_capi.resources.rules import ConversionRule, ConversionRules, rule_id

__all__ = ["RuleCheck", "problem_with"]


def problem_with(rule: ConversionRule, account: str) -> str | None:
    """Why events for ``rule`` would be rejected by LinkedIn, or ``None``."""
    label = f"conversion rule {rule.name!r} (id {rule.id})"
    if not rule.streamable:
        return (
            f"{label} has conversionMethod {rule.conversion_method}; this is an Insight Tag "
            "(or other non-API) rule and LinkedIn refuses uploaded events for it. Create a "
            "Conversions API rule with `conn.rules.ensure(name, type=...)` and use its id"
        )
    if not rule.enabled:
        return (
            f"{label} is disabled; LinkedIn rejects every event for it. Enable it: "
            f"conn.rules.update({rule.id}, enabled=True)"
        )
    if rule.account is not None and rule.account != account and not rule.shared:
        return (
            f"{label} belongs to {rule.account}, not to this connection's ad account "
            f"{account}; use a rule of {account} (conn.rules.list()) or connect with "
            f"ad_account_id={rule.account.rsplit(':', 1)[-1]}"
        )
    return None


class RuleCheck:
    """Rules already checked on one connection (each is fetched at most once).

    ``check(urns)`` raises :class:`ConfigError` for the first rule that would fail, with
    the fix; a rule that passed is not fetched again by later exports on the connection.
    """

    def __init__(self, rules: ConversionRules) -> None:
        self._rules = rules
        self._ok: set[int] = set()
        self._lock = Lock()

    def check(self, urns: Iterable[str | int]) -> None:
        """Fetch and check every rule in ``urns`` not checked before (distinct, sorted).

        Raises
        ------
        ConfigError
            A rule does not exist, is not visible to the account, is disabled, is not a
            Conversions API rule, or belongs to another ad account.
        """
        wanted = sorted({rule_id(u) for u in urns})
        with self._lock:
            todo = [r for r in wanted if r not in self._ok]
        if not todo:
            return
        account = self._rules.account_urn
        for rid in todo:
            try:
                rule = self._rules.get(rid)
            except (NotFoundError, PermissionDeniedError) as exc:
                raise ConfigError(
                    f"conversion rule {rid} ({C.RULE_URN_PREFIX}{rid}) was not found in ad "
                    f"account {account} (LinkedIn: {exc}); check the id, or list the rules "
                    "there with conn.rules.list()"
                ) from None
            except CapiError:
                raise
            problem = problem_with(rule, account)
            if problem is not None:
                raise ConfigError(problem)
            with self._lock:
                self._ok.add(rid)
