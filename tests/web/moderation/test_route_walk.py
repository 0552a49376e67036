"""Walk EVERY route of the app as anonymous, moderator and admin and check the answer each must get.

Public pages: 200 (404 for a missing id) for everyone. Staff pages: anonymous -> redirect to the login page,
a moderator on an admin page -> 403, the right role -> served. A new route is covered automatically; a staff
route without ``role_required`` fails the walk.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from indexer.db.models import Flag, Review
from tests.web.moderation.staff import csrf_token, login

MISSING = 999_999


def _views(app: Any) -> list[tuple[str, str, str, str | None]]:
    """(endpoint, rule, method, required role) for every route."""
    out = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, rule.rule, method, getattr(view, "required_role", None)))
    return out


def _urls(rule_text: str, ids: dict[str, int]) -> list[tuple[str, bool]]:
    """Concrete URLs for a rule: one with existing ids and, when it takes ids, one with a missing id."""
    if rule_text.startswith("/static/"):
        return [("/static/css/site.css", False)]
    args = re.findall(r"<(?:\w+:)?(\w+)>", rule_text)

    def fill(missing: bool) -> str:
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "not-a-source" if m.group(1) == "name" else
                      str(MISSING if missing else ids.get(m.group(1), ids["provider"])), rule_text)

    urls = [(fill(False), False)]
    if any(a != "name" for a in args):
        urls.append((fill(True), True))
    return urls


@pytest.fixture
def walk(sqlite_staff_app: Any, sqlite_db: Any) -> dict[str, Any]:
    staff_app, seeded_ids, db = sqlite_staff_app, sqlite_staff_app.kdir_seeded, sqlite_db
    if staff_app.extensions.get("kdir_search") is None:
        pytest.skip("search backend not available yet: public pages cannot be walked")
    with db.session() as s:
        review_id = s.scalar(select(Review.id).where(Review.provider_id == seeded_ids["sunrise"]))
        flag = Flag(provider_id=seeded_ids["sunrise"], category="other", message="walk")
        s.add(flag)
        s.commit()
        ids = {"provider": seeded_ids["sunrise"], "provider_id": seeded_ids["sunrise"], "pid": seeded_ids["sunrise"],
               "rid": review_id, "fid": flag.id}
    return ids


@pytest.mark.parametrize("role", ["anonymous", "mia", "root"])
def test_every_route_answers_as_expected(sqlite_staff_app: Any, walk: dict[str, Any], role: str) -> None:
    staff_app = sqlite_staff_app
    client = staff_app.test_client()
    if role != "anonymous":
        assert login(client, role).status_code == 302
    token_page = "/login" if role == "anonymous" else f"/moderation/provider/{walk['pid']}"
    token = csrf_token(client, token_page)
    user_role = {"anonymous": None, "mia": "moderator", "root": "admin"}[role]
    checked = 0
    for endpoint, rule_text, method, required in _views(staff_app):
        if endpoint.split(".")[0] in ("moderation", "ops"):
            assert required, f"{endpoint} has no role_required"
        if endpoint == "auth.logout":
            continue  # checked at the end: it ends the session
        for url, missing in _urls(rule_text, walk):
            if method == "GET":  # public pages may redirect within the site (followed); staff pages may not
                res = client.get(url, follow_redirects=required is None and endpoint != "auth.login")
            else:
                res = client.post(url, data={"csrf_token": token})
            res.get_data()  # consume streamed bodies (audit exports) inside the walk
            where = f"{role} {method} {url} -> {res.status_code}"
            checked += 1
            assert res.status_code < 500, where
            if required is None:
                if endpoint == "auth.login":
                    assert res.status_code in ((200,) if user_role is None and method == "GET" else (200, 302, 400)), where
                elif method == "GET":
                    assert res.status_code == (404 if missing else 200), where
                else:
                    assert res.status_code not in (401, 403), where
            elif user_role is None:
                assert res.status_code == 302 and "/login" in res.headers["Location"], where
            elif required == "admin" and user_role != "admin":
                assert res.status_code == 403, where
            elif method == "GET":
                assert res.status_code == (404 if missing else 200), where
            else:
                assert res.status_code in (302, 404) and "/login" not in res.headers.get("Location", ""), where
    assert checked > 30
    res = client.post("/logout", data={"csrf_token": token})
    if user_role is None:
        assert res.status_code == 302 and "/login" in res.headers["Location"]
    else:
        assert res.status_code == 302 and client.get("/moderation").status_code == 302
