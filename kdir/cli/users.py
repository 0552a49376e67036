"""``kdir users``: add, list, disable and enable moderator/admin accounts."""

from __future__ import annotations

import sys

import click

from kdir.cli.common import fail, load_settings, open_database


@click.group(help="Manage moderator and admin accounts (argon2-hashed passwords).")
def command() -> None:
    pass


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True))


@command.command(help="Add an account. The password is prompted twice, or read from stdin (--password-stdin).")
@click.argument("name")
@click.option("--role", type=click.Choice(["moderator", "admin"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def add(name: str, role: str, password_stdin: bool) -> None:
    from indexer.audit import Actor, record
    from web.auth.accounts import AccountError, create_user

    db = open_database(load_settings())
    password = _read_password(password_stdin)
    with db.session() as s:
        try:
            user = create_user(s, name, password, role)
        except AccountError as exc:
            fail(str(exc))
            return
        record(s, Actor("cli"), "user_add", details={"username": user.username, "role": role})
        s.commit()
        click.echo(f"added {role} {user.username!r} (id {user.id})")


@command.command(name="list", help="List accounts, one line each.")
def list_() -> None:
    from sqlalchemy import select

    from indexer.db.models import User

    db = open_database(load_settings())
    with db.session() as s:
        users = list(s.scalars(select(User).order_by(User.username)))
        for u in users:
            last = u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "never"
            state = "active" if u.active else "disabled"
            click.echo(f"{u.username:<24} {u.role:<10} {state:<9} last login {last}")
        if not users:
            click.echo("no accounts (add one: kdir users add NAME --role admin)", err=True)


def _set_active(name: str, active: bool) -> None:
    from indexer.audit import Actor, record
    from web.auth.accounts import AccountError, set_active

    db = open_database(load_settings())
    with db.session() as s:
        try:
            user = set_active(s, name, active)
        except AccountError as exc:
            fail(str(exc))
            return
        record(s, Actor("cli"), "user_enable" if active else "user_disable", details={"username": user.username})
        s.commit()
        click.echo(f"{'enabled' if active else 'disabled'} {user.username!r}")


@command.command(help="Set a new password (prompted twice, or read from stdin with --password-stdin); "
                       "every open session of the account ends.")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def passwd(name: str, password_stdin: bool) -> None:
    from indexer.audit import Actor, record
    from web.auth.accounts import AccountError, find_user, set_password

    db = open_database(load_settings())
    with db.session() as s:
        user = find_user(s, name)
        if user is None:
            fail(f"no user {name!r}")
            return
        password = _read_password(password_stdin)
        try:
            set_password(user, password)
        except AccountError as exc:
            fail(str(exc))
            return
        record(s, Actor("cli"), "user_passwd", details={"username": user.username})
        s.commit()
        click.echo(f"password changed for {user.username!r}")


@command.command(help="Disable an account: it can no longer log in and its open sessions end.")
@click.argument("name")
def disable(name: str) -> None:
    _set_active(name, False)


@command.command(help="Enable a disabled account again (also clears a login lockout).")
@click.argument("name")
def enable(name: str) -> None:
    _set_active(name, True)
