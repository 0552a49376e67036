"""Moderator and admin accounts: argon2 password hashes, Flask-Login sessions (checked by :mod:`web.sessions`),
login throttling, role checks.

Throttling has two layers: an account is locked for :data:`LOCK_MINUTES` after :data:`MAX_FAILURES`
consecutive failed logins (stored on the user row, so it holds across processes), and each client address may
fail at most ``web.ratelimit.LOGIN_FAILURES`` times (counted by the rate limiter in its shared store -- Redis or
the database -- so it holds across gunicorn workers; see ``web.auth.views.login``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app
from flask_login import UserMixin, current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.db.models import ROLES, User, utcnow
from web import sessions
from web.extensions import get_db, login_manager
from web.ids import parse_id

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

F = TypeVar("F", bound=Callable[..., Any])
_hasher = PasswordHasher()  # argon2id with the library's recommended (RFC 9106 low-memory) parameters
_dummy_hash: str | None = None
_DUMMY_PASSWORD = "kdir-dummy-password-for-timing"


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the password hasher (tests use cheaper parameters); returns the previous one. Hashes made with
    other parameters still verify and are upgraded at the next successful login."""
    global _hasher, _dummy_hash
    previous, _hasher, _dummy_hash = _hasher, hasher, None
    return previous


def dummy_hash() -> str:
    """A hash made with the current parameters: an unknown name is verified against it (same work as a real
    account). Made once, at app start-up (``create_app``), so the first unknown name is not slower either."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(_DUMMY_PASSWORD)
    return _dummy_hash


class AccountError(Exception):
    """A user-facing account problem (bad name, weak password, unknown user)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_username(name: str) -> str:
    name = name.strip().lower()
    if not (2 <= len(name) <= 80) or not set(name) <= USERNAME_CHARS:
        raise AccountError("username must be 2-80 characters of a-z, 0-9, '.', '_' or '-'")
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise AccountError("password is too long (1024 characters at most)")


def create_user(session: Session, username: str, password: str, role: str) -> User:
    """Add an account (caller commits). Raises AccountError for a bad name, role, password or a duplicate."""
    name = check_username(username)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    check_password(password)
    if session.scalar(select(User.id).where(func.lower(User.username) == name)) is not None:
        raise AccountError(f"user {name!r} already exists")
    user = User(username=name, password_hash=hash_password(password), role=role, active=True)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    """The account of that name; None for a name no account can have (a NUL byte would even be refused by
    PostgreSQL), without asking the database."""
    name = username.strip().lower()
    if not (2 <= len(name) <= 80) or not set(name) <= USERNAME_CHARS:
        return None
    return session.scalar(select(User).where(func.lower(User.username) == name))


def set_active(session: Session, username: str, active: bool) -> User:
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    user.active = active
    if active:
        user.failed_logins = 0
        user.locked_until = None
    else:
        sessions.end_all(user)
    return user


def set_password(user: User, password: str) -> None:
    """A new password (caller commits): clears a lockout and ends every session of the account. Raises
    AccountError for a weak password."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    sessions.end_all(user)


@dataclass
class LoginResult:
    user: User | None
    error: str | None = None
    locked_now: bool = False  # this failure locked the account (worth an audit entry)


#: The one answer to every failed login, whether the name exists, the password is wrong, the account is
#: disabled or locked: a login form must not tell which account names exist.
LOGIN_FAILED = (f"Unknown user or wrong password. After {MAX_FAILURES} failed attempts in a row an account is "
                f"locked for {LOCK_MINUTES} minutes.")


def authenticate(session: Session, username: str, password: str, *, max_failures: int = MAX_FAILURES,
                 lock_minutes: float = LOCK_MINUTES) -> LoginResult:
    """Check a login (caller commits the counters).

    Every failure does the same work (one argon2 verify, against a dummy hash for an unknown name) and answers
    :data:`LOGIN_FAILED`, so neither the reply nor its timing says whether an account exists or is locked."""
    user = find_user(session, username) if username else None
    if user is None:
        verify_password(dummy_hash(), password)
        return LoginResult(None, LOGIN_FAILED)
    now = utcnow()
    password_ok = verify_password(user.password_hash, password)  # even when locked: same work either way
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, LOGIN_FAILED)
    if not password_ok:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            return LoginResult(None, LOGIN_FAILED, True)
        return LoginResult(None, LOGIN_FAILED)
    if not user.active:
        return LoginResult(None, LOGIN_FAILED)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginResult(user)


@dataclass
class Account(UserMixin):
    """The logged-in user as Flask-Login sees it: a detached copy, reloaded (and re-checked) each request."""

    id: int
    username: str
    role: str

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, role: str) -> bool:
        return self.role == "admin" or self.role == role


@login_manager.user_loader
def _load_account(user_id: str) -> Account | None:
    uid = parse_id(user_id)
    if uid is None:
        return None
    with get_db().session() as s:
        user = s.get(User, uid)
        if user is None or not user.active or user.role not in ROLES or not sessions.accept(user.session_version):
            return None
        return Account(user.id, user.username, user.role)


def role_required(role: str) -> Callable[[F], F]:
    """Anonymous -> redirect to the login page; logged in without the role -> 403. Admins hold every role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]  # read by the route-walk test and docs
        return wrapped  # type: ignore[return-value]

    return decorate
