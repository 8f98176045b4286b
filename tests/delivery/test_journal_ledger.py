"""The journal as a ledger (issue 11): an eventId is ``already_sent`` only for the same event.

A journal records, with each eventId, a digest of the event as rendered for LinkedIn. A
re-run with the same events resumes exactly; a re-run whose eventIds the journal holds
with other content (another frame, a changed row) is refused before anything of it is
sent. A damaged or unreadable journal is a one-line ``JournalError``, never a raw
``sqlite3`` error.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from _support.scale_helpers import NOW, assert_exactly_once, conn, frame
from typer.testing import CliRunner

from linkedin_capi.cli import app
from linkedin_capi.delivery.export import export
from linkedin_capi.delivery.journal import Journal, event_digests
from linkedin_capi.errors import JournalError
from linkedin_capi.sandbox import Sandbox

N = 40
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(store_events=True) as box:
        yield box


def _others(n: int) -> pl.DataFrame:
    """``n`` other conversions that reuse the eventIds ``evt-0`` ... of :func:`frame`."""
    return frame(n).with_columns(pl.col("SHA256_EMAIL").str.replace("user", "someone"))


# -- a journal reused for other events of the same rule --------------------------------


@pytest.mark.parametrize("lazy", [False, True])
def test_other_events_with_overlapping_ids_are_refused_not_already_sent(
    sb: Sandbox, tmp_path: Path, lazy: bool
) -> None:
    """Used to report all of them ``already_sent`` with ok=True, though none was sent."""
    path = tmp_path / "j.db"
    first = export(frame(N), conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    assert first.sent == N
    others = _others(N)
    data = others.lazy() if lazy else others
    with pytest.raises(JournalError) as info:
        export(data, conn(sb), sb.rule_id, now=NOW, journal=path, progress=False,
               batch_size=10)  # fmt: skip
    message = str(info.value)
    assert f"records {N} of these eventIds (e.g. 'evt-0')" in message
    assert "new file name as journal=" in message and "new eventIds" in message
    result = info.value.result
    assert result is not None and result.sent == 0 and result.already_sent == 0
    assert result.rows.height == N and result.failed == N
    assert result.stopped is not None and not result.ok
    assert sb.event_count == N  # nothing of the second frame reached LinkedIn
    with Journal(path) as book:
        assert book.counts() == {"sent": N}
        assert book.last_stop() is not None
    # The way out the message names: a new journal for these events.
    fresh = export(others, conn(sb), sb.rule_id, now=NOW, journal=tmp_path / "new.db",
                   progress=False)  # fmt: skip
    assert fresh.sent == N and fresh.ok


def test_a_true_resume_is_already_sent_exactly(sb: Sandbox, tmp_path: Path) -> None:
    """Same events, spelled differently (e-mail case, row order): the same digests."""
    path = tmp_path / "j.db"
    df = frame(N)
    first = export(df.head(20), conn(sb), sb.rule_id, now=NOW, journal=path, batch_size=10,
                   progress=False)  # fmt: skip
    assert first.sent == 20
    respelled = df.with_columns(pl.col("SHA256_EMAIL").str.to_uppercase()).reverse()
    again = export(respelled, conn(sb), sb.rule_id, now=NOW, journal=path, batch_size=10,
                   progress=False)  # fmt: skip
    assert again.already_sent == 20 and again.sent == N - 20 and again.ok
    assert_exactly_once(sb, df.get_column("eventId"))


def test_one_changed_event_is_named_and_appended_rows_are_not_blamed(
    sb: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "j.db"
    export(frame(N), conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    changed = pl.concat([frame(N), frame(10, start=N)]).with_columns(
        pl.when(pl.col("eventId") == "evt-7")
        .then(pl.lit("changed@example.com"))
        .otherwise(pl.col("SHA256_EMAIL"))
        .alias("SHA256_EMAIL")
    )
    named = r"records 1 of these eventIds \(e\.g\. 'evt-7'\)"
    with pytest.raises(JournalError, match=named) as info:
        export(changed, conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    rows = info.value.result.rows  # type: ignore[union-attr]
    by_status = dict(rows.group_by("status").len().iter_rows())
    assert by_status == {"already_sent": N - 1, "failed": 11}
    assert "other content" in rows.filter(pl.col("_row") == 7).item(0, "error")
    assert sb.event_count == N


def test_a_repeated_eventid_with_two_contents_still_resumes(sb: Sandbox, tmp_path: Path) -> None:
    """One eventId on two different rows (an order id reused per line item): the journal
    holds both digests, and a true resume finds each row's own."""
    path = tmp_path / "j.db"
    df = frame(N).with_columns(
        pl.when(pl.col("eventId") == "evt-3").then(pl.lit("evt-2")).otherwise("eventId")
        .alias("eventId")
    )  # fmt: skip
    first = export(df, conn(sb), sb.rule_id, now=NOW, journal=path, batch_size=2,
                   progress=False)  # fmt: skip
    assert first.sent == N
    again = export(df, conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    assert again.already_sent == N and again.ok
    third = df.with_columns(  # row 3 (the second 'evt-2') changed: it matches neither record
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("x@example.com"))
        .otherwise(pl.col("SHA256_EMAIL")).alias("SHA256_EMAIL")
    )  # fmt: skip
    with pytest.raises(JournalError, match=r"records 1 of these eventIds \(e\.g\. 'evt-2'\)"):
        export(third, conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    assert sb.event_count == N


def test_rejected_and_unsent_ids_may_come_back_changed_unknown_ones_may_not(
    sb: Sandbox, tmp_path: Path
) -> None:
    """Nothing was ingested for ``rejected``/``unsent``: a fixed row goes out. An ``unknown``
    id may be at LinkedIn with the old content: refused like ``sent``."""
    path = tmp_path / "j.db"
    c = conn(sb)
    with Journal(path) as book:
        book.bind(account=c.ad_account_urn, base_url=c.base_url)
        book.record(["evt-0", "evt-1"], "rejected", "HTTP 422: bad", digests=[1, 2])
        book.begin(["evt-2", "evt-3"], "unsent", digests=[3, 4])
    result = export(frame(4), c, sb.rule_id, now=NOW, journal=path, progress=False)
    assert result.sent == 4 and result.ok
    with Journal(path) as book:
        book.begin(["evt-9"], "unknown", digests=[5])
    with pytest.raises(JournalError, match="'evt-9'"):
        export(frame(1, start=9), c, sb.rule_id, now=NOW, journal=path, progress=False)
    assert sb.event_count == 4


def test_digests_follow_the_rendered_event() -> None:
    valid = pl.DataFrame(
        {
            "_row": [0, 1, 2],
            "conversion": ["urn:lla:llaPartnerConversion:1"] * 3,
            "conversionHappenedAt": [1, 1, 2],
            "eventId": ["a", "a", "a"],
        }
    )
    d = event_digests(valid).to_list()
    assert d[0] == d[1] != d[2]


def test_a_journal_written_before_digests_still_resumes(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    c = conn(sb)
    first = export(frame(N), c, sb.rule_id, now=NOW, journal=path, progress=False)
    assert first.sent == N
    with sqlite3.connect(path) as db:  # the layout of the first release: no digests column
        db.execute("ALTER TABLE batches DROP COLUMN digests")
    again = export(frame(N), conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    assert again.already_sent == N and again.ok  # no digest: content not checked
    with sqlite3.connect(path) as db:
        assert "digests" in {r[1] for r in db.execute("PRAGMA table_info(batches)")}


# -- the lease, whatever path leads to the file -------------------------------------------


def test_a_journal_reached_through_a_symlink_is_still_leased(tmp_path: Path) -> None:
    """Used to take a second lock (``link.db.lock``) and let two exports share the file."""
    real = tmp_path / "state" / "j.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    with Journal(real), pytest.raises(JournalError, match="in use by process"):
        Journal(link)
    with Journal(link), pytest.raises(JournalError, match="in use by process"):
        Journal(real)


# -- a journal that cannot be read -------------------------------------------------------


def _journal_with_pages(path: Path, batches: int = 300) -> None:
    with Journal(path) as book:
        book.bind(account="urn:li:sponsoredAccount:1", base_url="http://127.0.0.1/rest")
        for b in range(batches):
            ids = [f"evt-{b}-{i}" for i in range(20)]
            book.finish(book.begin(ids, "unsent", digests=list(range(20))), "sent")


def _corrupt(path: Path, first_page: int) -> None:
    """Overwrite every page from ``first_page`` (1-based) on with garbage."""
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    for start in range((first_page - 1) * size, len(data), size):
        data[start : start + size] = bytes([0xA5]) * size
    path.write_bytes(bytes(data))


def test_a_corrupt_journal_is_a_journal_error_not_a_sqlite_one(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    _journal_with_pages(path)
    _corrupt(path, first_page=6)  # the header and the schema survive; the records do not
    with Journal(path) as book, pytest.raises(JournalError, match="could not read the journal"):
        book.known()
    with pytest.raises(JournalError, match="could not read the journal") as info:
        export(frame(N).lazy(), conn(sb), sb.rule_id, now=NOW, journal=path, progress=False)
    assert "\n" not in str(info.value) and "new file name" in str(info.value)
    assert info.value.__context__ is None or not isinstance(info.value.__cause__, sqlite3.Error)
    assert sb.event_count == 0


def test_a_read_error_mid_export_carries_the_partial_result(sb: Sandbox, tmp_path: Path) -> None:
    """The journal breaks while the second chunk is checked: what went before is kept."""

    class Breaking(Journal):
        binds = 0

        def bind(self, **kwargs: object) -> None:
            self.binds += 1
            if self.binds == 3:  # the export's own bind, chunk 1's, then chunk 2's
                with self._reading():
                    self._db.execute("SELECT ids FROM a_page_that_went_bad")
            super().bind(**kwargs)  # type: ignore[arg-type]

    path = tmp_path / "j.db"
    book = Breaking(path)
    try:
        with pytest.raises(JournalError, match="could not read the journal") as info:
            export(frame(N).lazy(), conn(sb), sb.rule_id, now=NOW, journal=book, chunk_size=10,
                   batch_size=5, progress=False)  # fmt: skip
    finally:
        book.close()
    result = info.value.result
    assert result is not None and result.rows.height == N
    # Chunk 1's two batches: those on the wire were answered and are recorded `sent` (a
    # read error does not stop the journal recording); those not started yet (the gate
    # closes on the error) stay `unsent`.
    sent = result.sent
    assert sent in (0, 5, 10) and sent == sb.event_count and result.failed == N - sent
    with Journal(path) as again:
        want = {"sent": sent, "unsent": 10 - sent}
        assert again.counts() == {k: v for k, v in want.items() if v}


def test_a_journal_whose_binding_is_damaged_fails_in_bind(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    _journal_with_pages(path, batches=1)
    with sqlite3.connect(path) as db:
        binding_root = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'binding'"
        ).fetchone()[0]
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    start = (binding_root - 1) * size
    data[start : start + size] = bytes([0xA5]) * size
    path.write_bytes(bytes(data))
    with Journal(path) as book, pytest.raises(JournalError, match="could not read") as info:
        book.bind(account="urn:li:sponsoredAccount:1", base_url="http://127.0.0.1/rest")
    assert "DatabaseError" in str(info.value) and "\n" not in str(info.value)


def test_a_file_that_is_not_sqlite_is_a_journal_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a journal\n" * 200)
    before = path.read_bytes()
    with pytest.raises(JournalError, match="cannot be used as an export journal"):
        Journal(path)
    assert path.read_bytes() == before


def test_a_read_only_journal_is_a_journal_error() -> None:
    """In a child that cannot write the file (as root: drops to 'nobody' first)."""
    where = Path(tempfile.mkdtemp(prefix="capi-ro-"))  # not under pytest's 0700 directory
    try:
        where.chmod(0o777)
        path = where / "j.db"
        _journal_with_pages(path, batches=2)
        path.chmod(0o444)
        (where / "j.db.lock").chmod(0o666)  # only the journal itself is read-only
        code = textwrap.dedent(f"""
            import json, os, sys
            from linkedin_capi.delivery.journal import Journal
            from linkedin_capi.errors import JournalError
            if os.geteuid() == 0:  # root writes anything; the interpreter is loaded by now
                os.setgid(65534); os.setuid(65534)
            try:
                with Journal({str(path)!r}) as book:
                    book.bind(account="urn:li:sponsoredAccount:1", base_url="http://127.0.0.1/rest")
                    book.begin(["x"], "unsent")
            except JournalError as exc:
                print(json.dumps({{"msg": str(exc)}})); sys.exit(2)
            sys.exit(0)
        """)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=120, env=env)  # fmt: skip
        assert child.returncode == 2, child.stderr[-2000:]
        msg = json.loads(child.stdout.strip().splitlines()[-1])["msg"]
        assert "readonly" in msg or "read-only" in msg, msg
        assert "\n" not in msg and "Traceback" not in child.stderr
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _cli_env(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "LINKEDIN_CAPI_BASE_URL": sb.base_url, "LINKEDIN_CAPI_TOKEN_URL": sb.token_url,
        "LINKEDIN_CAPI_CLIENT_ID": sb.client_id, "LINKEDIN_CAPI_CLIENT_SECRET": sb.client_secret,
        "LINKEDIN_CAPI_REFRESH_TOKEN": sb.refresh_token,
        "LINKEDIN_CAPI_AD_ACCOUNT_ID": str(sb.account_id),
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)


def test_cli_refuses_other_events_in_one_line_with_exit_2(
    sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cli_env(sb, monkeypatch)
    journal, first, second = tmp_path / "j.db", tmp_path / "a.csv", tmp_path / "b.csv"
    frame(5).write_csv(first)
    _others(5).write_csv(second)
    args = ["export", "--conversion", str(sb.rule_id), "--journal", str(journal)]
    assert CliRunner().invoke(app, [*args[:1], str(first), *args[1:]]).exit_code == 0
    out = CliRunner().invoke(app, [*args[:1], str(second), *args[1:]])
    assert out.exit_code == 2, out.output
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "records 5 of these eventIds (e.g. 'evt-0')" in lines[0]
    assert lines[0].startswith(f"linkedin-capi: --journal '{journal}' records")
    assert "as --journal" in lines[0] and "journal=" not in lines[0]
    assert sb.event_count == 5


@pytest.mark.parametrize("damage", ["corrupt", "not-sqlite"])
def test_cli_says_one_line_and_exits_2_for_a_damaged_journal(
    sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    _cli_env(sb, monkeypatch)
    journal = tmp_path / "j.db"
    if damage == "corrupt":
        _journal_with_pages(journal)
        _corrupt(journal, first_page=6)
    else:
        journal.write_text("id,name\n1,a\n" * 500)
    csv = tmp_path / "e.csv"
    frame(5).write_csv(csv)
    out = CliRunner().invoke(
        app, ["export", str(csv), "--conversion", str(sb.rule_id), "--journal", str(journal)]
    )
    assert out.exit_code == 2, out.output
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("linkedin-capi: "), out.stderr
    assert "--journal" in lines[0] and "Traceback" not in out.output
    assert sb.event_count == 0
