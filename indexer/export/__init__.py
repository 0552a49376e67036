"""Exports of the published directory: JSON Lines, CSV, GeoJSON and Open Referral HSDS 3.0.

Only published providers are exported (see :mod:`indexer.export.records`), streamed in batches so memory
stays flat however large the directory. Formats and their fields: docs/export.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from indexer.db import Database
from indexer.export import csvfile, geojson, hsds, jsonl
from indexer.export.atomic import atomic_text_file
from indexer.export.base import ExportStats
from indexer.export.records import Record, count_published, iter_records

FORMATS = ("jsonl", "csv", "geojson", "hsds")
Progress = Callable[[Iterator[Record]], Iterable[Record]]

__all__ = ["FORMATS", "ExportStats", "count_published", "export", "export_to_path", "iter_records"]


def export(db: Database, fmt: str, out: TextIO, *, include_stale: bool = False, batch_size: int = 500,
           bom: bool = False, progress: Progress | None = None) -> ExportStats:
    """Write every published provider to ``out`` in format ``fmt``; ``progress`` may wrap the record stream
    (e.g. a progress bar). ``bom`` (CSV only) starts the file with a UTF-8 byte-order mark for Excel."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    started = time.monotonic()
    stats = ExportStats(format=fmt)
    records: Iterable[Record] = iter_records(db, include_stale=include_stale, batch_size=batch_size)
    if progress is not None:
        records = progress(iter(records))
    if fmt == "jsonl":
        jsonl.write(records, out, stats)
    elif fmt == "csv":
        csvfile.write(records, out, stats, bom=bom)
    elif fmt == "geojson":
        geojson.write(records, out, stats)
    else:
        hsds.write(records, out, stats)
    out.flush()
    stats.seconds = time.monotonic() - started
    return stats


def export_to_path(db: Database, fmt: str, path: str | os.PathLike[str], *, include_stale: bool = False,
                   batch_size: int = 500, bom: bool = False, progress: Progress | None = None) -> ExportStats:
    """:func:`export` into a file, atomically: a failed export leaves any previous file as it was."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    with atomic_text_file(path) as out:
        stats = export(db, fmt, out, include_stale=include_stale, batch_size=batch_size, bom=bom,
                       progress=progress)
    stats.path = os.fspath(path)
    return stats
