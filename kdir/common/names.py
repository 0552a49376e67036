"""Names: a display form (trimmed, collapsed whitespace) and a match form (lowercase, no punctuation, no legal
suffixes such as LLC / PLLC / PC / Inc / PA / "MD PA", no honorifics for people)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nameparser import HumanName
from nicknames import NickNamer

_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_PUNCT = re.compile(r"[^\w\s]+")
_LEGAL = {"llc", "pllc", "pc", "inc", "incorporated", "pa", "p", "a", "c", "l", "corp", "corporation", "ltd",
          "co", "company", "lp", "llp", "sc", "psc", "apc", "apmc", "md", "dba"}
_AND = re.compile(r"\s*&\s*")
_PERSON_NOISE = {"dr", "doctor", "mr", "mrs", "ms", "miss", "prof", "md", "do", "np", "pa", "c", "phd", "psyd",
                 "rn", "aprn", "fnp", "pmhnp", "bc", "crna", "lcsw", "lpc", "lmhc", "lmft", "dnp", "msn",
                 "jr", "sr", "ii", "iii", "mph", "mba", "facp", "ma", "msw", "lcpc", "licsw", "faafp"}
MAX_NAME = 300


def display_name(raw: object) -> str | None:
    """The form shown to people: control characters dropped, whitespace collapsed, length capped."""
    if not isinstance(raw, str):
        return None
    return _display_name(raw)


@lru_cache(maxsize=32768)
def _display_name(raw: str) -> str | None:
    text = _WS.sub(" ", _CONTROL.sub(" ", unicodedata.normalize("NFKC", raw))).strip(" ,;-|")
    return text[:MAX_NAME] or None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _AND.sub(" and ", text)
    return _WS.sub(" ", _PUNCT.sub(" ", text.replace("'", ""))).strip()


def match_name(raw: object) -> str:
    """Organisation match form: "Sunrise Ketamine Clinic, PLLC" -> "sunrise ketamine clinic"."""
    return _match_name(raw) if isinstance(raw, str) else ""


@lru_cache(maxsize=32768)  # realistic data repeats names across sources and runs
def _match_name(raw: str) -> str:
    name = display_name(raw)
    if not name:
        return ""
    # Dotted suffixes ("P.L.L.C.", "M.D., P.A.") collapse into one token first.
    name = re.sub(r"\b((?:[A-Za-z]\.){2,})", lambda m: m.group(1).replace(".", ""), name)
    tokens = _fold(name).split()
    while len(tokens) > 1 and tokens[-1] in _LEGAL:
        tokens.pop()
    if tokens and tokens[0] == "the" and len(tokens) > 1:
        tokens.pop(0)
    return " ".join(tokens)


def person_match_name(raw: object) -> str:
    """Person match form: honorifics, degrees and suffixes dropped: "Dr. Jane Q. Doe, MD" -> "jane q doe"."""
    return _person_match_name(raw) if isinstance(raw, str) else ""


@lru_cache(maxsize=32768)
def _person_match_name(raw: str) -> str:
    name = display_name(raw)
    if not name:
        return ""
    name = re.sub(r"\b((?:[A-Za-z]\.){2,})", lambda m: m.group(1).replace(".", ""), name)
    tokens = [t for t in _fold(name).split() if t not in _PERSON_NOISE]
    return " ".join(tokens)


_LEGAL_TAIL = re.compile(r"(?:[\s,]+(?:LLC|L\.L\.C\.|PLLC|P\.L\.L\.C\.|PC|P\.C\.|INC\.?|INCORPORATED|PA|P\.A\.|"
                         r"CORP\.?|CORPORATION|LTD\.?|LLP|LP|PSC|APC|APMC|DBA))+\s*$", re.I)
_SMALL = {"and", "of", "the", "for", "at", "in", "on"}


def registry_display_name(raw: str) -> str:
    """A registry legal name shown as a last resort: legal suffixes dropped and, when it is all capitals, title
    case ("STILLWATER KETAMINE CLINIC PLLC" -> "Stillwater Ketamine Clinic")."""
    name = _LEGAL_TAIL.sub("", raw).strip(" ,") or raw
    if name.upper() != name:
        return name
    words = name.lower().split(" ")
    return " ".join(w if i and w in _SMALL else w[:1].upper() + w[1:] for i, w in enumerate(words))


def first_last(person_key: str) -> tuple[str, str]:
    """First and last token of a person match form (middle names and initials ignored)."""
    tokens = person_key.split()
    if not tokens:
        return "", ""
    return tokens[0], tokens[-1]


# -- People as registries need them -------------------------------------------------------------------------

_CRED_TOKEN = re.compile(r"^[A-Za-z]{1,6}(?:-[A-Za-z]{1,4})?$")


@dataclass(frozen=True)
class PersonName:
    """A person's name split the way registries file it, folded (lowercase, no accents, no punctuation):
    ``last`` is the whole surname with its particles and hyphens ("de la cruz", "smith-jones")."""

    first: str
    middle: str
    last: str


@lru_cache(maxsize=32768)
def _parse_person(raw: str) -> PersonName | None:
    name = display_name(raw)
    if not name:
        return None
    # Degrees glued to the name ("Jane Roe MD", "Dr. Jane Roe, LPC, NCC") are not part of it.
    name = re.sub(r"\b((?:[A-Za-z]\.){2,})", lambda m: m.group(1).replace(".", ""), name)
    words = name.replace(",", " , ").split()
    while words and (words[-1] == "," or words[-1].strip(".").lower() in _PERSON_NOISE
                     or (words[-1].isupper() and len(words) > 2 and _CRED_TOKEN.match(words[-1])
                         and words[-1].lower() in _CREDENTIAL_WORDS)):
        words.pop()
    parsed = HumanName(" ".join(w for w in words if w != ","))
    first, middle, last = (fold_name_part(parsed.first), fold_name_part(parsed.middle), fold_name_part(parsed.last))
    if first.rstrip(".") in _PERSON_NOISE and middle:  # "Dr Jane Roe" when nameparser keeps the title
        first, middle = middle.split(" ")[0], " ".join(middle.split(" ")[1:])
    if not last:
        return None
    return PersonName(first, middle, last)


def fold_name_part(text: str) -> str:
    """One part of a person's name folded: lowercase, no accents, no punctuation but hyphens."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _WS.sub(" ", re.sub(r"[^\w\s-]+", " ", text.replace("'", ""))).strip(" -")


