"""Shared fixtures. Cassette plumbing lives in ``_recording.py``; these only wire it up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _support.recording import CASSETTES, Recording, open_recording, register
from _support.recording import vcr_config as _vcr_config


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """pytest-recording hook: register the custom matchers named in ``vcr_config``."""
    register(vcr)


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    """pytest-recording's options for every ``@pytest.mark.vcr`` test (no record_mode!)."""
    return _vcr_config()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """Cassettes go to the top-level ``cassettes/<test module>/``."""
    return str(CASSETTES / request.path.stem)


@pytest.fixture
def recording(
    request: pytest.FixtureRequest,
    vcr: Any,
    vcr_cassette_dir: str,
    default_cassette_name: str,
    record_mode: str,
) -> Iterator[Recording]:
    """The sandbox, LinkedIn or a replay, for a ``@pytest.mark.vcr`` integration test.

    A replay must use every recorded interaction: a request the code no longer makes is a
    behaviour change the test would otherwise miss.
    """
    folder = Path(vcr_cassette_dir)
    cassette = folder / f"{default_cassette_name}.yaml"
    sandbox_only = request.node.get_closest_marker("sandbox_only") is not None
    rec = open_recording(
        folder / f"{default_cassette_name}.target.json",
        cassette,
        record_mode,
        sandbox_only=sandbox_only,
    )
    try:
        yield rec
    finally:
        rec.finish()
    if vcr is not None and rec.replaying:
        assert vcr.all_played, (
            f"{cassette.name}: {len(vcr.data) - vcr.play_count} recorded interaction(s) "
            "were not replayed"
        )


@pytest.fixture(autouse=True)
def _no_user_credentials(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the developer's stored tokens or a ``.env`` they keep in the repo.

    ``Connection.from_env()`` and the CLI look for the token file ``linkedin-capi auth
    login`` wrote in the user config directory; point that at an empty directory.
    """
    home = tmp_path_factory.mktemp("user-dirs")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
