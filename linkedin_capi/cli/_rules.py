"""CLI commands for ad accounts and conversion rules, mounted by ``cli.py``.

``mount(app)`` adds ``linkedin-capi accounts`` and the ``linkedin-capi rules`` group
(``list``, ``create``, ``ensure``, ``update``). The connection comes from ``--result`` (the
connector's JSON, inline or ``@file``) or else from ``LINKEDIN_CAPI_*`` environment variables.
The commands only call :mod:`linkedin_capi.resources.rules`,
:mod:`linkedin_capi.resources.accounts` and
:mod:`linkedin_capi.config`.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from linkedin_capi import _constants as C
from linkedin_capi.errors import AuthError, CapiError, ConfigError, VersionError

# The HTTP client, pydantic and the resources load when a command runs, not for --help.
if TYPE_CHECKING:
    from linkedin_capi.connection import Connection
    from linkedin_capi.resources.rules import ConversionRule

__all__ = [
    "EXIT_AUTH",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_ROWS",
    "connection_for_cli",
    "mount",
    "one_line",
    "read_result",
    "rules_app",
]

#: The CLI's exit codes (shared with ``cli.py``).
EXIT_OK, EXIT_ROWS, EXIT_INPUT, EXIT_AUTH = 0, 1, 2, 3

rules_app = typer.Typer(
    name="rules",
    help="List, create and update conversion rules of an ad account.",
    no_args_is_help=True,
    # plain Click help and errors: Rich's formatter takes longer to import than the
    # rest of the CLI together (issue 16: `--help` in well under a second)
    rich_markup_mode=None,
)

ResultOpt = Annotated[
    str | None,
    typer.Option(
        "--result",
        help="The connector's --result JSON, inline or as @path/to/file.json "
        "(default: LINKEDIN_CAPI_* environment variables).",
    ),
]
AccountOpt = Annotated[
    str | None, typer.Option("--ad-account", help="Ad account id (default: the one usable).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TypeOpt = Annotated[
    str, typer.Option("--type", help=f"Conversion type, any case: {', '.join(C.CONVERSION_TYPES)}.")
]
PostClickOpt = Annotated[
    int,
    typer.Option("--post-click", help="Post-click window in days: 1, 7, 30, 90 (365 some types)."),
]
ViewOpt = Annotated[int, typer.Option("--view-through", help="View-through window: 1, 7, 30, 90.")]
AttributionOpt = Annotated[
    str, typer.Option("--attribution", help="LAST_TOUCH_BY_CAMPAIGN or LAST_TOUCH_BY_CONVERSION.")
]
AssociationOpt = Annotated[
    str,
    typer.Option("--auto-association", help="ALL_CAMPAIGNS, OBJECTIVE_BASED or NONE."),
]


def read_result(value: str) -> str:
    """The ``--result`` text: inline JSON, or the contents of ``@file``."""
    if not value.startswith("@"):
        return value
    path = Path(value[1:])
    if not path.is_file():
        raise ConfigError(f"--result {value}: no such file")
    return path.read_text(encoding="utf-8")


def connection_for_cli(result: str | None, ad_account: str | None) -> Connection:
    """A connection from ``--result`` (an ExportConfig) or from the environment.

    With ``--result``, ``LINKEDIN_CAPI_BASE_URL``/``_TOKEN_URL``/``_API_VERSION`` still apply.
    """
    from linkedin_capi.config import ExportConfig
    from linkedin_capi.connection import Connection, connection_from_config

    overrides: dict[str, Any] = {"ad_account_id": ad_account} if ad_account else {}
    if result is not None:
        # Where to connect is not part of the connector's options: take it from the
        # environment (proxies, the sandbox), credentials from --result.
        for key in ("base_url", "token_url", "api_version"):
            value = os.environ.get(C.ENV_VARS[key], "").strip()
            if value:
                overrides.setdefault(key, value)
        return connection_from_config(ExportConfig.from_td(read_result(result)), **overrides)
    return Connection.from_env(**overrides)


def one_line(message: str) -> str:
    """Error text for stderr: always one line (scheduled jobs log line by line)."""
    return "; ".join(part.strip() for part in message.strip().splitlines() if part.strip())


def _fail(exc: CapiError) -> typer.Exit:
    typer.echo(f"linkedin-capi: {one_line(str(exc))}", err=True)
    return typer.Exit(EXIT_AUTH if isinstance(exc, AuthError | VersionError) else EXIT_INPUT)


def _rule_line(rule: ConversionRule) -> str:
    state = "enabled" if rule.enabled else "disabled"
    method = (
        "" if rule.conversion_method == C.CONVERSIONS_API_METHOD else f" [{rule.conversion_method}]"
    )
    return (
        f"{rule.id}\t{rule.name}\t{rule.type}\tclick {rule.post_click_window}d / view "
        f"{rule.view_through_window}d\t{rule.attribution_type}\t{state}{method}"
    )


def _show_rule(rule: ConversionRule, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(rule.model_dump(mode="json")))
    else:
        typer.echo(f"{rule.urn}\n{_rule_line(rule)}")


def accounts_command(result: ResultOpt = None, as_json: JsonOpt = False) -> None:
    """List the ad accounts you have a role on (VIEWER accounts cannot receive uploads)."""
    from linkedin_capi.resources.accounts import ad_accounts

    try:
        accounts = ad_accounts(connection_for_cli(result, None))
    except CapiError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in accounts]))
        return
    for a in accounts:
        typer.echo(f"{a.id}\t{a.name or '-'}\t{a.role}\t{'usable' if a.usable else 'view only'}")
    if not accounts:
        typer.echo("no ad accounts")


@rules_app.command("list")
def list_command(
    result: ResultOpt = None,
    ad_account: AccountOpt = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Include rules that are not Conversions API rules.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List every conversion rule of the account (all pages)."""
    from linkedin_capi.resources.rules import ConversionRules

    try:
        rules = ConversionRules(connection_for_cli(result, ad_account)).list(
            conversions_api_only=not show_all
        )
    except CapiError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rules]))
        return
    for rule in rules:
        typer.echo(_rule_line(rule))
    if not rules:
        typer.echo("no conversion rules")


