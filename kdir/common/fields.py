"""The one list of a provider's fields as people see them: their labels, and which a moderator may edit.

Read by the moderation edit form (choices), the moderators' value parser (``indexer.curate``), and the evidence
tables of the provider and moderation pages (labels and order). The order here is the order evidence is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES

#: How a moderator's typed value is read: one line of text, a web address, an e-mail address, phone numbers,
#: a US state, a ZIP code, an NPI, vocabulary codes, a list of names, yes/no; "shown" fields are not edited.
FieldKind = Literal["text", "url", "email", "phones", "state", "zip", "npi", "codes", "names", "yesno", "shown"]


@dataclass(frozen=True)
class ProviderField:
    name: str  # the provider column (or evidence field) name
    label: str  # what people read
    kind: FieldKind
    vocabulary: tuple[str, ...] = ()  # for "codes"

    @property
    def editable(self) -> bool:
        return self.kind != "shown"

    @property
    def is_list(self) -> bool:
        return self.kind in ("phones", "codes", "names")


PROVIDER_FIELDS: tuple[ProviderField, ...] = (
    ProviderField("name", "Name", "text"),
    ProviderField("website", "Website", "url"),
    ProviderField("phones", "Phone", "phones"),
    ProviderField("street", "Street", "text"),
    ProviderField("city", "City", "text"),
    ProviderField("region", "State", "state"),
    ProviderField("postal_code", "ZIP code", "zip"),
    ProviderField("modalities", "Treatments", "codes", MODALITIES),
    ProviderField("conditions", "Conditions", "codes", CONDITIONS),
    ProviderField("services", "Services", "codes", SERVICES),
    ProviderField("email", "Email", "email"),
    ProviderField("price", "Price", "shown"),
    ProviderField("insurance", "Insurance", "names"),
    ProviderField("telehealth", "Telehealth", "yesno"),
    ProviderField("lat", "Latitude", "shown"),
    ProviderField("lon", "Longitude", "shown"),
    ProviderField("address", "Address", "shown"),
    ProviderField("geo", "Location", "shown"),
    ProviderField("npi", "NPI", "npi"),
    ProviderField("credentials", "Credentials", "shown"),
)
BY_NAME: dict[str, ProviderField] = {f.name: f for f in PROVIDER_FIELDS}
#: Fields a moderator may override, in display order.
EDITABLE_FIELDS: tuple[str, ...] = tuple(f.name for f in PROVIDER_FIELDS if f.editable)
FIELD_LABELS: dict[str, str] = {f.name: f.label for f in PROVIDER_FIELDS}
