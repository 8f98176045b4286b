"""``RuleCreator`` and ``RulePicker``: a conversion rule from a form, as ``.rule``."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import traitlets

from linkedin_capi import _constants as C
from linkedin_capi.display.html import COLORS
from linkedin_capi.display.views import error_html, message_html, rule_html
from linkedin_capi.errors import ConfigError
from linkedin_capi.resources.accounts import account_id
from linkedin_capi.widgets._campaigns import (
    CHOSEN_CAMPAIGNS,
    CHOSEN_LABEL,
    campaign_options,
    link_campaigns,
)
from linkedin_capi.widgets._common import (
    ATTRIBUTION_OPTIONS,
    AUTO_ASSOCIATION_OPTIONS,
    STYLE,
    TYPE_OPTIONS,
    VIEW_THROUGH_OPTIONS,
    WIDE,
    post_click_options,
    rules_of,
    shows_errors,
    usable_accounts,
)

__all__ = ["RuleCreator", "RulePicker"]

_CREATE = "Create rule"
_WORKING = "Working…"


class _RuleWidget(w.VBox):  # type: ignore[misc]
    """A form whose outcome is a conversion rule (``.rule``), with observers."""

    #: The chosen or created ``ConversionRule`` (``None`` until there is one).
    rule = traitlets.Any(None, allow_none=True)

    def on_rule(self, callback: Callable[[Any], Any]) -> None:
        """Call ``callback(rule)`` each time the form produces a rule.

        Examples
        --------
        >>> creator.on_rule(lambda rule: print("using", rule.urn))  # doctest: +SKIP
        """
        self.observe(lambda change: callback(change["new"]), names="rule")


class RuleCreator(_RuleWidget):
    """A form that creates a Conversions API rule (or finds the one with that name).

    Parameters
    ----------
    conn
        A :class:`~linkedin_capi.Connection`; its ``ad_accounts()`` fill the account menu
        (usable accounts only) and its account is preselected.
    name
        Initial rule name.
    **settings
        Initial settings, as for ``conn.rules.create`` (``type``, ``post_click_window``,
        ``view_through_window``, ``attribution_type``, ``auto_association``, ``enabled``).
        ``auto_association="CHOSEN_CAMPAIGNS"`` opens the campaign picker.

    Attributes
    ----------
    rule : ConversionRule or None
        The rule created (or the existing one the user chose to use).
    account, name, type, post_click, view_through, attribution, auto_association, enabled
        The input widgets (set ``.value`` to fill the form from code).
    campaigns
        The campaign picker (a multiple selection of campaign ids), shown when "Link
        campaigns" is "Campaigns I choose": it lists the chosen ad account's campaigns, and
        the picked ones are linked to the rule once it exists (``conn.rules.associate``).
    create_button, use_existing_button, status
        The buttons and the HTML area where results and errors appear.

    Examples
    --------
    >>> creator = RuleCreator(conn, name="Demo requests", type="LEAD")  # doctest: +SKIP
    >>> creator.auto_association.value = "CHOSEN_CAMPAIGNS"            # doctest: +SKIP
    >>> creator.campaigns.value = (600000001,)                         # doctest: +SKIP
    >>> creator.create_button.click()                                  # doctest: +SKIP
    >>> creator.rule.urn                                               # doctest: +SKIP
    """

    def __init__(self, conn: Any, *, name: str = "", **settings: Any) -> None:
        self._conn = conn
        self._existing: Any = None
        self.account = w.Dropdown(description="Ad account", style=STYLE, layout=WIDE)
        self.name = w.Text(
            value=name,
            description="Rule name",
            placeholder="Rule name, e.g. Demo requests",
            style=STYLE,
            layout=WIDE,
        )
        self.type = w.Dropdown(
            description="Conversion type",
            options=TYPE_OPTIONS,
            value=C.DEFAULT_CONVERSION_TYPE,
            style=STYLE,
            layout=WIDE,
        )
        self.post_click = w.Dropdown(
            description="Post-click window",
            options=post_click_options(C.DEFAULT_CONVERSION_TYPE),
            value=C.DEFAULT_POST_CLICK_WINDOW,
            style=STYLE,
        )
        self.view_through = w.Dropdown(
            description="View-through window",
            options=VIEW_THROUGH_OPTIONS,
            value=C.DEFAULT_VIEW_THROUGH_WINDOW,
            style=STYLE,
        )
        self.attribution = w.Dropdown(
            description="Attribution",
            options=ATTRIBUTION_OPTIONS,
            value=C.DEFAULT_ATTRIBUTION_TYPE,
            style=STYLE,
            layout=WIDE,
        )
        self.auto_association = w.Dropdown(
            description="Link campaigns",
            options=[*AUTO_ASSOCIATION_OPTIONS, (CHOSEN_LABEL, CHOSEN_CAMPAIGNS)],
            value=C.DEFAULT_AUTO_ASSOCIATION,
            style=STYLE,
            layout=WIDE,
        )
        self.campaigns = w.SelectMultiple(
            description="Campaigns",
            options=[],
            rows=6,
            style=STYLE,
            layout=w.Layout(width="620px", display="none"),
        )
        self.enabled = w.Checkbox(value=True, description="Enabled", style=STYLE)
        self.create_button = w.Button(description=_CREATE, button_style="primary", icon="plus")
        self.use_existing_button = w.Button(
            description="Use existing rule", icon="check", layout=w.Layout(display="none")
        )
        self.status = w.HTML()
        self.type.observe(self._type_changed, names="value")
        self.name.observe(self._name_changed, names="value")
        self.auto_association.observe(lambda _: self._show_campaigns(), names="value")
        self.account.observe(lambda _: self._show_campaigns(), names="value")
        self.create_button.on_click(self._on_create)
        self.use_existing_button.on_click(self._on_use_existing)
        super().__init__(
            [
                w.HTML(f"<b style='color:{COLORS['accent']}'>New conversion rule</b>"),
                self.account,
                self.name,
                self.type,
                self.post_click,
                self.view_through,
                self.attribution,
                self.auto_association,
                self.campaigns,
                self.enabled,
                w.HBox([self.create_button, self.use_existing_button]),
                self.status,
            ]
        )
        self._fill_accounts()
        self._apply(settings)

    # -- filling the form -------------------------------------------------------------------

    @shows_errors("status")
    def _fill_accounts(self) -> None:
        accounts = usable_accounts(self._conn)
        self.account.options = [(a.label(), a.id) for a in accounts]
        own = getattr(self._conn, "ad_account_id", None)
        if own is not None and int(account_id(own)) in [a.id for a in accounts]:
            self.account.value = int(account_id(own))
        if not accounts:
            self.status.value = error_html(
                ConfigError(
                    "no ad account you can create rules in: every account of this member is "
                    "VIEWER only. Ask an account manager for a role."
                )
            )

    def _apply(self, settings: dict[str, Any]) -> None:
        widgets = {
            "type": self.type,
            "post_click_window": self.post_click,
            "view_through_window": self.view_through,
            "attribution_type": self.attribution,
            "auto_association": self.auto_association,
            "enabled": self.enabled,
        }
        unknown = sorted(set(settings) - set(widgets))
        if unknown:
            raise ConfigError(
                f"unknown rule setting(s) {', '.join(unknown)}; known: {', '.join(widgets)}"
            )
        for key in widgets:  # type first: it decides which post-click windows exist
            if key in settings:
                value = settings[key]
                if isinstance(value, str):
                    value = value.strip().upper().replace(" ", "_").replace("-", "_")
                try:
                    widgets[key].value = value
                except traitlets.TraitError:
                    choices = ", ".join(str(v) for _, v in widgets[key].options)
                    raise ConfigError(
                        f"{key}: expected one of {choices}; got {settings[key]!r}"
                    ) from None

    def _type_changed(self, change: dict[str, Any]) -> None:
        chosen = self.post_click.value
        options = post_click_options(change["new"])
        allowed = [d for _, d in options]
        self.post_click.options = options
        if chosen in allowed:
            self.post_click.value = chosen
        else:
            self.post_click.value = C.DEFAULT_POST_CLICK_WINDOW
            self.status.value = message_html(
                f"A {chosen}-day post-click window is only available for "
                f"{', '.join(C.LONG_WINDOW_TYPES)}; set to {C.DEFAULT_POST_CLICK_WINDOW} days.",
                color=COLORS["invalid"],
            )

    def _choosing(self) -> bool:
        return bool(self.auto_association.value == CHOSEN_CAMPAIGNS)

    def _show_campaigns(self) -> None:
        """Show the picker (and list the account's campaigns) only while it is chosen."""
        self.campaigns.options = []
        self.campaigns.layout.display = None if self._choosing() else "none"
        if self._choosing():
            self._load_campaigns()

    @shows_errors("status")
    def _load_campaigns(self) -> None:
        if self.account.value is None:
            raise ConfigError("campaigns: choose an ad account first")
        self.status.value = message_html("Loading the account's campaigns…")
        self.campaigns.options = campaign_options(self._conn, self.account.value)
        n = len(self.campaigns.options)
        self.status.value = message_html(
            f"{n} campaign{'s' if n != 1 else ''} in this ad account: pick the ones to link."
            if n
            else "No campaigns in this ad account yet: create one in Campaign Manager, or "
            "choose another way to link campaigns."
        )

    def _name_changed(self, change: dict[str, Any]) -> None:
        # A different name: an earlier "already exists" offer no longer applies.
        self._existing = None
        self.use_existing_button.layout.display = "none"

    def settings(self) -> dict[str, Any]:
        """The settings as ``conn.rules.create`` takes them.

        With chosen campaigns the rule is created with no auto-association (``NONE``);
        the campaigns are linked afterwards.
        """
        association = self.auto_association.value
        return {
            "type": self.type.value,
            "post_click_window": self.post_click.value,
            "view_through_window": self.view_through.value,
            "attribution_type": self.attribution.value,
            "auto_association": (
                C.NO_AUTO_ASSOCIATION if association == CHOSEN_CAMPAIGNS else association
            ),
            "enabled": bool(self.enabled.value),
        }

    # -- actions ----------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        """Nothing can be clicked or re-picked while a request is on its way."""
        for widget in (self.create_button, self.use_existing_button, self.campaigns):
            widget.disabled = busy
        self.create_button.description = _WORKING if busy else _CREATE

    def _on_create(self, _button: Any = None) -> None:
        self._busy(True)
        self.use_existing_button.layout.display = "none"
        self.status.value = message_html("Working…")
        try:
            self._create()
        finally:
            self._busy(False)

    @shows_errors("status")
    def _create(self) -> None:
        from linkedin_capi.resources.rules import RuleSettings

        name = self.name.value.strip()
        if not name:
            raise ConfigError("rule name: enter a name for the new rule")
        if self.account.value is None:
            raise ConfigError("ad account: no account to create the rule in")
        if self._choosing() and not self.campaigns.value:
            raise ConfigError(
                "campaigns: pick at least one campaign to link, or choose another way to "
                "link campaigns"
            )
        settings = self.settings()
        wanted = RuleSettings.of(**settings)  # bad combinations fail before any request
        rules = rules_of(self._conn, self.account.value)
        existing = rules.find(name)
        if existing is not None:
            self._offer(existing, wanted)
            return
        rule = rules.create(name, **settings)
        self.status.value = rule_html(rule, title="Created conversion rule")
        self._link(rule, "Created conversion rule")

    def _link(self, rule: Any, title: str) -> None:
        """Link the picked campaigns (when chosen), show the outcome, publish ``.rule``.

        The rule exists whatever happens here, so it is published even when linking
        fails; the error says so, and "Use existing rule" after "Create rule" retries.
        """
        chosen = list(self.campaigns.value) if self._choosing() else []
        if chosen:
            try:
                linked, rule = link_campaigns(self._conn, self.account.value, rule, chosen)
            except Exception as exc:
                self.status.value = rule_html(rule, title=title) + error_html(
                    exc,
                    title="The rule exists, but its campaigns were not linked: click "
                    "“Create rule” again, then “Use existing rule”, to retry",
                )
            else:
                labels = dict((v, k) for k, v in self.campaigns.options)
                names = "; ".join(labels.get(c, str(c)) for c in linked)
                self.status.value = rule_html(rule, title=title) + message_html(
                    f"Linked {len(linked)} campaign{'s' if len(linked) != 1 else ''}: {names}",
                    color=COLORS["accent"],
                )
        self.rule = rule

    def _offer(self, existing: Any, wanted: Any) -> None:
        if not existing.streamable:
            raise ConfigError(
                f"a rule named {existing.name!r} (id {existing.id}) exists but its method is "
                f"{existing.conversion_method}, so it cannot receive Conversions API events; "
                "choose another name"
            )
        self._existing = existing
        diff = existing.differences(wanted)
        note = f"A rule named “{existing.name}” already exists (id {existing.id})."
        if diff:
            changes = ", ".join(f"{k} is {a!r} (form: {b!r})" for k, (a, b) in diff.items())
            note += f" Its settings differ: {changes}."
        note += " Use it, or choose another name."
        self.status.value = (
            f"<div style='color:{COLORS['accent']};margin:4px 0'>{html.escape(note)}</div>"
            + rule_html(existing, title="Existing conversion rule")
        )
        self.use_existing_button.layout.display = None

    def _on_use_existing(self, _button: Any = None) -> None:
        if self._existing is None:
            return
        rule, self._existing = self._existing, None
        self.use_existing_button.layout.display = "none"
        self.status.value = rule_html(rule, title="Using existing conversion rule")
        self._busy(True)
        try:
            self._link(rule, "Using existing conversion rule")
        finally:
            self._busy(False)


class RulePicker(_RuleWidget):
    """Choose an existing Conversions API rule, searchable by name.

    Parameters
    ----------
    conn
        A :class:`~linkedin_capi.Connection`.
    ad_account_id
        The account whose rules to list (default: the connection's).

    Attributes
    ----------
    rule : ConversionRule or None
        The selected rule.
    search, select, refresh_button, status
        The widgets (``search.value = "demo"`` filters; ``select.value = rule_id`` picks).

    Examples
    --------
    >>> picker = RulePicker(conn)                                       # doctest: +SKIP
    >>> picker.search.value = "demo"; picker.select.value = 104012      # doctest: +SKIP
    >>> picker.rule.urn                                                 # doctest: +SKIP
    """

    def __init__(self, conn: Any, *, ad_account_id: int | str | None = None) -> None:
        self._conn = conn
        self._account = ad_account_id
        self._rules: list[Any] = []
        self.search = w.Text(
            description="Search",
            placeholder="Search rules by name",
            style=STYLE,
            layout=WIDE,
        )
        self.select = w.Select(
            description="Conversion rule", options=[], rows=8, style=STYLE, layout=WIDE
        )
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.status = w.HTML()
        self.search.observe(lambda _: self._filter(), names="value")
        self.select.observe(self._selected, names="value")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__(
            [
                w.HTML(f"<b style='color:{COLORS['accent']}'>Conversion rule</b>"),
                self.search,
                self.select,
                self.refresh_button,
                self.status,
            ]
        )
        self.refresh()

    @shows_errors("status")
    def refresh(self) -> None:
        """Reload the rules from LinkedIn (Conversions API rules only)."""
        rules = rules_of(self._conn, self._account).list(conversions_api_only=True)
        self._rules = sorted(rules, key=lambda r: (r.name.lower(), r.id))
        self._filter()
        if not self._rules:
            self.status.value = message_html(
                "No Conversions API rules in this account yet: create one with RuleCreator."
            )

    def _filter(self) -> None:
        needle = self.search.value.strip().lower()
        shown = [r for r in self._rules if needle in r.name.lower()]
        keep = self.select.value
        self.select.options = [(f"{r.name} ({r.id})", r.id) for r in shown]
        if keep in [r.id for r in shown]:
            self.select.value = keep

    def _selected(self, change: dict[str, Any]) -> None:
        chosen = next((r for r in self._rules if r.id == change["new"]), None)
        if chosen is None:
            return  # filtered away: keep the last chosen rule
        self.status.value = rule_html(chosen, title="Selected conversion rule")
        self.rule = chosen
