"""Records of the fictional NPI registry, in the NPPES API v2.1 result format.

Hand-written records match the sample sites (and set the verification traps, see ``truth.py``); ~300 more are
generated deterministically so that slicing by state and taxonomy and paging with ``limit``/``skip`` matter.
Types drift as in real captures: ``number`` is sometimes an int, epochs are int seconds or str milliseconds,
the sex field is ``gender`` in older records and ``sex`` in newer ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from kdir.common.npi import make_npi

TAXONOMY = {
    "2084P0800X": "Psychiatry & Neurology, Psychiatry",
    "2084P0802X": "Psychiatry & Neurology, Addiction Psychiatry",
    "207L00000X": "Anesthesiology",
    "207LP2900X": "Anesthesiology, Pain Medicine",
    "208VP0000X": "Pain Medicine, Pain Medicine",
    "207P00000X": "Emergency Medicine",
    "207Q00000X": "Family Medicine",
    "207R00000X": "Internal Medicine",
    "208000000X": "Pediatrics",
    "367500000X": "Nurse Anesthetist, Certified Registered",
    "363LP0808X": "Nurse Practitioner, Psych/Mental Health",
    "363A00000X": "Physician Assistant",
    "103T00000X": "Psychologist",
    "103TC0700X": "Psychologist, Clinical",
    "1041C0700X": "Social Worker, Clinical",
    "101YP2500X": "Counselor, Professional",
    "101YM0800X": "Counselor, Mental Health",
    "106H00000X": "Marriage & Family Therapist",
    "1223G0001X": "Dentist, General Practice",
    "261QM0801X": "Clinic/Center, Mental Health (Including Community Mental Health Center)",
    "3336C0004X": "Pharmacy, Compounding Pharmacy",
    "364SP0808X": "Clinical Nurse Specialist, Psych/Mental Health",
    "367A00000X": "Advanced Practice Midwife",
}


@dataclass(frozen=True)
class Addr:
    line1: str
    line2: str
    city: str
    state: str
    postal: str  # 5 or 9 digits, as the registry stores it
    phone: str  # "512-555-0101"


def _address(purpose: str, a: Addr) -> dict[str, Any]:
    return {"country_code": "US", "country_name": "United States", "address_purpose": purpose,
            "address_type": "DOM", "address_1": a.line1, "address_2": a.line2, "city": a.city.upper(),
            "state": a.state, "postal_code": a.postal, "telephone_number": a.phone}


def _taxonomies(codes: list[str], state: str, seed: int) -> list[dict[str, Any]]:
    return [{"code": c, "taxonomy_group": "", "desc": TAXONOMY[c], "state": state,
             "license": f"{state}{seed % 90000 + 10000 + i}", "primary": i == 0} for i, c in enumerate(codes)]


def _envelope(npi: str, etype: str, basic: dict[str, Any], addr: Addr, mailing: Addr | None,
              codes: list[str], seq: int) -> dict[str, Any]:
    created = 1_117_584_000 + seq * 86_400 * 17
    updated = created + 86_400 * 400
    drift = seq % 3
    return {
        "number": int(npi) if drift == 1 else npi,
        "enumeration_type": etype,
        "created_epoch": created if drift == 0 else str(created * 1000),
        "last_updated_epoch": updated if drift == 0 else str(updated * 1000),
        "basic": basic,
        "addresses": [_address("LOCATION", addr), _address("MAILING", mailing or addr)],
        "practiceLocations": [],
        "taxonomies": _taxonomies(codes, addr.state, int(npi[:6])),
        "identifiers": [],
        "endpoints": [],
        "other_names": [],
    }


def person(npi: str, first: str, last: str, credential: str, sex: str, codes: list[str], addr: Addr,
           *, seq: int, middle: str = "", status: str = "A", mailing: Addr | None = None,
           also_licensed: tuple[str, ...] = ()) -> dict[str, Any]:
    """An NPI-1 record; ``also_licensed``: further states where its primary taxonomy is licensed (the real
    registry repeats the taxonomy once per state licence)."""
    basic: dict[str, Any] = {
        "first_name": first.upper(), "last_name": last.upper(), "middle_name": middle.upper(),
        "credential": credential, "sole_proprietor": "NO",
        "enumeration_date": f"{2005 + seq % 15}-0{1 + seq % 9}-1{seq % 10}", "last_updated": "2024-03-1" + str(seq % 10),
        "status": status,
    }
    basic["sex" if seq % 2 else "gender"] = sex
    if status != "A":
        basic["deactivation_date"] = "2023-08-31"
    rec = _envelope(npi, "NPI-1", basic, addr, mailing, codes, seq)
    for i, st in enumerate(also_licensed, 1):
        rec["taxonomies"].append({**rec["taxonomies"][0], "state": st, "license": f"{st}{int(npi[:5]) + i}",
                                  "primary": False})
    return rec


def organization(npi: str, name: str, official: tuple[str, str, str], codes: list[str], addr: Addr,
                 *, seq: int, practice_locations: tuple[Addr, ...] = ()) -> dict[str, Any]:
    basic = {
        "organization_name": name.upper(), "organizational_subpart": "NO",
        "enumeration_date": f"{2010 + seq % 12}-05-0{1 + seq % 9}", "last_updated": "2024-06-20", "status": "A",
        "authorized_official_first_name": official[0].upper(), "authorized_official_last_name": official[1].upper(),
        "authorized_official_title_or_position": official[2], "authorized_official_telephone_number": addr.phone,
    }
    rec = _envelope(npi, "NPI-2", basic, addr, None, codes, seq)
    rec["practiceLocations"] = [_address("LOCATION", a) for a in practice_locations]
    return rec


AUSTIN = Addr("1100 CONGRESS AVE", "SUITE 210", "Austin", "TX", "787011432", "512-555-0101")
DENVER = Addr("1600 STOUT ST", "STE 1400", "Denver", "CO", "802021311", "303-555-0102")
PORTLAND = Addr("812 SW WASHINGTON ST", "SUITE 300", "Portland", "OR", "97205", "503-555-0103")
PHOENIX = Addr("2 N CENTRAL AVE", "SUITE 1800", "Phoenix", "AZ", "850042322", "602-555-0104")
BOSTON = Addr("45 TREMONT ST", "SUITE 600", "Boston", "MA", "021081501", "617-555-0105")
CAMBRIDGE = Addr("1 KENDALL SQ", "BLDG 200", "Cambridge", "MA", "021391562", "617-555-0115")
PROVIDENCE = Addr("100 WESTMINSTER ST", "SUITE 350", "Providence", "RI", "029032313", "401-555-0125")
WORCESTER = Addr("370 MAIN ST", "", "Worcester", "MA", "016082511", "508-555-0142")
ASHEVILLE = Addr("56 COLLEGE ST", "SUITE 4", "Asheville", "NC", "288013022", "828-555-0106")
COLUMBUS = Addr("250 E BROAD ST", "", "Columbus", "OH", "43215", "614-555-0107")
SEATTLE = Addr("720 3RD AVE", "SUITE 1100", "Seattle", "WA", "981041620", "206-555-0108")
SEATTLE_PEDS = Addr("4800 SAND POINT WAY NE", "", "Seattle", "WA", "98105", "206-555-0143")
ALBUQUERQUE = Addr("315 MARQUETTE AVE NW", "SUITE 500", "Albuquerque", "NM", "871021841", "505-555-0109")
TAMPA = Addr("401 E JACKSON ST", "SUITE 2340", "Tampa", "FL", "33602", "813-555-0110")
MINNEAPOLIS = Addr("80 S 8TH ST", "SUITE 900", "Minneapolis", "MN", "554022100", "612-555-0111")
MINNEAPOLIS_AURORA = Addr("730 HENNEPIN AVE", "SUITE 450", "Minneapolis", "MN", "554031817", "612-555-0131")
CHARLESTON = Addr("180 MEETING ST", "STE 200", "Charleston", "SC", "294013120", "843-555-0132")


def _hand_records() -> list[dict[str, Any]]:
    """Registry entries for the sample sites; comments name the site and the expected verification outcome."""
    return [
        # stillwater: verified; a namesake in WA must not be confused with her.
        person("1583014422", "Helen", "Park", "M.D.", "F", ["207L00000X"], AUSTIN, seq=1, middle="J"),
        person("1294768308", "Helen", "Park", "MD", "F", ["208000000X"], SEATTLE_PEDS, seq=2),
        person("1720935547", "Jordan", "Ellis", "CRNA", "M", ["367500000X"], AUSTIN, seq=3),
        organization("1488277165", "Stillwater Ketamine Clinic PLLC", ("Helen", "Park", "Medical Director"),
                     ["261QM0801X"], AUSTIN, seq=4),
        # milehigh: Webb verified; the site calls Lisa Tran "MD" but she is a psychiatric NP -> mismatch.
        person("1366509218", "Marcus", "Webb", "D.O.", "M", ["207P00000X"], DENVER, seq=5),
        person("1904182734", "Lisa", "Tran", "PMHNP-BC", "F", ["363LP0808X"], DENVER, seq=6),
        # cascade: Reyes verified; the NPI printed for Maria Chen (1633741826) is not in the registry.
        person("1155290640", "Alan", "Reyes", "DO", "M", ["2084P0800X"], PORTLAND, seq=7),
        # lumen: Natarajan verified; Olsen's NPI is deactivated (status D) -> verifies nothing.
        person("1049355674", "Priya", "Natarajan", "MD", "F", ["2084P0800X"], PHOENIX, seq=8),
        person("1872063411", "Kevin", "Olsen", "MD", "M", ["207L00000X"], PHOENIX, seq=9, status="D"),
        # evergreen: organisation verified; two Michael Brennans in MA -> ambiguous; Cole, Alvarez verified.
        organization("1250837196", "Evergreen Ketamine Centers LLC", ("Dana", "Whitfield", "CEO"),
                     ["261QM0801X"], BOSTON, seq=10, practice_locations=(CAMBRIDGE, PROVIDENCE)),
        person("1799120450", "Michael", "Brennan", "MD", "M", ["2084P0800X"], BOSTON, seq=11, middle="T"),
        person("1422668032", "Michael", "Brennan", "M.D.", "M", ["2084P0800X"], WORCESTER, seq=12, middle="A"),
        person("1311700946", "Nathan", "Cole", "MD", "M", ["207L00000X", "207LP2900X"], CAMBRIDGE, seq=13),
        person("1665812370", "Sofia", "Alvarez", "MD", "F", ["207P00000X"], PROVIDENCE, seq=14),
        # patel: verified psychiatric NP.
        person("1107483525", "Sam", "Patel", "PMHNP-BC", "M", ["363LP0808X"], ASHEVILLE, seq=15,
               also_licensed=("SC",)),
        # brightsmile: a real dentist, but the office is not a ketamine-therapy provider.
        person("1933576286", "Emily", "Carter", "DDS", "F", ["1223G0001X"], COLUMBUS, seq=16),
        # harborview: Stone and the organisation verified; Daniel Kim's printed NPI has a bad check digit.
        person("1566294108", "Rebecca", "Stone", "MD", "F", ["2084P0800X"], SEATTLE, seq=17),
        organization("1218347064", "Harborview Psychiatry PLLC", ("Rebecca", "Stone", "Owner"),
                     ["261QM0801X"], SEATTLE, seq=18),
        # serenidad: the registry spells him without accents.
        person("1389122601", "Jose", "Nunez", "M.D.", "M", ["2084P0800X"], ALBUQUERQUE, seq=19, middle="L"),
        # directory-only clinics.
        person("1457390122", "Carla", "Mendes", "MD", "F", ["207L00000X"], TAMPA, seq=20),
        person("1538624903", "Erik", "Lindqvist", "DO", "M", ["2084P0800X"], MINNEAPOLIS, seq=21),
        # aurora (hash-routed SPA): both verified; the infusion nurse Hannah Voss has no record -> not_found.
        person("1742036589", "Ingrid", "Solberg", "MD", "F", ["2084P0800X"], MINNEAPOLIS_AURORA, seq=22),
        person("1860914278", "Nora", "Bergstrom", "CRNA", "F", ["367500000X"], MINNEAPOLIS_AURORA, seq=23),
        # tidewater (history-routed SPA): organisation and both practitioners verified.
        organization("1295730463", "Tidewater Ketamine & Spravato Center LLC", ("Caroline", "Ashby", "Owner"),
                     ["261QM0801X"], CHARLESTON, seq=24),
        person("1406289532", "Caroline", "Ashby", "MD", "F", ["2084P0800X"], CHARLESTON, seq=25, middle="E"),
        person("1619073822", "Thomas", "Grimke", "PMHNP-BC", "M", ["363LP0808X"], CHARLESTON, seq=26),
    ]


NASHVILLE = Addr("210 25TH AVE N", "SUITE 1200", "Nashville", "TN", "372031612", "615-555-0151")
LOUISVILLE = Addr("500 S 4TH ST", "", "Louisville", "KY", "40202", "502-555-0152")
CHICAGO = Addr("680 N LAKE SHORE DR", "STE 1100", "Chicago", "IL", "606114402", "312-555-0153")
EVANSTON = Addr("1000 CENTRAL ST", "", "Evanston", "IL", "60201", "847-555-0154")


def _without_licences(rec: dict[str, Any]) -> dict[str, Any]:
    """Taxonomies that show no licence and no state, as many real records do (``null`` or ``""``)."""
    for i, t in enumerate(rec["taxonomies"]):
        t["license"], t["state"] = (None, None) if i % 2 == 0 else ("", "")
    return rec


def _with_other_name(rec: dict[str, Any], kind: str, **name: str) -> dict[str, Any]:
    rec["other_names"].append({"type": kind, "code": "3" if kind == "Doing Business As" else "1", **name})
    return rec


def trap_records() -> list[dict[str, Any]]:
    """Registry shapes that trap a verifier (no sample site prints them; tests claim them directly)."""
    return [
        # a nickname (Bill) and a middle initial
        person("1205938479", "William", "Hartley", "M.D.", "M", ["2084P0800X"], NASHVILLE, seq=31, middle="J"),
        # a short form (Kate), an APRN who is a nurse practitioner
        person("1396027157", "Katherine", "Moreau", "APRN", "F", ["363LP0808X"], NASHVILLE, seq=32, middle="A"),
        # a particle surname, filed whole
        person("1578346201", "Maria", "De La Cruz", "MD", "F", ["2084P0800X"], CHICAGO, seq=33),
        # a hyphenated surname, filed whole
        person("1669201836", "Anne", "Smith-Okafor", "LCSW", "F", ["1041C0700X"], CHICAGO, seq=34),
        person("1740385517", "Peter", "Van Dyke", "CRNA", "M", ["367500000X"], NASHVILLE, seq=35),
        # a counselor whose taxonomy shows no licence: an "LMHC" claim verifies nothing
        _without_licences(person("1831462092", "Rosa", "Iturbe", "MA LPC NCC", "F", ["101YM0800X"], EVANSTON,
                                 seq=36)),
        # a clinical nurse specialist: APRN covers 364S
        person("1922507763", "Grace", "Oyelaran", "APRN", "F", ["364SP0808X"], CHICAGO, seq=37),
        # a namesake in another state: Daniel Frost in TN and in KY
        person("1013672948", "Daniel", "Frost", "MD", "M", ["207L00000X"], NASHVILLE, seq=38),
        person("1104758234", "Daniel", "Frost", "MD", "M", ["207L00000X"], LOUISVILLE, seq=39),
        # two candidates in one state: ambiguous
        person("1295843613", "Sarah", "Lindgren", "MD", "F", ["2084P0800X"], CHICAGO, seq=40, middle="E"),
        person("1386920478", "Sarah", "Lindgren", "MD", "F", ["2084P0800X"], EVANSTON, seq=41, middle="M"),
        # a legal name with "M.D., P.C." and a trading name (Doing Business As)
        _with_other_name(organization("1477015832", "Northshore Psychiatric Associates, M.D., P.C.",
                                      ("Sarah", "Lindgren", "President"), ["261QM0801X"], CHICAGO, seq=42),
                         "Doing Business As", organization_name="LAKEVIEW KETAMINE CENTER"),
        # a former name (married name change) on a person
        _with_other_name(person("1568193027", "Julia", "Brandt", "LPC", "F", ["101YP2500X"], EVANSTON, seq=43),
                         "Former Name", first_name="JULIA", last_name="WEISS", credential="LPC"),
    ]


_FIRST = ["Aaron", "Beatriz", "Caleb", "Diana", "Ethan", "Fatima", "Gavin", "Hannah", "Isaac", "Jasmine",
          "Kyle", "Leah", "Mason", "Nadia", "Owen", "Paula", "Quinn", "Rosa", "Trevor", "Uma", "Victor",
          "Wendy", "Xavier", "Yara", "Zane", "Brooke", "Derek", "Elena", "Felix", "Grace"]
_LAST = ["Abbott", "Barnes", "Castillo", "Dawson", "Espinoza", "Fletcher", "Gallagher", "Hughes", "Ibarra",
         "Jensen", "Kowalski", "Lambert", "Monroe", "Novak", "Ortega", "Pruitt", "Quintero", "Rasmussen",
         "Sandoval", "Thornton", "Underwood", "Vasquez", "Whitaker", "Yamamoto", "Zimmerman", "Holloway",
         "Kendrick", "Mercer", "Okafor", "Sheridan"]
_CITIES = [("Austin", "TX", "787", "512"), ("Houston", "TX", "770", "713"), ("Denver", "CO", "802", "303"),
           ("Portland", "OR", "972", "503"), ("Phoenix", "AZ", "850", "602"), ("Boston", "MA", "021", "617"),
           ("Providence", "RI", "029", "401"), ("Asheville", "NC", "288", "828"), ("Columbus", "OH", "432", "614"),
           ("Seattle", "WA", "981", "206"), ("Albuquerque", "NM", "871", "505"), ("Tampa", "FL", "336", "813"),
           ("Minneapolis", "MN", "554", "612"), ("Las Vegas", "NV", "891", "702")]
_PERSON_CODES = [("2084P0800X", "MD"), ("2084P0800X", "DO"), ("2084P0800X", "MD"), ("363LP0808X", "PMHNP"), ("2084P0802X", "MD"), ("207L00000X", "MD"),
                 ("207LP2900X", "MD"), ("208VP0000X", "MD"), ("207P00000X", "DO"), ("207Q00000X", "MD"),
                 ("207R00000X", "MD"), ("367500000X", "CRNA"), ("363LP0808X", "PMHNP-BC"), ("363A00000X", "PA-C"),
                 ("103TC0700X", "PhD"), ("103T00000X", "PsyD"), ("1041C0700X", "LCSW"), ("101YP2500X", "LPC"),
                 ("101YM0800X", "LMHC"), ("106H00000X", "LMFT")]
_ORG_KINDS = [("Behavioral Health Associates", "261QM0801X"), ("Mind Wellness Center", "261QM0801X"),
              ("Compounding Pharmacy", "3336C0004X"), ("Counseling Group", "261QM0801X")]
GENERATED_COUNT = 600


def _generated(taken: set[str]) -> list[dict[str, Any]]:
    rng = random.Random(20261125)
    out: list[dict[str, Any]] = []
    seq = 100
    while len(out) < GENERATED_COUNT:
        npi = make_npi(str(rng.randint(100_000_000, 199_999_999)))
        if npi in taken:
            continue
        taken.add(npi)
        city, state, zip3, area = rng.choice(_CITIES)
        addr = Addr(f"{rng.randint(10, 9900)} {rng.choice(['MAIN', 'OAK', 'PINE', 'LAKE', 'HILL'])} ST", "",
                    city, state, f"{zip3}{rng.randint(1, 99):02d}{rng.randint(1000, 9999)}",
                    f"{area}-555-{rng.randint(200, 999):04d}")
        seq += 1
        if rng.random() < 0.2:
            kind, code = rng.choice(_ORG_KINDS)
            name = f"{rng.choice(_LAST)} {city} {kind}"
            off = (rng.choice(_FIRST), rng.choice(_LAST), "Administrator")
            out.append(organization(npi, name, off, [code], addr, seq=seq))
        else:
            code, cred = rng.choice(_PERSON_CODES)
            out.append(person(npi, rng.choice(_FIRST), rng.choice(_LAST), cred, rng.choice("MF"), [code], addr,
                              seq=seq))
    return out


@cache
def registry_records() -> tuple[dict[str, Any], ...]:
    """All records (hand-written first). Treat as read-only."""
    hand = _hand_records() + trap_records()
    taken = {str(r["number"]) for r in hand} | {"1633741826", "1744059837"}
    return tuple(hand + _generated(taken))
