"""Seeding and steering what the sandbox holds: ad accounts, rules, shares and campaigns.

A mixin of :class:`~linkedin_capi.sandbox.Sandbox`, kept apart so each module stays small.
These controls work without HTTP, e.g. to build a disabled or an Insight Tag rule for a
test; what they accept is checked against the sandbox's own schema (``_schema.py``).
"""

from __future__ import annotations

import copy
from typing import Any

from linkedin_capi.sandbox import _schema as S
from linkedin_capi.sandbox._controls import MEMBER_URN
from linkedin_capi.sandbox._errors import SandboxError
from linkedin_capi.sandbox._rules import rule_errors, settings_error
from linkedin_capi.sandbox._schema import ACCOUNT_URN_PREFIX
from linkedin_capi.sandbox._state import Clock, State

MANAGER_ACCOUNT_ID = 510_000_001
VIEWER_ACCOUNT_ID = 510_000_002
CAPI_RULE_ID = 10_000_001
TAG_RULE_ID = 10_000_002
CAMPAIGN_ID = 600_000_001


class Fixtures:
    """Accounts, rules and campaigns (see :class:`Sandbox`)."""

    _clock: Clock
    _state: State
    account_id = MANAGER_ACCOUNT_ID
    viewer_account_id = VIEWER_ACCOUNT_ID
    rule_id = CAPI_RULE_ID
    tag_rule_id = TAG_RULE_ID
    campaign_ids = (CAMPAIGN_ID, CAMPAIGN_ID + 1)

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
