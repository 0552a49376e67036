"""Rate limits through the real app: one budget per client for public pages and API together, counted in the
database when there is no Redis, on SQLite and PostgreSQL. The multi-process proof (several gunicorn workers
holding one limit) is tests/web/test_ratelimit_gunicorn.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from indexer.db.models import RateCounter
from tests.web.conftest import make_app, make_settings


def test_pages_and_api_share_one_budget_counted_in_the_database(web_db: Any, search_backend: Any, seeded: Any,
                                                             tmp_path: Any) -> None:
    settings = make_settings(web_db, tmp_path, ratelimit="6/minute")
    client = make_app(settings, web_db, search_backend).test_client()
    assert client.application.config["RATELIMIT_STORAGE_URI"] == f"kdir+{web_db.url}"
    urls = ["/", "/api/v1/providers?q=sunrise", "/search?q=ketamine", f"/providers/{seeded['sunrise']}",
            "/api/v1/providers", "/guide", "/api/v1/providers", "/"]
    codes = [client.get(url).status_code for url in urls]
    assert codes == [200] * 6 + [429, 429]
    assert client.get("/api/v1/openapi.json").status_code == 200  # outside the budget
    other = client.get("/", environ_base={"REMOTE_ADDR": "127.0.0.77"})
    assert other.status_code == 200  # the budget is per client address
    with web_db.session() as s:  # the counters are rows: every worker process reads the same ones
        hits = s.scalar(select(func.sum(RateCounter.hits)).where(RateCounter.key.like("%127.0.0.1%")))
        assert hits == len(urls)  # refused requests count too


def test_report_limit_comes_on_top_of_the_budget(web_db: Any, search_backend: Any, seeded: Any,
                                                 tmp_path: Any) -> None:
    """The report form has its own, smaller limit (POST only); its requests also spend the public budget."""
    from tests.web.public.test_provider_pages import _csrf

    settings = make_settings(web_db, tmp_path, ratelimit="8/minute")
    client = make_app(settings, web_db, search_backend, KDIR_REPORT_LIMIT="2/hour").test_client()
    pid = seeded["sunrise"]
    token = _csrf(client.get(f"/providers/{pid}").get_data(as_text=True))
    codes = [client.post(f"/providers/{pid}/report", data={"csrf_token": token, "category": "other",
                                                                   "message": "closed"}).status_code
             for _ in range(3)]
    assert codes == [303, 303, 429]
    rest = [client.get("/guide").status_code for _ in range(6)]
    assert rest == [200] * 4 + [429, 429]  # 1 page + 3 posts + 4 pages = the 8 of the budget
