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
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from linkedin_capi import _constants as C
from linkedin_capi.display.safe import MAX_LINE_CHARS, safe_text
from linkedin_capi.errors import AuthError, CapiError, ConfigError, VersionError

# The HTTP client, pydantic and the resources load when a command runs, not for --help.
if TYPE_CHECKING:
    from linkedin_capi.connection import Connection
    from linkedin_capi.resources.accounts import AdAccount
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
)

ResultOpt = Annotated[
    str | None,
    typer.Option(
        "--config",
        "--result",
        metavar="FILE",
        help="Settings file: the Treasure Data connector's --result JSON (credentials, ad "
        "account, rule); also @FILE or inline JSON. Default: LINKEDIN_CAPI_* variables, a "
        ".env file, and the tokens `linkedin-capi auth login` stored.",
    ),
]
AccountOpt = Annotated[
    str | None,
    typer.Option("--ad-account", metavar="ID", help="Ad account id (default: the one usable)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TypeOpt = Annotated[
    str,
    typer.Option(
        "--type",
        metavar="TYPE",
        help=f"Conversion type, any case: {', '.join(C.CONVERSION_TYPES)}.",
    ),
]
PostClickOpt = Annotated[
    int,
    typer.Option(
        "--post-click",
        metavar="DAYS",
        help="Post-click window in days: 1, 7, 30, 90 (365 some types).",
    ),
]
ViewOpt = Annotated[
    int,
    typer.Option("--view-through", metavar="DAYS", help="View-through window: 1, 7, 30, 90."),
]
AttributionOpt = Annotated[
    str,
    typer.Option(
        "--attribution", metavar="MODEL", help="LAST_TOUCH_BY_CAMPAIGN or LAST_TOUCH_BY_CONVERSION."
    ),
]
AssociationOpt = Annotated[
    str,
    typer.Option(
        "--auto-association", metavar="MODE", help="ALL_CAMPAIGNS, OBJECTIVE_BASED or NONE."
    ),
]


def read_result(value: str) -> str | bytes:
    """The ``--config``/``--result`` document: inline JSON, or a file's bytes (``@`` optional).

    A file is read up to :data:`~linkedin_capi.config.MAX_CONFIG_BYTES` (+1, so a larger
    one is recognised); decoding and every other check is :meth:`ExportConfig.from_td`'s.
    """
    from linkedin_capi.config import MAX_CONFIG_BYTES

    if value.lstrip().startswith("{"):
        return value
    path = Path(value[1:] if value.startswith("@") else value).expanduser()
    shown = one_line(str(path))
    if not path.is_file():
        raise ConfigError(f"--config {shown}: no such file")
    try:
        with path.open("rb") as fh:
            from linkedin_capi.config import MAX_CONFIG_BYTES

            return fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"--config {shown}: cannot read it ({exc.strerror})") from None


def connection_for_cli(result: str | None, ad_account: str | None) -> Connection:
    """A connection from ``--result`` (an ExportConfig) or from the environment.

    With ``--result``, ``LINKEDIN_CAPI_BASE_URL``/``_TOKEN_URL``/``_API_VERSION`` still apply.
    """
    from linkedin_capi.client.session import environment
    from linkedin_capi.config import ExportConfig
    from linkedin_capi.connection import Connection, connection_from_config

    overrides: dict[str, Any] = {"ad_account_id": ad_account} if ad_account else {}
    if result is not None:
        # Where to connect is not part of the connector's options: take it from the
        # environment (proxies, the sandbox), credentials from --result.
        for key in ("base_url", "token_url", "api_version"):
            value = environment().get(C.ENV_VARS[key], "").strip()
            if value:
                overrides.setdefault(key, value)
        return connection_from_config(ExportConfig.from_td(read_result(result)), **overrides)
    return Connection.from_env(**overrides)


#: Python spellings in library messages and what a CLI user types instead.
_CLI_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (
            r"\(?(?:linkedin_capi\.)?(?:client\.oauth\.)?AuthorizationFlow(?:\(\))?\)?",
            "`linkedin-capi auth login`",
        ),
        (r"\bConnection\.from_env\(\) ", ""),
        (r"\bConnection\(", "the connection ("),
        (r"\bad_account_id=(?:\.\.\.)?", "--ad-account ID"),
        (r"with mapping=\{[^}]*\}, or (--map '[^']*') in the CLI", r"with \1"),
        (r"\bmapping=", "--map "),
        (r"\bconversion=<rule id or URN>", "--conversion ID"),
        (r"\bconversion= rule", "--conversion rule"),
        (r"\bconversion=", "--conversion"),
        (
            r"See err\.report\.invalid for every row and message, fix them, or pass "
            r"skip_invalid_records=True",
            'Fix the rows listed, or set "skip_invalid_records": true in the --config file',
        ),
        (r"skip_invalid_records=False", '"skip_invalid_records": false'),
        (r"\bjournal=(?=['\"])", "--journal "),  # journal='path' → --journal 'path'
        (r"\bjournal=", "--journal"),
        (r"derive_event_ids=True", "--derive-event-ids"),
        (r"\brefresh_token=", C.ENV_VARS["refresh_token"]),
        (r"\baccess_token=", C.ENV_VARS["access_token"]),
        (
            r"\bclient_id= and client_secret=",
            f"{C.ENV_VARS['client_id']} and {C.ENV_VARS['client_secret']}",
        ),
        (r"\bbatch_size", "--batch-size"),
        (r"\bmax_in_flight", "--max-in-flight"),
    )
)


