"""docker-compose.yml is checked without a Docker engine: it parses, every service's command exists in the CLI,
every variable it needs is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import yaml

from kdir.cli import main
from kdir.common.config import VARIABLES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _resolve(args: list[str]) -> click.Context:
    """Parse a kdir command line down to its leaf command without running it (raises on unknown options)."""
    ctx = main.make_context("kdir", list(args), resilient_parsing=False)
    cmd: click.Command = main
    while isinstance(cmd, click.Group):
        name, sub, rest = cmd.resolve_command(ctx, ctx.protected_args + ctx.args)
        assert sub is not None, f"unknown command {name}"
        ctx = sub.make_context(name, rest, parent=ctx)
        cmd = sub
    return ctx


def test_required_services() -> None:
    assert {"web", "scheduler", "postgres", "meilisearch"} <= set(COMPOSE["services"])


def test_application_services_share_one_image_built_from_the_dockerfile() -> None:
    app = [s for s in COMPOSE["services"].values() if s.get("build")]
    assert len(app) >= 2
    assert {s["image"] for s in app} == {"kdir:latest"}
    assert (ROOT / "Dockerfile").exists()
    assert {s["build"] for s in app} == {"."}


def test_every_service_command_exists_in_the_cli() -> None:
    checked = 0
    for name, svc in COMPOSE["services"].items():
        command = svc.get("command")
        if not command or command[0] != "kdir":
            continue
        ctx = _resolve(command[1:])
        assert ctx.command.callback is not None, name
        checked += 1
    assert checked >= 3
    dockerfile_cmd = re.search(r'^CMD (\[.*\])', (ROOT / "Dockerfile").read_text(), re.M)
    assert dockerfile_cmd
    _resolve(yaml.safe_load(dockerfile_cmd.group(1))[1:])


def test_every_variable_is_documented() -> None:
    documented = {v.name for v in VARIABLES}
    readme = (ROOT / "README.md").read_text()
    text = (ROOT / "docker-compose.yml").read_text()
    for svc in COMPOSE["services"].values():
        env = svc.get("environment") or {}
        for key in env:
            if key.startswith("KDIR_"):
                assert key in documented, key
    for var in set(re.findall(r"\$\{([A-Z_]+)", text)):
        assert var in readme, f"{var} used by docker-compose.yml but not documented in README"


def test_meilisearch_is_production_ready() -> None:
    env = COMPOSE["services"]["meilisearch"]["environment"]
    assert env["MEILI_NO_ANALYTICS"] == "true"
    assert "MEILI_MASTER_KEY" in env
    assert any("meili_data" in v for v in COMPOSE["services"]["meilisearch"]["volumes"])


def test_deployed_schedule_loads() -> None:
    from kdir.common.config import Settings
    from kdir.scheduler.jobs import load_jobs

    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_SCHEDULE_FILE": str(ROOT / "deploy/schedule.yaml")})
    jobs = {job.name for job in load_jobs(settings)}
    assert {"nppes", "osm", "clinic_site"} <= jobs
