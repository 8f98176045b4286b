"""The ``linkedin-capi`` command: a thin view over the library.

Exit codes: 0 all good, 1 some rows invalid (or failed), 2 configuration or input error,
3 authentication or LinkedIn-Version error. Every error is one line on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from linkedin_capi.cli import _rules as _cli_rules
from linkedin_capi.cli._rules import EXIT_AUTH, EXIT_INPUT, EXIT_OK, EXIT_ROWS, one_line
from linkedin_capi.cli.demo import demo_frame
from linkedin_capi.engine.report import ValidationReport
from linkedin_capi.engine.validate import validate
from linkedin_capi.errors import AuthError, CapiError, ConfigError, SchemaError, VersionError

__all__ = ["app", "main", "read_frame"]

app = typer.Typer(
    name="linkedin-capi",
    help="Validate and send conversion events to LinkedIn's Conversions API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain Click help and errors: Rich's formatter takes longer to import than the
    # rest of the CLI together (issue 16: `--help` in well under a second)
    rich_markup_mode=None,
)


_READERS: dict[str, Callable[[Path], pl.DataFrame]] = {
    ".csv": lambda p: pl.read_csv(p),
    ".parquet": lambda p: pl.read_parquet(p),
    ".ndjson": lambda p: pl.read_ndjson(p),
    ".jsonl": lambda p: pl.read_ndjson(p),
}


def read_frame(path: str, *, lazy: bool = False) -> pl.DataFrame | pl.LazyFrame:
    """Read CSV, Parquet or NDJSON by extension, ``-`` for CSV on stdin.

    With ``lazy=True`` files are scanned (``pl.scan_*``): nothing is read until an export
    pulls chunks. Stdin is always read whole.

    Raises
    ------
    ConfigError
        Unknown extension, unreadable or empty file.
    """
    if path == "-":
        data = sys.stdin.buffer.read()
        if not data.strip():
            raise ConfigError("stdin is empty; expected CSV with a header row")
        return _read(lambda: pl.read_csv(data), "stdin")
    p = Path(path)
    reader = _READERS.get(p.suffix.lower())
    if reader is None:
        raise ConfigError(
            f"{path}: unknown file type {p.suffix or '(none)'!r}; expected one of "
            f"{', '.join(_READERS)} (or '-' for CSV on stdin)"
        )
    if not p.is_file():
        raise ConfigError(f"{path}: no such file")
    if p.stat().st_size == 0:
        raise ConfigError(f"{path}: the file is empty")
    if lazy:
        scanner = _SCANNERS[p.suffix.lower()]
        lf = _read_lazy(lambda: scanner(p), path)
        return lf
    return _read(lambda: reader(p), path)


_SCANNERS: dict[str, Callable[[Path], pl.LazyFrame]] = {
    ".csv": lambda p: pl.scan_csv(p),
    ".parquet": lambda p: pl.scan_parquet(p),
    ".ndjson": lambda p: pl.scan_ndjson(p),
    ".jsonl": lambda p: pl.scan_ndjson(p),
}


def _read_lazy(scan: Callable[[], pl.LazyFrame], source: str) -> pl.LazyFrame:
    try:
        lf = scan()
        first = lf.head(1).collect()  # reads a few rows: a broken file fails here, not mid-run
    except (pl.exceptions.PolarsError, OSError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{source}: cannot read it ({first_line})") from exc
    if first.height == 0:
        raise ConfigError(f"{source}: no rows (columns found: {first.columns})")
    return lf


def _read(read: Callable[[], pl.DataFrame], source: str) -> pl.DataFrame:
    try:
        df = read()
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{source}: cannot read it ({first_line})") from exc
    if df.height == 0:
        # A header without rows is almost always a failed export, not "all good".
        raise ConfigError(f"{source}: no rows (columns found: {df.columns})")
    return df


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"linkedin-capi: {one_line(message)}", err=True)
    return typer.Exit(code)


def _print_report(report: ValidationReport, *, as_json: bool, limit: int = 10) -> None:
    if as_json:
        invalid = report.invalid.select("_row", "errors").head(limit).to_dicts()
        typer.echo(
            json.dumps(
                {
                    "counts": report.counts,
                    "invalid": invalid,
                    "warnings": report.warnings,
                    "ignored_columns": report.ignored_columns,
                }
            )
        )
    else:
        typer.echo(report.summary())


NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Reference time for the 90-day window, ISO-8601 (default: now, UTC); "
        "for reproducible runs.",
    ),
]


def parse_now(value: str | None) -> dt.datetime | None:
    """``--now`` as an aware datetime (naive means UTC); ConfigError when unreadable."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(
            f"--now: expected an ISO-8601 date-time such as 2026-11-28T12:00:00Z, got {value!r}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@app.command("validate")
