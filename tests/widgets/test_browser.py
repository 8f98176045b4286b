"""The notebooks in a real browser: JupyterLab on 127.0.0.1, driven in Debian's Chromium.

Run with ``uv run pytest -m browser`` (needs ``chromium`` on PATH: ``bash
.ci/install-browser``). Set ``CAPI_SCREENSHOTS=docs/img`` to refresh the docs'
screenshots from the same run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _support.jupyterlab import CHROMIUM_ARGS, Lab, chromium_path, jupyterlab

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with jupyterlab(ROOT / "notebooks", tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Playwright gives every launch a fresh, empty profile directory.
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1800})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    yield tab
    context.close()


def screenshot(element: Any, name: str) -> None:
    """Save ``element`` as ``$CAPI_SCREENSHOTS/<name>.png`` when that variable is set."""
    target = os.environ.get("CAPI_SCREENSHOTS")
    if target:
        out = Path(target)
        out.mkdir(parents=True, exist_ok=True)
        element.screenshot(path=str(out / f"{name}.png"))


def open_and_run(page: Any, lab: Lab, notebook: str) -> None:
    """Open ``notebook``, wait for its kernel, run every cell."""
    # A workspace of its own, so no tab of an earlier test is restored and current.
    workspace = notebook.split(".")[0]
    page.goto(lab.page(f"/lab/workspaces/{workspace}/tree/{notebook}"))
    page.locator(".jp-Notebook").wait_for()
    page.locator(".lm-TabBar-tab.jp-mod-current", has_text=notebook).wait_for()
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for()
    # The same command as Run ▸ Run All Cells (the server exposes window.jupyterapp).
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def test_rule_creator_creates_a_rule_in_jupyterlab(page: Any, lab: Lab) -> None:
    from playwright.sync_api import expect

    open_and_run(page, lab, "02-conversion-rules.ipynb")
    # The first form of the notebook: RuleCreator(conn), as a person would use it.
    form = page.locator(".jp-Cell").filter(has_text="creator = RuleCreator(conn)")
    name = form.get_by_placeholder("Rule name, e.g. Demo requests")
    name.fill("Created in the browser")
    form.locator("select").nth(1).select_option(label="Purchase")  # conversion type
    form.locator("select").nth(2).select_option(label="365 days")  # only offered for Purchase
    # "Link campaigns" → "Campaigns I choose" shows the campaign picker (issue 13).
    campaigns = form.locator("select[multiple]")
    expect(campaigns).to_be_hidden()
    form.locator("select").nth(5).select_option(label="Campaigns I choose (pick below)")
    expect(campaigns).to_be_visible(timeout=TIMEOUT_MS)
    campaigns.select_option(label="Sandbox spring sale — active, 600000001")
    form.locator("button[title='Create rule']").click()

    status = form.locator(".widget-html").last
    expect(status).to_contain_text("Created conversion rule", timeout=TIMEOUT_MS)
    expect(status).to_contain_text("Created in the browser")
    expect(status).to_contain_text("urn:lla:llaPartnerConversion:")
    expect(status).to_contain_text("Purchase")
    expect(status).to_contain_text("365 days")
    expect(status).to_contain_text("Linked 1 campaign: Sandbox spring sale")
    form.scroll_into_view_if_needed()
    screenshot(form, "rule-creator")


def test_validation_report_renders_in_jupyterlab(page: Any, lab: Lab) -> None:
    from playwright.sync_api import expect

    open_and_run(page, lab, "01-quickstart.ipynb")
    cell = page.locator(".jp-Cell").filter(has_text="report = df.capi.validate(")
    output = cell.locator(".jp-OutputArea-output")
    expect(output).to_contain_text("Identifier coverage (valid rows)", timeout=TIMEOUT_MS)
    expect(output).to_contain_text("Invalid rows by rule")
    expect(output).to_contain_text("invalid rows")
    # Untrusted HTML is sanitised by JupyterLab: the report must survive it (no <script>).
    expect(output.locator("table").first).to_be_visible()
    cell.scroll_into_view_if_needed()
    screenshot(cell, "validation-report")

    charts = page.locator(".jp-Cell").filter(has_text="report.plot()").first
    expect(charts.locator("svg[role='img']")).to_have_count(2)
    expect(charts.locator("svg[role='img'] > title").first).to_have_text("Invalid rows by field")
    charts.scroll_into_view_if_needed()
    screenshot(charts, "report-plot")


def test_the_lab_wants_its_token_and_checks_xsrf(lab: Lab) -> None:
    """Nobody else on the machine can use the test server: token required, XSRF on."""
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{lab.url}/api/contents", timeout=10)
    assert anonymous.value.code == 403
    anonymous.value.close()
    # A cookie-authenticated POST without the XSRF header (what a hostile page would send).
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(lab.page("/lab"), timeout=30) as login:
        login.read()
    with pytest.raises(urllib.error.HTTPError) as forged:
        opener.open(
            urllib.request.Request(f"{lab.url}/api/contents", data=b"{}", method="POST"),
            timeout=10,
        )
    assert forged.value.code == 403
    forged.value.close()
    with urllib.request.urlopen(
        urllib.request.Request(
            f"{lab.url}/api/contents", headers={"Authorization": f"token {lab.token}"}
        ),
        timeout=10,
    ) as ok:
        assert ok.status == 200
