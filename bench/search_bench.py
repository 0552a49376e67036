"""Search benchmark: index synthetic providers in every available backend and time a fixed query mix.

    .venv/bin/python bench/search_bench.py                 # 10k and 100k documents, FTS5 (+ Meilisearch if
                                                           # KDIR_MEILI_URL is set)
    .venv/bin/python bench/search_bench.py --sizes 10000 --rounds 3

Prints p50/p99 latency per query type and overall, measured in-process around ``backend.search()``
(includes SQL, JSON decoding of the page and highlights; excludes HTTP): wall-clock time, and the CPU time of
the searching thread (SQLite runs in that thread for FTS5), which stays meaningful on a loaded machine. The documents are deterministic
(seeded), so runs are comparable. At the end, one table puts every backend's figures for the same query mix side
by side, and counts the queries whose total and page-1 ids agree with FTS5's. See docs/search.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.search.base import SearchBackend, SearchQuery  # noqa: E402
from kdir.common.filters import where  # noqa: E402
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES  # noqa: E402

CITIES = [
    ("Austin", "TX", "787", 30.2672, -97.7431), ("Dallas", "TX", "752", 32.7767, -96.7970),
    ("Houston", "TX", "770", 29.7604, -95.3698), ("Denver", "CO", "802", 39.7392, -104.9903),
    ("Boulder", "CO", "803", 40.0150, -105.2705), ("Phoenix", "AZ", "850", 33.4484, -112.0740),
    ("Seattle", "WA", "981", 47.6062, -122.3321), ("Portland", "OR", "972", 45.5152, -122.6784),
    ("San Francisco", "CA", "941", 37.7749, -122.4194), ("Los Angeles", "CA", "900", 34.0522, -118.2437),
    ("San Diego", "CA", "921", 32.7157, -117.1611), ("Sacramento", "CA", "958", 38.5816, -121.4944),
    ("Chicago", "IL", "606", 41.8781, -87.6298), ("Minneapolis", "MN", "554", 44.9778, -93.2650),
    ("New York", "NY", "100", 40.7128, -74.0060), ("Brooklyn", "NY", "112", 40.6782, -73.9442),
    ("Boston", "MA", "021", 42.3601, -71.0589), ("Philadelphia", "PA", "191", 39.9526, -75.1652),
    ("Pittsburgh", "PA", "152", 40.4406, -79.9959), ("Atlanta", "GA", "303", 33.7490, -84.3880),
    ("Miami", "FL", "331", 25.7617, -80.1918), ("Tampa", "FL", "336", 27.9506, -82.4572),
    ("Orlando", "FL", "328", 28.5383, -81.3792), ("Nashville", "TN", "372", 36.1627, -86.7816),
    ("Charlotte", "NC", "282", 35.2271, -80.8431), ("Raleigh", "NC", "276", 35.7796, -78.6382),
    ("Columbus", "OH", "432", 39.9612, -82.9988), ("Cleveland", "OH", "441", 41.4993, -81.6944),
    ("Detroit", "MI", "482", 42.3314, -83.0458), ("Salt Lake City", "UT", "841", 40.7608, -111.8910),
    ("Las Vegas", "NV", "891", 36.1699, -115.1398), ("Albuquerque", "NM", "871", 35.0844, -106.6504),
    ("Kansas City", "MO", "641", 39.0997, -94.5786), ("St. Louis", "MO", "631", 38.6270, -90.1994),
    ("New Orleans", "LA", "701", 29.9511, -90.0715), ("Baltimore", "MD", "212", 39.2904, -76.6122),
    ("Richmond", "VA", "232", 37.5407, -77.4360), ("Milwaukee", "WI", "532", 43.0389, -87.9065),
    ("Omaha", "NE", "681", 41.2565, -95.9345), ("Boise", "ID", "837", 43.6150, -116.2023),
]
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley", "Paul", "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kenneth", "Michelle", "Kevin", "Carol", "Brian", "Amanda", "George", "Melissa", "Priya", "Wei", "Alejandro", "Sofia", "Mohammed", "Fatima", "Hiroshi", "Yuki", "Olga", "Ivan", "Amara", "Kwame", "Lucia", "Mateo"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Shah", "Kim", "Chen", "Okafor", "Novak", "Kowalski", "Haddad", "Castillo", "Fitzgerald", "Schneider", "Yamamoto", "Lindqvist", "Abernathy", "Whitfield", "Delacroix", "Montgomery", "Vasquez"]
CREDS = ["MD", "DO", "PMHNP-BC", "CRNA", "PA-C", "LCSW", "LPC", "PhD", "PsyD", "LMFT", "NP"]
WORDS_A = ["Serenity", "Renew", "Clarity", "Horizon", "Mindful", "Restore", "Bright", "Path", "Summit", "Harbor", "Evergreen", "Phoenix", "Lotus", "Awaken", "Balance", "Beacon", "Cedar", "Cornerstone", "Elevate", "Haven", "Insight", "Journey", "Kindred", "Meridian", "Northstar", "Oasis", "Pinnacle", "Revive", "Sage", "Solace", "Tranquil", "Unity", "Vitality", "Willow"]
WORDS_B = ["Ketamine Clinic", "Ketamine Center", "Wellness", "Infusion Center", "Psychiatry", "Mental Health",
           "Behavioral Health", "Ketamine Therapy", "IV Therapy", "Integrative Psychiatry", "Healing Center",
           "TMS & Ketamine", "Mind Institute", "Recovery Center"]


def synthetic_documents(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Deterministic, realistic-looking provider documents (about 70% clinics)."""
    rnd = random.Random(seed)
    for i in range(1, n + 1):
        city, region, zip3, lat, lon = rnd.choice(CITIES)
        clinic = rnd.random() < 0.7
        if clinic:
            name = rnd.choice([f"{rnd.choice(WORDS_A)} {rnd.choice(WORDS_B)}", f"{city} {rnd.choice(WORDS_B)}",
                               f"{rnd.choice(WORDS_A)} {rnd.choice(WORDS_A)} {rnd.choice(WORDS_B)}"])
            practitioners = [f"{rnd.choice(FIRST)} {rnd.choice(LAST)}, {rnd.choice(CREDS)}"
                             for _ in range(rnd.randint(0, 4))]
        else:
            name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}, {rnd.choice(CREDS)}"
            practitioners = []
        modalities = rnd.sample(MODALITIES, rnd.randint(1, 3))
        conditions = rnd.sample(CONDITIONS, rnd.randint(1, 5))
        services = rnd.sample(SERVICES, rnd.randint(0, 4))
        rated = rnd.random() < 0.6
        value = round(rnd.uniform(2.5, 5.0), 1) if rated else None
        count = rnd.randint(1, 300) if rated else 0
        signals = rnd.random()
        yield {
            "id": i, "kind": "clinic" if clinic else "practitioner", "name": name, "status": "published",
            "stale": rnd.random() < 0.03, "street": f"{rnd.randint(100, 9999)} {rnd.choice(LAST)} St",
            "city": city, "region": region, "postal_code": f"{zip3}{rnd.randint(0, 99):02d}",
            "lat": lat + rnd.gauss(0, 0.25), "lon": lon + rnd.gauss(0, 0.25),
            "website": f"https://example{i}.test/", "phones": [f"+1512555{i % 10000:04d}"],
            "modalities": modalities, "conditions": conditions, "services": services,
            "accepts_insurance": "accepts_insurance" in services, "telehealth": "telehealth" in services,
            "verified": signals < 0.5, "psychiatrist": signals < 0.3, "therapist": rnd.random() < 0.4,
            "rems_claimed": "spravato_rems_certified" in services, "practitioners": practitioners,
            "npis": [f"{1000000000 + i * 7919 % 899999999}"], "rating_value": value, "rating_count": count,
            "rating_sources": 1 if rated else 0,
            "rating_bayes": round((value * count + 3.8 * 10) / (count + 10), 3) if rated else None,
            "last_verified_at": None, "updated_at": "2026-11-01T00:00:00+00:00",
        }


