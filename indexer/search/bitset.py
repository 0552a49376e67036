"""Document-id bitsets as Python ints (bit ``i`` set = document ``i``), and the per-generation snapshot of
the compact columns the embedded backend filters, counts facets and sorts on.

Big-int AND / ``bit_count`` over 100k bits take microseconds, so every filter combination and all facet
counts of a result set cost a few dozen big-int operations instead of a SQL scan.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass, replace

_BIT = tuple(1 << i for i in range(8))
_NONZERO = re.compile(rb"[^\x00]+")
_ASCII01 = bytes([48, 49]) + bytes(254)
_BITS_OF_BYTE = tuple(tuple(i for i in range(8) if byte >> i & 1) for byte in range(256))


def from_ids(ids: Iterable[int], nbytes: int) -> int:
    """A bitset of the ids below ``nbytes * 8`` (others are ignored)."""
    buf = bytearray(nbytes)
    limit = nbytes * 8
    for i in ids:
        if 0 <= i < limit:
            buf[i >> 3] |= _BIT[i & 7]
    return int.from_bytes(buf, "little")


def from_csv(text: str | None) -> int:
    """A bitset from SQLite's ``group_concat(id)`` of non-negative ids (the fastest way to move many ids out
    of SQLite): one byte per id in a scratch array, then a single C-speed conversion."""
    if not text:
        return 0
    ids = list(map(int, text.split(",")))
    flags = bytearray(max(ids) + 1)
    for i in ids:
        flags[i] = 1
    return int(flags.translate(_ASCII01)[::-1], 2)


def ids_of(bitset: int) -> list[int]:
    """The ids in a bitset, ascending (zero bytes are skipped at C speed, so sparse sets are cheap)."""
    out: list[int] = []
    raw = bitset.to_bytes((bitset.bit_length() + 7) // 8, "little")
    for m in _NONZERO.finditer(raw):
        base = m.start() * 8
        for byte in m.group():
            out.extend(base + b for b in _BITS_OF_BYTE[byte])
            base += 8
    return out


class Membership:
    """Fast repeated membership tests against one bitset."""

    __slots__ = ("_raw",)

    def __init__(self, bitset: int):
        self._raw = bitset.to_bytes((bitset.bit_length() + 7) // 8, "little")

    def __contains__(self, i: int) -> bool:
        pos = i >> 3
        return pos < len(self._raw) and bool(self._raw[pos] & _BIT[i & 7])


SortKey = tuple[bool, float, int]


def _key(doc_id: int, bayes: float | None) -> SortKey:
    """Rating order: best ``rating_bayes`` first, unrated last, then by id."""
    return (bayes is None, -(bayes or 0.0), doc_id)


def encode_mask(mask: int) -> str:
    """A document's facet mask as stored: ``"x"`` + hex (more bits than SQLite's 64-bit integers hold; the
    prefix keeps SQLite's integer affinity from reading it as a number)."""
    return f"x{mask:x}"


def decode_mask(stored: int | str) -> int:
    """A stored mask (hex text, or an integer in an index written before masks outgrew 64 bits)."""
    return int(stored[1:], 16) if isinstance(stored, str) else int(stored)


@dataclass(frozen=True)
class Snapshot:
    """Compact view of the index at one generation: immutable, shared by all threads of a process."""

    generation: int
    nbytes: int
    every: int  # all documents
    live: int  # documents not stale
    bits: tuple[int, ...]  # one bitset per facet bit (see common.BITS)
    by_rating: list[int]  # ids in rating order (never mutated once published)
    key_of: dict[int, SortKey]

    def sort_key(self, doc_id: int) -> SortKey:
        return self.key_of.get(doc_id, (True, 0.0, doc_id))

    @classmethod
    def load(cls, conn: sqlite3.Connection, generation: int, nbits: int) -> Snapshot:
        rows = conn.execute("SELECT id, stale, mask, bayes FROM docs").fetchall()
        max_id = max((r[0] for r in rows), default=0)
        nbytes = max(1, (max_id >> 3) + 1)
        every = bytearray(nbytes)
        live = bytearray(nbytes)
        bits = [bytearray(nbytes) for _ in range(nbits)]
        keep = (1 << nbits) - 1
        for doc_id, stale, stored, _ in rows:
            mask = decode_mask(stored) & keep
            pos, bit = doc_id >> 3, _BIT[doc_id & 7]
            every[pos] |= bit
            if not stale:
                live[pos] |= bit
            while mask:
                low = mask & -mask
                bits[low.bit_length() - 1][pos] |= bit
                mask ^= low
        key_of = {r[0]: _key(r[0], r[3]) for r in rows}
        return cls(generation=generation, nbytes=nbytes, every=int.from_bytes(every, "little"),
                   live=int.from_bytes(live, "little"), bits=tuple(int.from_bytes(b, "little") for b in bits),
                   by_rating=sorted(key_of, key=key_of.__getitem__), key_of=key_of)

    def apply(self, conn: sqlite3.Connection, changed: list[int], generation: int, nbits: int) -> Snapshot:
        """A new snapshot with the current rows of ``changed`` ids (upserted or deleted) applied."""
        if not changed:
            return replace(self, generation=generation)
        id_list = ",".join(str(int(i)) for i in changed)
        rows = conn.execute(f"SELECT id, stale, mask, bayes FROM docs WHERE id IN ({id_list})").fetchall()
        nbytes = max(self.nbytes, (max(changed) >> 3) + 1)
        gone = ~from_ids(changed, nbytes)
        every = from_ids([r[0] for r in rows], nbytes)
        live = from_ids([r[0] for r in rows if not r[1]], nbytes)
        bits = [b & gone for b in self.bits]
        masks = [(r[0], decode_mask(r[2])) for r in rows]
        for bit in range(nbits):
            members = [doc_id for doc_id, mask in masks if mask >> bit & 1]
            if members:
                bits[bit] |= from_ids(members, nbytes)
        key_of = dict(self.key_of)
        for doc_id in changed:
            key_of.pop(doc_id, None)
        removed = set(changed)
        by_rating = [i for i in self.by_rating if i not in removed]
        for doc_id, _, _, bayes in rows:
            key_of[doc_id] = _key(doc_id, bayes)
            insort(by_rating, doc_id, key=key_of.__getitem__)
        return Snapshot(generation=generation, nbytes=nbytes, every=(self.every & gone) | every,
                        live=(self.live & gone) | live, bits=tuple(bits), by_rating=by_rating, key_of=key_of)
