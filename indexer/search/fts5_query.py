"""User text -> a safe FTS5 MATCH expression, with prefix matching, typo tolerance, plural forms and synonyms.

User input never reaches FTS5 syntax: it is cut into word tokens the way the ``unicode61`` tokenizer does,
and every token is emitted as a double-quoted string (tokens hold no quote characters). Each token becomes a
group ``("tok" OR "tok"* OR "typo1" ...)`` and the groups are ANDed, so ``"`` or ``NEAR(`` or ``*`` are words
or nothing, never operators. A word's group also holds its plural/singular forms the index has and its
synonyms from :mod:`kdir.common.synonyms` (a synonym of several words is a quoted FTS5 phrase); a phrase from
the table typed in the query is one group: ``(synonyms OR (word AND word))``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from indexer.search.query_text import (
    MAX_TERM_LEN,
    MAX_TERMS,
    normalise,
    plural_forms,
    query_words,
    synonym_table,
    tokens,
)
from kdir.common.synonyms import longest_phrase

__all__ = ["MAX_TERMS", "MAX_TERM_LEN", "Group", "Vocabulary", "highlight", "match_expression", "normalise",
           "parse", "parse_words", "tokens"]
MAX_TYPO_VARIANTS = 4
MAX_COMPLETIONS = 12
_HIGHLIGHT_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


#: Shortest word allowed one typo (surnames are often short: "Parc" finds Park). Meilisearch gets the same
#: (``typoTolerance.minWordSizeForTypos``).
MIN_TYPO_WORD = 4
MIN_TWO_TYPOS_WORD = 9


def max_typos(term: str) -> int:
    """Edit distance allowed for a term: none under 4 characters or for numbers (postcodes, NPIs)."""
    if not term.isalpha() or len(term) < MIN_TYPO_WORD:
        return 0
    return 1 if len(term) < MIN_TWO_TYPOS_WORD else 2


@dataclass
class Vocabulary:
    """The index's terms (from fts5vocab), for typo expansion. Rebuilt when the index generation changes."""

    terms: list[str]
    known: frozenset[str]
    generation: int

    def completions(self, prefix: str, limit: int) -> list[str] | None:
        """Known terms starting with ``prefix`` (itself included), or None when there are more than ``limit``."""
        i = bisect.bisect_left(self.terms, prefix)
        out: list[str] = []
        while i < len(self.terms) and self.terms[i].startswith(prefix):
            if len(out) >= limit:
                return None
            out.append(self.terms[i])
            i += 1
        return out

    def near(self, term: str, distance: int) -> list[str]:
        lo, hi = len(term) - distance, len(term) + distance
        found = process.extract(term, self.terms, scorer=OSA.distance, score_cutoff=distance,
                                limit=MAX_TYPO_VARIANTS * 4, processor=None)
        close = [t for t, _, _ in sorted(found, key=lambda f: (f[1], f[0])) if lo <= len(t) <= hi and t != term]
        return close[:MAX_TYPO_VARIANTS]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


@dataclass(frozen=True)
class Group:
    """One query word or synonym phrase: the exact index terms it may match, a prefix when completions were
    too many, synonym phrases (matched as FTS5 phrases) and, for a phrase typed in the query, its words (all
    required, each with its own forms)."""

    word: str
    exact: tuple[str, ...]
    prefix: str | None = None
    phrases: tuple[str, ...] = ()
    parts: tuple[Group, ...] = ()

    def fts(self) -> str:
        alts = [_quote(t) for t in self.exact] + ([_quote(self.prefix) + "*"] if self.prefix else [])
        alts += [_quote(p) for p in self.phrases]
        if self.parts:
            alts.append("(" + " AND ".join(g.fts() for g in self.parts) + ")")
        return "(" + " OR ".join(alts) + ")"

    def matches(self, token: str) -> bool:
        return (token in self.exact or (self.prefix is not None and token.startswith(self.prefix))
                or any(g.matches(token) for g in self.parts))


def _with_synonyms(group: Group, key: str | None) -> Group:
    if key is None:
        return group
    also = synonym_table()[key]
    exact = tuple(dict.fromkeys([*group.exact, *(a for a in also if " " not in a)]))
    return Group(group.word, exact, group.prefix, tuple(a for a in also if " " in a), group.parts)


