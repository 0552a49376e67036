"""Configuration is checked at start-up by every command: one line naming the variable, a non-zero exit code,
nothing created or crawled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [("config",), ("index", "--no-verify"), ("runs",), ("crawl", "clinic_site", "-a", "urls=http://127.0.0.1:9/"),
            ("db", "upgrade")]


def _kdir(args: tuple[str, ...], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kdir.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "KDIR_ENV": "test", **env},
                          timeout=120)


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
@pytest.mark.parametrize(("env", "message"), [
    ({"KDIR_RATELIMIT": "abc"},
     "kdir: error: KDIR_RATELIMIT must be a rate limit such as 120/minute or 10/second;500/hour, got 'abc'"),
    ({"KDIR_DATABASE_URL": "postgresql://"},
     "kdir: error: KDIR_DATABASE_URL names no database: add its name after the host, e.g. "
     "postgresql://kdir@db:5432/kdir (got 'postgresql://')"),
    ({"KDIR_DATABASE_URL": "sqlite:///{tmp}/missing/kdir.sqlite3"},
     "kdir: error: KDIR_DATABASE_URL: the folder {tmp}/missing of the SQLite file does not exist; "
     "create it or correct the path"),
], ids=["ratelimit", "no-database-name", "sqlite-folder"])
def test_bad_configuration_stops_every_command_in_one_line(args: tuple[str, ...], env: dict[str, str],
                                                           message: str, tmp_path: Path) -> None:
    env = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    proc = _kdir(args, {"KDIR_VAR_DIR": str(tmp_path / "var"), **env}, tmp_path)
    assert proc.returncode == 2
    assert _one_line(proc) == message.format(tmp=tmp_path)
    assert not (tmp_path / "missing").exists()  # nothing created behind the operator's back
    assert not (tmp_path / "var" / "kdir.sqlite3").exists()


def test_postgresql_url_without_database_creates_nothing(postgres_url: str, tmp_path: Path) -> None:
    """libpq would pick a default database (the user's name) and the migration would fill it with our schema."""
    from sqlalchemy import create_engine, inspect

    bare = postgres_url.rsplit("/", 1)[0] + "/"
    proc = _kdir(("db", "upgrade"), {"KDIR_DATABASE_URL": bare, "KDIR_VAR_DIR": str(tmp_path)}, tmp_path)
    assert proc.returncode == 2 and "KDIR_DATABASE_URL names no database" in _one_line(proc)
    engine = create_engine(bare + "postgres")
    try:
        assert "providers" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_unreachable_database_stops_a_crawl_in_one_line(tmp_path: Path) -> None:
    proc = _kdir(("crawl", "clinic_site", "-a", "urls=http://127.0.0.1:9/"),
                 {"KDIR_DATABASE_URL": "postgresql://kdir@127.0.0.1:1/kdir", "KDIR_VAR_DIR": str(tmp_path)}, tmp_path)
    assert proc.returncode == 2
    line = _one_line(proc)
    assert line.startswith("kdir: error: KDIR_DATABASE_URL: cannot connect to the database (") and "refused" in line
    assert not (tmp_path / "logs").exists()  # no crawl was started


def test_the_var_directory_is_still_created_for_the_default_database(tmp_path: Path) -> None:
    var = tmp_path / "new" / "var"
    proc = _kdir(("db", "upgrade"), {"KDIR_VAR_DIR": str(var)}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (var / "kdir.sqlite3").is_file()
