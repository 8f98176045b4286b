"""The example notebooks: stored without outputs, and they run top to bottom, offline.

Each notebook starts its own ``Sandbox()`` (a local LinkedIn on 127.0.0.1), so running
them needs no credentials and no network. Execution goes through nbclient in a real
ipykernel — the same machinery as ``jupyter nbconvert --execute`` and nbmake.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))

#: Text each notebook's outputs must contain once run (HTML or plain text).
EXPECTED = {
    "01-quickstart.ipynb": [
        "ValidationReport",
        "Identifier coverage",
        "<svg",
        "ExportResult",
        "urn:lla:llaPartnerConversion:",
    ],
    "02-conversion-rules.ipynb": [
        "Sandbox Outdoor Co.",
        "Newsletter sign-ups",
        "365 days is only allowed",
        "Demo requests",
        "view-through window  30 days",
    ],
    "03-from-a-warehouse.ipynb": [
        "got '2026'",  # the naive SQLite CAST, caught by the validator
        "Datetime(time_unit='us', time_zone=None)",
        "300 rows: 300 sent",
    ],
}

# A credential typed into a notebook (the sandbox hands out its own test values).
SECRET_ASSIGNMENT = re.compile(r"(client_secret|refresh_token|access_token)\s*=\s*['\"]")


def test_the_three_notebooks_exist() -> None:
    assert set(EXPECTED) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: a cell has outputs; strip them"
            assert cell.execution_count is None, f"{name}: a cell has an execution count"
        assert "execution" not in cell.metadata
    assert "widgets" not in nb.metadata, f"{name}: saved widget state; strip it"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_has_no_typed_in_credentials(name: str) -> None:
    text = (NOTEBOOKS / name).read_text(encoding="utf-8")
    assert not SECRET_ASSIGNMENT.search(text)


def outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type == "error":
                parts.append(f"{out.ename}: {out.evalue}")
            else:
                data = out.get("data", {})
                parts.extend(str(data.get(k, "")) for k in ("text/html", "text/plain"))
                if "application/json" in data:
                    parts.append(json.dumps(data["application/json"]))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbclient import NotebookClient

    # A private IPython profile: no user startup files change what the notebook does.
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    text = outputs_text(nb)
    assert "Traceback" not in text
    for expected in EXPECTED.get(name, []):
        assert expected in text, f"{name}: expected {expected!r} in the outputs"
