"""Insurance acceptance (payer names, "we accept most major insurance" / "self-pay only") and telehealth."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from crawler.extract.facts import Evidence
from crawler.extract.vocab import Joined

#: payer name patterns, longer forms first; payers are reported as printed ("Premera Blue Cross", "BCBS")
PAYERS: tuple[str, ...] = (
    r"independence\s+blue\s*cross", r"anthem(?:\s+blue\s*cross(?:\s*(?:and|&)?\s*blue\s*shield)?)?",
    r"premera(?:\s+blue\s*cross)?", r"regence(?:\s+blue\s*(?:shield|cross))?", r"highmark(?:\s+bcbs)?",
    r"horizon\s+(?:bcbs|blue\s*cross(?:\s*blue\s*shield)?)", r"excellus(?:\s+bcbs)?", r"wellmark(?:\s+bcbs)?",
    r"blue\s*cross(?:\s*(?:and|&)?\s*blue\s*shield)?(?:\s+of\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?",
    r"bcbs(?:\s+of\s+[A-Z][a-z]+)?", r"blue\s*shield(?:\s+of\s+california)?", r"aetna", r"cigna",
    r"united\s*health\s*care|uhc", r"optum", r"humana", r"medicare(?:\s+advantage)?", r"medicaid", r"medi-cal",
    r"masshealth", r"apple\s+health", r"tricare", r"kaiser(?:\s+permanente)?", r"magellan(?:\s+health)?",
    r"ambetter", r"oscar\s+health", r"molina(?:\s+healthcare)?", r"beacon\s+health(?:\s+options)?", r"carelon",
    r"health\s*net", r"emblem\s*health", r"harvard\s+pilgrim", r"tufts\s+health(?:\s+plan)?",
    r"va\s+community\s+care", r"champva", r"geha", r"multiplan", r"first\s+health", r"caresource", r"wellcare",
    r"amerigroup", r"priority\s+health", r"lyra(?:\s+health)?", r"spring\s+health", r"friday\s+health",
    r"select\s*health", r"providence\s+health\s+plan", r"pacificsource", r"moda(?:\s+health)?",
)
#: lower-cased words every payer pattern starts with (payer patterns only run on sentences holding one)
_PAYER_KEYS = ("independence", "anthem", "premera", "regence", "highmark", "horizon", "excellus", "wellmark", "blue",
               "bcbs", "aetna", "cigna", "united", "uhc", "optum", "humana", "medi", "masshealth", "apple", "tricare",
               "kaiser", "magellan", "ambetter", "oscar", "molina", "beacon", "carelon", "health", "emblem", "harvard",
               "tufts", "va ", "champva", "geha", "multiplan", "first", "caresource", "wellcare", "amerigroup",
               "priority", "lyra", "spring", "friday", "select", "providence", "pacificsource", "moda")
_ANY_PAYER = re.compile(r"\b(?:" + "|".join(f"(?:{pat})" for pat in PAYERS) + r")\b", re.I)
def is_payer(text: str) -> bool:
    """Whether ``text`` is just a payer's name ("Aetna", "Blue Cross Blue Shield")."""
    return bool(_ANY_PAYER.fullmatch(text.strip()))


_CONTEXT = re.compile(r"insurance|in[- ]network|health plans?|coverage|covered|payers?|accept|billing|bill\b", re.I)
_POSITIVE = re.compile(
    r"\b(?:we|our (?:clinic|practice|office|team|providers?))\s+(?:now\s+|gladly\s+|proudly\s+|also\s+)?"
    r"(?:accept|take|bill|work with|are (?:in[- ]network|contracted|credentialed|an? in[- ]network provider) with|"
    r"are (?:in[- ]network|contracted)|participate with|partner with)\b[^.]{0,60}?"
    r"(?:insurance|plans|carriers|payers|medicare|medicaid|tricare|aetna|cigna|blue)"
    r"|\binsurance (?:is )?accepted\b|\bin[- ]network (?:with|for|provider)\b|\baccepts? (?:most |many |all )?"
    r"(?:major |commercial |private )*(?:insurance|health plans)\b|\binsurance[- ]covered\b"
    r"|\bcovered by (?:most |many |your )?(?:major |commercial )?insurance\b|\bbill (?:your )?insurance\b",
    re.I,
)
_NEGATIVE = re.compile(
    r"(?:\bnot|n't|\bno longer|\bnever)\s+(?:currently\s+|presently\s+)?(?:accept|accepting|take|taking|bill|billing|"
    r"work with|in[- ]network|contracted|participat)\w*\b[^.]{0,40}?(?:insurance|insurers?|plans|carriers|payers|"
    r"medicare|medicaid)"
    r"|\bout[- ]of[- ]network (?:with|for) (?:all|any|every|most)\b|\b(?:we are|we're|is|are) (?:an? )?"
    r"out[- ]of[- ]network\b|\bself[- ]pay (?:only|practice|clinic)\b|\bcash[- ](?:pay|based|only)\b|\bprivate[- ]pay (?:only|practice)\b"
    r"|\bout[- ]of[- ]network (?:provider|practice|only)\b|\bno insurance (?:is )?accepted\b"
    r"|\binsurance (?:is )?not accepted\b|\bdo(?:es)? not (?:take|accept) (?:any )?insurance\b",
    re.I,
)
#: every positive/negative pattern contains one of these (lower-cased) substrings
_KEYS = ("insur", "accept", "pay", "network", "bill", "covered", "plans", "medicare", "medicaid", "tricare", "aetna",
         "cigna", "blue", "carrier", "payer", "contracted", "credentialed", "participat", "cash", "take", "work with",
         "partner with")
