"""User text -> a safe FTS5 MATCH expression, with prefix matching and typo tolerance.

User input never reaches FTS5 syntax: it is cut into word tokens the way the ``unicode61`` tokenizer does,
and every token is emitted as a double-quoted string (tokens hold no quote characters). Each token becomes a
group ``("tok" OR "tok"* OR "typo1" ...)`` and the groups are ANDed, so ``"`` or ``NEAR(`` or ``*`` are words
or nothing, never operators.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MAX_TERMS = 10
MAX_TERM_LEN = 40
MAX_TYPO_VARIANTS = 4
MAX_COMPLETIONS = 12
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Case-folded, diacritics removed: what ``unicode61 remove_diacritics 2`` stores."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str, limit: int | None = MAX_TERMS) -> list[str]:
    """Distinct normalised words, at most ``limit`` of them (a query) or all (a document's text)."""
    out: dict[str, None] = {}
    for tok in _TOKEN.findall(normalise(text or "")[:1000] if limit else normalise(text or "")):
        out[tok[:MAX_TERM_LEN]] = None
        if limit and len(out) >= limit:
            break
    return list(out)


def max_typos(term: str) -> int:
    """Edit distance allowed for a term: none under 5 characters or for numbers (postcodes, NPIs)."""
    if not term.isalpha() or len(term) < 5:
        return 0
    return 1 if len(term) < 9 else 2


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
        found = process.extract(term, self.terms, scorer=Levenshtein.distance, score_cutoff=distance,
                                limit=MAX_TYPO_VARIANTS * 4, processor=None)
        close = [t for t, _, _ in sorted(found, key=lambda f: (f[1], f[0])) if lo <= len(t) <= hi and t != term]
        return close[:MAX_TYPO_VARIANTS]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


@dataclass(frozen=True)
class Group:
    """One query word: the exact index terms it may match, and a prefix when completions were too many."""

    word: str
    exact: tuple[str, ...]
    prefix: str | None = None

    def fts(self) -> str:
        alts = [_quote(t) for t in self.exact] + ([_quote(self.prefix) + "*"] if self.prefix else [])
        return "(" + " OR ".join(alts) + ")"

    def matches(self, token: str) -> bool:
        return token in self.exact or (self.prefix is not None and token.startswith(self.prefix))


def parse(text: str, vocab: Vocabulary | None, prefix_all: bool = False) -> list[Group]:
    """The query's word groups (ANDed). The last word also matches as a prefix (every word if ``prefix_all``;
    the search contract is the last word only, the word being typed, as Meilisearch does -- see
    docs/search.md): with a vocabulary, completions are listed as exact terms (an OR of a few doclists is far
    cheaper in FTS5 than a prefix query), falling back to ``"word"*`` when there are many. A word that is
    neither known nor the prefix of a known term is expanded with known terms within its edit distance."""
    groups: list[Group] = []
    words = tokens(text)
    for i, word in enumerate(words):
        prefix = prefix_all or i == len(words) - 1
        if vocab is None or not word.isalpha():  # numbers (postcodes, NPIs) are not in the vocabulary
            groups.append(Group(word, (word,), word if prefix else None))
            continue
        completions = vocab.completions(word, MAX_COMPLETIONS) if prefix else [t for t in (word,) if t in vocab.known]
        if completions is None:
            groups.append(Group(word, (word,), word))
        elif completions:
            groups.append(Group(word, tuple(dict.fromkeys([word, *completions]))))
        else:
            typos = max_typos(word)
            groups.append(Group(word, (word, *vocab.near(word, typos)) if typos else (word,)))
    return groups


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
    for m in _TOKEN.finditer(text):
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
