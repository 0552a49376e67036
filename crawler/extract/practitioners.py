"""Practitioners named with credentials: "Dr. Alan Reyes, DO, Medical Director", "Maria Chen, LCSW",
"Sam Patel, PMHNP-BC", "José Núñez, M.D.". Credential codes are normalised (M.D. -> MD, Ph.D. -> PhD)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from kdir.common.credentials import codes, suffixes
from kdir.common.geo import city_in_state
from kdir.common.record import Practitioner
from kdir.common.us_states import state_code

#: canonical credential codes; printed forms match with optional dots/spaces between letters, and with an
#: interim/associate/supervisor/certification suffix ("LPC-A", "LCSW-C", "NP-C", "PMHNP-BC"). The one list is
#: ``kdir/common/data/credentials.csv`` (HL7 table 0360 + state licences tied to NUCC taxonomy classifications),
#: which the registry check reads too.
CREDENTIALS, SUFFIXES = codes(), suffixes()
_NON_UPPER = re.compile(r"[^A-Z]")
_KEY = {_NON_UPPER.sub("", c.upper()): c for c in CREDENTIALS}
for _c in CREDENTIALS:
    for _s in SUFFIXES:
        _KEY.setdefault(_NON_UPPER.sub("", _c.upper()) + _s, f"{_c}-{_s}")


def _cred_pattern(code: str) -> str:
    parts = []
    for ch in code:
        if ch == "-":
            parts.append(r"(?:\s?[-\u2010-\u2015]\s?|\s)?")  # "PMHNP-BC", "PMHNP - BC", "PMHNP\u2011BC", "PA C"
        else:
            parts.append(re.escape(ch) + r"\.?")
    return r"\s?".join(parts) if code in ("MD", "DO", "PhD", "PsyD", "EdD") else "".join(parts)


_SUFFIX = r"(?:\s?[-\u2010-\u2015]\s?(?:" + "|".join(sorted(SUFFIXES, key=len, reverse=True)) + "))?"
_CRED = "(?:" + "|".join(
    _cred_pattern(c) for c in sorted(CREDENTIALS, key=len, reverse=True)
) + r")" + _SUFFIX + r"(?![A-Za-z])"
_CREDSEQ = rf"{_CRED}(?:\s*(?:,|/|&|\band\b)?\s*{_CRED})*"
_UP = "A-Z\u00c0-\u00d6\u00d8-\u00de"
_LO = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f"
_TOK = rf"[{_UP}](?:['\u2019][{_UP}])?[{_LO}]+(?:(?:[-'\u2019]?[{_UP}]|[-'\u2019])[{_LO}]+)*"
_PARTICLE = r"(?:de|del|della|da|dos|van|von|der|den|la|le|di|du|bin|al|ter)"
_NAME = rf"{_TOK}(?:\s+(?:{_TOK}|[{_UP}]\.|{_PARTICLE}(?=\s))){{1,4}}"
_ROLE_TAIL = r"(?P<role>\s*(?:,|\||\u2013|\u2014|-|:|\u00b7|\u2022)\s*[^,|;\n\u00b7\u2022]{2,70})?"

_WITH_CREDS = re.compile(
    rf"(?P<dr>\b(?:Dr|Doctor)\.?\s+)?(?P<name>{_NAME})(?:\s*,\s*|\s+)(?P<creds>{_CREDSEQ}){_ROLE_TAIL}"
)
_DR_ONLY = re.compile(rf"\b(?:Dr|Doctor)\.?\s+(?P<name>{_NAME}){_ROLE_TAIL}")
_NAME_LINE = re.compile(rf"^(?:(?:Dr|Doctor)\.?\s+)?(?P<name>{_NAME})(?:\s*,?\s*(?P<creds>{_CREDSEQ}))?\.?$")
_CREDS_LINE = re.compile(rf"^(?P<creds>{_CREDSEQ})(?P<role>\s*(?:,|\||\u2013|\u2014|-|:|\u00b7|\u2022)\s*.{{2,70}})?$")
_ONE_CRED = re.compile(_CRED)

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROLE_WORDS = _words(
    "director founder co-founder cofounder owner psychiatrist physician nurse practitioner therapist counselor "
    "counsellor psychologist anesthesiologist anaesthesiologist anesthetist crna worker coordinator manager "
    "specialist clinician provider doctor medical clinical lead chief officer ceo coo cmo president partner "
    "assistant integration coach prescriber consultant psychotherapist administrator fellow attending "
    "executive"
)
_LEADING_NOISE = _words(
    "meet call contact about our with by from and the for dear welcome hi hello book see ask talk visit "
    "founder cofounder co-founder director owner psychiatrist physician therapist lead medical clinical chief "
    "board certified licensed new"
)
_STOP = _words(
    "ketamine clinic center centre therapy therapies wellness health institute infusion infusions treatment "
    "treatments spravato depression anxiety services service team staff psychiatry medicine associates llc "
    "pllc inc group street avenue suite road boulevard drive read learn more contact call home about privacy "
    "policy terms book schedule appointment monday tuesday wednesday thursday friday saturday sunday january "
    "february march april may june july august september october november december mental behavioral "
    "integrative healing care solutions practice office location locations"
)

#: nouns that end a role title and never a surname ("Nurse Coordinator", "Patient Care Manager")
_TITLE_NOUNS = _words(
    "director coordinator manager nurse practitioner therapist counselor counsellor psychiatrist physician "
    "psychologist specialist clinician assistant administrator officer worker receptionist technician "
    "provider prescriber consultant anesthesiologist anesthetist psychotherapist navigator scheduler "
    "advocate liaison desk staff team department"
)
#: words of a label printed before a name ("Psychiatric Nurse Practitioner Jane Roe, PMHNP-BC")
_LABEL_WORDS = ROLE_WORDS | _TITLE_NOUNS | _words(
    "psychiatric mental health licensed registered senior associate staff provider providers member featured "
    "prescribing nursing social family marriage addiction infusion ketamine your")
#: roles of people who do not treat patients: never listed as practitioners
_NON_CLINICAL = re.compile(
    r"\b(?:front desk|reception\w*|office (?:manager|administrator|assistant|coordinator)|practice manager|"
    r"patient (?:care )?coordinator|(?:intake|care|client|patient) (?:coordinator|specialist|navigator|advocate)|"
    r"scheduling|scheduler|billing|insurance (?:specialist|coordinator)|marketing|social media|communications|"
    r"administrative|admin\b|operations|business|finance|financial|accounting|human resources|\bhr\b|concierge|"
    r"executive assistant|office staff|community outreach|outreach|brand|sales|it support|webmaster)", re.I)


def is_clinical(p: Practitioner) -> bool:
    """False for non-clinical staff (front desk, office manager, patient coordinator, marketing)."""
    return not (p.role and _NON_CLINICAL.search(p.role))


def has_credential(text: str) -> bool:
    """Whether ``text`` prints a credential ("Board certified PMHNP-BC", "Jane Roe, LCSW")."""
    return any(normalize_credential(m.group(0)) for m in _ONE_CRED.finditer(text))


def normalize_credential(raw: str) -> str | None:
    """Canonical code of a printed credential ("M.D." -> "MD", "pmhnp-bc" -> "PMHNP-BC") or None."""
    if not isinstance(raw, str):
        return None
    return _KEY.get(_NON_UPPER.sub("", raw.upper()))


def split_credentials(text: str) -> list[str]:
    """Canonical codes of every credential printed in ``text`` (e.g. an honorificSuffix "MD, PhD")."""
    out: list[str] = []
    if not isinstance(text, str):
        return out
    for m in _ONE_CRED.finditer(text):
        code = normalize_credential(m.group(0))
        if code and code not in out:
            out.append(code)
    return out


def clean_name(raw: str) -> str | None:
    """A person's name without titles, leading noise words or clinic words; None if it is not a name."""
    if not isinstance(raw, str):
        return None
    tokens = re.sub(r"^(?:Dr|Doctor)\.?\s+", "", raw.strip()).split()
    while tokens and (tokens[0].lower().strip(".,:") in _LEADING_NOISE or tokens[0].endswith(":")
                      or tokens[0].lower() in _LABEL_WORDS):
        tokens.pop(0)  # label words before a name: "Our provider: Jane Roe", "Lead Therapist Jane Roe"
    while tokens and normalize_credential(tokens[-1]) and tokens[-1].isupper():
        tokens.pop()
    if not 2 <= len(tokens) <= 5:
        return None
    if any(t.lower().strip(".,") in _STOP for t in tokens):
        return None
    if tokens[-1].lower().strip(".,") in _TITLE_NOUNS:
        return None  # "Nurse Coordinator", "Clinical Director": a role title, not a person
    if not tokens[0][:1].isupper() or not tokens[-1][:1].isupper() or len(tokens[-1]) < 2:
        return None
    return " ".join(tokens)


