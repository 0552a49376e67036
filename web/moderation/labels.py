"""Words for the codes stored in the database, as moderators and operators read them on staff pages.

Staff pages never show a raw code (``invalid_number``, ``phone_zip``, ``wrong_info``): templates pass every code
through these tables (the ``words`` filter), falling back to the code with spaces when a new one appears."""

from __future__ import annotations

from indexer.resolve.rules import RULE_LABELS
from indexer.review_queue import REASON_LABELS
from kdir.common.fields import FIELD_LABELS
from kdir.common.vocabulary import LABELS, OUTCOME_LABELS, SOURCE_KIND_LABELS
from web.public.forms import FLAG_CATEGORIES

STATUS_LABELS = {
    "pending": "Waiting for review (not public)",
    "published": "Published",
    "rejected": "Rejected",
    "merged": "Merged into another listing",
}
MATCH_RULE_LABELS = RULE_LABELS  # one place: indexer.resolve.rules
ACTION_LABELS = {
    "approve": "Approved", "reject": "Rejected", "edit": "Edited a field", "clear_override": "Removed an override",
    "merge": "Merged", "split": "Split", "hide_review": "Hid a review", "unhide_review": "Showed a review again",
    "resolve_flag": "Resolved a patient report", "user_add": "Added an account",
    "user_passwd": "Changed a password", "user_disable": "Disabled an account",
    "user_enable": "Enabled an account", "login_locked": "Login locked after failed attempts",
    "run_start": "Asked for a crawl run",
}
RUN_STATUS_LABELS = {"running": "running", "ok": "ok", "suspect": "suspect (check it)", "failed": "failed"}
FLAG_LABELS = dict(FLAG_CATEGORIES)
KIND_LABELS = {"clinic": "clinic", "practitioner": "practitioner"}

#: Parts of an address or a location that are not provider fields of their own.
PART_LABELS = {"country": "Country", "geo_source": "located by", "zip_centroid": "ZIP code centre"}

TABLES: dict[str, dict[str, str]] = {
    "status": STATUS_LABELS, "outcome": OUTCOME_LABELS, "rule": MATCH_RULE_LABELS, "action": ACTION_LABELS,
    "flag": FLAG_LABELS, "field": {**FIELD_LABELS, **PART_LABELS}, "reason": REASON_LABELS, "source_kind": SOURCE_KIND_LABELS,
    "code": LABELS, "run": RUN_STATUS_LABELS, "kind": KIND_LABELS,
}


def words(code: object, table: str) -> str:
    """The code in words from ``TABLES[table]``; an unknown code reads with spaces instead of underscores."""
    text = "" if code is None else str(code)
    return TABLES[table].get(text, text.replace("_", " "))


def label(value: object) -> object:
    """A vocabulary code (``iv_infusion``) in words; any other value unchanged (scraped text is never altered)."""
    if isinstance(value, str):
        return LABELS.get(value, PART_LABELS.get(value, value))
    return value
