"""The ``linkedin-capi`` command: a thin view over the library.

Exit codes: 0 all good, 1 some rows invalid (or failed), 2 configuration or input error,
3 authentication or LinkedIn-Version error, 130 interrupted. Every error is one line on
stderr.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from linkedin_capi.cli import _rules as _cli_rules
from linkedin_capi.cli._rules import (
    EXIT_AUTH,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_ROWS,
    AccountOpt,
    ResultOpt,
    cli_words,
    one_line,
)
from linkedin_capi.errors import (
    AuthError,
    CapiError,
    ConfigError,
    SchemaError,
    VersionError,
)

# Polars, the engine, the display room and the client load inside the commands that use
# them: `--help` and usage errors need none of them (issue 16; see _linkedin_capi_cli.py).
if TYPE_CHECKING:
    from collections.abc import Callable

    import polars as pl

    from linkedin_capi.cli.readers import Input, read_frame
    from linkedin_capi.client.tokens import Token
    from linkedin_capi.connection import Connection
    from linkedin_capi.delivery.result import ExportResult
    from linkedin_capi.engine.report import ValidationReport
    from linkedin_capi.resources.accounts import AdAccount

__all__ = ["EXIT_INTERRUPTED", "app", "main", "read_frame"]

#: Exit code after Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


def __getattr__(name: str) -> Any:
    # The readers import Polars; `--help` must not (see _linkedin_capi_cli.py).
    if name == "read_frame":
        from linkedin_capi.cli.readers import read_frame

        return read_frame
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _clean_help_types() -> None:
    """Show metavars (``FILE``, ``ID``) in ``--help``, not Typer's ``<str>``/``<bool>`` tags.

    Flags take no value, so they show none; arguments already show their name.
    """
    from typer.core import TyperArgument, TyperOption

    def option_type(self: TyperOption, ctx: object) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        names = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "bool": "BOOLEAN"}
        bare = self.bare_type()
        return names.get(bare, bare.upper())

    def argument_type(self: TyperArgument, ctx: object) -> str | None:
        return None

    TyperOption.display_type_rich = option_type  # type: ignore[method-assign,assignment]
    TyperArgument.display_type_rich = argument_type  # type: ignore[method-assign,assignment]


_clean_help_types()

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


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"linkedin-capi: {one_line(message)}", err=True)
    return typer.Exit(code)


def report_summary(report: ValidationReport, source: Input | None = None) -> str:
    """``report.summary()``, rows named as the user finds them (``line 12``, ``sheet row 4``)."""
    from linkedin_capi.display._registry import report_text

    return report_text(report, where=source.where if source is not None else None)


def _print_report(
    report: ValidationReport,
    *,
    as_json: bool,
    everything: bool = False,
    show_values: bool = False,
    source: Input | None = None,
) -> None:
    from linkedin_capi.display.html import mask
    from linkedin_capi.display.safe import MAX_LINE_CHARS, truncate

    if as_json:
        limit = None if everything else JSON_PROBLEMS
        invalid = report.invalid.select("_row", "errors")
        if source is not None and invalid.height:
            invalid = source.with_lines(invalid)
        shown = invalid if limit is None else invalid.head(limit)
        by_rule = report.error_counts().select("rule", "rows", "sample").to_dicts()
        rows = shown.to_dicts()
        for row in rows:  # masked and bounded exactly like the text output
            row["errors"] = [
                truncate(cli_words(e if show_values else mask(e)), MAX_LINE_CHARS)
                for e in row["errors"]
            ]
        typer.echo(
            json.dumps(
                {
                    "counts": report.counts,
                    "by_rule": by_rule,
                    "invalid": rows,
                    "invalid_left_out": invalid.height - shown.height,
                    "warnings": [cli_words(w) for w in report.warnings],
                    "ignored_columns": report.ignored_columns,
                    "mapping": report.mapping,
                }
            )
        )
    else:
        typer.echo(cli_words(report_summary(report, source)))


FileArg = Annotated[
    str | None,
    typer.Argument(
        metavar="FILE",
        help="CSV, Parquet, NDJSON or .xlsx file; '-' for CSV on stdin (or --sql with --db).",
        show_default=False,
    ),
]
SheetOpt = Annotated[
    str | None,
    typer.Option("--sheet", metavar="NAME", help=".xlsx: the sheet to read (default: the first)."),
]
SqlOpt = Annotated[
    str | None,
    typer.Option(
        "--sql",
        metavar="QUERY",
        help="Read the rows of this SELECT query on --db instead of a FILE.",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URI",
        help="Database for --sql: a SQLite or DuckDB file (or sqlite:PATH, duckdb:PATH), or "
        "postgresql://user@host:port/db (password from PGPASSWORD or ~/.pgpass).",
    ),
]
ConversionOpt = Annotated[
    str | None,
    typer.Option(metavar="ID", help="Rule id or URN for rows without a conversion."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (one JSON line).")]
AllOpt = Annotated[
    bool, typer.Option("--all", help="With --json: list every problem (default: the first 20).")
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="SRC=FIELD",
        help="Column SRC feeds LinkedIn field FIELD, e.g. --map 'Email=SHA256_EMAIL' (repeatable).",
    ),
]
MappingOpt = Annotated[
    str | None,
    typer.Option("--mapping", metavar="FILE", help='JSON file {"input column": "field", ...}.'),
]
SeparatorOpt = Annotated[
    str | None,
    typer.Option(
        "--separator",
        metavar="CHAR",
        help="CSV separator (default: detected from the header among , ; tab |).",
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option("--encoding", metavar="NAME", help="CSV text encoding (default UTF-8)."),
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        metavar="AREA/CITY",
        help="IANA time zone of times without an offset, e.g. America/New_York "
        "(default UTC, with a warning).",
    ),
]
DateFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--date-format",
        metavar="FORMAT",
        help="strptime format of conversionHappenedAt text, e.g. '%m/%d/%Y %I:%M %p' "
        "(ISO 8601 and epoch milliseconds are read as well).",
    ),
]
DecimalCommaOpt = Annotated[
    bool | None,
    typer.Option(
        "--decimal-comma/--decimal-point",
        help="How to read amounts such as 1,250 that read two ways: the comma is the "
        "decimal separator, or the point is (default: such amounts are errors).",
        show_default=False,
    ),
]
ErrorsOutOpt = Annotated[
    str | None,
    typer.Option(
        "--errors-out",
        metavar="FILE",
        help="Write every row not sent (input columns, status, rule, message) to FILE "
        "(.csv, .parquet or .ndjson).",
    ),
]

#: Problems listed in --json output unless --all is given (the rest are counted).
JSON_PROBLEMS = 20


def parse_mapping(pairs: list[str] | None, file: str | None) -> dict[str, str] | None:
    """``--mapping FILE.json`` then ``--map SRC=FIELD`` entries (which win) as one dict."""
    out: dict[str, str] = {}
    if file is not None:
        try:
            loaded = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"--mapping: cannot read {file} ({exc.strerror})") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"--mapping: {file} is not JSON (line {exc.lineno})") from None
        if not isinstance(loaded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
        ):
            raise ConfigError(
                f'--mapping: {file} must hold one object {{"input column": "field", ...}}'
            )
        out.update(loaded)
    for pair in pairs or []:
        src, sep, field = pair.rpartition("=")
        if not sep or not src or not field.strip():
            raise ConfigError(
                f"--map: expected SRC=FIELD such as 'Email=SHA256_EMAIL', got {pair!r}"
            )
        out[src] = field.strip()
    return out or None


def _reading_notes(source: Input) -> None:
    """What the reader chose for the user (the sheet it read), on stderr."""
    for note in source.notes:
        typer.echo(f"linkedin-capi: WARNING: {one_line(note)}", err=True)


def _loud_warnings(warnings: list[str]) -> None:
    """ "Did you mean" and ignored-alias notes, times read as UTC, placeholders and dropped
    fields: on stderr, where a cron log keeps them."""
    loud = ("did you mean", "was ignored", "read as UTC", "placeholder", "not sent (not a")
    for w in warnings:
        if any(word in w for word in loud):
            typer.echo(f"linkedin-capi: WARNING: {one_line(w)}", err=True)


def write_rows(path: str, frame: pl.DataFrame) -> None:
    """``frame`` to ``path`` by extension (.csv, .parquet, .ndjson/.jsonl)."""
    import polars as pl

    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".csv":
            flat = frame.with_columns(
                pl.col(c).cast(pl.String)
                for c, t in frame.schema.items()
                if isinstance(t, pl.List | pl.Array | pl.Struct | pl.Categorical)
                and not isinstance(t, pl.Categorical)
            )
            flat.with_columns(pl.col(pl.Categorical).cast(pl.String)).write_csv(path)
        elif suffix == ".parquet":
            frame.write_parquet(path)
        elif suffix in {".ndjson", ".jsonl"}:
            frame.write_ndjson(path)
        else:
            raise ConfigError(
                f"--errors-out: {path}: expected a .csv, .parquet or .ndjson file name"
            )
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ConfigError(f"--errors-out: cannot write {path} ({one_line(str(exc))})") from None


def report_rows_not_sent(report: ValidationReport) -> pl.DataFrame:
    """Invalid and skipped rows: input columns + ``status``, ``rule``, ``message``."""
    import polars as pl

    errors = report.failures.filter(pl.col("severity") == "error")
    rules = errors.group_by("_row").agg(pl.col("rule").str.join("; "))
    invalid = (
        report.invalid.join(rules, on="_row", how="left")
        .with_columns(
            pl.lit("invalid").alias("status"), pl.col("errors").list.join("; ").alias("message")
        )
        .drop("errors")
    )
    skipped = report.skipped.with_columns(
        pl.lit("skipped").alias("status"),
        pl.lit("conversionHappenedAt.too_old").alias("rule"),
        pl.col("reason").alias("message"),
    ).drop("reason")
    return pl.concat([invalid, skipped], how="diagonal_relaxed").sort("_row")


NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now",
        metavar="TIME",
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
    file: FileArg = None,
    conversion: ConversionOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    everything: AllOpt = False,
    map_: MapOpt = None,
    mapping: MappingOpt = None,
    separator: SeparatorOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    sql: SqlOpt = None,
    db: DbOpt = None,
    errors_out: ErrorsOutOpt = None,
    timezone: TimezoneOpt = None,
    date_format: DateFormatOpt = None,
    decimal_comma: DecimalCommaOpt = None,
    show_values: Annotated[
        bool,
        typer.Option(
            "--show-values",
            help="With --json: e-mail addresses in error messages unmasked (local debugging "
            "only; never in logs that others read).",
        ),
    ] = False,
) -> None:
    """Check FILE against LinkedIn's rules and show what would be rejected and why.

    Nothing is sent. Exit 0 when every row is valid, 1 when some are not.

    Example:

        linkedin-capi validate conversions.csv --conversion 104012
    """
    from linkedin_capi.engine.validate import validate

    try:
        columns = parse_mapping(map_, mapping)
        from linkedin_capi.cli.readers import read_input

        source = read_input(
            file, separator=separator, encoding=encoding, sheet=sheet, sql=sql, db=db
        )
        report = validate(
            source.data,
            conversion,
            now=parse_now(now),
            mapping=columns,
            timezone=timezone,
            date_format=date_format,
            decimal_comma=decimal_comma,
        )
        if errors_out is not None:
            write_rows(errors_out, source.with_lines(report_rows_not_sent(report)))
    except CapiError as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    _reading_notes(source)
    _loud_warnings(report.warnings)
    _print_report(
        report, as_json=as_json, everything=everything, show_values=show_values, source=source
    )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ROWS)


@app.command("export")
def export_command(
    file: FileArg = None,
    config: ResultOpt = None,
    ad_account: AccountOpt = None,
    conversion: ConversionOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and build requests; send nothing.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(metavar="N", help="Events per request (1-5000).")
    ] = 5000,
    journal: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="SQLite journal: a re-run sends only what LinkedIn has not acknowledged; "
            "the file is streamed in chunks.",
        ),
    ] = None,
    derive_event_ids: Annotated[
        bool,
        typer.Option(
            "--derive-event-ids",
            help="No eventId column: use a SHA-256 of each event as its eventId.",
        ),
    ] = False,
    max_in_flight: Annotated[
        int | None,
        typer.Option(metavar="N", min=1, max=16, help="Batches on the wire at once (1-16)."),
    ] = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    everything: AllOpt = False,
    map_: MapOpt = None,
    mapping: MappingOpt = None,
    separator: SeparatorOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    sql: SqlOpt = None,
    db: DbOpt = None,
    errors_out: ErrorsOutOpt = None,
    timezone: TimezoneOpt = None,
    date_format: DateFormatOpt = None,
    decimal_comma: DecimalCommaOpt = None,
) -> None:
    """Validate FILE and send its valid rows to LinkedIn (or the sandbox).

    Prints the validation summary and one line of counts; --json prints one JSON object
    (ok, counts, stopped, resume_at, problems). Exit 0 when everything valid was sent,
    1 when rows were invalid or failed or the export stopped early, 130 on Ctrl-C.

    Example:

        linkedin-capi export conversions.parquet --conversion 104012 --journal run.db
    """
    from linkedin_capi.cli._rules import connection_for_cli
    from linkedin_capi.delivery.export import export
    from linkedin_capi.display.html import mask
    from linkedin_capi.errors import PermissionDeniedError, ValidationFailed

    try:
        # With a journal the file is scanned lazily and sent in chunks (scheduled backfills).
        columns = parse_mapping(map_, mapping)
        from linkedin_capi.cli.readers import read_input

        source = read_input(
            file,
            lazy=journal is not None,
            separator=separator,
            encoding=encoding,
            sheet=sheet,
            sql=sql,
            db=db,
        )
        data = source.data
        conn: Connection | None
        try:
            conn = connection_for_cli(config, ad_account)
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
            mapping=columns,
            timezone=timezone,
            date_format=date_format,
            decimal_comma=decimal_comma,
            dry_run=dry_run,
            batch_size=batch_size,
            # A bar on a terminal; never in logs of scheduled jobs.
            progress=None if sys.stderr.isatty() else False,
            **options,  # type: ignore[arg-type]
        )
    except KeyboardInterrupt as exc:  # ExportInterrupted carries the partial result
        partial = getattr(exc, "result", None)
        if partial is not None:
            resume = (
                "re-run the same command to send the rest (the journal knows what was sent)"
                if journal
                else "re-run the same command with --journal to resume"
            )
            raise _fail(
                f"interrupted after {partial.sent} sent; {resume}", EXIT_INTERRUPTED
            ) from None
        raise _fail(
            "interrupted; re-run the same command to send the rest"
            + (" (the journal knows what was sent)" if journal else ""),
            EXIT_INTERRUPTED,
        ) from None
    except ValidationFailed as exc:
        typer.echo(cli_words(report_summary(exc.report, source)), err=True)
        raise _fail(str(exc).splitlines()[0], EXIT_ROWS) from None
    except (AuthError, VersionError, PermissionDeniedError) as exc:
        raise _fail(str(exc), EXIT_AUTH) from None
    except (ConfigError, SchemaError) as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    except CapiError as exc:
        raise _fail(str(exc), EXIT_ROWS) from None
    _reading_notes(source)
    _loud_warnings(result.warnings)
    if errors_out is not None:
        try:
            write_rows(errors_out, source.with_lines(export_rows_not_sent(result, data)))
        except ConfigError as exc:
            raise _fail(str(exc), EXIT_INPUT) from None
    _print_result(result, as_json=as_json, everything=everything, source=source)
    if result.failures.height:
        # A cron log keeps stderr: say why, not only how many.
        typer.echo(f"linkedin-capi: {result.summary()}; top reasons:", err=True)
        for status, _reason, n, example in result.reasons().head(5).iter_rows():
            typer.echo(f"  {n} {status}: {one_line(mask(example))}", err=True)
    if result.stopped:
        typer.echo(f"linkedin-capi: stopped early: {one_line(result.stopped)}", err=True)
    raise typer.Exit(EXIT_OK if result.ok and not result.stopped else EXIT_ROWS)


def conn_config_options(config: str) -> dict[str, object]:
    """The export options the ``--config`` file sets (``skip_invalid_records``)."""
    from linkedin_capi.cli._rules import read_result
    from linkedin_capi.config import ExportConfig

    return ExportConfig.from_td(read_result(config)).export_options()


def export_rows_not_sent(result: ExportResult, data: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Every row not sent: the input columns + ``status``, ``rule``, ``message``."""
    import polars as pl

    not_sent = result.rows.filter(~pl.col("status").is_in(["sent", "already_sent", "dry_run"]))
    rules = None
    if result.report is not None:
        errors = result.report.failures.filter(pl.col("severity") == "error")
        rules = errors.group_by("_row").agg(pl.col("rule").str.join("; "))
    keys = not_sent.select(
        pl.col("_row").cast(pl.UInt32),
        pl.col("status").cast(pl.String),
        pl.col("error").cast(pl.String).alias("message"),
    )
    if rules is not None:
        keys = keys.join(rules.with_columns(pl.col("_row").cast(pl.UInt32)), on="_row", how="left")
    else:
        keys = keys.with_columns(pl.lit(None, pl.String).alias("rule"))
    keys = keys.with_columns(
        pl.when(pl.col("status") == "skipped")
        .then(pl.lit("conversionHappenedAt.too_old"))
        .when(pl.col("status") == "failed")
        .then(pl.lit("linkedin.rejected"))
        .otherwise(pl.col("rule"))
        .alias("rule")
    )
    inputs = data.lazy().with_row_index("_row").join(keys.lazy(), on="_row", how="inner")
    return inputs.sort("_row").collect()


