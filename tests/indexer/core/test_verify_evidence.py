"""Every verification outcome names the registry record it rests on, and re-checks go by that record's NPI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import Credential, Provider, RegistryCache
from indexer.pipeline import run_index
from indexer.verify.nppes import NppesClient
from kdir.common.config import Settings
from kdir.sampleweb.nppes_data import registry_records
from kdir.sampleweb.server import SampleWeb
from tests.indexer.core.conftest import crawl, item


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    w = SampleWeb(first_octet=121, port=0).start()
    yield w
    w.stop()


def _record(npi: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in registry_records() if str(r["number"]) == npi)


def test_outcome_keeps_its_registry_record_and_rechecks_by_its_npi(db: Database, web: SampleWeb) -> None:
    crawl(db, "clinic_site", [item(
        name="Stillwater Ketamine Clinic", source_url="https://stillwater.test/",
        address={"street": "1100 Congress Ave", "city": "Austin", "region": "TX", "postal_code": "78701"},
        practitioners=[{"name": "Dr. Helen Park", "credentials": ["MD"], "role": "Medical Director"}])])
    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_NPPES_URL": web.nppes_url})
    client = NppesClient(web.nppes_url, pause_s=0.0)
    run_index(db, settings, verify=True, registry=client)
    raw = _record("1583014422")  # the Austin Helen Park, not her Seattle namesake
    primary = next(t for t in raw["taxonomies"] if t["primary"])
    with db.session() as s:
        c = s.scalars(select(Credential).where(Credential.credential == "MD")).one()
        assert c.outcome == "verified" and c.npi is None
        assert c.registry_npi == "1583014422" and c.registry_type == "NPI-1"
        assert c.registry_name == "HELEN J PARK"
        assert (c.registry_taxonomy_code, c.registry_taxonomy_desc) == (primary["code"], primary["desc"])
        assert c.registry_states == ["TX"] and c.registry_status == "A"
        assert c.registry_updated is not None and c.registry_updated.date().isoformat() >= "2005-01-01"
        assert c.checked_at is not None and c.license_states == ["TX"]
        people = {p.kind: p for p in s.scalars(select(Provider))}
        assert people["practitioner"].licensed_states == ["TX"]
        assert people["clinic"].licensed_states == ["TX"]  # the union over its verified team
        c.checked_at = c.checked_at - timedelta(days=60)
        s.commit()
    run_index(db, settings, verify=True, registry=client)
    with db.session() as s:
        keys = list(s.scalars(select(RegistryCache.query_key)))
        assert any("number=1583014422" in k for k in keys), keys
        c = s.scalars(select(Credential).where(Credential.credential == "MD")).one()
        assert c.outcome == "verified" and c.registry_npi == "1583014422"
