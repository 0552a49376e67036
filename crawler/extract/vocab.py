"""Vocabulary evidence (modalities, conditions, services) in page text, with negation and context.

A mention counts as *negated* when the sentence says the clinic does not offer/treat/accept it ("we do not
offer at-home ketamine", "no IV", "not currently accepting insurance", "X is not available"). Mentions in
unrelated contexts (dental or veterinary sedation, surgical anaesthesia, drug-abuse news) are dropped, and so
are words that only look like an offer: a modality without ketamine/esketamine/Spravato in its context (IV
hydration, vitamin or NAD+ drips), a condition named in a research or education sentence ("early trials
suggest ketamine may help bipolar depression") and a comparison ("costs less than Spravato").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from crawler.extract.facts import Evidence, VocabKind

_I = re.I
_TERMS: dict[str, tuple[VocabKind, str]] = {
    # modalities
    "iv_infusion": ("modality", r"\b(?:iv|i\.v\.|intravenous(?:ly)?)\b(?:\s+\w+){0,2}?\s+(?:ketamine|infusions?|therapy|treatments?)"
                    r"|\bketamine(?:\s+\w+){0,1}?\s+infusions?\b|\binfusion therap(?:y|ies)\b"
                    r"|\b(?:iv|intravenous) ketamine\b|\bketamine (?:iv|intravenous)\b"),
    "im_injection": ("modality", r"\bintramuscular(?:ly)?\b|\b(?:im|i\.m\.) (?:ketamine|injections?|shots?|dosing)\b"
                     r"|\bketamine (?:injections?|shots?)\b"),
    "esketamine_nasal": ("modality", r"\bspravato\b|\besketamine\b|\bketamine nasal\b|\bnasal spray\b"),
    "oral_sublingual": ("modality", r"\bsublingual\b|\blozenges?\b|\btroches?\b|\boral ketamine\b"
                        r"|\b(?:rapid[- ]dissolve|orally dissolving|dissolvable) tablets?\b|\bketamine (?:tablets?|pills?)\b"),
    "at_home": ("modality", r"\bat[- ]home (?:ketamine|therapy|treatments?|sessions?|program|dosing|kits?)\b"
                r"|\bketamine (?:therapy |treatment )?at home\b|\bhome[- ]based ketamine\b"
                r"|\bin the comfort of your (?:own )?home\b"),
    # conditions
    "treatment_resistant_depression": ("condition", r"\btreatment[- ]resistant depression\b|\bTRD\b"
                                       r"|\b(?:refractory|hard[- ]to[- ]treat) depression\b"),
    "bipolar_depression": ("condition", r"\bbipolar(?: disorder| depression| ii?)?\b"),
    "postpartum_depression": ("condition", r"\bpost[- ]?partum(?: depression)?\b|\bperinatal depression\b|\bPPD\b"),
    # plain depression only: "treatment-resistant depression" or "postpartum depression" name other codes
    "depression": ("condition", r"(?<!resistant )(?<!resistant-)(?<!bipolar )(?<!partum )(?<!perinatal )"
                   r"(?<!refractory )(?<!to-treat )(?<!to treat )\bdepression\b|\bdepressive\b|\bMDD\b"),
    "anxiety": ("condition", r"\banxiety\b|\bGAD\b|\bpanic disorder\b"),
    "ptsd": ("condition", r"\bc?PTSD\b|\bpost[- ]traumatic stress\b|\btrauma\b(?![- ]informed)"),
    "ocd": ("condition", r"\bOCD\b|\bobsessive[- ]compulsive\b"),
    "suicidal_ideation": ("condition", r"\bsuicidal (?:ideation|thoughts?|thinking)\b|\bsuicidality\b"),
    "chronic_pain": ("condition", r"\bchronic pain\b|\bfibromyalgia\b|\bCRPS\b|\bcomplex regional pain\b"
                     r"|\bneuropathic pain\b|\bneuropathy\b|\bmigraines?\b|\bpain management\b"),
    "substance_use": ("condition", r"\bsubstance (?:use|abuse|misuse)\b|\baddiction\b|\balcohol use disorder\b"
                      r"|\balcoholism\b|\bopioid use disorder\b|\bSUD\b"),
    "eating_disorders": ("condition", r"\beating disorders?\b|\banorexia\b|\bbulimia\b|\bbinge[- ]eating\b"),
    # services
    "integration_therapy": ("service", r"\bintegration (?:therapy|therapies|sessions?|support|coaching|work|circles?)\b"
                            r"|\bintegrative sessions?\b|\bpost[- ]session integration\b|\bintegration\b(?= after)"),
    "ketamine_assisted_psychotherapy": ("service", r"\bketamine[- ]assisted (?:psycho)?therapy\b|\bKAP\b"
                                        r"|\bpsychedelic[- ]assisted (?:psycho)?therapy\b"),
    "medical_screening": ("service", r"\b(?:medical|psychiatric|mental health|comprehensive|initial|clinical)"
                          r" (?:screening|evaluation|assessment|intake|consultation|exam)s?\b|\bscreening\b"
                          r"|\bintake (?:assessment|evaluation|appointment)\b"),
    "telehealth": ("service", r"\btele[- ]?health\b|\btele[- ]?medicine\b|\btelepsychiatry\b"
                   r"|\bvirtual (?:visits?|appointments?|consult(?:ation)?s?|sessions?|care)\b"
                   r"|\b(?:video|online) (?:visits?|appointments?|consult(?:ation)?s?)\b"),
    "spravato_rems_certified": ("service", r"\bREMS[- ](?:certified|certification|registered)\b"
                                r"|\bcertified (?:spravato|esketamine)[\u00ae\u2122]?(?: REMS)?(?: treatment)? "
                                r"(?:center|centre|clinic|provider|site)\b"
                                r"|\bspravato[\u00ae\u2122]? ?(?:REMS|certified)\b|\bREMS program\b"),
}
#: cheap substring pre-checks (lower-cased text): a pattern only runs when one of its keywords occurs
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "iv_infusion": ("iv", "i.v", "intraven", "infusion"),
    "im_injection": ("intramuscular", "im ", "i.m.", "injection", "shot"),
    "esketamine_nasal": ("spravato", "esketamine", "nasal"),
    "oral_sublingual": ("sublingual", "lozenge", "troche", "oral", "tablet", "pill"),
    "at_home": ("home",),
    "treatment_resistant_depression": ("resistant", "trd", "refractory", "hard"),
    "bipolar_depression": ("bipolar",),
    "postpartum_depression": ("partum", "perinatal", "ppd"),
    "depression": ("depress", "mdd"),
    "anxiety": ("anxiety", "gad", "panic"),
    "ptsd": ("ptsd", "traumatic", "trauma"),
    "ocd": ("ocd", "obsessive"),
    "suicidal_ideation": ("suicid",),
    "chronic_pain": ("pain", "fibromyalgia", "crps", "neuropath", "migraine"),
    "substance_use": ("substance", "addiction", "alcohol", "opioid", "sud"),
    "eating_disorders": ("eating", "anorexia", "bulimia"),
    "integration_therapy": ("integrat",),
    "ketamine_assisted_psychotherapy": ("assisted", "kap"),
    "medical_screening": ("screening", "evaluation", "assessment", "intake", "consultation", "exam"),
    "telehealth": ("tele", "virtual", "video", "online"),
    "spravato_rems_certified": ("rems", "certified"),
}
#: codes with a keyword that may sit inside a word ("postpartum", "cPTSD"); every other pattern only matches
#: where one of its keywords starts a word, so keyword hits inside words ("give", "location") are skipped
_INNER_KEYWORDS = frozenset({"postpartum_depression", "ptsd"})
_COMPILED = [(code, kind, re.compile(pat, _I), _KEYWORDS[code], code not in _INNER_KEYWORDS)
             for code, (kind, pat) in _TERMS.items()]
_UNRELATED_KEYS = ("dental", "dentist", "oral surgery", "veterinar", "vet", "pet", "animal", "horse", "cat",
                   "dog", "surgical", "surger", "colonoscop", "endoscop", "procedural sedation", "general an",
                   "party drug", "recreational", "street drug", "illicit", "overdos", "arrest", "seized", "traffick",
                   "special k", "club drug", "police")
# acronym-like patterns must keep their case: compile those parts case-sensitively via a check below
_CASED = re.compile(r"\b(?:TRD|MDD|GAD|OCD|c?PTSD|PPD|SUD|KAP|CRPS|REMS)\b")

KETAMINE = re.compile(r"\b(?:es)?ketamine\b|\bspravato\b", _I)

_VERBS = (r"(?:offer(?:s|ing|ed)?|provid(?:e|es|ing)|accept(?:s|ing)?|take|taking|bill(?:ing)?|have|has|do|does|"
          r"perform(?:s|ing)?|administer(?:s|ing)?|prescrib(?:e|es|ing)|treat(?:s|ing)?|support(?:s|ing)?|"
          r"carry|carries|include(?:s)?|use|uses|work with|participate in|dispense|sell|ship)")
_CUE = r"(?:not|n't|never|no longer|cannot|unable to|don't|doesn't|won't|isn't|aren't)"
_NEG_BEFORE = re.compile(
    rf"(?:\b{_CUE}|n't)\s+(?:\w+\s+){{0,2}}?{_VERBS}\b(?:[\s,/-]+[\w'-]+){{0,5}}?[\s,/-]+$"
    rf"|\b(?:no|not|non|without)[\s-]+(?:\w+[\s-]+)?$"
    rf"|\bnot (?:appropriate|suitable|recommended|indicated|a (?:good )?(?:fit|candidate)|for)\b(?:\s+\w+){{0,5}}?\s+$",
    _I,
)
_NEG_AFTER = re.compile(
    r"^[\w\s-]{0,30}?\b(?:is|are)\s+(?:currently\s+|presently\s+)?(?:not|no longer)\s+(?:currently\s+)?"
    r"(?:offered|available|provided|something we|part of|an option|done|performed)"
    r"|^\s*(?:is|are)\s+not\s+(?:offered|available|provided)|^\s*(?:\(|-|:)?\s*not (?:offered|available)",
    _I,
)
_CLAUSE_BREAK = re.compile(r"(?:\bbut\b|\bhowever\b|\bwhile\b|\bwhereas\b|;|:|\u2014|\.|\binstead\b)", _I)
_UNRELATED = re.compile(
    r"\bdental\b|\bdentist|\boral surgery\b|\bveterinar|\bvet\b|\bpets?\b|\banimals?\b|\bhorses?\b|\bcats?\b"
    r"|\bdogs?\b|\bsurgical\b|\bsurgery\b|\bsurgeries\b|\bcolonoscop|\bendoscop|\bprocedural sedation\b"
    r"|\bgeneral an(?:a)?esthesia\b|\bparty drug|\brecreational\b|\bstreet drug|\billicit\b|\boverdos"
    r"|\barrest(?:ed)?\b|\bseized\b|\btraffick|\bspecial k\b|\bclub drug|\bpolice\b",
    _I,
)
_PAGE_UNRELATED = re.compile(r"\bdental\b|\bdentist|\bveterinar|\bpets?\b|\bsurgery center\b", _I)
_MENTAL = re.compile(r"\bdepress|\banxiety\b|\bptsd\b|\bmental health\b|\bmood\b|\bpsychiatr", _I)
#: a comparison governing the words right after it ("costs less than Spravato", "unlike IV infusions")
_COMPARISON = re.compile(
    r"\b(?:than|unlike|compared (?:to|with)|in comparison (?:to|with)|versus|vs\.?|rather than|instead of|"
    r"alternatives? to|as opposed to|similar to|cheaper than|more affordable than)\s+(?:[\w'-]+\s+){0,2}$", _I)
#: a sentence reporting research or teaching about ketamine rather than stating what the clinic treats
_RESEARCH = re.compile(
    r"\b(?:stud(?:y|ies)|(?:clinical )?trials?|research(?:ers)?|scientists|evidence|literature|journals?|"
    r"published|findings|meta-analys[ie]s|investigators|data)\b[^.]{0,80}?\b(?:suggests?|shows?|showed|shown|"
    r"found|finds|indicates?|demonstrat\w*|reports?|reported|may|might|could|points?|hints?|support)\b"
    r"|\b(?:is|are|being) (?:being )?(?:studied|investigated|researched|explored)\b"
    r"|\b(?:early|preliminary|emerging|promising|ongoing) (?:research|evidence|trials?|studies|data|findings)\b",
    _I,
)
_RESEARCH_KEYS = ("stud", "trial", "research", "scientist", "evidence", "literature", "journal", "published",
                  "finding", "analys", "investigat", "data", "explored")
#: modalities that are ketamine routes only when ketamine, esketamine or Spravato is in their context
_ROUTE_CODES = frozenset({"iv_infusion", "im_injection", "oral_sublingual", "at_home", "esketamine_nasal"})
#: what else is given by drip, shot or lozenge in clinics and med spas ("IV hydration", "NAD+ infusions")
_OTHER_DRUG = re.compile(
    r"\bhydrat\w*|\bvitamins?\b|\bNAD\+?|\bmyers\b|\bdrips?\b|\bB-?12\b|\bglutathione\b|\biron\b|\bIVIG\b"
    r"|\bimmun\w*|\bhangover\b|\bsaline\b|\bantibiotics?\b|\bchelation\b|\bbotox\b|\bsemaglutide\b"
    r"|\bweight[- ]loss\b|\bnaloxone\b|\bnarcan\b|\ballerg\w*|\bdecongestant\b|\bbeauty\b|\bwellness drips?\b"
    r"|\bpeptides?\b|\bhormones?\b|\btestosterone\b|\binfusion center for (?:cancer|oncology)|\bchemo\w*",
    _I,
)
_OTHER_DRUG_KEYS = ("hydrat", "vitamin", "nad", "myers", "drip", "b12", "b-12", "glutathione", "iron", "ivig",
                    "immun", "hangover", "saline", "antibiotic", "chelation", "botox", "semaglutide", "weight",
                    "naloxone", "narcan", "allerg", "decongestant", "beauty", "peptide", "hormone", "testosterone",
                    "chemo", "oncology")
#: sentences before and after a route mention that count as its context
_CONTEXT_BEFORE, _CONTEXT_AFTER = 3, 1
_SENTENCE_OR_LINE = re.compile(r"(?<=[.!?])[ \t]+(?=[\"'(\[]?[A-Z0-9])|[ \t]*[\u2022\u00b7|][ \t]*|\n")


def sentences(lines: Iterable[str]) -> list[str]:
    """Sentences of text lines (a line never continues into the next one). One regex pass for the page."""
    text = "\n".join(line[:20000] for line in lines)
    return [x for x in (part.strip() for part in _SENTENCE_OR_LINE.split(text)) if x]


def is_comparison(sentence: str, start: int) -> bool:
    """Whether the mention starting at sentence[start] is the other side of a comparison ("less than Spravato")."""
    before = sentence[max(0, start - 60): start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end():]
    return bool(_COMPARISON.search(before if before.endswith(" ") else before + " "))


def is_research(sentence: str) -> bool:
    """Whether a sentence reports research or teaches ("trials suggest ketamine may help ...")."""
    low = sentence.lower()
    return any(k in low for k in _RESEARCH_KEYS) and bool(_RESEARCH.search(sentence))


def is_negated(sentence: str, start: int, end: int) -> bool:
    """Whether the mention at sentence[start:end] is negated within its clause."""
    before = sentence[max(0, start - 90): start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end():]
    # "not only" and "whether or not" are not negations
    before_l = before.lower()
    if "not only" in before_l or "or not" in before_l:
        return False
    if _NEG_BEFORE.search(before + " " if not before.endswith(" ") else before):
        return True
    after = sentence[end: end + 70]
    brk = _CLAUSE_BREAK.search(after)
    if brk:
        after = after[: brk.start()]
    return bool(_NEG_AFTER.search(after))


_PAGE_UNRELATED_KEYS = ("dental", "dentist", "veterinar", "pet", "surgery center")
#: characters that re.IGNORECASE matches to "i"/"s" but str.lower() does not turn into them
_FOLD_ODD = ("\u0130", "\u0131", "\u017f")


def page_is_unrelated(text: str) -> bool:
    """A page about dental/veterinary/surgical care with no mental-health language."""
    head = text[:200000]
    low = head.lower()
    if not any(k in low for k in _PAGE_UNRELATED_KEYS) and not any(c in head for c in _FOLD_ODD):
        return False  # none of the words occurs: skip the case-insensitive pattern (a slow scan)
    return len(_PAGE_UNRELATED.findall(head)) >= 2 and not _MENTAL.search(head)


class Joined:
    """Sentences joined by NUL (no pattern crosses it) so each regex runs once per page, not per sentence."""

    SEP = "\x00"

    def __init__(self, sents: Sequence[str]) -> None:
        self.sents = [x.replace(self.SEP, " ") for x in sents]
        self.starts: list[int] = []
        pos = 0
        for x in self.sents:
            self.starts.append(pos)
            pos += len(x) + 1
        self.text = self.SEP.join(self.sents)

    def candidates(self, low: str, keys: Iterable[str], *, word_start: bool = False) -> list[int]:
        """Sorted indices of the sentences whose lower-cased text (``low`` is ``self.text.lower()``) contains
        one of ``keys`` (with ``word_start``, at the start of a word, as a ``\\b``-led pattern needs)."""
        found: set[int] = set()
        n = len(self.sents)
        for k in keys:
            pos = low.find(k)
            while pos != -1:
                if word_start and pos and (low[pos - 1].isalnum() or low[pos - 1] == "_"):
                    pos = low.find(k, pos + 1)
                    continue
                i = bisect_right(self.starts, pos) - 1
                found.add(i)
                if i + 1 >= n:
                    break
                pos = low.find(k, self.starts[i + 1])
        return sorted(found)

    def locate(self, pos: int) -> tuple[int, int]:
        """(sentence index, offset within it) of a position in the joined text."""
        i = bisect_right(self.starts, pos) - 1
        return i, pos - self.starts[i]


def find_evidence(sents: Sequence[str], *, unrelated_page: bool = False,
                  joined: Joined | None = None) -> tuple[list[Evidence], list[tuple[bool, str]]]:
    """(vocabulary evidence, ketamine mentions as (negated, snippet)) for the sentences of one page.

    Each code gives at most one positive and one negated piece of evidence (its first of each). For speed,
    patterns only run on the sentences that contain one of their keywords (found with ``str.find``)."""
    j = joined or Joined(sents)
    evidence: list[tuple[int, int, Evidence]] = []
    mentions: list[tuple[int, bool, str]] = []
    low = j.text.lower()
    unrelated = {i for i in j.candidates(low, _UNRELATED_KEYS, word_start=True) if _UNRELATED.search(j.sents[i])}
    ketamine_idx = j.candidates(low, ("ketamine", "spravato"))
    other_drug: dict[int, bool] = {}  # sentence index -> names another drug (looked up only when needed)
    research: dict[int, bool] = {}
    if not unrelated_page:
        positive_seen = 0
        for i in ketamine_idx:
            if i in unrelated:
                continue
            sent = j.sents[i]
            negs = [is_negated(sent, m.start(), m.end()) for m in KETAMINE.finditer(sent)
                    if not is_comparison(sent, m.start())]
            if not negs:
                continue
            neg = all(negs)
            positive_seen += not neg
            mentions.append((i, neg, sent[:240]))
            if len(mentions) >= 20 or positive_seen >= 5:
                break
    for code, kind, rx, keys, word_start in _COMPILED:
        found: set[bool] = set()
        tries = 0
        done: set[str] = set()
        for i in j.candidates(low, keys, word_start=word_start):
            if i in unrelated or j.sents[i] in done:
                continue
            if code in _ROUTE_CODES and not _route_in_context(i, ketamine_idx, other_drug, j.sents):
                continue  # the same words elsewhere on the page may sit next to ketamine
            sent = j.sents[i]
            done.add(sent)
            if kind == "condition":
                if i not in research:
                    research[i] = is_research(sent)
                if research[i]:
                    continue
            for m in rx.finditer(sent):
                if _CASED.fullmatch(m.group(0).upper()) and not _CASED.fullmatch(m.group(0)):
                    continue  # "kap", "ocd" in lower case: not the acronym
                if is_comparison(sent, m.start()):
                    continue
                neg = is_negated(sent, m.start(), m.end())
                tries += 1
                if neg not in found:
                    found.add(neg)
                    evidence.append((i, m.start(), Evidence(code=code, kind=kind, negated=neg, snippet=sent[:240])))
                break
            if len(found) == 2 or tries >= 8:
                break
    evidence.sort(key=lambda x: (x[0], x[1]))
    return [e for _, _, e in evidence], [(neg, snip) for _, neg, snip in mentions]


def _route_in_context(i: int, ketamine_idx: Sequence[int], other_drug: dict[int, bool],
                      sents: Sequence[str]) -> bool:
    """A route (IV, IM, nasal, oral, at home) in sentence ``i`` is a ketamine route: ketamine/esketamine/Spravato
    is named in the sentence, or nearby and the sentence names no other drug ("IV hydration", "NAD+ drips")."""
    k = bisect_right(ketamine_idx, i) - 1  # the last ketamine sentence at or before i
    if k >= 0 and ketamine_idx[k] == i:
        return True
    if i not in other_drug:
        low = sents[i].lower()
        other_drug[i] = any(key in low for key in _OTHER_DRUG_KEYS) and bool(_OTHER_DRUG.search(sents[i]))
    if other_drug[i]:
        return False
    near_before = k >= 0 and i - ketamine_idx[k] <= _CONTEXT_BEFORE
    near_after = k + 1 < len(ketamine_idx) and ketamine_idx[k + 1] - i <= _CONTEXT_AFTER
    return near_before or near_after
