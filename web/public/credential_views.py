"""Registry checks as a patient reads them: one status per credential (words and a badge tone), the registry
record it rests on, and the one status that speaks for a person with several credentials."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from indexer.db.models import Credential
from kdir.common.npi import registry_page
from kdir.common.vocabulary import OUTCOME_LABELS
from web.public.words import reason_text


@dataclass
class RegistryFact:
    label: str
    value: str


@dataclass
class CredentialView:
    credential: str | None
    npi: str | None
    outcome: str
    outcome_label: str
    reason: str | None
    checked_at: datetime | None
    registry_url: str | None
    registry_name: str | None
    taxonomies: list[str]
    license_states: list[str]
    source_url: str | None
    registry_npi: str | None = None  # the registry record the outcome rests on
    registry_taxonomy: str | None = None  # its primary taxonomy
    registry_states: list[str] = field(default_factory=list)
    registry_active: bool | None = None
    registry_updated: datetime | None = None
    #: the ONE status a patient reads: verified | mismatch | not_found | deactivated | ambiguous |
    #: invalid_number | unchecked
    status: str = "unchecked"
    status_label: str = ""
    tone: str = "neutral"  # badge colour: positive | warning | danger | neutral
    reason_text: str | None = None  # why, in words (never for a verified credential)
    registry_facts: list[RegistryFact] = field(default_factory=list)  # shown only when the record counts


@dataclass
class PersonView:
    id: int
    name: str
    role: str | None
    public: bool  # has its own published page
    credentials: list[CredentialView]

    @property
    def status(self) -> CredentialView | None:
        """The ONE status a patient reads for this person: the credential the registry says most about."""
        return min(self.credentials, key=lambda c: STATUS_ORDER.index(c.status), default=None)

    @property
    def other_credentials(self) -> list[CredentialView]:
        main = self.status
        return [c for c in self.credentials if c is not main]


STATUS = {  # status -> (words, badge tone)
    "verified": (OUTCOME_LABELS["verified"], "positive"),
    "mismatch": (OUTCOME_LABELS["mismatch"], "warning"),
    "not_found": (OUTCOME_LABELS["not_found"], "warning"),
    "deactivated": ("NPI deactivated in the NPI registry", "danger"),
    "ambiguous": (OUTCOME_LABELS["ambiguous"], "warning"),
    "invalid_number": (OUTCOME_LABELS["invalid_number"], "danger"),
    "unchecked": (OUTCOME_LABELS["unchecked"], "neutral"),
}


#: Which credential speaks for a person with several: a registry record first, a printed number next.
STATUS_ORDER = ("verified", "deactivated", "mismatch", "invalid_number", "ambiguous", "not_found", "unchecked")


def credential_status(c: Credential) -> str:
    if c.registry_status not in (None, "A"):
        return "deactivated"
    if c.outcome == "not_found" and c.reason and "deactivated" in c.reason and c.registry_npi:
        return "deactivated"
    return c.outcome if c.outcome in STATUS else "unchecked"


def credential_view(c: Credential) -> CredentialView:
    taxonomies = [str(t.get("desc") or t.get("code") or "") for t in (c.registry_taxonomies or [])
                  if isinstance(t, dict)]
    status = credential_status(c)
    words, tone = STATUS[status]
    registry_states = [str(s) for s in (c.registry_states or []) if isinstance(s, str)]
    taxonomy = c.registry_taxonomy_desc or next((t for t in taxonomies if t), None)
    facts: list[RegistryFact] = []
    shows_record = status in ("verified", "mismatch") and c.registry_npi is not None
    if shows_record:
        facts = [RegistryFact("NPI", c.registry_npi or "")]
        if c.registry_name:
            facts.append(RegistryFact("Name in the registry", c.registry_name))
        if taxonomy:
            facts.append(RegistryFact("Registered as", taxonomy))
        if registry_states:
            facts.append(RegistryFact("State" if len(registry_states) == 1 else "States", ", ".join(registry_states)))
    return CredentialView(credential=c.credential, npi=c.npi, outcome=c.outcome,
                          outcome_label=OUTCOME_LABELS.get(c.outcome, c.outcome), reason=c.reason,
                          checked_at=c.checked_at,
                          registry_url=registry_page(c.registry_npi) if shows_record else None,
                          registry_name=c.registry_name, taxonomies=[t for t in taxonomies if t],
                          license_states=[str(s) for s in (c.license_states or [])], source_url=c.source_url,
                          registry_npi=c.registry_npi,
                          registry_taxonomy=c.registry_taxonomy_desc or c.registry_taxonomy_code,
                          registry_states=registry_states,
                          registry_active=None if c.registry_status is None else c.registry_status == "A",
                          registry_updated=c.registry_updated, status=status, status_label=words, tone=tone,
                          reason_text=None if status == "verified" else reason_text(c.reason),
                          registry_facts=facts)
