"""Whether a clinic's name tells it apart from other clinics, for the rule that joins listings on the name
alone (``name_area``): "Ketamine Wellness Center" in Denver may be any of several independent clinics,
"Harborview Psychiatry" is one.

A name is distinctive when one of its words is not common. A word is common when it is one of
:data:`GENERIC_WORDS` (the words of the trade: what a ketamine clinic is and does, and filler), a word of the
listing's own city or state ("Houston Ketamine Center" in Houston), a number, or -- judged on the listings
being resolved, once there are enough of them -- a word that at least :data:`COMMON_SHARE` of their names
carry.
"""

from __future__ import annotations

from collections import Counter

from kdir.common.names import match_name
from kdir.common.us_states import STATES

#: Words of the trade and filler, in match form (lowercase, no punctuation); legal suffixes are already gone.
GENERIC_WORDS = frozenset({
    "ketamine", "esketamine", "spravato", "infusion", "infusions", "iv", "clinic", "clinics", "center", "centers",
    "centre", "wellness", "health", "healthcare", "mental", "behavioral", "behavioural", "medical", "medicine",
    "psychiatry", "psychiatric", "psychiatrist", "psychiatrists", "psychotherapy", "therapy", "therapies",
    "therapeutics", "treatment", "treatments", "care", "institute", "group", "associates", "partners",
    "practice", "services", "solutions", "integrative", "holistic", "functional", "lounge", "spa", "studio",
    "mind", "brain", "body", "and", "of", "the", "for", "at", "in", "on", "a", "an", "by", "with", "to",
    "depression", "anxiety", "ptsd", "pain", "counseling", "counselling", "recovery", "healing", "life",
    "new", "advanced", "premier", "family", "national", "american", "us", "usa", "offices", "office",
    "hospital", "specialists", "specialty", "renewal", "restore", "restoration", "revive", "revival",
})
#: share of the resolved listings' names a word must be in to count as common (with enough names to judge)
COMMON_SHARE = 0.05
#: fewer names than this say nothing about how common a word is
MIN_NAMES = 40


class NameWords:
    """How many of the clinic names seen so far carry each word."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.names = 0

    def add(self, name_key: str) -> None:
        """Count one clinic's match name."""
        words = set(name_key.split())
        if words:
            self.df.update(words)
            self.names += 1

    def common(self, word: str) -> bool:
        if word in GENERIC_WORDS or word.isdigit() or len(word) < 2:
            return True
        return self.names >= MIN_NAMES and self.df[word] >= COMMON_SHARE * self.names

    def distinctive(self, name_key: str, city: str | None = None, state: str | None = None) -> bool:
        """Whether the match name has a word that is neither common nor the place's own name."""
        place = set(match_name(city or "").split())
        place |= {w for full, code in STATES.items() if code == state for w in full.split()}
        return any(not self.common(w) and w not in place for w in name_key.split())