def query_mix(seed: int = 11) -> dict[str, list[SearchQuery]]:
    """The fixed mix: text only; text + place + radius + two filters; facet counts (browse, facets on)."""
    rnd = random.Random(seed)
    texts = ["ketamine", "ketamine clinic", "austin", "smith", "iv infusion", "ptsd", "spravato", "psychiatry",
             "serenity wellness", "ketam", "wellnes", "garcia md", "denver ketamine", "integration therapy",
             "mindfull", "depression"]
    text_q = [SearchQuery(text=t) for t in texts]
    geo_q = []
    for i in range(16):
        _, _, _, lat, lon = CITIES[(i * 7) % len(CITIES)]
        geo_q.append(SearchQuery(text=rnd.choice(["ketamine", "clinic", "wellness", "infusion", "therapy"]),
                                 lat=lat, lon=lon, radius_km=rnd.choice([25, 50, 100]),
                                 filters=where(modality=[rnd.choice(MODALITIES)], verified=True),
                                 sort=rnd.choice(["relevance", "distance"])))
    facet_q = [SearchQuery(), SearchQuery(filters=where(condition=["ptsd"])),
               SearchQuery(filters=where(telehealth=True), sort="rating"),
               SearchQuery(filters=where(modality=["esketamine_nasal"], insurance=True)),
               SearchQuery(filters=where(kind="practitioner")),
               SearchQuery(filters=where(therapist=True, condition=["anxiety"]))]
    return {"text": text_q, "text+geo+filters": geo_q, "facets": facet_q}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math_ceil(p * len(ordered)) - 1))]