def parse_person(raw: object) -> PersonName | None:
    """"Dr. María De La Cruz-Ortiz, MD" -> PersonName("maria", "", "de la cruz-ortiz"); None if no surname."""
    return _parse_person(raw) if isinstance(raw, str) else None


def compact(text: str) -> str:
    """Letters and digits only: "de la cruz" / "Dela Cruz" / "DELACRUZ" compare equal."""
    return re.sub(r"[\W_]+", "", text.lower())


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=32768)
def same_first_name(a: str, b: str) -> bool:
    """Two folded first names of one person: equal, an initial of the other, or a nickname / short form of it
    (Bill/William, Kate/Katherine, Liz/Elizabeth) from the maintained ``nicknames`` list."""
    a, b = a.strip(" ."), b.strip(" .")
    if not a or not b:
        return False
    if a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
        return True
    if compact(a) == compact(b):
        return True
    nn = _nicknamer()
    a_forms = {a} | nn.nicknames_of(a) | nn.canonicals_of(a)
    b_forms = {b} | nn.nicknames_of(b) | nn.canonicals_of(b)
    return b in a_forms or a in b_forms or bool(nn.canonicals_of(a) & nn.canonicals_of(b))


#: Words that end a name as a credential when printed in capitals after it ("Jane Roe LMHC").
_CREDENTIAL_WORDS = {"lmhc", "lpc", "ncc", "lcsw", "licsw", "lmft", "crna", "aprn", "pmhnp", "fnp", "np", "pa",
                     "pa-c", "pmhnp-bc", "fnp-bc", "lcpc", "lpcc", "lisw", "psyd", "phd", "dnp", "msn", "rn",
                     "md", "do", "ma", "ms", "msw", "med", "edd", "lpc-s", "cnp", "cns", "cnm", "agpcnp-bc"}

_CRED_SPLIT = re.compile(r"[,;/]+")