def _word(word: str, vocab: Vocabulary | None, prefix: bool) -> Group:
    """A single word: itself, its plural/singular forms the index has, completions when it is the word being
    typed, else (unknown) the known terms within its typo budget."""
    if vocab is None or not word.isalpha():  # numbers (postcodes, NPIs) are not in the vocabulary
        return Group(word, (word,), word if prefix else None)
    forms = [f for f in plural_forms(word) if f in vocab.known]
    completions = vocab.completions(word, MAX_COMPLETIONS) if prefix else [t for t in (word,) if t in vocab.known]
    if completions is None:
        return Group(word, (word, *forms), word)
    if completions or forms:
        return Group(word, tuple(dict.fromkeys([word, *completions, *forms])))
    typos = max_typos(word)
    return Group(word, (word, *vocab.near(word, typos)) if typos else (word,))


def _phrase_at(words: Sequence[str], i: int) -> tuple[str, int] | None:
    """The longest synonym phrase of several words starting at ``words[i]``."""
    table = synonym_table()
    for n in range(min(longest_phrase(), len(words) - i), 1, -1):
        phrase = " ".join(words[i:i + n])
        if phrase in table:
            return phrase, n
    return None


def parse_words(words: Sequence[str], vocab: Vocabulary | None, prefix_all: bool = False) -> list[Group]:
    """The word groups (ANDed) of query words. The last word also matches as a prefix (every word if
    ``prefix_all``; the search contract is the last word only, the word being typed, as Meilisearch does --
    see docs/search.md): with a vocabulary, completions are listed as exact terms (an OR of a few doclists is
    far cheaper in FTS5 than a prefix query), falling back to ``"word"*`` when there are many. A word that is
    neither known nor the prefix of a known term is expanded with known terms within its edit distance (a
    swap of two letters counts as one). Synonyms (:mod:`kdir.common.synonyms`) join a word's or a typed
    phrase's group as alternatives."""
    groups: list[Group] = []
    i = 0
    while i < len(words):
        phrase = _phrase_at(words, i) if vocab is not None else None
        if phrase is not None:
            key, n = phrase
            parts = tuple(_word(w, vocab, prefix_all or i + k == len(words) - 1)
                          for k, w in enumerate(words[i:i + n]))
            groups.append(_with_synonyms(Group(key, (), None, (), parts), key))
            i += n
            continue
        word = words[i]
        group = _word(word, vocab, prefix_all or i == len(words) - 1)
        key = word if word in synonym_table() else None
        groups.append(_with_synonyms(group, key) if vocab is not None else group)
        i += 1
    return groups


def parse(text: str, vocab: Vocabulary | None, prefix_all: bool = False) -> list[Group]:
    """The word groups of a query text (honorifics dropped; see :func:`query_text.query_words`)."""
    return parse_words(query_words(text).words, vocab, prefix_all)


def match_expression(text: str, vocabulary: Callable[[], Vocabulary] | None = None,
                     prefix_all: bool = False) -> tuple[str | None, list[str]]:
    """(safe FTS5 MATCH expression, or None when the text has no words; the query words)."""
    groups = parse(text, vocabulary() if vocabulary is not None and tokens(text) else None, prefix_all)
    if not groups:
        return None, []
    return " AND ".join(g.fts() for g in groups), [g.word for g in groups]


def highlight(text: str, groups: Sequence[Group], start: str, end: str) -> str | None:
    """``text`` with every word that matches a group wrapped in start/end markers; None when none matched."""
    out: list[str] = []
    last = 0
    found = False
    for m in _HIGHLIGHT_TOKEN.finditer(text):
        token = normalise(m.group())
        if any(g.matches(token) for g in groups):
            out.append(text[last:m.start()])
            out.append(start + m.group() + end)
            last = m.end()
            found = True
    if not found:
        return None
    out.append(text[last:])
    return "".join(out)


def build_vocabulary(rows: Sequence[tuple[str]], generation: int) -> Vocabulary:
    terms = sorted({r[0] for r in rows if r[0]})
    return Vocabulary(terms=terms, known=frozenset(terms), generation=generation)
