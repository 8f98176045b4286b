"""Every Python example in README.md and docs/*.md runs, against a fresh sandbox.

Sybil parses the Markdown: each ```python block is executed in order, in one namespace per
page, and ``>>>`` blocks compare their output. A block that cannot run here (real
LinkedIn, a browser sign-in, Airflow) carries ``<!-- skip: next "reason" -->``; a skip
without a reason fails. The pages run in a temporary directory holding the sample files
they read, with ``LINKEDIN_CAPI_*`` pointing at the sandbox and HOME/XDG dirs of their own,
so no example can read the developer's tokens or write into the repository.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import unittest
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

import linkedin_capi as capi
from linkedin_capi.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
SAMPLE = ROOT / "docs" / "examples" / "conversions.csv"
#: The day the sample file's times are relative to (its rows are 1-3 days older).
SAMPLE_NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)

# Examples that are allowed not to run, by page: (the reason must contain this text).
ALLOWED_SKIPS: dict[str, list[str]] = {
    "credentials.md": ["real LinkedIn app", "browser"],
    "migrating.md": ["placeholders"],
    "scheduling.md": ["Apache Airflow", "Dagster"],
}
# Until the column mapping lands (issue 14), its examples skip themselves by condition.
HAS_MAPPING = "mapping" in inspect.signature(capi.validate).parameters
if not HAS_MAPPING:
    for page in ("README.md", "data.md"):
        ALLOWED_SKIPS.setdefault(page, []).append("mapping= arrives with issue 14")


def shifted_sample(now: dt.datetime) -> str:
    """The sample file with its times moved so they sit as far before ``now`` as before
    ``SAMPLE_NOW`` (each in its own format), so the examples stay inside the 90-day window."""
    delta = now.date() - SAMPLE_NOW.date()
    out = []
    for i, line in enumerate(SAMPLE.read_text().splitlines()):
        if i:
            stamp, rest = line.split(",", 1)
            day = dt.date.fromisoformat(stamp[:10]) + delta
            stamp = day.isoformat() + stamp[10:]
            line = f"{stamp},{rest}"
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture
def docs_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A sandbox, sample files and LINKEDIN_CAPI_* variables, in an empty directory."""
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv(name, str(tmp_path / name))
    for var in list(__import__("os").environ):
        if var.startswith("LINKEDIN_CAPI_"):
            monkeypatch.delenv(var)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    text = shifted_sample(dt.datetime.now(dt.UTC))
    Path("conversions.csv").write_text(text)
    pl.read_csv("conversions.csv").write_parquet("conversions.parquet")
    crm = pl.read_csv("conversions.csv").select(
        pl.col("conversionHappenedAt").alias("Created Date"),
        pl.col("SHA256_EMAIL").alias("Email"),
        pl.col("eventId").alias("Order"),
    )
    crm.write_csv("crm_export.csv")
    with Sandbox() as sb:
        for key, value in sb.connection_kwargs().items():
            monkeypatch.setenv(f"LINKEDIN_CAPI_{key.upper()}", str(value))
        monkeypatch.setenv("LINKEDIN_CAPI_CONVERSION", str(sb.rule_id))
        yield sb


def _sybil() -> Sybil:
    return Sybil(parsers=[PythonCodeBlockParser(), SkipParser()])


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run(page: Path, docs_env: Sandbox) -> None:
    """Every example on the page runs; the only skips are the declared ones."""
    document = _sybil().parse(page)
    document.namespace.update(HAS_MAPPING=HAS_MAPPING, sb=docs_env)
    ran, skipped = 0, []
    for example in document:
        try:
            example.evaluate()
        except unittest.SkipTest as skip:
            skipped.append(str(skip))
        else:
            ran += 1
    allowed = ALLOWED_SKIPS.get(page.name, [])
    unexpected = [s for s in skipped if not any(a in s for a in allowed)]
    assert not unexpected, f"{page.name}: skipped without an allowed reason: {unexpected}"
    assert len(skipped) <= len(allowed), f"{page.name}: more skips than declared: {skipped}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_skip_has_a_reason(page: Path) -> None:
    """``<!-- skip: next -->`` with no reason would hide a block silently."""
    bare = re.findall(r"<!--\s*skip:\s*(?:next|start)\s*-->", page.read_text())
    assert not bare, f"{page.name}: a skip marker without a reason"


def test_pages_have_python_examples() -> None:
    """The runner finds the blocks (a parser that matched nothing would pass vacuously)."""
    counts = {p.name: sum(1 for _ in _sybil().parse(p)) for p in PAGES}
    assert counts["README.md"] >= 6, counts
    assert sum(counts.values()) >= 40, counts


def test_readme_sample_is_the_shipped_file() -> None:
    """The 5-line sample shown in the README is docs/examples/conversions.csv."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```csv\n(.*?)```", readme, re.S)
    assert block is not None
    assert block.group(1) == SAMPLE.read_text()
    assert len(SAMPLE.read_text().splitlines()) == 5


def console_blocks() -> list[tuple[str, str, str]]:
    """``$ linkedin-capi ...`` console blocks: (page, command line, expected output)."""
    found = []
    for page in PAGES:
        for block in re.findall(r"```console\n(.*?)```", page.read_text(), re.S):
            first, _, output = block.partition("\n")
            if first.startswith("$ linkedin-capi "):
                found.append((page.name, first[2:], output))
    return found


@pytest.mark.parametrize(("page", "command", "expected"), console_blocks())
def test_console_examples_print_what_they_show(
    page: str, command: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shown command prints exactly the output shown under it (run from the repo root)."""
    import shlex

    from typer.testing import CliRunner

    from linkedin_capi.cli import app

    monkeypatch.chdir(ROOT)
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(app, args)
    assert result.output == expected, f"{page}: {command}"


def test_console_examples_exist() -> None:
    assert any(page == "README.md" for page, _, _ in console_blocks())
