from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kdir.common.config import VARIABLES, ConfigError, Settings

ROOT = Path(__file__).resolve().parents[3]


def test_defaults_are_safe_and_local() -> None:
    s = Settings.from_env({"KDIR_ENV": "demo"})
    assert s.database_url == "sqlite:///var/kdir.sqlite3"
    assert s.meili_url is None
    assert s.nppes_url == "https://npiregistry.cms.hhs.gov/api/"
    assert s.redis_url is None
    assert len(s.secret_key) >= 32  # generated for local modes only


def test_secret_required_in_production() -> None:
    with pytest.raises(ConfigError, match="KDIR_SECRET_KEY"):
        Settings.from_env({}).require_secret()
    with pytest.raises(ConfigError, match="KDIR_SECRET_KEY"):
        Settings.from_env({"KDIR_SECRET_KEY": "short"})
    assert Settings.from_env({"KDIR_SECRET_KEY": "x" * 32}).require_secret() == "x" * 32


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("KDIR_DATABASE_URL", "mysql://db"),
        ("KDIR_MEILI_URL", "meili:7700"),
        ("KDIR_NPPES_URL", "ftp://example.org/api"),
        ("KDIR_REDIS_URL", "http://localhost:6379"),
        ("KDIR_ENV", "staging"),
        ("KDIR_STALE_AFTER_RUNS", "three"),
        ("KDIR_DRIFT_THRESHOLD", "1.5"),
    ],
)
def test_malformed_values_name_the_variable(var: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"KDIR_ENV": "demo", var: value})
    assert var in str(err.value)
    assert "\n" not in str(err.value)


def test_postgres_urls_use_psycopg3() -> None:
    s = Settings.from_env({"KDIR_ENV": "demo", "KDIR_DATABASE_URL": "postgres://u:pw@h/db"})
    assert s.database_url == "postgresql+psycopg://u:pw@h/db"
    assert s.describe()["database_url"] == "postgresql+psycopg://u:****@h/db"


def test_describe_masks_secrets() -> None:
    s = Settings.from_env({"KDIR_SECRET_KEY": "s3cret-s3cret-s3cret", "KDIR_MEILI_KEY": "masterkey",
                           "KDIR_MEILI_URL": "http://127.0.0.1:7700"})
    shown = s.describe()
    assert "s3cret" not in " ".join(shown.values())
    assert "masterkey" not in " ".join(shown.values())


def test_every_variable_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for var in VARIABLES:
        assert var.name in readme, f"{var.name} missing from README"


def _kdir(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kdir.cli", *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **env}, cwd=ROOT, timeout=60)


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (("serve",), {"KDIR_DATABASE_URL": "sqlite:////tmp/x.db"}, "KDIR_SECRET_KEY"),
        (("db", "upgrade"), {"KDIR_ENV": "demo", "KDIR_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"},
         "KDIR_DATABASE_URL"),
        (("index",), {"KDIR_ENV": "demo", "KDIR_DATABASE_URL": "mysql://x/y"}, "KDIR_DATABASE_URL"),
        (("crawl", "osm"), {"KDIR_ENV": "demo", "KDIR_NPPES_URL": "not a url"}, "KDIR_NPPES_URL"),
    ],
)
def test_bad_configuration_fails_at_startup_with_one_line(args: tuple[str, ...], env: dict[str, str],
                                                          needle: str) -> None:
    proc = _kdir(*args, env=env)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0]
    assert "Traceback" not in proc.stderr


def test_config_command_prints_masked_configuration(tmp_path: Path) -> None:
    proc = _kdir("config", env={"KDIR_SECRET_KEY": "super-secret-value-123", "KDIR_VAR_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "super-secret-value-123" not in proc.stdout
    assert "database_url" in proc.stdout