def math_ceil(x: float) -> int:
    return int(-(-x // 1))


Stats = dict[str, tuple[float, ...]]
Answers = dict[str, list[tuple[int, list[int]]]]


def run(backend: SearchBackend, n: int, rounds: int) -> tuple[Stats, Answers]:
    """Index n documents, time the mix; returns the latency per query type and each query's answer
    (total, page-1 ids) for the side-by-side comparison."""
    t0 = time.perf_counter()
    backend.rebuild(synthetic_documents(n))
    print(f"  indexed {backend.count()} documents in {time.perf_counter() - t0:.1f} s")
    mix = query_mix()
    answers: Answers = {}
    for kind, queries in mix.items():  # warm caches (vocabulary, page cache) once, as a running server would be
        for q in queries:
            result = backend.search(q)
            answers.setdefault(kind, []).append((result.total, [h.id for h in result.hits]))
    stats: Stats = {}
    overall: list[float] = []
    overall_cpu: list[float] = []
    for kind, queries in mix.items():
        times: list[float] = []
        cpu: list[float] = []
        for _ in range(rounds):
            for q in queries:
                t, c = time.perf_counter(), time.thread_time()
                backend.search(q)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.thread_time() - c) * 1000)
        overall.extend(times)
        overall_cpu.extend(cpu)
        stats[kind] = (statistics.median(times), pct(times, 0.99), statistics.median(cpu), pct(cpu, 0.99))
        print(f"  {kind:18s} n={len(times):4d}  wall p50={stats[kind][0]:6.1f} p99={stats[kind][1]:6.1f}"
              f"  cpu p50={stats[kind][2]:6.1f} p99={stats[kind][3]:6.1f} ms")
    stats["overall"] = (statistics.median(overall), pct(overall, 0.99), statistics.median(overall_cpu),
                        pct(overall_cpu, 0.99))
    print(f"  {'overall':18s} n={len(overall):4d}  wall p50={stats['overall'][0]:6.1f} p99={stats['overall'][1]:6.1f}"
          f"  cpu p50={stats['overall'][2]:6.1f} p99={stats['overall'][3]:6.1f} ms")
    # After a write every per-process cache (snapshot, vocabulary, word bitsets) is rebuilt on the next query:
    # time the first query after a one-document upsert, the worst case right after a publish.
    cold: list[float] = []
    doc = next(synthetic_documents(1, seed=99))
    for queries in mix.values():
        for q in queries[:4]:
            backend.upsert([doc | {"id": n + 1}])
            t = time.perf_counter()
            backend.search(q)
            cold.append((time.perf_counter() - t) * 1000)
    stats["first after write"] = (statistics.median(cold), max(cold))
    print(f"  {'first after write':18s} n={len(cold):4d}  p50={statistics.median(cold):6.1f} ms"
          f"  max={max(cold):6.1f} ms")
    return stats, answers


def side_by_side(results: dict[tuple[str, int], tuple[Stats, Answers]], names: list[str], sizes: list[int]) -> None:
    """The same query mix, every backend in one table (wall-clock ms; for Meilisearch the search runs in the
    server, so the client thread's CPU time is not its cost), and how often the answers agree."""
    print("\nside by side (wall-clock p50 / p99 ms; first after write: p50 / max)")
    print(f"  {'documents':>9s}  {'query type':18s}" + "".join(f"  {name:>17s}" for name in names))
    for n in sizes:
        kinds = next((results[(name, n)][0] for name in names if (name, n) in results), {})
        for kind in kinds:
            cells = []
            for name in names:
                stat = results.get((name, n), ({}, {}))[0].get(kind)
                cells.append(f"{stat[0]:7.1f} / {stat[1]:7.1f}" if stat else f"{'-':>17s}")
            print(f"  {n:9d}  {kind:18s}" + "".join(f"  {c:>17s}" for c in cells))
    if len(names) < 2:
        return
    base = names[0]
    print(f"\nanswers compared with {base} (same total / same page-1 ids, per query type)")
    for n in sizes:
        for name in names[1:]:
            if (base, n) not in results or (name, n) not in results:
                continue
            ref, other = results[(base, n)][1], results[(name, n)][1]
            for kind, answers in ref.items():
                same_total = sum(a[0] == b[0] for a, b in zip(answers, other[kind], strict=True))
                same_page = sum(a[1] == b[1] for a, b in zip(answers, other[kind], strict=True))
                print(f"  {n:9d}  {name:12s} {kind:18s} totals {same_total}/{len(answers)}"
                      f"  page-1 ids {same_page}/{len(answers)}")


def backends(tmp: Path) -> list[tuple[str, Callable[[], SearchBackend]]]:
    from indexer.search.fts5 import FTS5Backend

    out: list[tuple[str, Callable[[], SearchBackend]]] = [("fts5", lambda: FTS5Backend(tmp / "bench.sqlite3"))]
    if os.environ.get("KDIR_MEILI_URL"):
        from indexer.search.meili import MeiliBackend

        out.append(("meilisearch", lambda: MeiliBackend(os.environ["KDIR_MEILI_URL"],
                                                        os.environ.get("KDIR_MEILI_KEY"), index="kdir_bench")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[str, int], tuple[Stats, Answers]] = {}
    names: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kdir-bench-") as tmp:
        for name, factory in backends(Path(tmp)):
            names.append(name)
            for n in sizes:
                print(f"{name} @ {n} documents")
                backend = factory()
                try:
                    results[(name, n)] = run(backend, n, args.rounds)
                finally:
                    backend.close()
    side_by_side(results, names, sizes)
    if not os.environ.get("KDIR_MEILI_URL"):
        print("(Meilisearch skipped: KDIR_MEILI_URL not set)")


if __name__ == "__main__":
    main()
