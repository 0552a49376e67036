"""Bulk approval and rejection: the rule for what a moderator may decide many listings at once, and the action.

:func:`bulk_approve` and :func:`bulk_reject` run :func:`indexer.curate.approve` / :func:`~indexer.curate.reject`
per listing (one audit entry each) in the caller's transaction; the web queue and ``kdir moderate`` both call them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from indexer.audit import Actor
from indexer.curate import CurateError, approve, reject, required_text
from indexer.review_queue import REASON_TAILS, describe, load_providers

#: THE bulk-approval rule (web and ``kdir moderate`` both call :func:`bulk_approve`): a listing is approved in bulk
#: only when nothing about it needs a human. Refused: an open patient report; a credential (its own or one of its
#: practitioners') the registry did not confirm -- does not match, NPI not a valid number, not found, several
#: matching entries; a material change held for review; a rejected or merged listing. Each of these is decided
#: one by one on the review screen. Unchecked credentials do not refuse (nothing was found wrong); the "every
#: credential verified" filter selects only fully verified listings.
BULK_REFUSED: dict[str, str] = {
    **REASON_TAILS,
    "rejected": "rejected (a rejected listing is brought back one by one)",
    "merged": "merged into another listing",
    "missing": "not found in the database",
}
#: The rule in one sentence, for the queue page, the command line and the docs.
BULK_RULE = ("Approving in bulk skips every listing with an open patient report, a credential (its own or a "
             "practitioner's) that the NPI registry did not confirm (does not match, not a valid number, not found, "
             "several matching entries) or a material change waiting: those are decided one by one.")


@dataclass
class BulkResult:
    """What a bulk action did: the listings acted on, those refused (with their reasons) and those that failed."""

    action: str  # "approve" | "reject"
    done: list[int]
    refused: dict[int, list[str]]
    failed: dict[int, str]

    def sentence(self) -> str:
        """In words: "Approved 37 listings. Refused 3: 2 with an open patient report, 1 with a material change
        waiting." (a refused listing may carry several reasons)."""
        verb = "Approved" if self.action == "approve" else "Rejected"
        n = len(self.done)
        out = f"{verb} {n} listing{'s' if n != 1 else ''}."
        if self.refused:
            m = len(self.refused)
            out += f" Refused {m} listing{'s' if m != 1 else ''}: {self.refusals()}."
        if self.failed:
            out += f" {len(self.failed)} failed: " + "; ".join(f"#{pid} {msg}" for pid, msg in self.failed.items())
        return out

    def refusals(self) -> str:
        """Why listings were refused, counted: "1 with an open patient report, 2 with a material change waiting"."""
        counts: dict[str, int] = {}
        for reasons in self.refused.values():
            for r in reasons:
                counts[r] = counts.get(r, 0) + 1
        order = [r for r in BULK_REFUSED if r in counts] + sorted(r for r in counts if r not in BULK_REFUSED)
        return ", ".join(f"{counts[r]} {BULK_REFUSED.get(r, r)}" for r in order)


def bulk_refusals(session: Session, provider_ids: list[int], action: str = "approve") -> dict[int, list[str]]:
    """The listings of ``provider_ids`` a bulk ``action`` must leave alone, each with its reasons (codes of
    :data:`BULK_REFUSED`). Rejecting in bulk refuses only missing, merged and already rejected listings."""
    items = describe(session, load_providers(session, provider_ids))
    out: dict[int, list[str]] = {}
    for pid in dict.fromkeys(provider_ids):
        item = items.get(pid)
        if item is None:
            out[pid] = ["missing"]
        elif item.provider.status in ("rejected", "merged"):
            out[pid] = [item.provider.status]
        elif action == "approve":
            blocked = [r for r in item.reasons if r in BULK_REFUSED]
            if blocked:
                out[pid] = blocked
    return out


def _bulk(session: Session, action: str, provider_ids: list[int], run: Callable[[int], Any],
          on_each: Callable[[int], None] | None) -> BulkResult:
    ids = list(dict.fromkeys(provider_ids))
    refused = bulk_refusals(session, ids, action)
    result = BulkResult(action, [], refused, {})
    for pid in ids:
        if pid not in refused:
            try:  # a CurateError is raised before anything changes
                run(pid)
                result.done.append(pid)
            except CurateError as exc:
                result.failed[pid] = str(exc)
        if on_each is not None:
            on_each(pid)
    return result


def bulk_approve(session: Session, actor: Actor, provider_ids: list[int], note: str = "", *,
                 selection: dict[str, Any] | None = None,
                 on_each: Callable[[int], None] | None = None) -> BulkResult:
    """Approve each listing the rule allows (:data:`BULK_REFUSED`), one audit entry each, in the caller's
    transaction. ``selection``: how the listings were chosen (the filter), kept in every audit entry."""
    bulk = {"selection": selection or {}, "size": len(provider_ids)}
    return _bulk(session, "approve", provider_ids,
                 lambda pid: approve(session, actor, pid, note, bulk=bulk), on_each)


def bulk_reject(session: Session, actor: Actor, provider_ids: list[int], reason: str, *,
                selection: dict[str, Any] | None = None,
                on_each: Callable[[int], None] | None = None) -> BulkResult:
    """Reject each listing with the same reason (required), one audit entry each, in the caller's transaction."""
    reason = required_text(reason)
    bulk = {"selection": selection or {}, "size": len(provider_ids)}
    return _bulk(session, "reject", provider_ids, lambda pid: reject(session, actor, pid, reason, bulk=bulk),
                 on_each)
