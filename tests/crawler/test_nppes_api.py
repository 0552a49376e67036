"""The nppes spider against a scripted registry: paging, errors answered with HTTP 200, the response cache."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from crawler.runner import run_spider, run_status
from tests.crawler.conftest import FAST, crawl_settings, observations, run_row
from tests.crawler.trapweb import Hit, Reply, TrapSite


def _npi(first9: str) -> str:
    total = 0
    for i, ch in enumerate(reversed("80840" + first9)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return first9 + str((10 - total % 10) % 10)


RECORDS = [{
    "number": _npi(f"1{i:08d}") if i % 2 else int(_npi(f"1{i:08d}")),  # types drift: int or str
    "enumeration_type": "NPI-1", "created_epoch": str(1_600_000_000_000 + i),
    "basic": {"first_name": f"ANN{i}", "last_name": "SMITH", "credential": "MD", "status": "A"},
    "addresses": [{"address_purpose": "LOCATION", "address_1": f"{i} MAIN ST", "city": "AUSTIN", "state": "TX",
                   "postal_code": "787010000", "telephone_number": "512-555-0100"}],
    "taxonomies": [{"code": "2084P0800X", "desc": "Psychiatry & Neurology, Psychiatry", "primary": True}],
} for i in range(203)]


def registry(hit: Hit) -> Reply:
    q = {k: v[-1] for k, v in parse_qs(urlsplit(hit.path).query).items()}
    if q.get("version") != "2.1":
        body: dict = {"Errors": [{"description": "bad version", "field": "version", "number": "01"}]}
    elif q.get("taxonomy_description") != "Psychiatry":
        body = {"Errors": [{"description": "No valid search criteria provided", "field": "generic",
                            "number": "04"}]}
    else:
        skip, limit = int(q["skip"]), int(q["limit"])
        page = RECORDS[skip:skip + limit]
        body = {"result_count": len(page), "results": page}
    return Reply(body=json.dumps(body).encode(), content_type="application/json")


def test_nppes_paging_errors_and_cache(tmp_path: Path) -> None:
    site = TrapSite("127.0.0.142", {"/api/": registry}).start()
    try:
        settings = crawl_settings(tmp_path / "var", KDIR_NPPES_URL=f"{site.url}/api/")
        args = {"states": "TX", "taxonomies": "2084P0800X,363LP0808X"}
        first = run_spider("nppes", args, settings=settings, extra_settings=FAST, timeout=60)
        st = run_status(settings, first)
        assert st["status"] == "ok" and st["items"] == 203 and st["pages"] == 3 and st["errors"] == 1
        assert run_row(settings, first).stats["kdir/nppes/api_errors"] == 1
        paths = site.paths()
        assert len(paths) == 3 and sum("skip=200" in p for p in paths) == 1
        items = observations(settings, "nppes")
        assert {o["npi"] for o in items} == {str(r["number"]) for r in RECORDS}
        assert all(o["phones"] == ["+15125550100"] and o["address"]["postal_code"] == "78701" for o in items)

        second = run_spider("nppes", args, settings=settings, extra_settings=FAST, timeout=60)
        st2 = run_status(settings, second)
        assert st2["status"] == "ok" and st2["items"] == 203 and st2["new"] == 0
        # Answers came from the cache, except the error, which is never cached.
        new_paths = site.paths()[3:]
        assert len(new_paths) == 1 and "Psych%2FMental+Health" in new_paths[0]
    finally:
        site.stop()
