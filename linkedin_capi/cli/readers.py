"""The command line's readers: a file (or a query) as the frame the validator gets.

Faithful first: CSV and NDJSON are read as text (the validator parses text, so ``000123``
stays ``000123`` and one odd value is one invalid row, not an unreadable file); Excel
cells as text; Parquet and databases keep their own, declared types. :func:`read_input`
also says where each row sits in the file (:class:`Input`), so the CLI can speak of
``line 12`` where the library says ``_row`` 10 (``sheet row 12`` in a workbook).
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import polars as pl

from linkedin_capi.cli._sql import read_query
from linkedin_capi.errors import ConfigError

__all__ = [
    "EXCEL_INSTALL",
    "SEPARATORS",
    "Input",
    "detect_separator",
    "read_frame",
    "read_input",
]

#: Separators a CSV file may use; the header line decides (most frequent wins).
SEPARATORS = (",", ";", "\t", "|")

#: What to run when ``.xlsx`` support is missing (said in the CLI's one-line error).
EXCEL_INSTALL = "pip install 'linkedin-capi[excel]'"

_KINDS = (".csv", ".parquet", ".ndjson", ".jsonl", ".tsv", ".xlsx")


@dataclass(frozen=True)
class Input:
    """What the CLI read: the frame, where its rows are in the file, and what to tell.

    Parameters
    ----------
    data
        The rows, eager or lazy.
    lines
        Works out :attr:`first_line` when it is first needed (counting a big file's lines
        costs a pass over it, so a run without a problem to report never pays for it).
    notes
        Things the user should know about the reading (``WARNING:`` lines on stderr).
    unit
        What a place in the file is called: ``"line"`` in a text file, ``"sheet row"`` in
        a workbook (the row number Excel shows at the left); :attr:`column` is its name in
        ``--json`` and ``--errors-out``.

    Examples
    --------
    >>> import polars as pl
    >>> src = Input(pl.DataFrame({"a": ["x"]}), lines=lambda: 2)
    >>> src.where(0), src.where(9), Input(src.data).where(9)
    ('line 2', 'line 11', 'row 9')
    >>> sheet = Input(src.data, lines=lambda: 4, unit="sheet row")
    >>> sheet.where(0), sheet.column
    ('sheet row 4', 'sheet_row')
    """

    data: pl.DataFrame | pl.LazyFrame
    lines: Callable[[], int | None] | None = None
    notes: list[str] = field(default_factory=list)
    unit: str = "line"

    @cached_property
    def first_line(self) -> int | None:
        """The file line (sheet row) of ``_row`` 0 when rows map exactly, else ``None``.

        A CSV's header is line 1, so its first row is line 2; NDJSON starts at line 1; a
        sheet's first row is the one below its header, wherever that is. ``None`` where
        lines mean nothing (Parquet, a query) or are not one per row (a quoted value with a
        line break, blank NDJSON lines, a blank row between a sheet's rows).
        """
        return self.lines() if self.lines is not None else None

    @property
    def column(self) -> str:
        """The name of the :attr:`unit` as a column: ``line`` or ``sheet_row``."""
        return self.unit.replace(" ", "_")

    def where(self, row: int) -> str:
        """``"line N"`` or ``"sheet row N"`` (1-based, in the file) when exact, else ``"row N"``."""
        if self.first_line is None:
            return f"row {row}"
        return f"{self.unit} {row + self.first_line}"

    def with_lines(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (keyed by ``_row``) with a :attr:`column` after ``_row`` when exact.

        A column of the file's own with that name (a CSV with a ``line`` column) is left as
        it is, and none is added.
        """
        name = self.column
        if self.first_line is None or "_row" not in frame.columns or name in frame.columns:
            return frame
        line = (pl.col("_row").cast(pl.Int64) + self.first_line).alias(name)
        at = frame.columns.index("_row") + 1
        out = frame.with_columns(line)
        order = [*frame.columns[:at], name, *frame.columns[at:]]
        return out.select(order)


def detect_separator(head: bytes) -> str:
    """The separator of a CSV file from its first bytes: the one most used in the header.

    Examples
    --------
    >>> detect_separator(b"a;b;c"), detect_separator(b"a|b"), detect_separator(b"a")
    (';', '|', ',')
    """
    line = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    # Separators inside quoted header names do not count.
    outside = "".join(part for i, part in enumerate(line.split('"')) if i % 2 == 0)
    counts = {sep: outside.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_options(separator: str | None, head: bytes) -> dict[str, object]:
    """Every column as text: the validator parses text, so ``000123`` stays ``000123``."""
    sep = separator if separator is not None else detect_separator(head)
    if sep in {"\\t", "tab"}:
        sep = "\t"
    if len(sep) != 1:
        raise ConfigError(f"--separator: expected one character such as ';', got {sep!r}")
    return {"separator": sep, "infer_schema": False}


def _plain(encoding: str | None) -> bool:
    return encoding is None or encoding.lower().replace("-", "") in {"utf8", "utf8sig"}


def _utf8(data: bytes, encoding: str | None, source: str) -> bytes:
    """``data`` as UTF-8 without a byte-order mark (decoded from ``encoding`` first)."""
    if _plain(encoding):
        return data.removeprefix(b"\xef\xbb\xbf")
    assert encoding is not None
    try:
        return data.decode(encoding).encode("utf-8")
    except LookupError:
        raise ConfigError(f"--encoding: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{source}: not {encoding} (byte {exc.start + 1} cannot be decoded); "
            "pass the file's --encoding"
        ) from None


def _line_count(data: bytes | Path) -> int:
    """Lines in ``data`` (a last line without a newline counts; a final newline does not)."""
    if isinstance(data, bytes):
        return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    count, last = 0, b""
    with data.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (1 if last and last != b"\n" else 0)


def _first_line(frame: pl.DataFrame | pl.LazyFrame, lines: int, header_lines: int) -> int | None:
    """``header_lines + 1`` when the file has exactly one line per row, else ``None``."""
    height = (
        frame.height if isinstance(frame, pl.DataFrame) else frame.select(pl.len()).collect().item()
    )
    return header_lines + 1 if lines == height + header_lines else None


def read_input(
    path: str | None,
    *,
    lazy: bool = False,
    separator: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    sql: str | None = None,
    db: str | None = None,
) -> Input:
    """Read ``path`` (by extension, ``-`` for CSV on stdin), or run ``sql`` on ``db``.

    See :func:`read_frame` for the file formats; ``sql``/``db`` are the ``--sql QUERY
    --db URI`` options (SQLite and DuckDB files, PostgreSQL), streamed when ``lazy``.

    Raises
    ------
    ConfigError
        Unknown extension, unreadable or empty file, a missing optional package, both or
        neither of FILE and ``--sql``, a database or query that cannot be read.
    """
    if sql is not None or db is not None:
        if path is not None:
            raise ConfigError(f"give either FILE ({path}) or --sql QUERY --db URI, not both")
        if sql is None or db is None:
            missing = "--db URI" if sql is not None else "--sql QUERY"
            raise ConfigError(f"--sql and --db go together: add {missing}")
        for flag, value in (("--separator", separator), ("--encoding", encoding)):
            if value is not None:
                raise ConfigError(f"{flag} applies to CSV files; a --sql query has no use for it")
        if sheet is not None:
            raise ConfigError("--sheet applies to .xlsx workbooks; a --sql query has none")
        return Input(read_query(sql, db, lazy=lazy))
    if path is None:
        raise ConfigError("expected a FILE (CSV, Parquet, NDJSON, .xlsx) or --sql QUERY --db URI")
    if sheet is not None and Path(path).suffix.lower() != ".xlsx":
        raise ConfigError(f"--sheet applies to .xlsx workbooks only, and {path} is not one")
    if path == "-":
        data = sys.stdin.buffer.read()
        if not data.strip():
            raise ConfigError("stdin is empty; expected CSV with a header row")
        data = _utf8(data, encoding, "stdin")
        opts = _csv_options(separator, data[:65536])
        frame = _read(lambda: pl.read_csv(io.BytesIO(data), **opts), "stdin")  # type: ignore[arg-type]
        return Input(frame, lambda: _first_line(frame, _line_count(data), 1))
    p = Path(path)
    parts = _parquet_parts(path)
    if parts is not None:
        if lazy:
            return Input(_read_lazy(lambda: pl.scan_parquet(parts), path))
        return Input(_read(lambda: pl.read_parquet(parts), path))
    suffix = p.suffix.lower()
    if suffix not in _KINDS:
        raise ConfigError(
            f"{path}: unknown file type {p.suffix or '(none)'!r}; expected one of "
            f"{', '.join(_KINDS)}, a directory of Parquet parts (or '-' for CSV on stdin)"
        )
    if not p.is_file():
        raise ConfigError(f"{path}: no such file")
    if p.stat().st_size == 0:
        raise ConfigError(f"{path}: the file is empty")
    if suffix == ".parquet":
        if lazy:
            return Input(_read_lazy(lambda: pl.scan_parquet(p), path))
        return Input(_read(lambda: pl.read_parquet(p), path))
    if suffix == ".xlsx":
        return _read_excel(p, sheet, lazy=lazy)
    if suffix in {".ndjson", ".jsonl"}:
        return _read_ndjson(p, lazy=lazy)
    with p.open("rb") as fh:
        head = fh.read(65536)
    if suffix == ".tsv" and separator is None:
        separator = "\t"
    if not _plain(encoding):
        data = _utf8(p.read_bytes(), encoding, path)
        opts = _csv_options(separator, data[:65536])
        frame = _read(lambda: pl.read_csv(io.BytesIO(data), **opts), path)  # type: ignore[arg-type]
        return Input(frame, lambda: _first_line(frame, _line_count(data), 1))
    opts = _csv_options(separator, head.removeprefix(b"\xef\xbb\xbf"))
    csv: pl.DataFrame | pl.LazyFrame
    if lazy:
        csv = _read_lazy(lambda: pl.scan_csv(p, **opts), path)  # type: ignore[arg-type]
    else:
        csv = _read(lambda: pl.read_csv(p, **opts), path)  # type: ignore[arg-type]
    return Input(csv, lambda: _first_line(csv, _line_count(p), 1))


def read_frame(
    path: str,
    *,
    lazy: bool = False,
    separator: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> pl.DataFrame | pl.LazyFrame:
    """Read CSV, Parquet, NDJSON or ``.xlsx`` by extension, ``-`` for CSV on stdin.

    CSV is read as text, every column ``String`` (no type inference: ``000123`` stays
    ``000123`` and one odd value cannot make the file unreadable); its separator is
    detected from the header (``,`` ``;`` tab ``|``) unless ``separator`` is given; a UTF-8
    byte-order mark is dropped and other encodings are decoded with ``encoding``. NDJSON
    is read as text too: every value ``String`` (a JSON number keeps its digits), arrays
    ``list[str]``. ``.xlsx`` (the ``excel`` extra) reads one sheet, the first unless
    ``sheet`` names one, every cell as text. A directory, or a glob pattern, of Parquet
    parts is read as one frame; Parquet keeps its types.

    With ``lazy=True`` files are scanned (``pl.scan_*``): nothing is read until an export
    pulls chunks. Stdin, ``.xlsx`` (and a file in another encoding) are always read whole.

    Raises
    ------
    ConfigError
        Unknown extension, unreadable or empty file, ``.xlsx`` without the ``excel`` extra.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "web.ndjson"
    >>> _ = path.write_text('{"eventId": "000123", "amount": 12.50, "externalIds": ["007"]}\\n')
    >>> read_frame(str(path)).row(0)
    ('000123', '12.5', ['007'])
    """
    return read_input(path, lazy=lazy, separator=separator, encoding=encoding, sheet=sheet).data


def _read_ndjson(p: Path, *, lazy: bool) -> Input:
    """NDJSON as text: the keys of every line (a full pass), each ``String`` or ``list[str]``.

    A JSON number is kept as its digits (``12345678901234567`` stays exact), a string as
    given (``"000123"``), an array as a list of text, an object as its JSON text.
    """
    try:
        found = pl.scan_ndjson(p, infer_schema_length=None).collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ConfigError(f"{p}: cannot read it ({_first(exc)})") from exc
    schema = {
        name: pl.List(pl.String) if isinstance(dtype, pl.List) else pl.String
        for name, dtype in found.items()
    }
    frame: pl.DataFrame | pl.LazyFrame
    if lazy:
        frame = _read_lazy(lambda: pl.scan_ndjson(p, schema=schema), str(p))
    else:
        frame = _read(lambda: pl.read_ndjson(p, schema=schema), str(p))
    return Input(frame, lambda: _first_line(frame, _line_count(p), 0))


def _read_excel(p: Path, sheet: str | None, *, lazy: bool) -> Input:
    """One sheet of a workbook, every cell as text (Excel's own digits: ``007`` stays)."""
    if importlib.util.find_spec("fastexcel") is None:
        raise ConfigError(f"{p}: reading .xlsx needs the excel extra: {EXCEL_INSTALL}")
    import fastexcel

    try:
        names = fastexcel.read_excel(str(p)).sheet_names
    except (fastexcel.FastExcelError, OSError) as exc:
        raise ConfigError(f"{p}: cannot read it as an .xlsx workbook ({_first(exc)})") from None
    if not names:
        raise ConfigError(f"{p}: the workbook has no sheets")
    if sheet is not None and sheet not in names:
        raise ConfigError(f"--sheet: {p} has no sheet {sheet!r}; its sheets: {', '.join(names)}")
    chosen = sheet if sheet is not None else names[0]
    notes = []
    if sheet is None and len(names) > 1:
        others = ", ".join(repr(n) for n in names[1:])
        notes.append(
            f"{p}: read the first sheet {chosen!r} only; the workbook also has {others} "
            "(choose one with --sheet NAME)"
        )
    # infer_schema_length=0: every column as text, so a text cell "000123" and a number
    # cell 1250 both arrive as Excel holds them, and one odd cell cannot null a column.
    try:
        frame = _read(
            lambda: pl.read_excel(p, sheet_name=chosen, engine="calamine", infer_schema_length=0),
            str(p),
        )
    except fastexcel.FastExcelError as exc:
        raise ConfigError(f"{p}: cannot read sheet {chosen!r} ({_first(exc)})") from None
    return Input(
        frame.lazy() if lazy else frame,
        lambda: _sheet_first_row(p, chosen, frame.height),
        notes,
        unit="sheet row",
    )


def _sheet_first_row(p: Path, sheet: str, height: int) -> int | None:
    """The sheet row (1-based, as Excel numbers it) of ``_row`` 0 when rows map exactly.

    fastexcel takes the first row with a value as the header, wherever it is: blank rows
    above it are skipped, and nothing it returns says how many. Polars' ``read_excel`` then
    drops every row without a value, so a blank row between rows moves the ones below it
    up. Read again with no header and nothing skipped, the sheet starts at its row 1: that
    finds the header's row, and any blank row among the data makes the answer ``None``
    (messages keep ``row N``), as does a count that differs from the frame's.
    """
    import fastexcel

    try:
        whole = pl.DataFrame(
            fastexcel.read_excel(str(p)).load_sheet(
                sheet, header_row=None, skip_rows=0, dtypes="string"
            )
        )
        filled = whole.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
    except (fastexcel.FastExcelError, pl.exceptions.PolarsError, OSError):
        return None
    rows = filled.arg_true()  # the 0-based sheet rows with a value: the header, the data
    if rows.len() != height + 1 or rows[-1] - rows[0] != height:
        return None
    return int(rows[0]) + 2


def _parquet_parts(path: str) -> list[Path] | None:
    """The Parquet files of a directory or glob pattern, sorted; ``None`` for a plain file."""
    p = Path(path)
    if p.is_dir():
        found = sorted(q for q in p.rglob("*.parquet") if q.is_file())
        if not found:
            raise ConfigError(f"{path}: a directory without .parquet files")
        return found
    if any(ch in path for ch in "*?["):
        anchor = Path(path).anchor or "."
        pattern = str(Path(path).relative_to(anchor)) if Path(path).is_absolute() else path
        found = sorted(q for q in Path(anchor).glob(pattern) if q.is_file())
        if not found:
            raise ConfigError(f"{path}: no file matches the pattern")
        if any(q.suffix.lower() != ".parquet" for q in found):
            raise ConfigError(f"{path}: a pattern may only match .parquet files")
        return found
    return None


def _first(exc: BaseException) -> str:
    """The first line of an error, with a hint when it is about the text encoding."""
    text = str(exc).strip()
    first_line = text.splitlines()[0] if text else type(exc).__name__
    if "utf-8" in first_line.lower() or "utf8" in first_line.lower():
        first_line += "; the file is not UTF-8: pass its --encoding, e.g. --encoding cp1252"
    return first_line


def _read_lazy(scan: Callable[[], pl.LazyFrame], source: str) -> pl.LazyFrame:
    try:
        lf = scan()
        first = lf.head(1).collect()  # reads a few rows: a broken file fails here, not mid-run
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ConfigError(f"{source}: cannot read it ({_first(exc)})") from exc
    if first.height == 0:
        raise ConfigError(f"{source}: no rows (columns found: {first.columns})")
    return lf


def _read(read: Callable[[], pl.DataFrame], source: str) -> pl.DataFrame:
    try:
        df = read()
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise ConfigError(f"{source}: cannot read it ({_first(exc)})") from exc
    if df.height == 0:
        # A header without rows is almost always a failed export, not "all good".
        raise ConfigError(f"{source}: no rows (columns found: {df.columns})")
    return df
