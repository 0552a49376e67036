"""Helpers for staff (moderator/admin) web tests: accounts, CSRF tokens, logging in. Shared with tests/web/ops."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from indexer.db import Database
from web.auth.accounts import create_user

PASSWORDS = {"mia": "mia-moderates-2026", "root": "root-operates-2026", "gone": "gone-disabled-2026"}
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def add_staff(db: Database) -> dict[str, int]:
    """A moderator (mia), an admin (root) and a disabled moderator (gone)."""
    ids = {}
    with db.session() as s:
        for name, role in (("mia", "moderator"), ("root", "admin"), ("gone", "moderator")):
            user = create_user(s, name, PASSWORDS[name], role)
            ids[name] = user.id
        s.get_one(type(user), ids["gone"]).active = False
        s.commit()
    return ids


def csrf_token(client: Any, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    m = _TOKEN.search(html)
    assert m, f"no CSRF token on {url}"
    return m.group(1) or m.group(2)


def login(client: Any, username: str, password: str | None = None) -> Any:
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "username": username,
                                       "password": password or PASSWORDS[username]})


def post(client: Any, url: str, page: str, **data: Any) -> Any:
    """POST a form the way the browser would: with the CSRF token of the page that holds it."""
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def var_dir(tmp_path: Path) -> Path:
    path = tmp_path / "var"
    path.mkdir(exist_ok=True)
    return path


def browser_login(page: Any, base: str, user: str) -> None:
    """Sign a staff member in through the real login form (Playwright page)."""
    from tests.web.conftest import follow

    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    follow(page, "main form button[type=submit]")
