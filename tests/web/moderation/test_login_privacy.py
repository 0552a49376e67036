"""The login form does not tell which account names exist: the same answer and the same work (one argon2
verify) for an unknown name, a wrong password, a disabled account and a locked account."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher

from tests.web.moderation.staff import csrf_token, login
from web.auth.accounts import create_user, use_hasher

KIM_PASSWORD = "kim-moderates-2026"
_VOLATILE = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+|(name="username" [^>]*value=")[^"]*')


@pytest.fixture
def app(sqlite_staff_app: Any) -> Any:
    """No per-IP limit in the way: these tests fail on purpose more than 20 times from one address."""
    sqlite_staff_app.config["KDIR_LOGIN_FAILURES"] = "10000/minute"
    return sqlite_staff_app


@pytest.fixture
def kim(app: Any, sqlite_db: Any) -> Iterator[str]:
    """A moderator whose hash costs ~50 ms to verify (the unknown-name dummy hash is made with the same
    parameters), so a skipped verify shows in the timings."""
    previous = use_hasher(PasswordHasher(time_cost=2, memory_cost=16384, parallelism=1))
    with sqlite_db.session() as s:
        create_user(s, "kim", KIM_PASSWORD, "moderator")
        s.commit()
    yield "kim"
    use_hasher(previous)


def _answer(client: Any, username: str, password: str) -> tuple[int, str]:
    res = login(client, username, password)
    body = _VOLATILE.sub(lambda m: (m.group(1) or m.group(2)) + "X", res.get_data(as_text=True))
    return res.status_code, body


def _lock(client: Any, username: str) -> None:
    for _ in range(5):
        assert login(client, username, "not-the-password").status_code == 401


def test_every_failure_gets_the_same_page(app: Any, kim: str) -> None:
    client = app.test_client()
    unknown = _answer(client, "nobody", "not-the-password")
    assert unknown[0] == 401 and "Unknown user or wrong password." in unknown[1]
    assert _answer(client, kim, "not-the-password") == unknown
    assert _answer(client, "gone", "gone-disabled-2026") == unknown  # disabled, right password
    _lock(client, kim)
    assert _answer(client, kim, "not-the-password") == unknown  # locked
    assert _answer(client, kim, KIM_PASSWORD) == unknown  # locked, right password
    _lock(client, "nobody-else")  # an unknown name "locks" in the same words
    assert _answer(client, "nobody-else", "not-the-password") == unknown


def _median_login_seconds(client: Any, username: str, tries: int) -> float:
    times = []
    for _ in range(tries):
        token = csrf_token(client, "/login")
        start = time.perf_counter()
        res = client.post("/login", data={"csrf_token": token, "username": username, "password": "wrong-guess-123"})
        times.append(time.perf_counter() - start)
        assert res.status_code == 401
    return statistics.median(times)


def test_unknown_and_locked_names_take_as_long_as_real_ones(app: Any, kim: str) -> None:
    client = app.test_client()
    known = _median_login_seconds(client, kim, 4)  # four failures: not locked yet
    _lock(client, kim)
    locked = _median_login_seconds(client, kim, 5)
    unknown = _median_login_seconds(client, "nobody", 5)
    timings = {"known": known, "locked": locked, "unknown": unknown}
    assert max(timings.values()) < 3 * min(timings.values()), timings