def export_summary(
    result: ExportResult, *, everything: bool = False, source: Input | None = None
) -> dict[str, object]:
    """The ``--json`` summary of an export (the schema the scheduling docs describe).

    ``problems`` lists the first 20 failed or invalid rows (all with ``everything``), with
    their file ``line`` (``sheet_row`` in a workbook) where rows map exactly;
    ``problems_left_out`` counts the rest, ``reasons`` groups all of them by message.
    """
    import polars as pl

    from linkedin_capi.display.html import mask

    failures = result.rows.filter(pl.col("status").is_in(["failed", "invalid"]))
    if source is not None and failures.height:
        failures = source.with_lines(failures)
    problems = failures if everything else failures.head(JSON_PROBLEMS)
    reasons = result.reasons().select("status", "rows", "example").head(JSON_PROBLEMS)
    return {
        "ok": result.ok and not result.stopped,
        "counts": result.counts,
        "stopped": result.stopped,
        "resume_at": result.resume_at.isoformat() if result.resume_at else None,
        # masked and in CLI words, like the text output and `validate --json`
        "problems": [
            {**p, "error": cli_words(mask(p["error"])) if p["error"] else p["error"]}
            for p in problems.to_dicts()
        ],
        "problems_left_out": failures.height - problems.height,
        "reasons": [{**r, "example": cli_words(mask(r["example"]))} for r in reasons.to_dicts()],
    }


