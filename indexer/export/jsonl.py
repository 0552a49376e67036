"""JSON Lines: one canonical record per line, UTF-8, ``\\n`` line ends. The lossless format."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from indexer.export.base import ExportStats, dumps
from indexer.export.records import Record


def write(records: Iterable[Record], out: TextIO, stats: ExportStats) -> None:
    for record in records:
        out.write(dumps(record))
        out.write("\n")
        stats.written += 1