def _pick_segment(role: str) -> str:
    """Of "Director Médico / Medical Director", the part with the most (English) role words (ties: last)."""
    if " / " not in role:
        return role
    parts = [x.strip() for x in role.split(" / ") if x.strip()]
    if not parts:
        return role
    scores = [sum(w.lower().strip(",.&") in ROLE_WORDS for w in x.split()) for x in parts]
    best = max(scores)
    return [x for x, sc in zip(parts, scores, strict=True) if sc == best][-1]


def clean_role(raw: str | None) -> str | None:
    if not raw:
        return None
    role = re.split(r"[.;!?()\u00b7\u2022]|\s(?:is|was|has|who|with|and\s+(?:a|an|the))\s", raw.strip(" ,|-\u2013\u2014:\u00b7\u2022"), maxsplit=1)[0]
    role = _pick_segment(role.split(",")[0]).strip(" ,|-\u2013\u2014:")
    words = role.split()
    if not words or len(words) > 8:
        return None
    if not any(w.lower().strip(",.&") in ROLE_WORDS for w in words):
        return None
    return role


_HINT = re.compile(r"\bDr\b|\bDoctor\b|[A-Z][A-Za-z.\-]*[A-Z]\.?")
#: credentials printed with a space between their letters ("M. D.", "Ph. D", "D O"), which _HINT reads as two
#: one-letter tokens; no leading \b so the scan can jump between the possible first letters
_SPACED = re.compile(r"(?:M\.?\s?D|D\.?\s?O|Ph\.?\s?D|Psy\.?\s?D|Ed\.?\s?D)\.?(?![A-Za-z])")