def _print_result(
    result: ExportResult, *, as_json: bool, everything: bool = False, source: Input | None = None
) -> None:
    """One format for ``export`` and ``demo``: the report's summary, then the counts."""
    if as_json:
        typer.echo(json.dumps(export_summary(result, everything=everything, source=source)))
        return
    if result.report is not None:
        typer.echo(report_summary(result.report, source))
    typer.echo(f"Export: {result.summary()}")


auth_app = typer.Typer(
    name="auth",
    help="Authorize the SDK with LinkedIn.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(auth_app)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "no expiry given"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _token_lines(token: Token) -> list[str]:
    """When the stored tokens expire (never their values)."""
    lines = []
    if token.access_token is not None:
        lines.append(f"access token valid until {_when(token.expires_at)}")
    if token.refresh_token is not None:
        lines.append(f"refresh token valid until {_when(token.refresh_token_expires_at)}")
    return lines or ["no tokens"]


def _who(conn: Connection) -> tuple[str | None, list[AdAccount]]:
    """The authenticated member's URN and ad accounts (one adAccountUsers listing)."""
    from linkedin_capi.resources.accounts import authenticated_member

    return authenticated_member(conn), list(conn.ad_accounts())


@auth_app.command("login")
def auth_login_command(
    redirect_uri: Annotated[
        str,
        typer.Option(
            metavar="URL", help="Your app's redirect URL (must match the app's settings)."
        ),
    ] = "http://localhost:8765/callback",
    token_file: Annotated[
        str | None,
        typer.Option(
            metavar="PATH",
            help="Where to store the tokens (JSON, mode 0600). Default: LINKEDIN_CAPI_TOKEN_FILE, "
            "else token.json in your user config directory, where every later command looks.",
        ),
    ] = None,
    listen: Annotated[
        bool,
        typer.Option("--listen", help="Catch the redirect on the redirect URL's localhost port."),
    ] = False,
) -> None:
    """Sign in to LinkedIn once: print the consent URL, take the redirect, store the tokens.

    The client id and secret come from LINKEDIN_CAPI_CLIENT_ID / LINKEDIN_CAPI_CLIENT_SECRET
    (or a .env file). Later commands find the stored tokens without any other variable.

    Example:

        linkedin-capi auth login --listen
    """
    from linkedin_capi._constants import AUTHORIZATION_URL, ENV_VARS, TOKEN_URL
    from linkedin_capi.client.session import environment
    from linkedin_capi.client.tokens import FileTokenStore, default_token_file
    from linkedin_capi.connection import AuthorizationFlow, Connection

    env = environment()
    client_id = env.get(ENV_VARS["client_id"], "")
    client_secret = env.get(ENV_VARS["client_secret"], "")
    if not client_id or not client_secret:
        raise _fail(
            f"set {ENV_VARS['client_id']} and {ENV_VARS['client_secret']} to your "
            "developer app's credentials first (in the environment or a .env file)",
            EXIT_INPUT,
        )
    path = Path(token_file).expanduser() if token_file else default_token_file(env)
    token_url = env.get(ENV_VARS["token_url"]) or TOKEN_URL
    auth_url = env.get("LINKEDIN_CAPI_AUTHORIZATION_URL") or AUTHORIZATION_URL
    try:
        store = FileTokenStore(path)
        flow = AuthorizationFlow(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
            authorization_url=auth_url,
            token_url=token_url,
            token_store=store,
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
    finally:
        del env
    member: str | None = None
    accounts: list[AdAccount] = []
    problem: str | None = None
    try:
        # Everything else (base URL, version) as every later command will see it.
        member, accounts = _who(Connection.from_env(token_store=store))
    except CapiError as exc:  # the tokens are stored; who they belong to is a bonus
        problem = one_line(str(exc))
    usable = [a for a in accounts if a.usable]
    typer.echo(f"Signed in as {member or 'an unknown member'}; tokens stored in {path}")
    typer.echo("  " + "; ".join(_token_lines(token)))
    if problem is None:
        typer.echo(
            f"  ad accounts: {len(accounts)} ({len(usable)} usable"
            + (f": {', '.join(str(a.id) for a in usable)}" if usable else "")
            + ")"
        )
    else:
        typer.echo(f"  could not list the ad accounts yet: {problem}", err=True)
    typer.echo("Next: `linkedin-capi accounts`, then `linkedin-capi export FILE --conversion ID`")


@auth_app.command("status")
def auth_status_command(
    config: ResultOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who is signed in, the ad accounts they can upload to, and when the tokens expire.

    Example:

        linkedin-capi auth status
    """
    from linkedin_capi.cli._rules import connection_for_cli
    from linkedin_capi.client.tokens import FileTokenStore, default_token_file
    from linkedin_capi.display.safe import safe_text

    try:
        conn = connection_for_cli(config, None)
        store = conn.token_store
        where = str(store.path) if isinstance(store, FileTokenStore) else None
        member, accounts = _who(conn)
        token = conn.token
    except (AuthError, VersionError) as exc:
        raise _fail(str(exc), EXIT_AUTH) from None
    except CapiError as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    usable = [a for a in accounts if a.usable]
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "member": member,
                    "token_file": where,
                    "access_token_expires_at": token.expires_at,
                    "refresh_token_expires_at": token.refresh_token_expires_at,
                    "ad_accounts": [a.model_dump(mode="json") for a in accounts],
                }
            )
        )
        return
    typer.echo(f"Signed in as {member or 'an unknown member'}")
    source = where or f"the environment (no token file; the default is {default_token_file()})"
    typer.echo(f"  tokens from {source}")
    typer.echo("  " + "; ".join(_token_lines(token)))
    for a in accounts:
        typer.echo(f"  {a.id}\t{safe_text(a.name or '-')}\t{a.role}\t{_state(a)}")
    if not usable:
        typer.echo("  no usable ad account: uploads need a role other than VIEWER")


@app.command("demo")
def demo_command(
    rows: Annotated[
        int, typer.Option(metavar="N", min=1, max=1_000_000, help="Rows to generate.")
    ] = 200,
    write_sample: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Also write the generated input to FILE (.csv or .parquet), to try "
            "`linkedin-capi validate FILE` on it.",
        ),
    ] = None,
) -> None:
    """The main job on a generated frame: validate, create a rule, export, show the result.

    Everything runs locally against the sandbox (a LinkedIn stand-in on 127.0.0.1):
    no credentials, no network. With real credentials, `linkedin-capi export` does the
    same against LinkedIn.

    Example:

        linkedin-capi demo --rows 1000 --write-sample conversions.csv
    """
    from linkedin_capi.cli.demo import demo_frame
    from linkedin_capi.delivery.export import export
    from linkedin_capi.sandbox import Sandbox

    now = dt.datetime.now(dt.UTC)
    df = demo_frame(rows, now=now)
    typer.echo(f"Generated {df.height} conversion events (columns: {', '.join(df.columns)})")
    if write_sample:
        target = Path(write_sample).expanduser()
        try:
            if target.suffix.lower() == ".parquet":
                df.write_parquet(target)
            else:
                df.write_csv(target)
        except OSError as exc:
            message = f"--write-sample {write_sample}: cannot write it ({exc})"
            raise _fail(message, EXIT_INPUT) from None
        typer.echo(f"Wrote the generated input to {target}")
    with Sandbox(store_events=True) as sb:
        conn = sb.connection()
        rule = conn.rules.ensure("linkedin-capi demo purchases", type="PURCHASE")
        typer.echo(f"Conversion rule: {rule.name!r} ({rule.urn}) in ad account {sb.account_id}")
        result = export(df, conn, rule, now=now, progress=False)
        _print_result(result, as_json=False)
        typer.echo(f"LinkedIn sandbox at {sb.url} accepted {sb.event_count} events for {rule.urn}")
        if sb.events:
            typer.echo("First accepted event:")
            typer.echo(json.dumps(sb.events[0], indent=2))
    sample = write_sample or "conversions.csv"
    typer.echo(
        f"Next: try it on your own file — `linkedin-capi validate {sample} --conversion ID`"
        + ("" if write_sample else " (`--write-sample FILE` saves this demo's input)")
        + "; to send to LinkedIn, `linkedin-capi auth login` once, then "
        "`linkedin-capi export FILE --conversion ID`."
    )
    report = result.report
    valid = report.counts["valid"] if report is not None else result.sent
    raise typer.Exit(EXIT_OK if result.sent == valid else EXIT_ROWS)


@app.command("sandbox")
def sandbox_command(
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(metavar="PORT", help="Port (0 = any free port).")] = 8080,
    max_page_size: Annotated[
        int | None, typer.Option(metavar="N", help="Return at most this many rules per page.")
    ] = None,
    store_events: Annotated[bool, typer.Option(help="Keep accepted events in memory.")] = True,
    env_file: Annotated[
        str | None,
        typer.Option(
            metavar="PATH",
            help="Also write the LINKEDIN_CAPI_* variables to PATH (a .env file, mode 0600).",
        ),
    ] = None,
) -> None:
    """Serve a local LinkedIn stand-in (test credentials, no network) until Ctrl-C.

    Prints `export LINKEDIN_CAPI_...=` lines to paste into another shell, so every
    command there talks to the sandbox.

    Example:

        linkedin-capi sandbox --port 8080 --env-file .env
    """
    from linkedin_capi.sandbox import main as sandbox_main

    code = sandbox_main(
        host=host,
        port=port,
        max_page_size=max_page_size,
        store_events=store_events,
        env_file=env_file,
    )
    raise typer.Exit(code)


_cli_rules.mount(app)


def main(*, prepare: Callable[[], None] | None = None) -> None:
    """Run the CLI on ``sys.argv``: never a bare traceback (LINKEDIN_CAPI_DEBUG=1 gives one).

    Parameters
    ----------
    prepare
        Called once, after the command line is parsed and just before the first command
        body runs; ``--help`` and usage errors end before it. The console script passes
        the rest of the package's import here (``_linkedin_capi_cli.py``), so those need no
        Polars.
    """
    import os

    command = typer.main.get_command(app)
    if prepare is not None:
        _prepare_first(command, prepare)
    try:
        command()
    except KeyboardInterrupt:
        typer.echo("linkedin-capi: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
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


def _state(account: AdAccount) -> str:
    return "usable" if account.usable else "view only"


def _prepare_first(command: Any, prepare: Callable[[], None]) -> None:
    """Make ``command``'s body (and every subcommand's) call ``prepare()`` first.

    Click runs a callback only once its command line parsed, after eager options such as
    ``--help``, so wrapping the callbacks puts ``prepare`` exactly between parsing and work.
    """
    for sub in getattr(command, "commands", {}).values():
        _prepare_first(sub, prepare)
    body = command.callback
    if body is None:
        return

    @functools.wraps(body)
    def prepared(*args: Any, **kwargs: Any) -> Any:
        prepare()
        return body(*args, **kwargs)

    command.callback = prepared
