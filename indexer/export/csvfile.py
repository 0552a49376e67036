"""CSV (RFC 4180): one row per provider, nested fields flattened (see docs/export.md).

- Scalars as they are; booleans as ``true``/``false``; empty values as empty cells.
- Lists of codes and phone numbers joined with ``"; "`` (``modalities``, ``conditions``, ``services``,
  ``phones``, ``licensed_states``); nested objects and lists of objects as compact JSON in one cell (``practitioners``,
  ``rating_sources``, ``qualification_signals``, ``sources``).
- Formula injection: any text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with ``'`` so spreadsheets show it as text (so E.164 phones read ``'+15125550100``). Numeric cells
  we produce ourselves (id, lat, lon, rating) are never prefixed.
- Fields are quoted when needed (commas, quotes, line breaks), rows end with CRLF, the encoding is UTF-8
  (optionally with a byte-order mark for Excel).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from indexer.export.base import ExportStats, dumps
from indexer.export.records import Record

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def protect(cell: str) -> str:
    """Neutralise spreadsheet formulas: ``=1+1`` becomes ``'=1+1``."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _text(value: Any) -> str:
    return "" if value is None else protect(str(value))


def _joined(value: Any) -> str:
    return protect("; ".join(value)) if value else ""


def _number(value: Any) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def _flag(value: Any) -> str:
    return "true" if value else "false"


def _json(value: Any) -> str:
    return protect(dumps(value))


#: (column, how to get the cell from a record). The header row is the column names, in this order.
COLUMNS: tuple[tuple[str, Callable[[Record], str]], ...] = (
    ("id", lambda r: _number(r["id"])),
    ("kind", lambda r: _text(r["kind"])),
    ("name", lambda r: _text(r["name"])),
    ("status", lambda r: _text(r["status"])),
    ("stale", lambda r: _flag(r["stale"])),
    ("website", lambda r: _text(r["website"])),
    ("phones", lambda r: _joined(r["phones"])),
    ("email", lambda r: _text(r["email"])),
    ("street", lambda r: _text(r["address"]["street"])),
    ("city", lambda r: _text(r["address"]["city"])),
    ("region", lambda r: _text(r["address"]["region"])),
    ("postal_code", lambda r: _text(r["address"]["postal_code"])),
    ("country", lambda r: _text(r["address"]["country"])),
    ("lat", lambda r: _number(r["location"]["lat"]) if r["location"] else ""),
    ("lon", lambda r: _number(r["location"]["lon"]) if r["location"] else ""),
    ("npi", lambda r: _text(r["npi"])),
    ("npi_verification", lambda r: _text(r["organisation"]["verification"]) if r["organisation"] else ""),
    ("npi_registry", lambda r: _json(r["organisation"]["registry"]) if r["organisation"] else ""),
    ("modalities", lambda r: _joined(r["modalities"])),
    ("conditions", lambda r: _joined(r["conditions"])),
    ("services", lambda r: _joined(r["services"])),
    ("practitioners", lambda r: _json(r["practitioners"])),
    ("rating_value", lambda r: _number(r["rating"]["value"])),
    ("rating_count", lambda r: _number(r["rating"]["count"])),
    ("rating_sources", lambda r: _json(r["rating"]["sources"])),
    ("qualification_verified", lambda r: _flag(r["qualification"]["verified"])),
    ("qualification_signals", lambda r: _json(r["qualification"]["signals"])),
    ("licensed_states", lambda r: _joined(r["licensed_states"])),
    ("sources", lambda r: _json(r["sources"])),
    ("updated_at", lambda r: _text(r["updated_at"])),
)

HEADER = tuple(name for name, _ in COLUMNS)


def row_of(record: Record) -> list[str]:
    return [cell(record) for _, cell in COLUMNS]


def write(records: Iterable[Record], out: TextIO, stats: ExportStats, *, bom: bool = False) -> None:
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for record in records:
        writer.writerow(row_of(record))
        stats.written += 1
