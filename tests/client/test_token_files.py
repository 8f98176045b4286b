"""FileTokenStore: private directory, no temp file with tokens survives any failure."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from linkedin_capi.client import tokens
from linkedin_capi.client.tokens import FileTokenStore, Token

SAVER = Path(__file__).parents[1] / "_support" / "token_saver.py"


def token(n: int = 1) -> Token:
    return Token(
        access_token=SecretStr(f"AT-secret-{n}"),
        refresh_token=SecretStr(f"RT-secret-{n}"),
        expires_at=1000.0 + n,
    )


def temp_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(".token-*.tmp"))


def test_new_directories_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = FileTokenStore(tmp_path / "a" / "b" / "token.json")
        store.save(token())
    finally:
        os.umask(old)
    for directory in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.load() == token()


def test_existing_directory_mode_is_left_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    FileTokenStore(tmp_path / "token.json").save(token())
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755


def test_stale_temp_files_of_a_crash_are_removed_by_the_next_save(tmp_path: Path) -> None:
    stale = tmp_path / ".token-k1ll3d.tmp"
    stale.write_text('{"access_token": "AT-left-by-a-crash", "refresh_token": "RT-left"}')
    unrelated = tmp_path / "notes.tmp"
    unrelated.write_text("mine")
    store = FileTokenStore(tmp_path / "token.json")
    store.save(token())
    assert temp_files(tmp_path) == []
    assert unrelated.read_text() == "mine"  # only the store's own pattern is touched


@pytest.mark.parametrize("where", ["fdopen", "fsync", "replace", "chmod"])
@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_every_failure_path_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: BaseException
) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    store.save(token(1))

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(tokens.os, where, fail)
    with pytest.raises(type(error)):
        store.save(token(2))
    monkeypatch.undo()
    assert temp_files(tmp_path) == []
    assert store.load() == token(1)  # the previous token is intact


def _kill_during_saves(tmp_path: Path, kills: int, seed: int) -> tuple[int, int]:
    """SIGKILL a saving child ``kills`` times; after each, the next save cleans up.

    Returns (kills that left a temp file behind, temp files seen in all).
    """
    rng = random.Random(seed)
    path = tmp_path / "tokens" / "token.json"
    left_behind = seen = 0
    for n in range(kills):
        child = subprocess.Popen(
            [sys.executable, str(SAVER), str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            # let it run between 0 and ~40 saves' worth of time, then kill it mid-whatever
            # let it save for 0-30 ms (each save is a few ms), then kill it mid-whatever
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=rng.uniform(0.0, 0.03))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            if child.stdout is not None:
                child.stdout.close()
        leftovers = temp_files(path.parent)
        left_behind += bool(leftovers)
        seen += len(leftovers)
        if path.exists():  # the target is never half-written
            assert FileTokenStore(path).load() is not None
        FileTokenStore(path).save(token(n))
        assert temp_files(path.parent) == [], f"kill {n}: a temp file with tokens survived"
        assert FileTokenStore(path).load() == token(n)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    return left_behind, seen


def test_a_kill_during_save_leaves_no_temp_file_after_the_next_save(tmp_path: Path) -> None:
    _kill_during_saves(tmp_path, kills=3, seed=12)


@pytest.mark.slow
def test_twenty_kills_during_save(tmp_path: Path) -> None:
    left_behind, _ = _kill_during_saves(tmp_path, kills=20, seed=2026)
    assert left_behind >= 1  # the kills did land mid-save: the cleanup was exercised