def _likely_lines(lines: Sequence[str]) -> set[int]:
    """Indices of lines with a "Dr" title or a credential-like token (one regex pass over the whole page;
    most prose lines have neither, and the full name patterns are costly)."""
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    text = "\n".join(lines)
    out: set[int] = set()
    for m in _HINT.finditer(text):
        tok = m.group(0)
        if tok in ("Dr", "Doctor") or _NON_UPPER.sub("", tok.upper()) in _KEY:
            out.add(bisect_right(starts, m.start()) - 1)
    for m in _SPACED.finditer(text):
        out.add(bisect_right(starts, m.start()) - 1)
    return out


_LETTERS = re.compile(r"[a-z]+")


def _has_role_word(line: str) -> bool:
    """Whether ``line`` holds a role word at all: necessary for :func:`clean_role` to accept any part of it."""
    return not ROLE_WORDS.isdisjoint(_LETTERS.findall(line.lower()))


def _role_line(line: str) -> str | None:
    """A short next line naming a role, unless it names another person."""
    if len(line) > 70 or _WITH_CREDS.search(line) or _DR_ONLY.search(line):
        return None
    return clean_role(line)


_STATE_LIKE = frozenset({"MD", "PA", "MA", "MS", "DC", "DE", "ND", "NP", "MT", "LA", "CO"})
_ZIP_AFTER = re.compile(r"\s*,?\s*\d{5}")


def _is_place(name: str, creds: str, after: str) -> bool:
    """"Silver Spring, MD 20910" is a place, not Dr. Silver Spring: a state-like credential followed by a ZIP,
    or a known city of that state."""
    codes = [c for c in split_credentials(creds)]
    if not codes or any(c not in _STATE_LIKE for c in codes):
        return False
    if _ZIP_AFTER.match(after):
        return True

    return city_in_state(name, codes[0])


def _merge(found: dict[str, Practitioner], name: str, creds: list[str], role: str | None) -> None:
    key = name.casefold()
    p = found.get(key)
    if p is None:
        found[key] = Practitioner(name=name, credentials=list(creds), role=role)
        return
    for c in creds:
        if c not in p.credentials:
            p.credentials.append(c)
    if role and not p.role:
        p.role = role


def find_practitioners(lines: Sequence[str], *, team_page: bool = False) -> list[Practitioner]:
    """People named with credentials or a "Dr." title in text lines, in page order, merged by name.

    On team pages a name alone on its line followed by a credentials or role line also counts."""
    found: dict[str, Practitioner] = {}
    likely_lines = _likely_lines(lines)
    for i, line in enumerate(lines):
        if len(line) > 2000:
            line = line[:2000]
        spans: list[tuple[int, int]] = []
        likely = i in likely_lines
        for m in _WITH_CREDS.finditer(line) if likely else ():
            name = clean_name(m.group("name"))
            if not name or _is_place(m.group("name"), m.group("creds"), line[m.end("creds"):]):
                continue
            role = clean_role(m.group("role"))
            if role is None and i + 1 < len(lines) and m.end() >= len(line.rstrip(" .")) - 1:
                role = _role_line(lines[i + 1])
            _merge(found, name, split_credentials(m.group("creds")), role)
            spans.append(m.span())
        for m in _DR_ONLY.finditer(line) if likely else ():
            if any(a <= m.start() < b for a, b in spans):
                continue
            name = clean_name(m.group("name"))
            if name:
                _merge(found, name, [], clean_role(m.group("role")))
        if team_page and len(line) <= 60 and not spans and i + 1 < len(lines):
            name_line = _NAME_LINE.match(line)
            if not name_line:
                continue
            nxt = lines[i + 1]
            if not (name_line.group("creds") or line.startswith(("Dr", "Doctor")) or _ONE_CRED.match(nxt)
                    or _has_role_word(nxt)):
                continue  # nothing could make this a person (menus are full of "Two Words" lines)
            name = clean_name(name_line.group("name"))
            if not name:
                continue
            creds = split_credentials(name_line.group("creds") or "")
            cm = _CREDS_LINE.match(nxt)
            role = None
            if cm:
                creds += [c for c in split_credentials(cm.group("creds")) if c not in creds]
                role = clean_role(cm.group("role"))
            else:
                role = _role_line(nxt)
            if creds or role or line.startswith(("Dr", "Doctor")):
                _merge(found, name, creds, role)
    return [p for p in found.values() if is_clinical(p)]