@rules_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="Name of the new rule.")],
    result: ResultOpt = None,
    ad_account: AccountOpt = None,
    conversion_type: TypeOpt = C.DEFAULT_CONVERSION_TYPE,
    post_click: PostClickOpt = C.DEFAULT_POST_CLICK_WINDOW,
    view_through: ViewOpt = C.DEFAULT_VIEW_THROUGH_WINDOW,
    attribution: AttributionOpt = C.DEFAULT_ATTRIBUTION_TYPE,
    auto_association: AssociationOpt = C.DEFAULT_AUTO_ASSOCIATION,
    as_json: JsonOpt = False,
) -> None:
    """Create a new Conversions API rule (even if one with that name exists; see ensure)."""
    from linkedin_capi.resources.rules import ConversionRules

    try:
        rule = ConversionRules(connection_for_cli(result, ad_account)).create(
            name,
            type=conversion_type,
            post_click_window=post_click,
            view_through_window=view_through,
            attribution_type=attribution,
            auto_association=auto_association,
        )
    except CapiError as exc:
        raise _fail(exc) from None
    _show_rule(rule, as_json)


@rules_app.command("ensure")
def ensure_command(
    name: Annotated[str, typer.Argument(help="Exact name of the rule to find or create.")],
    result: ResultOpt = None,
    ad_account: AccountOpt = None,
    conversion_type: TypeOpt = C.DEFAULT_CONVERSION_TYPE,
    post_click: PostClickOpt = C.DEFAULT_POST_CLICK_WINDOW,
    view_through: ViewOpt = C.DEFAULT_VIEW_THROUGH_WINDOW,
    attribution: AttributionOpt = C.DEFAULT_ATTRIBUTION_TYPE,
    auto_association: AssociationOpt = C.DEFAULT_AUTO_ASSOCIATION,
    on_drift: Annotated[
        str,
        typer.Option("--on-drift", help="If it exists with other settings: warn, error, update."),
    ] = "warn",
    as_json: JsonOpt = False,
) -> None:
    """Find the rule by exact name or create it once (safe to run on a schedule)."""
    from linkedin_capi.resources.rules import ConversionRules

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rule = ConversionRules(connection_for_cli(result, ad_account)).ensure(
                name,
                on_drift=on_drift,  # type: ignore[arg-type]  # checked by ensure
                type=conversion_type,
                post_click_window=post_click,
                view_through_window=view_through,
                attribution_type=attribution,
                auto_association=auto_association,
            )
    except CapiError as exc:
        raise _fail(exc) from None
    for w in caught:
        typer.echo(f"linkedin-capi: warning: {w.message}", err=True)
    _show_rule(rule, as_json)


@rules_app.command("update")
def update_command(
    rule: Annotated[str, typer.Argument(help="Rule id or urn:lla:llaPartnerConversion:<id>.")],
    result: ResultOpt = None,
    ad_account: AccountOpt = None,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    conversion_type: Annotated[str | None, typer.Option("--type", help="Conversion type.")] = None,
    post_click: Annotated[int | None, typer.Option("--post-click", help="Days.")] = None,
    view_through: Annotated[int | None, typer.Option("--view-through", help="Days.")] = None,
    attribution: Annotated[str | None, typer.Option("--attribution")] = None,
    enabled: Annotated[bool | None, typer.Option("--enabled/--disabled")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change settings of a rule (only what changes is sent, as a PARTIAL_UPDATE)."""
    from linkedin_capi.resources.rules import ConversionRules

    try:
        updated = ConversionRules(connection_for_cli(result, ad_account)).update(
            rule,
            name=name,
            type=conversion_type,
            post_click_window=post_click,
            view_through_window=view_through,
            attribution_type=attribution,
            enabled=enabled,
        )
    except CapiError as exc:
        raise _fail(exc) from None
    _show_rule(updated, as_json)


def mount(app: typer.Typer) -> None:
    """Add ``accounts`` and the ``rules`` group to the main ``linkedin-capi`` app."""
    app.command("accounts")(accounts_command)
    app.add_typer(rules_app, name="rules")
