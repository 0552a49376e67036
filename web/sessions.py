"""Staff sessions that really end.

Flask keeps the session in a signed cookie, so a copied cookie would stay valid for ever on its own. Two facts
stored in it at login are checked on every request (by the Flask-Login user loader, :func:`is_current`):

- the account's **session version** (``users.session_version``): logout, a password change and disabling the
  account bump it (:func:`end_all`), which ends every session of that account, in every browser;
- the **login time**: a session ends :data:`SESSION_LIFETIME` after login however active it is.

Logging in starts from an empty session, which also gives it a new CSRF token.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app, g, session
from flask_login import UserMixin, login_user, logout_user

from indexer.db.models import User

SESSION_LIFETIME = timedelta(hours=12)
VERSION_KEY = "kdir_sv"
LOGIN_AT_KEY = "kdir_login_at"


def now() -> float:
    """Seconds since the epoch; an app may set ``KDIR_CLOCK`` (a callable) to move time in tests."""
    clock = current_app.config.get("KDIR_CLOCK") or time.time
    return float(clock())


def begin(account: UserMixin, version: int) -> None:
    """Log ``account`` in on a fresh session (no state or CSRF token carried over from before the login)."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the request's token here
    login_user(account)
    session[VERSION_KEY] = version
    session[LOGIN_AT_KEY] = now()


def is_current(version: int) -> bool:
    """Whether the request's session belongs to the account's current version and is younger than the
    absolute lifetime."""
    login_at = session.get(LOGIN_AT_KEY)
    if session.get(VERSION_KEY) != version or not isinstance(login_at, int | float):
        return False
    return 0 <= now() - login_at < SESSION_LIFETIME.total_seconds()


def accept(version: int) -> bool:
    """:func:`is_current`; a refused session is emptied, so its cookie is replaced by an anonymous one."""
    if is_current(version):
        return True
    session.clear()
    return False


def end_all(user: User) -> None:
    """End every session of ``user`` (caller commits). Atomic in SQL, so concurrent bumps never cancel out."""
    user.session_version = User.session_version + 1  # type: ignore[assignment]


def end_this() -> None:
    """Log out of this browser only (the caller ends the account's other sessions with :func:`end_all`)."""
    logout_user()
    session.clear()