def practitioner_from_parts(
    name: str, *, suffix: str | None = None, job_title: str | None = None, npi: str | None = None
) -> Practitioner | None:
    """Practitioner from structured data parts (schema.org Person name, honorificSuffix, jobTitle)."""
    if not isinstance(name, str):
        return None
    creds: list[str] = []
    m = re.match(r"^\s*(?:(?:Dr|Doctor)\.?\s+)?(?P<name>[^,]+?)(?:\s*,\s*(?P<creds>.+))?$", name)
    base = name
    if m:
        base = m.group("name")
        creds = split_credentials(m.group("creds") or "")
    cleaned = clean_name(base) or (base.strip() if 2 <= len(base.split()) <= 5 and len(base) < 80 else None)
    if not cleaned:
        return None
    for c in split_credentials(suffix or ""):
        if c not in creds:
            creds.append(c)
    role = None
    if isinstance(job_title, str) and job_title.strip():
        # "Medical Director, Psychiatrist": the first role is the one that matters for the listing
        role = _pick_segment(job_title.strip()[:80].split(",")[0].split(" \u00b7 ")[0]).strip() or None
        for c in split_credentials(job_title):
            if c not in creds and len(job_title) <= 12:
                creds.append(c)
    return Practitioner(name=cleaned, credentials=creds, role=role, npi=npi)


_LAST_FIRST = re.compile(rf"^(?P<last>{_TOK}(?:-{_TOK})?),\s*(?P<first>{_TOK}(?:\s+[{_UP}]\.?)?)(?P<rest>(?:[\s,].*)?)$")


def _first_last(text: str) -> str:
    """"Roe, Jane Q., MD" (as registries and some directories print a name) -> "Jane Q. Roe, MD"; any other
    text as it is."""
    m = _LAST_FIRST.match(text)
    if m is None:
        return text
    rest = m.group("rest").strip(" ,")
    if (rest and not split_credentials(rest)) or state_code(m.group("first").split()[0]):
        return text  # "Roe, Jane, Front Desk"; "Austin, Texas" is a place
    return f"{m.group('first')} {m.group('last')}" + (f", {rest}" if rest else "")


def practitioner_from_text(text: str, *, role: str | None = None) -> Practitioner | None:
    """One person printed as one string, as directories list them: "Sam Patel, PMHNP-BC", "Dr. Jane Roe, MD,
    PhD, Medical Director", "Jane Roe" (no credentials). ``role`` is the role the page gives the person (a
    "Medical director:" field); a role printed after the name is used otherwise."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = _first_last(text.strip())
    found = find_practitioners([text])
    person = found[0] if len(found) == 1 else None
    if person is None:  # no credential and no "Dr": a plain name, perhaps with a role ("Jane Roe, Therapist")
        parts = re.split(r"\s*(?:,|\||\u2013|\u2014|\s-\s)\s*", text.strip(), maxsplit=1)
        head, tail = parts[0], parts[1] if len(parts) > 1 else ""
        name = clean_name(head)
        person = Practitioner(name, split_credentials(tail), clean_role(tail)) if name else None
    if person is None or not is_clinical(person):
        return None
    if role:
        person.role = role
    return person


def merge_people(people: Sequence[Practitioner]) -> list[Practitioner]:
    """People listed more than once on one page (the medical director also in the team list) as one entry each:
    credentials united, the first role kept."""
    found: dict[str, Practitioner] = {}
    for p in people:
        have = found.get(p.key)
        if have is None:
            found[p.key] = Practitioner(p.name, list(p.credentials), p.role, p.npi)
            continue
        have.credentials += [c for c in p.credentials if c not in have.credentials]
        have.role = have.role or p.role
        have.npi = have.npi or p.npi
    return list(found.values())
