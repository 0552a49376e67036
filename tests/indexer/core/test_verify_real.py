"""Verification against recorded answers of the real NPI registry (tests/data/nppes-real, see its SOURCE.md).

A loopback server answers each query from the recorded records with the real API's matching rules (whole last
names, trailing wildcard, other names searched for organisations, active records only), so compound surnames,
trading names, legal suffixes and licence-less taxonomies are met as the real registry writes them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from indexer.db import Database
from indexer.verify.credentials import check_claim
from indexer.verify.nppes import NppesClient, parse_result
from kdir.sampleweb.nppes import search

DATA = Path(__file__).parents[2] / "data" / "nppes-real"


def recorded() -> list[dict[str, Any]]:
    """Every recorded result, once per NPI."""
    seen: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA.glob("*.json")):
        for rec in json.loads(path.read_text()).get("results") or []:
            seen.setdefault(str(rec["number"]), rec)
    return list(seen.values())


@pytest.fixture(scope="module")
def registry_url() -> Iterator[str]:
    records = recorded()

    class Replay(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = json.dumps(search(dict(parse_qsl(urlsplit(self.path).query)), records)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.78", 0), Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.78:{server.server_address[1]}/api/"
    server.shutdown()
    server.server_close()


P = "practitioner"
#: (printed name, kind, claimed code, printed NPI, state) -> (outcome, registry NPI the outcome rests on)
CASES = [
    (("Josephine De La Rosa, MD", P, "MD", None, "NY"), ("verified", "1508828047")),  # particle surname
    (("Josephine De La Rosa, MD", P, "MD", None, "CA"), ("not_found", None)),  # no such person in CA
    (("Josefina A. Diaz-Vogt, M.D.", P, "MD", None, "TX"), ("verified", "1952406092")),  # hyphenated
    (("Josephine Del Rosario PA-C", P, "PA-C", None, "NC"), ("verified", "1013239995")),
    (("Josephine Pineda Dela Cruz MD", P, "MD", None, "WA"), ("verified", "1437410099")),
    (("Jo Ellen Dean-Wagoner, CRNA", P, "CRNA", None, "WV"), ("verified", "1093749731")),
    (("Josephine De Lira, LCSW", P, "LCSW", None, "IL"), ("verified", "1689700437")),
    (("Dr. Josephine De Los Santos", P, "LP", None, "TX"), ("verified", "1336225416")),
    (("Josephine Diaz-Green, LCSW", P, "LCSW", None, "CA"), ("mismatch", "1063877215")),  # no licence shown
    (("Jo Deaton, APRN", P, "APRN", None, "MD"), ("verified", "1972896090")),  # clinical nurse specialist
    (("Josephine Dean, NP", P, "NP", None, "IN"), ("verified", "1518425099")),  # filed as JOSIE
    (("Josie Branum", P, "ALC", "1841008505", "AL"), ("verified", "1841008505")),  # a former name
    (("Josephine Diaz", P, None, None, "CA"), ("ambiguous", None)),  # two of that name in CA
    (("Josephine Duncan", P, "DPT", "1467486373", "GA"), ("mismatch", "1467486373")),  # an organisation's NPI
    (("Josefina Diaz-Vogt", P, "MD", "1952406093", "TX"), ("invalid_number", None)),  # bad check digit
    (("Josefina Diaz-Vogt", P, "MD", "1234567893", "TX"), ("not_found", None)),  # not an active NPI
    (("Kindbody of PA Medical Practice", "clinic", None, None, "PA"), ("verified", "1174270805")),  # DBA
    (("Peach State Medical Practice", "clinic", None, "1174270805", "IL"), ("verified", "1174270805")),
    (("Quarells Consulting", "clinic", None, None, "GA"), ("verified", "1386801454")),  # ", P.C." dropped
    (("OBGYN Atlanta", "clinic", None, None, "GA"), ("verified", "1992885586")),  # DBA of "…, M.D., P.C."
    (("Fyzical Therapy & Balance Centers", "clinic", None, None, "GA"), ("verified", "1740355304")),
    (("The Emory Clinic", "clinic", None, None, "GA"), ("verified", "1467486373")),
    (("CSP Anesthesia", "clinic", None, "1568946812", "FL"), ("mismatch", "1568946812")),  # GA only
]


@pytest.mark.parametrize(("claim", "expected"), CASES, ids=[f"{c[0]}-{c[4]}" for c, _ in CASES])
def test_claims_against_recorded_registry_answers(db: Database, registry_url: str, claim: tuple,  # type: ignore[type-arg]
                                                  expected: tuple) -> None:  # type: ignore[type-arg]
    client = NppesClient(registry_url, pause_s=0.0)
    with db.session() as s:
        v = check_claim(s, client, *claim)
    assert (v.outcome, v.record.number if v.record is not None else None) == expected, v.reason


def test_every_recorded_record_parses_with_its_evidence() -> None:
    records = recorded()
    assert len(records) >= 200
    for raw in records:
        rec = parse_result(raw)
        assert rec is not None and rec.number == str(raw["number"])
        assert rec.last_updated is not None  # epochs in seconds or milliseconds, or the basic date
        assert rec.primary_taxonomy is None or rec.primary_taxonomy.code
    dba = parse_result(next(r for r in records if str(r["number"]) == "1174270805"))
    assert dba is not None and [o.name for o in dba.other_names] == ["KINDBODY OF PA MEDICAL PRACTICE, PC"]
