"""Pure helpers of indexer/db/fastwrite.py (the writers themselves are exercised by the pipeline tests)."""

from __future__ import annotations

from indexer.db.fastwrite import in_chunks


def test_in_chunks_gives_distinct_sorted_values_in_bounded_lists() -> None:
    assert list(in_chunks(["b", "a", "b", "c"], 2)) == [["a", "b"], ["c"]]
    assert list(in_chunks(range(2000))) == [list(range(900)), list(range(900, 1800)), list(range(1800, 2000))]
    assert list(in_chunks([])) == []
