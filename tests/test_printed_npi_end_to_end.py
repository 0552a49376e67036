"""A printed NPI with a bad check digit survives the whole flow: crawled from a clinic page, normalised once
(kept as printed, with its reason), indexed and verified as ``invalid_number``, and shown to moderators.

The sample web's harborview site prints "Daniel Kim, PA-C ... NPI 1744059830" (check digit wrong)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.runner import spawn_spider
from indexer.db import Database
from indexer.db.models import Credential, Provider
from indexer.pipeline import run_index
from kdir.common.npi import is_valid_npi
from kdir.sampleweb import SampleWeb, get_truth
from tests.crawler.conftest import FAST, crawl_settings, observations
from tests.web.conftest import make_app
from tests.web.moderation.staff import add_staff, login

pytestmark = pytest.mark.slow
PRINTED = "1744059830"


def test_bad_check_digit_reaches_verification_and_moderators(tmp_path: Path) -> None:
    (truth,) = [p for _x, p in get_truth().practitioners() if p.npi == PRINTED]
    assert truth.verification == "invalid_number" and not is_valid_npi(PRINTED)
    with SampleWeb(first_octet=150, port=0) as web:
        settings = crawl_settings(tmp_path, KDIR_NPPES_URL=web.nppes_url)
        proc = spawn_spider("clinic_site", {"urls": web.sites["harborview"]}, settings=settings,
                            extra_settings=FAST)
        assert proc.wait(timeout=120) == 0, "\n".join(proc.tail)
        stored = [p for o in observations(settings, "clinic_site") for p in o["practitioners"]]
        assert {"name": "Daniel Kim", "npi": PRINTED} in [{"name": p["name"], "npi": p["npi"]} for p in stored]
        issues = [i for o in observations(settings, "clinic_site") for i in o["issues"]]
        assert {"field": "practitioners", "value": PRINTED, "reason": "the NPI check digit is wrong"} in issues

        db = Database.connect(settings.database_url)
        try:
            report = run_index(db, settings, verify=True)
            assert report.credentials.get("invalid_number", 0) >= 1
            with db.session() as s:
                cred = s.scalar(select(Credential).where(Credential.npi == PRINTED))
                assert cred is not None and cred.outcome == "invalid_number"
                assert s.get(Provider, cred.provider_id).name == "Daniel Kim"
                provider_id = cred.provider_id
            add_staff(db)
            client = make_app(settings, db, None).test_client()
            login(client, "mia")
            html = client.get(f"/moderation/provider/{provider_id}").get_data(as_text=True)
            assert PRINTED in html and "check digit" in html
        finally:
            db.dispose()
