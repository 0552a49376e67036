"""JSON Lines, CSV and GeoJSON writers, on the seeded directory (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from indexer.db import Database
from indexer.export import FORMATS, export, iter_records
from indexer.export.csvfile import HEADER, protect
from tests.indexer.export.conftest import HOSTILE_NAME, Seeded


def run(db: Database, fmt: str, **options: object) -> tuple[str, object]:
    out = io.StringIO(newline="")
    stats = export(db, fmt, out, **options)  # type: ignore[arg-type]
    return out.getvalue(), stats


@pytest.mark.parametrize("fmt", FORMATS)
def test_unpublished_never_leak(db: Database, seeded: Seeded, fmt: str) -> None:
    text, stats = run(db, fmt, include_stale=True)
    assert "LEAK" not in text
    assert "Dr. Ana Ortiz" in text and "Stale Clinic" in text
    assert "Stale Clinic" not in run(db, fmt)[0]


def test_unknown_format_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export(db, "xml", io.StringIO())


# -- JSON Lines ---------------------------------------------------------------------------------------------------

def test_jsonl_is_one_canonical_record_per_line(db: Database, seeded: Seeded) -> None:
    text, stats = run(db, "jsonl")
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 4  # three records, each ending with "\n"
    assert [json.loads(line) for line in lines[:-1]] == list(iter_records(db))
    assert stats.written == 3  # type: ignore[attr-defined]
    # Hostile text stays on its line: newlines escaped, non-ASCII kept as UTF-8.
    assert sum("東京 ☕" in line for line in lines) == 1
    assert all("\u2028" not in line for line in lines)


def test_jsonl_escapes_unicode_line_separators(db: Database) -> None:
    from tests.indexer.export.conftest import add_provider

    with db.session() as s:
        add_provider(s, "Line\u2028Sep\u2029Clinic")
        s.commit()
    text, _ = run(db, "jsonl")
    assert text.count("\n") == 1 and len(text.splitlines()) == 1
    assert json.loads(text)["name"] == "Line\u2028Sep\u2029Clinic"


# -- CSV ------------------------------------------------------------------------------------------------------------

def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_round_trips_hostile_text(db: Database, seeded: Seeded) -> None:
    text, stats = run(db, "csv")
    assert text.startswith(",".join(HEADER) + "\r\n")
    rows = read_csv(text)
    assert len(rows) == 3 == stats.written  # type: ignore[attr-defined]
    clinic = next(r for r in rows if r["id"] == str(seeded.clinic))
    assert clinic["name"] == HOSTILE_NAME  # commas, quotes, newline, non-ASCII survive quoting
    assert clinic["street"] == '12 "Main", Suite 3\r\nBack door'
    assert clinic["phones"] == "'+15125550100; +15125550199"
    assert clinic["modalities"] == "iv_infusion; esketamine_nasal"
    assert clinic["lat"] == "30.2672" and clinic["lon"] == "-97.7431"  # numbers are never prefixed
    assert clinic["rating_value"] == "4.6" and clinic["rating_count"] == "31"
    assert clinic["qualification_verified"] == "true" and clinic["stale"] == "false"
    assert json.loads(clinic["practitioners"])[0]["npi"] == "1993999998"
    assert clinic["npi_verification"] == "verified"
    assert json.loads(clinic["npi_registry"])[0]["url"] == "https://npiregistry.cms.hhs.gov/provider-view/1234567893"
    assert json.loads(clinic["rating_sources"])[1] == {"source": "directory:sample", "value": 4.2, "count": 11}
    assert json.loads(clinic["sources"])[0]["first_seen"] == "2026-01-02T03:04:05Z"
    assert json.loads(clinic["qualification_signals"])[1] == {"code": "rems", "source": "@evil"}
    assert clinic["updated_at"] == "2026-05-06T07:08:09Z"


def test_csv_formula_injection_is_neutralised(db: Database, seeded: Seeded) -> None:
    rows = read_csv(run(db, "csv")[0])
    no_geo = next(r for r in rows if r["id"] == str(seeded.no_geo))
    assert no_geo["name"] == "'-Telehealth Only, LLC"
    assert no_geo["phones"] == "'@+1 512 555 0111"
    assert no_geo["lat"] == "" and no_geo["rating_value"] == "" and no_geo["practitioners"] == "[]"
    dangerous = tuple("=+-@\t\r")
    for row in rows:
        for column, cell in row.items():
            if column not in ("lat", "lon", "rating_value"):
                assert not cell.startswith(dangerous), (column, cell)


@pytest.mark.parametrize(("cell", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("a=1", "a=1"), ("", ""), ("'=already", "'=already"),
])
def test_protect(cell: str, expected: str) -> None:
    assert protect(cell) == expected


def test_csv_bom_and_empty_directory(db: Database) -> None:
    text, stats = run(db, "csv", bom=True)
    assert text == "\ufeff" + ",".join(HEADER) + "\r\n"
    assert stats.written == 0  # type: ignore[attr-defined]


# -- GeoJSON -----------------------------------------------------------------------------------------------------

def test_geojson_feature_collection(db: Database, seeded: Seeded) -> None:
    text, stats = run(db, "geojson")
    doc = json.loads(text)
    assert doc["type"] == "FeatureCollection" and set(doc) == {"type", "features"}
    by_id = {f["id"]: f for f in doc["features"]}
    assert set(by_id) == {seeded.clinic, seeded.practitioner}  # no_geo has no coordinates
    assert stats.omitted_no_location == 1 and stats.written == 2  # type: ignore[attr-defined]
    clinic = by_id[seeded.clinic]
    assert clinic["type"] == "Feature"
    assert clinic["geometry"] == {"type": "Point", "coordinates": [-97.7431, 30.2672]}  # lon, lat
    assert "location" not in clinic["properties"]
    assert clinic["properties"]["name"] == HOSTILE_NAME
    for feat in doc["features"]:
        lon, lat = feat["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_geojson_empty_directory(db: Database) -> None:
    text, stats = run(db, "geojson")
    assert json.loads(text) == {"type": "FeatureCollection", "features": []}
    assert stats.written == 0 and stats.omitted_no_location == 0  # type: ignore[attr-defined]


def test_jsonl_empty_directory(db: Database) -> None:
    assert run(db, "jsonl")[0] == ""