def cli_words(message: str) -> str:
    """A library message in the CLI's vocabulary: commands and flags, not Python names.

    Examples
    --------
    >>> cli_words("refresh failed; re-authorize (linkedin_capi.client.oauth.AuthorizationFlow)")
    'refresh failed; re-authorize `linkedin-capi auth login`'
    >>> cli_words("2 ad accounts are usable; choose one with ad_account_id=...: 1; 2")
    '2 ad accounts are usable; choose one with --ad-account ID: 1; 2'
    """
    for pattern, replacement in _CLI_WORDS:
        message = pattern.sub(replacement, message)
    return message


def one_line(message: str) -> str:
    """Error text for stderr: one bounded line (scheduled jobs log line by line), in CLI words.

    Control characters from values (a CSV cell, a column name, LinkedIn's answer) are
    escaped, and a message longer than 2,000 characters is cut with a count.
    """
    text = "; ".join(part.strip() for part in message.strip().splitlines() if part.strip())
    return safe_text(cli_words(text), MAX_LINE_CHARS)


def _fail(exc: CapiError) -> typer.Exit:
    typer.echo(f"linkedin-capi: {one_line(str(exc))}", err=True)
    return typer.Exit(EXIT_AUTH if isinstance(exc, AuthError | VersionError) else EXIT_INPUT)


def _rule_line(rule: ConversionRule) -> str:
    state = "enabled" if rule.enabled else "disabled"
    method = (
        "" if rule.conversion_method == C.CONVERSIONS_API_METHOD else f" [{rule.conversion_method}]"
    )
    return (
        f"{rule.id}\t{safe_text(rule.name)}\t{rule.type}\tclick {rule.post_click_window}d / view "
        f"{rule.view_through_window}d\t{rule.attribution_type}\t{state}{method}"
    )


def _show_rule(rule: ConversionRule, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(rule.model_dump(mode="json")))
    else:
        typer.echo(f"{rule.urn}\n{_rule_line(rule)}")


def accounts_command(result: ResultOpt = None, as_json: JsonOpt = False) -> None:
    """List the ad accounts you have a role on (VIEWER accounts cannot receive uploads).

    Example:

        linkedin-capi accounts --json
    """
    from linkedin_capi.resources.accounts import ad_accounts

    try:
        accounts = ad_accounts(connection_for_cli(result, None))
    except CapiError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in accounts]))
        return
    for a in accounts:
        typer.echo(f"{a.id}\t{safe_text(a.name or '-')}\t{a.role}\t{_state(a)}")
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
    """List every conversion rule of the account (all pages).

    Example:

        linkedin-capi rules list --ad-account 507404993
    """
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
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name of the new rule.")],
    result: ResultOpt = None,
    ad_account: AccountOpt = None,
    conversion_type: TypeOpt = C.DEFAULT_CONVERSION_TYPE,
    post_click: PostClickOpt = C.DEFAULT_POST_CLICK_WINDOW,
    view_through: ViewOpt = C.DEFAULT_VIEW_THROUGH_WINDOW,
    attribution: AttributionOpt = C.DEFAULT_ATTRIBUTION_TYPE,
    auto_association: AssociationOpt = C.DEFAULT_AUTO_ASSOCIATION,
    as_json: JsonOpt = False,
) -> None:
    """Create a new Conversions API rule (even if one with that name exists; see ensure).

    Example:

        linkedin-capi rules create "Demo requests" --type lead --post-click 90
    """
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
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Exact name of the rule to find or create.")
    ],
    result: ResultOpt = None,
    ad_account: AccountOpt = None,
    conversion_type: TypeOpt = C.DEFAULT_CONVERSION_TYPE,
    post_click: PostClickOpt = C.DEFAULT_POST_CLICK_WINDOW,
    view_through: ViewOpt = C.DEFAULT_VIEW_THROUGH_WINDOW,
    attribution: AttributionOpt = C.DEFAULT_ATTRIBUTION_TYPE,
    auto_association: AssociationOpt = C.DEFAULT_AUTO_ASSOCIATION,
    on_drift: Annotated[
        str,
        typer.Option(
            "--on-drift",
            metavar="warn|error|update",
            help="If it exists with other settings: warn, error, update.",
        ),
    ] = "warn",
    as_json: JsonOpt = False,
) -> None:
    """Find the rule by exact name or create it once (safe to run on a schedule).

    Example:

        linkedin-capi rules ensure "Demo requests" --type lead --on-drift error
    """
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
    rule: Annotated[
        str, typer.Argument(metavar="RULE", help="Rule id or urn:lla:llaPartnerConversion:<id>.")
    ],
    result: ResultOpt = None,
    ad_account: AccountOpt = None,
    name: Annotated[str | None, typer.Option(metavar="NAME", help="New name.")] = None,
    conversion_type: Annotated[
        str | None, typer.Option("--type", metavar="TYPE", help="Conversion type.")
    ] = None,
    post_click: Annotated[
        int | None, typer.Option("--post-click", metavar="DAYS", help="Days.")
    ] = None,
    view_through: Annotated[
        int | None, typer.Option("--view-through", metavar="DAYS", help="Days.")
    ] = None,
    attribution: Annotated[
        str | None, typer.Option("--attribution", metavar="MODEL", help="Attribution type.")
    ] = None,
    enabled: Annotated[bool | None, typer.Option("--enabled/--disabled")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change settings of a rule (only what changes is sent, as a PARTIAL_UPDATE).

    Example:

        linkedin-capi rules update 104012 --post-click 30 --enabled
    """
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


def _state(account: AdAccount) -> str:
    return "usable" if account.usable else "view only"
