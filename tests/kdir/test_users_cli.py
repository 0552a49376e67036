"""``kdir users`` against a real database: add (stdin and prompt), list, disable, enable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from indexer.db.models import AuditEntry, User
from kdir.cli import main
from web.auth.accounts import verify_password


@pytest.fixture(autouse=True)
def _cheap_argon2() -> Iterator[None]:
    """Real argon2id at test-sized cost (the production cost is ~0.3 s a hash here)."""
    from argon2 import PasswordHasher

    from web.auth.accounts import use_hasher

    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    use_hasher(previous)


def run(db, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    env = {"KDIR_DATABASE_URL": db.url, "KDIR_ENV": "test"}
    return CliRunner().invoke(main, ["users", *args], input=input, env=env)


def test_users_lifecycle(db) -> None:  # type: ignore[no-untyped-def]
    res = run(db, "add", "Mia", "--role", "moderator", "--password-stdin", input="correct horse battery\n")
    assert res.exit_code == 0, res.output
    res = run(db, "add", "root", "--role", "admin", input="s3cret-passphrase\ns3cret-passphrase\n")
    assert res.exit_code == 0, res.output
    with db.session() as s:
        mia = s.scalar(select(User).where(User.username == "mia"))
        assert mia.role == "moderator" and verify_password(mia.password_hash, "correct horse battery")
        assert mia.password_hash.startswith("$argon2")
    res = run(db, "list")
    lines = res.output.splitlines()
    assert [ln.split()[:3] for ln in lines] == [["mia", "moderator", "active"], ["root", "admin", "active"]]
    assert run(db, "disable", "mia").exit_code == 0
    assert run(db, "list").output.splitlines()[0].split()[:3] == ["mia", "moderator", "disabled"]
    assert run(db, "enable", "MIA").exit_code == 0
    res = run(db, "passwd", "mia", "--password-stdin", input="a brand new passphrase\n")
    assert res.exit_code == 0, res.output
    with db.session() as s:
        mia = s.scalar(select(User).where(User.username == "mia"))
        assert verify_password(mia.password_hash, "a brand new passphrase")
        assert not verify_password(mia.password_hash, "correct horse battery")
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["user_add", "user_add", "user_disable", "user_enable", "user_passwd"]


def test_users_bad_input_is_one_line_error(db) -> None:  # type: ignore[no-untyped-def]
    res = run(db, "add", "mia", "--role", "moderator", "--password-stdin", input="short\n")
    assert res.exit_code == 2 and "at least 10 characters" in res.output
    res = run(db, "add", "bad name!", "--role", "admin", "--password-stdin", input="long enough pass\n")
    assert res.exit_code == 2 and "username" in res.output
    run(db, "add", "mia", "--role", "moderator", "--password-stdin", input="long enough pass\n")
    res = run(db, "add", "MIA", "--role", "admin", "--password-stdin", input="long enough pass\n")
    assert res.exit_code == 2 and "already exists" in res.output
    assert run(db, "disable", "nobody").exit_code == 2
    res = run(db, "add", "x2", "--role", "superuser", "--password-stdin", input="long enough pass\n")
    assert res.exit_code == 2
