from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kdir.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {"crawl", "index", "serve", "demo", "sampleweb", "export", "config", "users", "runs", "schedule",
            "moderate"}


def test_help_lists_every_command_with_its_purpose() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert set(COMMANDS) >= REQUIRED
    for name, (_module, purpose) in COMMANDS.items():
        assert name in result.output
        assert purpose.split()[0] in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_its_own_help(name: str) -> None:
    cmd = main.get_command(click.Context(main), name)
    assert cmd is not None, name
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_scrapy_list_from_the_root_lists_the_spiders() -> None:
    proc = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {"clinic_site", "directory", "nppes", "osm"} <= set(proc.stdout.split())


@pytest.mark.parametrize(("args", "says"), [
    (["--first-octet", "240"], "kdir: error: cannot serve the sample web: first_octet must leave room for"),
    (["--sampleweb-port", "70000"], "Invalid value for '--sampleweb-port'"),
    (["--first-octet", "0"], "Invalid value for '--first-octet'"),
])
def test_demo_refuses_addresses_it_cannot_use_in_one_clear_message(tmp_path: Path, args: list[str],
                                                                  says: str) -> None:
    env = {"KDIR_ENV": "test", "KDIR_VAR_DIR": str(tmp_path), "KDIR_SECRET_KEY": "test-secret-key-0123456789"}
    result = CliRunner().invoke(main, ["demo", "--no-serve", *args], env=env)
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
