"""Names: a display form (trimmed, collapsed whitespace) and a match form (lowercase, no punctuation, no legal
suffixes such as LLC / PLLC / PC / Inc / PA / "MD PA", no honorifics for people)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
