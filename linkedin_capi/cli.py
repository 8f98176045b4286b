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

from linkedin_capi.demo import demo_frame
from linkedin_capi.errors import CapiError, ConfigError
from linkedin_capi.report import ValidationReport
from linkedin_capi.validate import validate

__all__ = ["app", "main", "read_frame"]

app = typer.Typer(
    name="linkedin-capi",
    help="Validate and send conversion events to LinkedIn's Conversions API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_ROWS, EXIT_INPUT, EXIT_AUTH = 0, 1, 2, 3

_READERS: dict[str, Callable[[Path], pl.DataFrame]] = {
    ".csv": lambda p: pl.read_csv(p),
    ".parquet": lambda p: pl.read_parquet(p),
    ".ndjson": lambda p: pl.read_ndjson(p),
    ".jsonl": lambda p: pl.read_ndjson(p),
}


def read_frame(path: str) -> pl.DataFrame:
    """Read CSV, Parquet or NDJSON by extension, ``-`` for CSV on stdin.

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
    return _read(lambda: reader(p), path)


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
    typer.echo(f"linkedin-capi: {message}", err=True)
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


@app.command("validate")
def validate_command(
    file: Annotated[str, typer.Argument(help="CSV, Parquet or NDJSON file; '-' for CSV on stdin.")],
    conversion: Annotated[
        str | None, typer.Option(help="Rule id or URN for rows without a conversion.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Check FILE against LinkedIn's rules and show what would be rejected and why."""
    try:
        report = validate(read_frame(file), conversion)
    except CapiError as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    _print_report(report, as_json=as_json)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ROWS)


@app.command("demo")
def demo_command(
    rows: Annotated[int, typer.Option(min=1, max=1_000_000, help="Rows to generate.")] = 200,
) -> None:
    """Run the main job on an embedded, generated frame of conversions (no credentials)."""
    now = dt.datetime.now(dt.UTC)
    df = demo_frame(rows, now=now)
    typer.echo(f"Generated {df.height} conversion events (columns: {', '.join(df.columns)})")
    report = validate(df, conversion=123, now=now)
    typer.echo(report.summary())
    typer.echo(f"{report.counts['valid']} events are ready to send, e.g.:")
    if report.valid.height:
        typer.echo(json.dumps(report.payloads()[0], indent=2))


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


def main() -> None:
    """Console-script entry point."""
    app()
