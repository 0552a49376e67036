"""Staff accounts in the real app: login, logout by POST, lockout, per-IP throttle, safe redirects."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from indexer.db.models import AuditEntry, User
from tests.web.moderation.staff import csrf_token, login, post


@pytest.fixture
def client(sqlite_staff_app: Any) -> Any:
    return sqlite_staff_app.test_client()


def test_login_logout_roundtrip(client: Any) -> None:
    staff_client = client
    res = login(staff_client, "mia")
    assert res.status_code == 302 and res.headers["Location"].endswith("/moderation")
    cookie = res.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert staff_client.get("/moderation").status_code == 200
    assert staff_client.get("/logout").status_code == 405  # never by GET (a link or an image cannot log out)
    assert staff_client.post("/logout").status_code == 400  # no CSRF token
    res = post(staff_client, "/logout", "/moderation")
    assert res.status_code == 302
    assert staff_client.get("/moderation").status_code == 302


def test_admin_lands_on_ops_and_next_is_local_only(client: Any) -> None:
    staff_client = client
    token = csrf_token(staff_client, "/login?next=//evil.example/x")
    res = staff_client.post("/login", data={"csrf_token": token, "username": "root",
                                            "password": "root-operates-2026", "next": "//evil.example/x"})
    assert res.headers["Location"].endswith("/ops")
    staff_client.post("/logout", data={"csrf_token": csrf_token(staff_client, "/ops")})
    token = csrf_token(staff_client, "/login")
    res = staff_client.post("/login", data={"csrf_token": token, "username": "mia",
                                            "password": "mia-moderates-2026", "next": "/moderation/audit"})
    assert res.headers["Location"].endswith("/moderation/audit")


def test_wrong_password_unknown_user_and_disabled_account(client: Any) -> None:
    staff_client = client
    for user, pw in (("mia", "wrong-password-123"), ("nobody", "whatever-12345"), ("gone", None)):
        res = login(staff_client, user, pw)
        assert res.status_code == 401
        assert "Unknown user or wrong password." in res.get_data(as_text=True)
    assert staff_client.get("/moderation").status_code == 302


def test_login_without_csrf_token_is_refused(client: Any) -> None:
    staff_client = client
    res = staff_client.post("/login", data={"username": "mia", "password": "mia-moderates-2026"})
    assert res.status_code == 400
    assert staff_client.get("/moderation").status_code == 302


def test_account_locks_after_repeated_failures(staff_app: Any, staff_client: Any, db: Any) -> None:
    for _ in range(5):
        assert login(staff_client, "mia", "not-the-password").status_code == 401
    res = login(staff_client, "mia")  # the right password no longer helps
    assert res.status_code == 401 and "locked" in res.get_data(as_text=True)
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "mia"))
        assert user.locked_until is not None
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.username == "mia")) == "login_locked"


def test_per_ip_throttle(sqlite_staff_app: Any, client: Any) -> None:
    staff_app, staff_client = sqlite_staff_app, client
    staff_app.config["KDIR_LOGIN_FAILURES"] = "3/minute"
    for _ in range(4):  # successful logins never count against the address
        assert login(staff_client, "mia").status_code == 302
        post(staff_client, "/logout", "/moderation")
    for user in ("a1", "a2", "a3"):  # different (unknown) accounts: only the IP limit can stop this
        assert login(staff_client, user, "guess-guess-guess").status_code == 401
    res = login(staff_client, "root")
    assert res.status_code == 429 and "Too many failed logins from your address" in res.get_data(as_text=True)
    other_ip = staff_app.test_client()
    token = csrf_token(other_ip, "/login")
    res = other_ip.post("/login", data={"csrf_token": token, "username": "root", "password": "root-operates-2026"},
                        environ_base={"REMOTE_ADDR": "127.0.0.99"})
    assert res.status_code == 302
