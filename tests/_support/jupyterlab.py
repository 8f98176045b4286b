"""Test helpers: a throwaway JupyterLab on 127.0.0.1 and Debian's Chromium via Playwright.

Playwright's own browser download cannot work offline, so the tests drive the system
Chromium (``.ci/install-browser`` installs Debian's package) through ``executable_path``.
JupyterLab gets private config, data, runtime, settings and workspace directories, and a
copy of the notebooks, so nothing of the developer's setup leaks in and autosave never
touches the repository. The server requires a random token (handed over in the
environment, not on the command line other users can read with ``ps``) and keeps its XSRF
checks on; the browser opens ``…?token=`` once, which sets the login and XSRF cookies.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_SECONDS = 90


def chromium_path() -> str:
    """The system Chromium, or a test failure that says how to install it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium not found on PATH: run `bash .ci/install-browser` (Debian package)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Lab:
    """A running JupyterLab: its URL and the directory it serves."""

    url: str
    root: Path
    log: Path
    token: str

    def page(self, path: str) -> str:
        """The URL of ``path`` (``/lab/...``) with the login token."""
        return f"{self.url}{path}?token={self.token}"


def _write_settings(base: Path) -> dict[str, str]:
    config = base / "config"
    (config / "labconfig").mkdir(parents=True)
    # No "news" consent toast over the screenshots.
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    tracker = base / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    # Start the notebook's kernel without the "Select Kernel" dialog.
    (tracker / "tracker.jupyterlab-settings").write_text(
        json.dumps({"autoStartDefaultKernel": True})
    )
    return {
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
    }


@contextmanager
def jupyterlab(notebooks: Path, base: Path) -> Iterator[Lab]:
    """Serve a copy of ``notebooks`` with JupyterLab on a free loopback port."""
    root = base / "root"
    shutil.copytree(notebooks, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    token = secrets.token_urlsafe(32)
    env = {**os.environ, **_write_settings(base), "JUPYTER_TOKEN": token}
    port = free_port()
    log = base / "jupyterlab.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.password=",
        "--ServerApp.allow_root=True",  # CI runs as root
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run cells by command
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={base / 'settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
    ]
    with log.open("w") as sink:
        proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                status = urllib.request.Request(
                    f"{url}/api/status", headers={"Authorization": f"token {token}"}
                )
                with urllib.request.urlopen(status, timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start; log:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)  # polling a starting server, not a test wait
        yield Lab(url=url, root=root, log=log, token=token)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
