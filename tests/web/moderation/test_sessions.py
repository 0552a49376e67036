"""Staff sessions really end: logout, a password change (``kdir users passwd``) and disabling end every session
of the account, including a copy of its cookie in another browser; a session ends SESSION_LIFETIME after
login; logging in gives a new CSRF token. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from kdir.cli import main
from tests.web.moderation.staff import PASSWORDS, csrf_token, login, post
from web.sessions import SESSION_LIFETIME


def _other_browser(app: Any, client: Any) -> Any:
    """A second test client holding a copy of ``client``'s session cookie (a stolen or copied cookie)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value, domain=cookie.domain)
    return other


def _logged_in(client: Any) -> bool:
    res = client.get("/moderation")
    assert res.status_code in (200, 302)
    return res.status_code == 200


def _kdir_users(db: Any, *args: str, input: str | None = None) -> None:
    res = CliRunner().invoke(main, ["users", *args], input=input,
                             env={"KDIR_DATABASE_URL": db.url, "KDIR_ENV": "test"})
    assert res.exit_code == 0, res.output


def test_logout_ends_a_copied_session_cookie(staff_app: Any) -> None:
    client = staff_app.test_client()
    assert login(client, "mia").status_code == 302
    copy = _other_browser(staff_app, client)
    assert _logged_in(copy)
    assert post(client, "/logout", "/moderation").status_code == 302
    assert not _logged_in(client)
    assert not _logged_in(copy)
    assert login(client, "mia").status_code == 302 and _logged_in(client)  # a new login works
    assert not _logged_in(copy)  # ... and does not bring the old cookie back


def test_logout_ends_the_accounts_other_logins(staff_app: Any) -> None:
    laptop, phone = staff_app.test_client(), staff_app.test_client()
    assert login(laptop, "mia").status_code == 302 and login(phone, "mia").status_code == 302
    post(laptop, "/logout", "/moderation")
    assert not _logged_in(phone)


def test_passwd_ends_every_session(staff_app: Any, db: Any) -> None:
    client = staff_app.test_client()
    assert login(client, "mia").status_code == 302
    copy = _other_browser(staff_app, client)
    other_account = staff_app.test_client()
    assert login(other_account, "root").status_code == 302
    _kdir_users(db, "passwd", "mia", "--password-stdin", input="a brand new passphrase\n")
    assert not _logged_in(client) and not _logged_in(copy)
    assert _logged_in(other_account)  # another account's session is untouched
    assert login(client, "mia").status_code == 401  # old password
    assert login(client, "mia", "a brand new passphrase").status_code == 302 and _logged_in(client)


def test_disable_then_enable_does_not_revive_old_sessions(staff_app: Any, db: Any) -> None:
    client = staff_app.test_client()
    assert login(client, "mia").status_code == 302
    _kdir_users(db, "disable", "mia")
    _kdir_users(db, "enable", "mia")
    assert not _logged_in(client)


@pytest.fixture
def clock(sqlite_staff_app: Any) -> list[float]:
    """The app's clock, moved by the test (no sleeping)."""
    moment = [1_800_000_000.0]
    sqlite_staff_app.config["KDIR_CLOCK"] = lambda: moment[0]
    return moment


def test_session_ends_after_its_absolute_lifetime(sqlite_staff_app: Any, clock: list[float]) -> None:
    client = sqlite_staff_app.test_client()
    assert login(client, "mia").status_code == 302
    lifetime = SESSION_LIFETIME.total_seconds()
    clock[0] += lifetime - 60
    assert _logged_in(client)  # busy all day: still within the lifetime
    clock[0] += 61
    res = client.get("/moderation")
    assert res.status_code == 302 and "/login" in res.headers["Location"]
    assert login(client, "mia").status_code == 302 and _logged_in(client)  # logging in again starts a new one
    clock[0] -= 2 * lifetime  # a login time in the future (clock set back) is not trusted either
    assert not _logged_in(client)


def test_login_rotates_the_csrf_token(sqlite_staff_app: Any) -> None:
    client = sqlite_staff_app.test_client()
    before = csrf_token(client, "/login")
    res = client.post("/login", data={"csrf_token": before, "username": "mia", "password": PASSWORDS["mia"]})
    assert res.status_code == 302
    after = csrf_token(client, "/moderation")
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400  # pre-login token refused
    assert _logged_in(client)
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
