"""US states and territories: full names, USPS two-letter codes and the one state normaliser of the project."""

STATES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
    "virgin islands": "VI", "american samoa": "AS", "northern mariana islands": "MP",
}
CODES: frozenset[str] = frozenset(STATES.values())

#: Abbreviations of state names still printed in addresses ("Tex.", "Calif.", "Mass.").
ABBREVIATIONS: dict[str, str] = {
    "ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "cal": "CA", "colo": "CO", "conn": "CT",
    "del": "DE", "fla": "FL", "ill": "IL", "ind": "IN", "kans": "KS", "kan": "KS", "mass": "MA", "mich": "MI",
    "minn": "MN", "miss": "MS", "mont": "MT", "nebr": "NE", "neb": "NE", "nev": "NV", "okla": "OK",
    "ore": "OR", "oreg": "OR", "penn": "PA", "penna": "PA", "tenn": "TN", "tex": "TX", "wash": "WA",
    "wis": "WI", "wisc": "WI", "wyo": "WY", "n dak": "ND", "s dak": "SD", "w va": "WV", "n mex": "NM",
    "d c": "DC",
}


def state_code(raw: object) -> str | None:
    """The two-letter code of a US state or territory written as a code, a name or an abbreviation ("tx",
    "Texas", "Tex.", "New  York"), or None."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().strip(".,").strip()
    if len(text) == 2 and text.upper() in CODES:
        return text.upper()
    low = " ".join(text.lower().replace(".", " ").split())
    return STATES.get(low) or ABBREVIATIONS.get(low)
