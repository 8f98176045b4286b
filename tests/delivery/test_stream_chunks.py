"""A streaming export validates at most ``MAX_CHUNK_ROWS`` rows at a time (issue 16 item 5).

Memory follows the rows validated at once (10M rows: 0.75 GB at 100,000-row chunks, 1.45 GB
at 500,000 before the cap), so a larger ``chunk_size`` is read in pieces of the cap: every
row is still validated once, in order, with its own ``_row``.
"""

from __future__ import annotations

from typing import Any

import pytest
from _support.scale_helpers import NOW, frame

from linkedin_capi._constants import STREAM_CHUNK_ROWS
from linkedin_capi.delivery import streaming
from linkedin_capi.delivery.export import export


@pytest.mark.parametrize("chunk_size", [1_000, 10**9])
def test_a_chunk_larger_than_the_cap_is_validated_in_pieces(
    monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    monkeypatch.setattr(streaming, "MAX_CHUNK_ROWS", 10)
    seen: list[tuple[int, int]] = []
    real = streaming.validate_chunk

    def spy(chunk: Any, **kwargs: Any) -> Any:
        seen.append((kwargs["row_offset"], chunk.height))
        return real(chunk, **kwargs)

    monkeypatch.setattr(streaming, "validate_chunk", spy)
    result = export(frame(35).lazy(), None, 5, now=NOW, dry_run=True, chunk_size=chunk_size,
                    progress=False)  # fmt: skip
    assert seen == [(0, 10), (10, 10), (20, 10), (30, 5)]
    assert result.rows.get_column("_row").to_list() == list(range(35))
    assert set(result.rows.get_column("status").to_list()) == {"dry_run"}


def test_a_chunk_below_the_cap_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = streaming.validate_chunk

    def spy(chunk: Any, **kwargs: Any) -> Any:
        seen.append(chunk.height)
        return real(chunk, **kwargs)

    monkeypatch.setattr(streaming, "validate_chunk", spy)
    export(frame(35).lazy(), None, 5, now=NOW, dry_run=True, chunk_size=16, progress=False)
    assert seen == [16, 16, 3]


def test_the_cap_is_the_default_chunk() -> None:
    assert streaming.MAX_CHUNK_ROWS == STREAM_CHUNK_ROWS
