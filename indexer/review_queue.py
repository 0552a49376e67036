"""The moderation queue: which providers need a moderator, for which reasons, and how many.

The one place that decides queue membership and reasons: the queue page, the operators' dashboard, ``kdir
moderate`` and ``kdir demo`` all read it here, so their counts always agree. The bulk-approval rule that refuses
some reasons lives in :mod:`indexer.bulk_review` (:data:`indexer.bulk_review.BULK_REFUSED`).

A provider is in the queue when it has an open patient report, a credential of its own that the registry did
not confirm (not found, several matches, does not match, invalid number), a material change held for review,
or when it is a new listing nobody approved yet (status pending). Rejected and merged providers are in it only
while a patient report about them is open.

A clinic's credential reasons include those of the practitioners affiliated with it (their credentials are
the clinic's qualification): a new clinic whose psychiatrist's NPI does not match says so in the queue.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.db.models import Affiliation, Credential, FieldEvidence, Flag, Observation, Provider, Source

#: Queue reasons, most urgent first. Credential reasons are the registry outcomes that are not "verified".
REASONS = ("flag", "mismatch", "invalid_number", "not_found", "ambiguous", "changes", "new")
CREDENTIAL_REASONS = ("mismatch", "invalid_number", "not_found", "ambiguous")
#: Each reason in words, as a moderator reads it on a queue row.
REASON_LABELS = {
    "flag": "Patient report",
    "mismatch": "Credential does not match the NPI registry",
    "invalid_number": "The NPI printed is not a valid number",
    "not_found": "Credential not found in the NPI registry",
    "ambiguous": "Several registry entries match a credential",
    "changes": "Material change waiting",
    "new": "New listing",
}
#: How listings with each reason read in a sentence, after "N listing(s)" ("3 listings with a material change").
REASON_TAILS = {
    "flag": "with an open patient report",
    "mismatch": "with a credential that does not match the registry",
    "invalid_number": "with an NPI that is not a valid number",
    "not_found": "with a credential not found in the registry",
    "ambiguous": "with a credential matching several registry entries",
    "changes": "with a material change waiting",
}
_CLOSED = ("rejected", "merged")


@dataclass(frozen=True)
class QueueFilter:
    """Narrows the queue. ``source``: a Source.key the listing was seen on; ``state``: a US state code
    (Provider.region); ``reason``: one of :data:`REASONS`; ``all_verified``: only listings with at least one
    credential (their own or their practitioners'), every one verified, no open report and no change held."""

    source: str | None = None
    state: str | None = None
    reason: str | None = None
    all_verified: bool = False

    def is_empty(self) -> bool:
        return not (self.source or self.state or self.reason or self.all_verified)

    def describe(self) -> str:
        """The filter in words ("new listings in TX seen on clinic_site, every credential verified")."""
        parts = []
        if self.reason:
            parts.append(REASON_LABELS.get(self.reason, self.reason).lower())
        if self.state:
            parts.append(f"in {self.state}")
        if self.source:
            parts.append(f"seen on {self.source}")
        if self.all_verified:
            parts.append("every credential verified")
        return ", ".join(parts) if parts else "the whole queue"


@dataclass
class QueueItem:
    provider: Provider
    reasons: list[str]
    open_flags: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # credential outcomes (own and team) -> count

    @property
    def rank(self) -> int:
        return min(REASONS.index(r) for r in self.reasons)

    @property
    def all_verified(self) -> bool:
        return bool(self.outcomes) and set(self.outcomes) == {"verified"} and not (
            {"flag", "changes"} & set(self.reasons))

    def labelled(self) -> list[tuple[str, str]]:
        """(code, words) of each reason, most urgent first."""
        return list(zip(self.reasons, self.labels(), strict=True))

    def labels(self) -> list[str]:
        """The reasons in words, with how many where it helps ("Patient report (2 open)")."""
        out = []
        for r in self.reasons:
            text = REASON_LABELS[r]
            if r == "flag":
                text += f" ({self.open_flags} open)"
            elif r in CREDENTIAL_REASONS and self.outcomes.get(r, 0) > 1:
                text += f" ({self.outcomes[r]} credentials)"
            out.append(text)
        return out


def _outcomes(session: Session, ids: list[int]) -> dict[int, Counter[str]]:
    """Credential outcomes of each provider: its own and those of the practitioners affiliated with it."""
    team: dict[int, set[int]] = defaultdict(set)
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for pid in chunk:
            team[pid].add(pid)
        for clinic_id, prac_id in session.execute(select(Affiliation.clinic_id, Affiliation.practitioner_id)
                                                  .where(Affiliation.clinic_id.in_(chunk))):
            team[clinic_id].add(prac_id)
    members = sorted({m for ms in team.values() for m in ms})
    own: dict[int, Counter[str]] = defaultdict(Counter)
    for i in range(0, len(members), 900):
        for pid, outcome, n in session.execute(
                select(Credential.provider_id, Credential.outcome, func.count())
                .where(Credential.provider_id.in_(members[i:i + 900]))
                .group_by(Credential.provider_id, Credential.outcome)):
            own[pid][outcome] += int(n)
    out: dict[int, Counter[str]] = {}
    for pid, ms in team.items():
        total: Counter[str] = Counter()
        for m in ms:
            total.update(own.get(m, {}))
        out[pid] = total
    return out


def _from_source(session: Session, ids: list[int], source_key: str) -> set[int]:
    src_id = session.scalar(select(Source.id).where(Source.key == source_key))
    if src_id is None:
        return set()
    found: set[int] = set()
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        found.update(session.scalars(select(Observation.provider_id).where(
            Observation.source_id == src_id, Observation.provider_id.in_(chunk)).distinct()))
        found.update(session.scalars(select(FieldEvidence.provider_id).where(
            FieldEvidence.source_id == src_id, FieldEvidence.provider_id.in_(chunk)).distinct()))
    return found


def describe(session: Session, providers: Iterable[Provider]) -> dict[int, QueueItem]:
    """Every reason each of ``providers`` gives a moderator (an empty list when none): the one computation
    behind the queue, its counts and the bulk-approval rule."""
    by_id = {p.id: p for p in providers}
    ids = sorted(by_id)
    flags: dict[int, int] = {}
    for i in range(0, len(ids), 900):
        flags.update((pid, int(n)) for pid, n in session.execute(
            select(Flag.provider_id, func.count()).where(Flag.status == "open", Flag.provider_id.in_(ids[i:i + 900]))
            .group_by(Flag.provider_id)))
    outcomes = _outcomes(session, ids)
    items: dict[int, QueueItem] = {}
    for pid, p in by_id.items():
        have = {o for o in outcomes.get(pid, Counter()) if o in CREDENTIAL_REASONS}
        if flags.get(pid):
            have.add("flag")
        if p.status not in _CLOSED and p.pending_changes:
            have.add("changes")
        if p.status == "pending":
            have.add("new")
        items[pid] = QueueItem(p, [r for r in REASONS if r in have], flags.get(pid, 0),
                               outcomes.get(pid, Counter()))
    return items


def load_providers(session: Session, ids: Iterable[int], state: str | None = None) -> list[Provider]:
    wanted = sorted(set(ids))
    out: list[Provider] = []
    for i in range(0, len(wanted), 900):
        q = select(Provider).where(Provider.id.in_(wanted[i:i + 900]))
        if state:
            q = q.where(Provider.region == state.strip().upper())
        out.extend(session.scalars(q))
    return out


def queue_items(session: Session, filters: QueueFilter | None = None) -> list[QueueItem]:
    """Every provider needing a moderator (narrowed by ``filters``), most urgent first: open reports,
    credential problems, material changes, new listings; within a reason the highest review priority, then the
    oldest."""
    filters = filters or QueueFilter()
    candidates: set[int] = set(session.scalars(select(Flag.provider_id).where(Flag.status == "open").distinct()))
    candidates.update(session.scalars(select(Credential.provider_id)
                                      .where(Credential.outcome.in_(CREDENTIAL_REASONS)).distinct()))
    candidates.update(session.scalars(select(Provider.id).where(
        Provider.status.not_in(_CLOSED), Provider.pending_changes.is_not(None))))
    candidates.update(session.scalars(select(Provider.id).where(Provider.status == "pending")))
    if not candidates:
        return []
    providers = load_providers(session, candidates, filters.state)
    if filters.source:
        keep = _from_source(session, [p.id for p in providers], filters.source)
        providers = [p for p in providers if p.id in keep]
    items = [item for item in describe(session, providers).values()
             if item.reasons and (item.provider.status not in _CLOSED or "flag" in item.reasons)]
    if filters.reason:
        items = [i for i in items if filters.reason in i.reasons]
    if filters.all_verified:
        items = [i for i in items if i.all_verified]
    items.sort(key=lambda i: (i.rank, -(i.provider.review_priority or 0), _when(i.provider.created_at),
                              i.provider.id))
    return items


def _when(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


@dataclass(frozen=True)
class QueueCounts:
    """How many listings wait for a moderator, and how many carry each reason (one listing may carry several)."""

    total: int
    by_reason: dict[str, int]

    def sentence(self) -> str:
        """The counts in words: "5 listings waiting for review: 3 new listings, 1 with an open patient report, ..."
        or "Nothing waiting for review"."""
        if not self.total:
            return "Nothing waiting for review"
        parts = []
        for r in REASONS:
            n = self.by_reason.get(r, 0)
            if not n:
                continue
            noun = f"new listing{'s' if n != 1 else ''}" if r == "new" else \
                f"listing{'s' if n != 1 else ''} {REASON_TAILS[r]}"
            parts.append(f"{n} {noun}")
        head = f"{self.total} listing{'s' if self.total != 1 else ''} waiting for review"
        return f"{head}: {', '.join(parts)}"


def count(items: Iterable[QueueItem]) -> QueueCounts:
    by_reason: Counter[str] = Counter()
    total = 0
    for item in items:
        total += 1
        by_reason.update(item.reasons)
    return QueueCounts(total, {r: by_reason[r] for r in REASONS if by_reason[r]})


def queue_counts(session: Session, filters: QueueFilter | None = None, *,
                 items: list[QueueItem] | None = None) -> QueueCounts:
    """The counts shown by the queue page, the operators' dashboard, ``kdir demo`` and ``kdir moderate``
    (``items``: the queue already read with the same ``filters``, to avoid reading it twice)."""
    return count(items if items is not None else queue_items(session, filters))


def queue_sources(session: Session) -> list[tuple[str, str]]:
    """(key, name) of every source, for the filter form."""
    return [(k, n) for k, n in session.execute(select(Source.key, Source.name).order_by(Source.key))]


def queue_states(items: Iterable[QueueItem]) -> list[str]:
    return sorted({i.provider.region for i in items if i.provider.region})


__all__ = ["CREDENTIAL_REASONS", "REASONS", "REASON_LABELS", "REASON_TAILS", "describe", "load_providers", "QueueCounts", "QueueFilter", "QueueItem", "count",
           "queue_counts", "queue_items", "queue_sources", "queue_states"]
