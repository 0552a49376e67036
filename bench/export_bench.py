"""Export speed and memory: seed N published providers into a SQLite file, export each format in a fresh process
and print rows/s and peak RSS. Memory must stay flat as N grows (streamed batches).

    .venv/bin/python bench/export_bench.py [--sizes 10000,100000] [--dir /tmp/kdir-bench]

Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

FORMATS = ("jsonl", "csv", "geojson", "hsds")


def seed(url: str, n: int) -> None:
    from sqlalchemy import insert

    from indexer.db import Database
    from indexer.db.models import Affiliation, Credential, FieldEvidence, Provider, RatingSummary, Source

    db = Database.connect(url, migrate=True)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with db.engine.begin() as c:
        c.execute(insert(Source), [{"id": 1, "key": "clinic_site", "name": "Clinic sites", "kind": "clinic_site",
                                    "tier": 2, "spider_args": {}, "enabled": True, "created_at": now}])
        chunk = 5000
        for start in range(1, n + 1, chunk):
            ids = range(start, min(start + chunk, n + 1))
            c.execute(insert(Provider), [{
                "id": i, "kind": "practitioner" if i % 3 == 0 else "clinic", "status": "published", "stale": False,
                "name": f"Ketamine Clinic {i}, \"Ünïcødé\"", "match_name": f"ketamine clinic {i}",
                "website": f"https://clinic{i}.example/", "phones": [f"+1512555{i % 10000:04d}"],
                "street": f"{i} Main St", "city": "Austin", "region": "TX", "postal_code": "78701", "country": "US",
                "lat": 30 + (i % 1000) / 1000, "lon": -97 - (i % 1000) / 1000, "npi": "1234567893",
                "modalities": ["iv_infusion", "esketamine_nasal"], "conditions": ["depression", "ptsd"],
                "services": ["integration_therapy"], "insurance": [], "rating_value": 4.5, "rating_count": 10,
                "qualification": {"signals": ["psychiatrist_on_team"], "verified": True}, "created_at": now,
                "updated_at": now, "review_priority": 0} for i in ids])
            c.execute(insert(Credential), [{"provider_id": i, "credential": "MD", "npi": "1234567893",
                                            "outcome": "verified", "license_states": ["TX"],
                                            "registry_taxonomies": [], "first_seen": now, "last_seen": now}
                                           for i in ids if i % 3 == 0])
            c.execute(insert(Affiliation), [{"clinic_id": i, "practitioner_id": i + 2, "last_seen": now}
                                            for i in ids if i % 3 == 1 and i + 2 < ids.stop])
            c.execute(insert(RatingSummary), [{"provider_id": i, "source_id": 1, "value": 4.5, "count": 10,
                                               "updated_at": now} for i in ids])
            c.execute(insert(FieldEvidence), [{
                "provider_id": i, "field": f, "value": f, "value_hash": hashlib.sha256(f"{i}{f}".encode()).hexdigest(),
                "source_id": 1, "url": f"https://clinic{i}.example/", "tier": 2, "first_seen": now, "last_seen": now,
                "selected": True} for i in ids for f in ("name", "phones", "address")])
    db.dispose()


def child(url: str, fmt: str, out: str) -> None:
    from indexer.db import Database
    from indexer.export import export_to_path

    db = Database.connect(url)
    stats = export_to_path(db, fmt, out)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"written": stats.written, "seconds": stats.seconds, "peak_mb": peak_kb / 1024,
                      "bytes": Path(out).stat().st_size}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--dir", default="/tmp/kdir-export-bench")
    ap.add_argument("--child", nargs=3, metavar=("URL", "FORMAT", "OUT"))
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    for n in (int(x) for x in args.sizes.split(",")):
        path = work / f"bench-{n}.sqlite3"
        url = f"sqlite:///{path}"
        if not path.exists():
            t0 = time.monotonic()
            seed(url, n)
            print(f"seeded {n} providers in {time.monotonic() - t0:.1f}s")
        for fmt in FORMATS:
            out = work / f"out-{n}.{fmt}"
            res = subprocess.run([sys.executable, __file__, "--child", url, fmt,
                                  str(out)], capture_output=True, text=True, check=True)
            r = json.loads(res.stdout)
            print(f"n={n:>7} {fmt:8} {r['written'] / max(r['seconds'], 1e-9):>8.0f} providers/s  "
                  f"{r['seconds']:6.1f}s  peak RSS {r['peak_mb']:6.1f} MB  output {r['bytes'] / 1e6:7.1f} MB")
            out.unlink()


if __name__ == "__main__":
    main()