def split_credential_text(raw: object) -> list[str]:
    """Free-text credentials as compact upper-case codes: "M.D., Ph.D." -> ["MD", "PHD"], "MA LPC NCC" ->
    ["MA", "LPC", "NCC"]; dotted or split abbreviations stay whole ("M. D." -> "MD", "Pharm D" -> "PHARMD")."""
    out: list[str] = []
    text = str(raw or "").strip()
    for part in _CRED_SPLIT.split(text):
        words = part.split()
        dotted = len(words) > 1 and all(len(w.strip(".")) <= 2 for w in words) and "." in part
        if dotted or (len(words) == 2 and len(words[1]) == 1):
            words = ["".join(words)]
        for word in words:
            code = "".join(ch for ch in word.upper() if ch.isalnum() or ch == "-").strip("-")
            if 1 < len(code) <= 20 and code not in out:
                out.append(code)
    return out


def same_surname(claimed: str, registered: str) -> bool:
    """Folded surnames of one person: equal once spaces, hyphens and dots are ignored ("Dela Cruz" /
    "DE LA CRUZ", "St. John" / "ST JOHN"), or the claimed one is a whole part of a registered double surname
    ("Smith" for "SMITH-JONES")."""
    a, b = compact(claimed), compact(registered)
    if not a or not b:
        return False
    if a == b:
        return True
    parts = [compact(p) for p in re.split(r"[\s-]+", registered) if len(compact(p)) >= 3]
    return len(parts) > 1 and a in parts


def same_person_name(claimed: PersonName, registered: PersonName) -> bool:
    """The name printed for a person fits a registered name: the whole surname (a double surname may be
    printed as first name + two surnames), a first name, initial or nickname, and no contradicting middle
    initial."""
    surname_ok = same_surname(claimed.last, registered.last)
    if not surname_ok and claimed.middle and len(claimed.middle) > 1:  # "Ana Garcia Lopez" / "GARCIA LOPEZ"
        surname_ok = same_surname(f"{claimed.middle} {claimed.last}", registered.last)
    if not surname_ok:
        return False
    if not same_first_name(claimed.first, registered.first):
        # Someone known by a middle name: "J. Robert Smith" / "ROBERT SMITH", "Robert Smith" / "JOHN ROBERT".
        by_middle = bool(registered.middle) and same_first_name(claimed.first, registered.middle.split(" ")[0])
        return by_middle or (len(claimed.first) == 1 and bool(claimed.middle)
                             and same_first_name(claimed.middle.split(" ")[0], registered.first))
    c_mid, r_mid = claimed.middle[:1], registered.middle[:1]
    return not (c_mid and r_mid and c_mid != r_mid and len(claimed.middle) <= 2)


def surname_queries(person: PersonName) -> list[str]:
    """Last names to ask a registry for (it matches whole last names), most likely first: "De La Cruz", then
    its spelling variants, then a double surname printed as middle + last."""
    forms = [person.last, person.last.replace(" ", "-"), person.last.replace("-", " ")]
    if person.last.startswith("st "):
        forms.append("st. " + person.last[3:])
    if person.middle and len(person.middle) > 1 and " " not in person.middle:
        forms += [f"{person.middle} {person.last}", f"{person.middle}-{person.last}"]
    out: list[str] = []
    for form in forms:
        if form.upper() not in out:
            out.append(form.upper())
    return out


def organisation_queries(raw: object) -> list[str]:
    """``organization_name`` searches for a registry that matches whole names and allows a trailing ``*``:
    the name without legal suffixes, then its first two words ("Harborview Psychiatry, M.D., P.C." ->
    ["HARBORVIEW PSYCHIATRY*"])."""
    words = match_name(raw).upper().split()
    if len(words) >= 2 and words[-1] in ("MD", "DO", "PHD"):
        words.pop()
    lead = ["THE"] if isinstance(raw, str) and raw.strip().upper().startswith("THE ") else []
    out = []
    for n in (len(words), 2):
        for stem in (" ".join(lead + words[:n]), " ".join(words[:n])):
            if len(stem) >= 2 and stem + "*" not in out:
                out.append(stem + "*")
    return out