_PAREN_TAIL = re.compile(r"\s*\([^)]*\)\s*$")
_NEG_NEAR = re.compile(r"\b(?:not|n't|never|rarely|seldom|no)\b[\w\s]{0,20}$", re.I)


def _affirms(sentence: str) -> bool:
    """A positive insurance statement not itself negated ("is generally not covered by insurance" is not)."""
    for m in _POSITIVE.finditer(sentence):
        if not _NEG_NEAR.search(sentence[max(0, m.start() - 30): m.start()]):
            return True
    return False


_NEG_WORD = re.compile(r"\b(?:not|n't|no|never)\b", re.I)


def find_insurance(sents: Sequence[str], *, joined: Joined | None = None) -> tuple[list[str], bool | None, list[Evidence]]:
    """(payer names accepted, accepts insurance True/False/None, evidence for ``accepts_insurance``).

    Each pattern runs once over the page (sentences joined), then matches are mapped back to sentences."""
    j = joined or Joined(sents)
    payers: list[str] = []
    evidence: list[Evidence] = []
    low = j.text.lower()
    # every pattern holds one of its keywords at the start of a word ("take", not "mistake")
    cands = j.candidates(low, _KEYS, word_start=True)
    verdict: dict[str, tuple[bool, bool]] = {}  # sentence text -> (negative, positive); menus repeat lines
    for i in cands:
        t = j.sents[i]
        if t not in verdict:
            neg = bool(_NEGATIVE.search(t))
            verdict[t] = (neg, not neg and _affirms(t))
    neg_idx = {i for i in cands if verdict[j.sents[i]][0]}
    pos_idx = {i for i in cands if verdict[j.sents[i]][1]}
    for i in sorted(neg_idx | pos_idx):
        evidence.append(Evidence("accepts_insurance", "service", i in neg_idx, j.sents[i][:240]))
    positive, negative = bool(pos_idx), bool(neg_idx)
    if not (positive or "insurance" in low):
        return payers, (False if negative else None), evidence
    seen_names: set[str] = set()
    for i in j.candidates(low, _PAYER_KEYS, word_start=True):
        s = j.sents[i]
        s_low = s.lower()
        pos_m = i in pos_idx
        short_line = len(s) <= 60
        if not (short_line or pos_m or _CONTEXT.search(s_low)) or i in neg_idx or (_NEG_WORD.search(s_low) and not pos_m):
            continue
        bare = _PAREN_TAIL.sub("", s).strip(" .,;*-\u2022")
        for m in _ANY_PAYER.finditer(s):
            name = " ".join(m.group(0).split())
            if name.casefold() in seen_names:
                continue
            if s[max(0, m.start() - 2): m.start()].endswith("(") and payers:
                continue  # "Apple Health (Medicaid)": the parenthesis explains the payer before it
            if short_line and not pos_m and not _CONTEXT.search(s_low) and m.group(0) != bare:
                continue
            seen_names.add(name.casefold())
            payers.append(name)
    if payers and not negative:
        positive = True
    if negative and not positive:
        payers = []
    accepts = True if positive else (False if negative else None)
    return payers, accepts, evidence


def telehealth_flag(evidence: Iterable[Evidence], sents: Iterable[str]) -> bool | None:
    """True when telehealth is offered, False when only denied ("in-person only"), None when not said."""
    pos = neg = False
    for ev in evidence:
        if ev.code == "telehealth":
            if ev.negated:
                neg = True
            else:
                pos = True
    if not pos:
        for s in sents:
            if re.search(r"\bin[- ]person (?:only|visits only)\b|\bonly in[- ]person\b", s, re.I):
                neg = True
                break
    return True if pos else (False if neg else None)
