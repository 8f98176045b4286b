"""The scheduling page's examples that cannot run here still have to be valid.

The Airflow DAG and the Dagster asset need those orchestrators (not dependencies of this
project): they are compiled, and every name they import from linkedin_capi must exist. The
crontab line and the systemd units are parsed with the formats' own rules.
"""

from __future__ import annotations

import ast
import configparser
import re
import shlex
from pathlib import Path

import pytest

import linkedin_capi as capi

PAGE = Path(__file__).resolve().parents[2] / "docs" / "scheduling.md"
TEXT = PAGE.read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TEXT, re.S)


def skipped_python() -> dict[str, str]:
    """The Python blocks behind a skip marker, keyed by the reason's first words."""
    found = {}
    for reason, code in re.findall(
        r'<!-- skip: next "([^"]+)" -->\n```python\n(.*?)```', TEXT, re.S
    ):
        found[reason.split(";")[0]] = code
    return found


def test_the_orchestrator_examples_are_there() -> None:
    assert set(skipped_python()) == {"needs Apache Airflow", "needs Dagster"}


@pytest.mark.parametrize("reason", ["needs Apache Airflow", "needs Dagster"])
def test_orchestrator_example_compiles_and_uses_real_names(reason: str) -> None:
    code = skipped_python()[reason]
    tree = ast.parse(code)  # a SyntaxError fails the test
    compile(tree, f"scheduling.md ({reason})", "exec")
    # every capi.<name> it uses exists, and so does every result attribute it reads
    used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == "capi"}  # fmt: skip
    assert used and all(hasattr(capi, name) for name in used), used
    for attr in ("stopped", "resume_at", "counts"):
        if f"result.{attr}" in code:
            assert attr in capi.ExportResult.__dataclass_fields__ or hasattr(
                capi.ExportResult, attr
            )
    assert "lf.capi.export(conn, journal=" in code


def test_crontab_line_has_five_fields_and_a_command() -> None:
    (cron,) = blocks("cron")
    lines = [line for line in cron.splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert len(fields) == 6
    ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    for value, (low, high) in zip(fields[:5], ranges, strict=True):
        assert value == "*" or low <= int(value) <= high, value
    command = shlex.split(fields[5].split("&&", 1)[1].split(">>", 1)[0])
    assert command[:2] == ["linkedin-capi", "export"] and "--journal" in command


def test_systemd_units_parse() -> None:
    service, timer = blocks("ini")
    units = {}
    for text in (service, timer):
        parser = configparser.ConfigParser(strict=True, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(text)
        units[tuple(parser.sections())] = parser
    svc = units[("Unit", "Service")]
    assert svc["Service"]["Type"] == "oneshot"
    assert svc["Service"]["ExecStart"].split()[1:3] == ["export", "exports/conversions.parquet"]
    tmr = units[("Unit", "Timer", "Install")]
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d UTC", tmr["Timer"]["OnCalendar"])
    assert tmr["Install"]["WantedBy"] == "timers.target"


def test_json_summary_example_has_the_documented_keys() -> None:
    import json

    (example,) = blocks("json")
    summary = json.loads(example.replace("…", ""))
    assert set(summary) == {"ok", "counts", "stopped", "resume_at", "problems"}
    from linkedin_capi.delivery.result import EXPORT_STATUSES

    assert set(summary["counts"]) == {"total", *EXPORT_STATUSES}