def validate_command(
    file: Annotated[str, typer.Argument(help="CSV, Parquet or NDJSON file; '-' for CSV on stdin.")],
    conversion: Annotated[
        str | None, typer.Option(help="Rule id or URN for rows without a conversion.")
    ] = None,
    now: NowOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Check FILE against LinkedIn's rules and show what would be rejected and why."""
    try:
        report = validate(read_frame(file), conversion, now=parse_now(now))
    except CapiError as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    _print_report(report, as_json=as_json)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ROWS)


@app.command("export")
def export_command(
    file: Annotated[str, typer.Argument(help="CSV, Parquet or NDJSON file; '-' for CSV on stdin.")],
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            help="The connector's --result options as a JSON file (default: LINKEDIN_CAPI_* "
            "environment variables).",
        ),
    ] = None,
    conversion: Annotated[
        str | None, typer.Option(help="Rule id or URN for rows without a conversion.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and build requests; send nothing.")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Events per request (1-5000).")] = 5000,
    journal: Annotated[
        str | None,
        typer.Option(
            help="SQLite journal: a re-run sends only what LinkedIn has not acknowledged; "
            "the file is streamed in chunks."
        ),
    ] = None,
    derive_event_ids: Annotated[
        bool,
        typer.Option(help="No eventId column: use a SHA-256 of each event as its eventId."),
    ] = False,
    max_in_flight: Annotated[
        int | None, typer.Option(min=1, max=16, help="Batches on the wire at once.")
    ] = None,
    now: NowOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Validate FILE and send its valid rows to LinkedIn (or the sandbox)."""
    from linkedin_capi.cli._rules import connection_for_cli
    from linkedin_capi.connection import Connection
    from linkedin_capi.delivery.export import export
    from linkedin_capi.errors import PermissionDeniedError, ValidationFailed

    try:
        # With a journal the file is scanned lazily and sent in chunks (scheduled backfills).
        data = read_frame(file, lazy=journal is not None)
        conn: Connection | None
        try:
            conn = connection_for_cli(f"@{config}" if config else None, None)
        except ConfigError:
            if not dry_run or config:
                raise
            conn = None  # a dry run needs no credentials: it validates and builds bodies
        options: dict[str, object] = {}
        if config:
            options = dict(conn_config_options(config))
        if journal is not None:
            options.update(journal=journal, derive_event_ids=derive_event_ids)
        elif derive_event_ids:
            options["derive_event_ids"] = True
        if max_in_flight is not None:
            options["max_in_flight"] = max_in_flight
        result = export(
            data,
            conn,
            conversion,
            now=parse_now(now),
            dry_run=dry_run,
            batch_size=batch_size,
            # A bar on a terminal; never in logs of scheduled jobs.
            progress=None if sys.stderr.isatty() else False,
            **options,  # type: ignore[arg-type]
        )
    except ValidationFailed as exc:
        typer.echo(exc.report.summary(), err=True)
        raise _fail(str(exc).splitlines()[0], EXIT_ROWS) from None
    except (AuthError, VersionError, PermissionDeniedError) as exc:
        raise _fail(str(exc), EXIT_AUTH) from None
    except (ConfigError, SchemaError) as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    except CapiError as exc:
        raise _fail(str(exc), EXIT_ROWS) from None
    if as_json:
        failures = result.rows.filter(pl.col("status").is_in(["failed", "invalid"])).head(20)
        typer.echo(json.dumps({"counts": result.counts, "problems": failures.to_dicts()}))
    else:
        if result.report is not None:
            typer.echo(result.report.summary())
        typer.echo(f"Export: {result.summary()}")
    if result.stopped:
        typer.echo(f"linkedin-capi: stopped early: {one_line(result.stopped)}", err=True)
    raise typer.Exit(EXIT_OK if result.ok and not result.stopped else EXIT_ROWS)


def conn_config_options(config: str) -> dict[str, object]:
    """The export options the ``--config`` file sets (``skip_invalid_records``)."""
    from linkedin_capi.cli._rules import read_result
    from linkedin_capi.config import ExportConfig

    return ExportConfig.from_td(read_result(f"@{config}")).export_options()


auth_app = typer.Typer(
    name="auth",
    help="Authorize the SDK with LinkedIn.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(auth_app)


@auth_app.command("login")
def auth_login_command(
    redirect_uri: Annotated[
        str, typer.Option(help="Your app's redirect URL (must match the app's settings).")
    ] = "http://localhost:8765/callback",
    token_file: Annotated[
        str, typer.Option(help="Where to store the tokens (JSON, mode 0600).")
    ] = "~/.config/linkedin-capi/token.json",
    listen: Annotated[
        bool,
        typer.Option(help="Catch the redirect on the redirect URL's localhost port."),
    ] = False,
) -> None:
    """Authorization-code flow: print the consent URL, take the redirect, store tokens.

    Client id and secret come from LINKEDIN_CAPI_CLIENT_ID / LINKEDIN_CAPI_CLIENT_SECRET.
    """
    import os
    from pathlib import Path

    from linkedin_capi._constants import AUTHORIZATION_URL, ENV_VARS, TOKEN_URL
    from linkedin_capi.client.tokens import FileTokenStore
    from linkedin_capi.connection import AuthorizationFlow

    client_id = os.environ.get(ENV_VARS["client_id"], "")
    client_secret = os.environ.get(ENV_VARS["client_secret"], "")
    if not client_id or not client_secret:
        raise _fail(
            f"set {ENV_VARS['client_id']} and {ENV_VARS['client_secret']} to your "
            "developer app's credentials first",
            EXIT_INPUT,
        )
    token_url = os.environ.get(ENV_VARS["token_url"]) or TOKEN_URL
    auth_url = os.environ.get("LINKEDIN_CAPI_AUTHORIZATION_URL") or AUTHORIZATION_URL
    try:
        flow = AuthorizationFlow(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
            authorization_url=auth_url,
            token_url=token_url,
            token_store=FileTokenStore(Path(token_file).expanduser()),
        )
        typer.echo("Open this URL, sign in and allow access:", err=True)
        typer.echo(flow.url)
        if listen:
            from linkedin_capi.cli._redirect import wait_for_redirect

            redirected = wait_for_redirect(redirect_uri)
        else:
            redirected = typer.prompt("Paste the URL your browser was sent to", err=True)
        token = flow.exchange(redirected.strip())
    except (AuthError, VersionError) as exc:
        raise _fail(str(exc), EXIT_AUTH) from None
    except CapiError as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    typer.echo(f"Tokens stored in {Path(token_file).expanduser()} ({token!r})")


@app.command("demo")
def demo_command(
    rows: Annotated[int, typer.Option(min=1, max=1_000_000, help="Rows to generate.")] = 200,
) -> None:
    """The main job on an embedded default: generate, validate, create a rule, export.

    Everything runs locally against the sandbox (a LinkedIn stand-in on 127.0.0.1):
    no credentials, no network. With real credentials, ``linkedin-capi export`` does the
    same against LinkedIn.
    """
    from linkedin_capi.delivery.export import export
    from linkedin_capi.sandbox import Sandbox

    now = dt.datetime.now(dt.UTC)
    df = demo_frame(rows, now=now)
    typer.echo(f"Generated {df.height} conversion events (columns: {', '.join(df.columns)})")
    with Sandbox(store_events=True) as sb:
        conn = sb.connection()
        rule = conn.rules.ensure("linkedin-capi demo purchases", type="PURCHASE")
        typer.echo(f"Conversion rule: {rule.name!r} ({rule.urn}) in ad account {sb.account_id}")
        result = export(df, conn, rule, now=now, progress=False)
        report = result.report
        assert report is not None  # export always validates first
        typer.echo(report.summary())
        counts = ", ".join(f"{n} {s}" for s, n in result.counts.items() if s != "total")
        typer.echo(f"Export: {counts}")
        typer.echo(f"LinkedIn sandbox at {sb.url} accepted {sb.event_count} events for {rule.urn}")
        if sb.events:
            typer.echo("First accepted event:")
            typer.echo(json.dumps(sb.events[0], indent=2))
    raise typer.Exit(EXIT_OK if result.sent == report.counts["valid"] else EXIT_ROWS)


@app.command("sandbox")
def sandbox_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 = any free port).")] = 8080,
    max_page_size: Annotated[
        int | None, typer.Option(help="Return at most this many rules per page.")
    ] = None,
    store_events: Annotated[bool, typer.Option(help="Keep accepted events in memory.")] = True,
) -> None:
    """Serve a local LinkedIn stand-in (test credentials, no network) until Ctrl-C."""
    from linkedin_capi.sandbox import main as sandbox_main

    code = sandbox_main(
        host=host, port=port, max_page_size=max_page_size, store_events=store_events
    )
    raise typer.Exit(code)


_cli_rules.mount(app)


def main() -> None:
    """Console-script entry point: never a bare traceback (set LINKEDIN_CAPI_DEBUG=1 for one)."""
    import os

    try:
        app()
    except CapiError as exc:
        code = EXIT_AUTH if isinstance(exc, AuthError | VersionError) else EXIT_INPUT
        typer.echo(f"linkedin-capi: {one_line(str(exc))}", err=True)
        sys.exit(code)
    except Exception as exc:
        if os.environ.get("LINKEDIN_CAPI_DEBUG"):
            raise
        typer.echo(
            f"linkedin-capi: unexpected {type(exc).__name__}: {one_line(str(exc))[:300]} "
            "(set LINKEDIN_CAPI_DEBUG=1 for the traceback, and please report it)",
            err=True,
        )
        sys.exit(4)
