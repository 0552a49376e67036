"""Operator summaries in words: what an index run, a crawl or the verification state amounts to.

One place writes these sentences; ``kdir index``, ``kdir crawl``, ``kdir demo`` and the operators' dashboard read
them here, so an operator never has to decode outcome codes ("38 new listings, 26 merged into existing ones;
21 credentials verified, 1 does not match, 6 not found")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the report's type only: the pipeline imports nothing from here
    from indexer.pipeline import IndexReport

#: Each verification outcome as it reads after a count, (one, several).
_OUTCOME_PHRASES = {
    "verified": ("verified", "verified"),
    "mismatch": ("does not match", "do not match"),
    "not_found": ("not found", "not found"),
    "ambiguous": ("matches several registry entries", "match several registry entries"),
    "invalid_number": ("has an NPI that is not a valid number", "have an NPI that is not a valid number"),
    "unchecked": ("not checked yet", "not checked yet"),
}
_OUTCOME_ORDER = ("verified", "mismatch", "invalid_number", "not_found", "ambiguous", "unchecked")


def plural(n: int, one: str, many: str | None = None) -> str:
    """``3 listings``, ``1 listing``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def credentials_sentence(outcomes: Mapping[str, int]) -> str:
    """"21 credentials verified, 1 does not match, 6 not found" (outcomes with a zero count are left out)."""
    parts: list[str] = []
    keys = [k for k in _OUTCOME_ORDER if outcomes.get(k)] + sorted(k for k in outcomes
                                                                   if k not in _OUTCOME_ORDER and outcomes[k])
    for k in keys:
        n = int(outcomes[k])
        one, many = _OUTCOME_PHRASES.get(k, (k.replace("_", " "), k.replace("_", " ")))
        phrase = one if n == 1 else many
        if not parts:
            parts.append(f"{plural(n, 'credential')} {phrase}")
        else:
            parts.append(f"{n} {phrase}")
    return ", ".join(parts) if parts else "no credentials checked"


def index_sentence(*, created: int, merged: int, updated: int = 0, registry_unmatched: int = 0,
                   credentials: Mapping[str, int] | None = None, stale_marked: int = 0, stale_cleared: int = 0,
                   observations: int | None = None, skipped: int = 0, seconds: float | None = None) -> str:
    """An index run in words: "38 new listings, 26 merged into existing ones; 21 credentials verified, 1 does not
    match, 6 not found" and, where non-zero, updates, unmatched registry records, staleness and timing."""
    if observations == 0 and not (created or merged or updated or credentials or stale_marked or stale_cleared):
        took = f" ({seconds:.1f}s)" if seconds is not None else ""
        return f"Nothing new to index: no new or changed observations{took}"
    head = f"{plural(created, 'new listing')}, {merged} merged into existing ones"
    out = [head, credentials_sentence(credentials or {}) if credentials else "no credentials checked this time"]
    if registry_unmatched:
        out.append(f"{plural(registry_unmatched, 'registry record')} matching no listing yet (kept for later)")
    if stale_marked or stale_cleared:
        out.append(f"{plural(stale_marked, 'listing')} no longer seen, {stale_cleared} seen again")
    if updated:
        out.append(f"{plural(updated, 'listing')} to refresh in search")
    text = "; ".join(out)
    if observations is not None:
        text += f" (from {plural(observations, 'observation')}"
        text += f", {skipped} skipped as unusable or outdated" if skipped else ""
        text += f", in {seconds:.1f}s)" if seconds is not None else ")"
    return text


def crawl_sentence(*, run_id: int, spider: str, status: str, items: int, new: int, pages: int, errors: int,
                   seconds: float | None = None, suspect_reason: str | None = None) -> str:
    """A crawl run in words: "run 5 of clinic_site finished ok in 3.2s: 40 listings read (3 new or changed) from
    41 pages, no errors"."""
    verdict = {"ok": "finished ok", "suspect": "finished but looks suspect", "failed": "failed",
               "running": "is still running"}.get(status, status)
    took = f" in {seconds:.1f}s" if seconds is not None else ""
    errs = "no errors" if not errors else plural(errors, "error")
    noun = "registry record" if spider == "nppes" else "listing"
    text = (f"run {run_id} of {spider} {verdict}{took}: {plural(items, noun)} read ({new} new or changed) "
            f"from {plural(pages, 'page')}, {errs}")
    if suspect_reason:
        text += f" ({suspect_reason})"
    return text


def report_sentence(report: IndexReport) -> str:
    """An index run's report in words (``kdir index``, ``kdir demo`` and each scheduled cycle)."""
    text = index_sentence(created=report.providers_created, merged=report.providers_merged,
                          updated=report.providers_updated, registry_unmatched=report.registry_pending,
                          credentials=report.credentials, stale_marked=report.stale_marked,
                          stale_cleared=report.stale_cleared, observations=report.observations_processed,
                          skipped=report.observations_skipped, seconds=report.duration_s)
    if report.repair is not None:
        text = f"{report.repair.summary()}; {text}"
    return text
