"""Indexer benchmark: synthetic, realistic observations -> full index time and peak memory, then the time to
apply 1,000 changed observations incrementally. SQLite, no registry (``verify=False``). Prints the figures.

    .venv/bin/python bench/index_bench.py [--observations 100000] [--changes 1000] [--db PATH]

Targets (docs/indexing.md): full index of 100k observations <= 60 s and < 1 GB peak RSS on a 2-core machine;
1,000 changed observations <= 2 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, update  # noqa: E402

from indexer.db import Database  # noqa: E402
from indexer.db.models import CrawlRun, Observation, Source  # noqa: E402
from indexer.storage import content_hash  # noqa: E402
from kdir.common.normalise import normalise  # noqa: E402
from kdir.common.record import ProviderItem  # noqa: E402

WORDS = ["Sunrise", "Lotus", "Harbor", "Cedar", "Summit", "Clear", "Path", "Bright", "Mind", "Renew", "Evergreen", "Stillwater", "Blue", "Ridge", "Aspen", "Horizon", "Serenity", "Mosaic", "Northstar", "Willow", "Juniper", "River", "Valley", "Oak", "Pine", "Beacon", "Compass", "Haven"]
KINDS = ("Ketamine Clinic", "Infusion Center", "Wellness", "Psychiatry", "Ketamine & Wellness", "Mental Health",
         "Integrative Psychiatry", "Ketamine Therapy")
SUFFIXES = ("", ", LLC", " PLLC", ", P.C.", " Inc.", "")
STREETS = ("Main", "Oak", "Congress", "Elm", "Park", "Lake", "Hill", "Maple", "Cedar", "Washington", "Lincoln")
TYPES = (("Street", "St"), ("Avenue", "Ave"), ("Boulevard", "Blvd"), ("Road", "Rd"), ("Drive", "Dr"))
SOURCES = (("clinic_site", "clinic_site", 2), ("directory:a", "directory", 1), ("directory:b", "directory", 1),
           ("osm", "osm", 1))
MODS = ("iv_infusion", "im_injection", "esketamine_nasal", "oral_sublingual", "at_home")
CONDS = ("depression", "anxiety", "ptsd", "ocd", "chronic_pain", "treatment_resistant_depression")
SERVS = ("integration_therapy", "medical_screening", "telehealth", "accepts_insurance")
FIRST = ["Helen", "Jordan", "Marcus", "Lisa", "Alan", "Maria", "Priya", "Kevin", "Sofia", "Nathan", "Rebecca", "Daniel", "Sam", "Tasha", "Jose"]
LAST = ["Park", "Ellis", "Webb", "Tran", "Reyes", "Chen", "Natarajan", "Olsen", "Alvarez", "Cole", "Stone", "Kim", "Patel", "Greene", "Nunez", "Brennan"]


def _npi(rng: random.Random) -> str:
    base = f"1{rng.randint(0, 99_999_999):08d}"
    total = 0
    for i, ch in enumerate(reversed("80840" + base)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return base + str((10 - total % 10) % 10)


def _zips(n: int) -> list[tuple[str, str, str, float, float]]:
    import zipcodes

    rows = [z for z in zipcodes.list_all() if z["zip_code_type"] == "STANDARD" and z["state"] in
            ("TX", "CA", "NY", "FL", "CO", "WA", "OR", "AZ", "MA", "NC", "IL", "GA")]
    random.Random(7).shuffle(rows)
    return [(z["zip_code"], z["city"], z["state"], float(z["lat"]), float(z["long"])) for z in rows[:n]]


def make_base(rng: random.Random, i: int, zips: list) -> dict[str, Any]:  # type: ignore[type-arg]
    z, city, state, lat, lon = zips[rng.randrange(len(zips))]
    street = (rng.randint(1, 9999), rng.choice(STREETS), rng.choice(TYPES), rng.choice((None, None, rng.randint(100, 999))))
    people = [{"name": f"{rng.choice(FIRST)} {rng.choice('ABCDEFGHJK')}. {rng.choice(LAST)}{i % 997}",
               "credentials": [rng.choice(("MD", "DO", "PMHNP-BC", "CRNA", "LCSW"))], "role": rng.choice(
                   ("Medical Director", "Therapist", None)), "npi": _npi(rng) if rng.random() < 0.6 else None}
              for _ in range(rng.choice((0, 1, 1, 2)))]
    return {"name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)} {i}", "zip": z, "city": city,
            "state": state, "lat": lat + rng.uniform(-0.02, 0.02), "lon": lon + rng.uniform(-0.02, 0.02),
            "street": street, "phone": f"{rng.choice(('512', '303', '206', '617', '415'))}{rng.randint(200, 999)}"
                                       f"{rng.randint(0, 9999):04d}",
            "npi": _npi(rng) if rng.random() < 0.3 else None, "people": people,
            "mods": rng.sample(MODS, rng.randint(1, 3)), "conds": rng.sample(CONDS, rng.randint(1, 4)),
            "servs": rng.sample(SERVS, rng.randint(0, 3))}


def render(rng: random.Random, b: dict[str, Any], source: str, variant: bool, now: datetime) -> dict[str, Any]:
    num, sname, (longt, shortt), suite = b["street"]
    if variant:
        street = f"{num} {sname} {shortt}." + (f" #{suite}" if suite else "")
        name = b["name"].upper() + rng.choice(SUFFIXES)
        phone = f"{b['phone'][:3]}.{b['phone'][3:6]}.{b['phone'][6:]}"
        z = b["zip"] + "-" + f"{rng.randint(0, 9999):04d}"
    else:
        street = f"{num} {sname} {longt}" + (f", Suite {suite}" if suite else "")
        name, phone, z = b["name"] + rng.choice(SUFFIXES), f"({b['phone'][:3]}) {b['phone'][3:6]}-{b['phone'][6:]}", b["zip"]
    phones = [phone] if not variant or rng.random() < 0.8 else []
    reviews = [{"text": f"Review {rng.randint(0, 10**6)} about {b['name']}", "rating": rng.randint(1, 5),
                "date": "2026-01-01", "author": None, "url": None} for _ in range(rng.choice((0, 0, 0, 1, 3)))]
    return {"source": source, "source_url": f"https://{source.replace(':', '-')}.test/{b['name'].replace(' ', '-')}",
            "fetched_at": now.isoformat(), "kind": "clinic", "name": name, "website": None, "phones": phones,
            "email": None, "address": {"street": street, "city": b["city"], "region": b["state"], "postal_code": z,
                                       "country": "US"},
            "geo": {"lat": b["lat"], "lon": b["lon"]} if rng.random() < 0.7 else None, "npi": b["npi"],
            "modalities": b["mods"], "conditions": b["conds"], "services": b["servs"], "practitioners": b["people"],
            "rating": {"value": round(rng.uniform(3, 5), 1), "count": rng.randint(1, 200), "best": 5.0}
            if rng.random() < 0.3 else None, "reviews": reviews, "price": None, "insurance": [], "telehealth": None,
            "location_key": None}


def generate(db: Database, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    zips = _zips(3000)
    now = datetime.now(UTC) - timedelta(days=1)
    n_base = int(n / 1.3)
    bases = [make_base(rng, i, zips) for i in range(n_base)]
    with db.session() as s:
        src_ids, run_ids = {}, {}
        for key, kind, tier in SOURCES:
            src = Source(key=key, name=key, kind=kind, tier=tier)
            s.add(src)
            s.flush()
            run = CrawlRun(source_id=src.id, spider=kind, status="ok", finished_at=now, items_count=0)
            s.add(run)
            s.flush()
            src_ids[key], run_ids[key] = src.id, run.id
        rows = []
        plan = [(b, SOURCES[rng.randrange(4)][0], False) for b in bases]
        plan += [(bases[rng.randrange(n_base)], None, True) for _ in range(n - n_base)]
        for b, source, variant in plan:
            if source is None:
                source = SOURCES[rng.randrange(4)][0]
            payload = render(rng, b, source, variant, now)
            payload["source_url"] += f"-{len(rows)}" if variant else ""
            # stored as the crawler stores it: normalised once, in the item pipeline (kdir.common.normalise)
            payload = normalise(ProviderItem.from_dict(payload)).to_dict()
            rows.append({"source_id": src_ids[source], "location_key": payload["source_url"][:500],
                         "kind": "clinic", "source_url": payload["source_url"], "fetched_at": now,
                         "content_hash": content_hash(payload), "payload": payload, "first_seen": now,
                         "last_seen": now, "first_run_id": run_ids[source], "last_run_id": run_ids[source],
                         "superseded": False})
            if len(rows) >= 5000:
                s.execute(insert(Observation), rows)
                rows = []
        if rows:
            s.execute(insert(Observation), rows)
        s.commit()


def change(db: Database, count: int, seed: int = 2) -> None:
    """Store ``count`` changed observations (new content for existing listings), as a crawl would."""
    rng = random.Random(seed)
    with db.session() as s:
        current = list(s.scalars(select(Observation.id).where(Observation.superseded.is_(False))))
        picks = sorted(rng.sample(current, count))
        olds = s.execute(select(Observation).where(Observation.id.in_(picks))).scalars().all()
        now = datetime.now(UTC)
        rows = []
        for o in olds:
            payload = dict(o.payload)
            payload["modalities"] = sorted(set(payload["modalities"]) ^ {"esketamine_nasal"})
            payload["insurance"] = [f"Plan {rng.randint(0, 10**9)}"]
            payload["fetched_at"] = now.isoformat()
            rows.append({"source_id": o.source_id, "location_key": o.location_key, "kind": o.kind,
                         "source_url": o.source_url, "fetched_at": now, "content_hash": content_hash(payload),
                         "payload": payload, "first_seen": now, "last_seen": now, "first_run_id": o.last_run_id,
                         "last_run_id": o.last_run_id, "superseded": False})
        s.execute(update(Observation).where(Observation.id.in_(picks)).values(superseded=True))
        s.execute(insert(Observation), rows)
        s.commit()


def index_only(url: str, full: bool) -> None:
    from indexer.pipeline import run_index
    from kdir.common.config import Settings

    db = Database.connect(url)
    t, c = time.perf_counter(), time.process_time()
    report = run_index(db, Settings.from_env({"KDIR_ENV": "test"}), full=full, verify=False)
    print(f"RESULT {time.perf_counter() - t:.2f} {time.process_time() - c:.2f} {report.summary()}")


def _child(url: str, full: bool) -> tuple[float, float, str, float]:
    """(wall s, CPU s of the indexing process, summary, peak RSS MB). CPU time is what the shared machine's
    other jobs cannot inflate much; wall time is the target."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, __file__, "--index-only", url] + (["--full"] if full else []),
                         check=True, capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    secs, cpu, summary = line.split(" ", 3)[1:]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return float(secs), float(cpu), summary, max(peak, before) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--observations", type=int, default=100_000)
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary one)")
    ap.add_argument("--index-only", metavar="URL", help=argparse.SUPPRESS)
    ap.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.index_only:
        index_only(args.index_only, args.full)
        return
    path = args.db or Path(tempfile.mkdtemp(prefix="kdir-bench-")) / "bench.sqlite3"
    url = f"sqlite:///{path}"
    db = Database.connect(url, migrate=True)
    t = time.perf_counter()
    generate(db, args.observations)
    print(f"generated {args.observations} observations in {time.perf_counter() - t:.1f}s ({path})")
    secs, cpu, summary, peak_mb = _child(url, full=False)
    print(f"full index: {secs:.1f}s wall, {cpu:.1f}s CPU, peak RSS {peak_mb:.0f} MB (targets: <= 60 s, < 1024 MB)")
    print(f"  {summary}")
    change(db, args.changes)
    secs, cpu, summary, _ = _child(url, full=False)
    print(f"{args.changes} changed observations: {secs:.2f}s wall, {cpu:.2f}s CPU (target <= 2 s)")
    print(f"  {summary}")


if __name__ == "__main__":
    main()
