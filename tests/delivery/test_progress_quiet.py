"""Quiet where nobody watches: the default progress draws a bar only where it can be seen."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator

import polars as pl
import pytest

from linkedin_capi.delivery import sending as _batches
from linkedin_capi.delivery.export import export
from linkedin_capi.sandbox import Sandbox

NOW = dt.datetime.now(dt.UTC)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(store_events=False, record_bodies=False) as sandbox:
        yield sandbox


def _frame(n: int) -> pl.DataFrame:
    when = (NOW - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return pl.DataFrame(
        {
            "conversionHappenedAt": [when] * n,
            "SHA256_EMAIL": [f"u{i}@example.com" for i in range(n)],
            "eventId": [f"q-{i}" for i in range(n)],
        }
    )


def test_off_a_tty_the_default_logs_lines_instead_of_a_bar(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stderr = io.StringIO()  # a log file: not a terminal
    monkeypatch.setattr("sys.stderr", stderr)
    caplog.set_level(logging.INFO, logger="linkedin_capi")
    result = export(_frame(250), sb.connection(), sb.rule_id, batch_size=10, now=NOW)
    assert result.sent == 250
    assert "\r" not in stderr.getvalue() and "LinkedIn CAPI" not in stderr.getvalue()
    lines = [r.getMessage() for r in caplog.records if "events settled" in r.getMessage()]
    # 25 batches: one line per 10 batches, and one at the end
    assert lines == [
        "LinkedIn CAPI: 100 events settled in 10 batches (0 failed)",
        "LinkedIn CAPI: 200 events settled in 20 batches (0 failed)",
        "LinkedIn CAPI: 250 events settled in 25 batches (0 failed)",
    ]


def test_on_a_tty_the_default_draws_the_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", _Tty())
    bar = _batches.progress_bar(None, 100, 2)
    try:
        assert not isinstance(bar, _batches.NoBar)  # tqdm's bar
    finally:
        bar.close()


def test_explicit_choices_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert isinstance(_batches.progress_bar(False, 100, 5), _batches.NoBar)
    assert type(_batches.progress_bar(None, 100, 1)) is _batches.NoBar  # one batch: nothing
    bar = _batches.progress_bar(True, 100, 5)  # asked for: a bar even in a log
    try:
        assert not isinstance(bar, _batches.NoBar)
    finally:
        bar.close()
