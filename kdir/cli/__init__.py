"""The ``kdir`` command line: the one place that ties crawler, indexer and web together.

Subcommands live in their own modules and are imported only when run, so ``kdir --help`` stays instant.
"""

from __future__ import annotations

import importlib

import click

from kdir.common.project import __version__

#: name -> (module, one-line purpose). The module defines ``command``.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("kdir.cli.demo", "Serve the sample web, crawl it, index it and serve the site on 127.0.0.1:5000."),
    "sampleweb": ("kdir.cli.sampleweb", "Serve the bundled fictional clinic websites, directory and registry APIs."),
    "crawl": ("kdir.cli.crawl", "Run a spider (clinic_site, directory, nppes, osm) and store its observations."),
    "index": ("kdir.cli.index", "Normalise, merge and verify observations into providers; update the search index."),
    "serve": ("kdir.cli.serve", "Serve the web site and JSON API (development server; gunicorn in production)."),
    "export": ("kdir.cli.export", "Export published providers as JSONL, CSV, GeoJSON or HSDS 3.0."),
    "config": ("kdir.cli.config_cmd", "Print the effective configuration, secrets masked."),
    "db": ("kdir.cli.db", "Database schema: upgrade to the latest migration, show the current revision."),
    "users": ("kdir.cli.users", "Manage moderator and admin accounts."),
    "runs": ("kdir.cli.runs", "List recent crawl runs, one line each."),
    "moderate": ("kdir.cli.moderate", "List the moderation queue; approve or reject listings by filter or id."),
    "schedule": ("kdir.cli.schedule", "Run scheduled crawls (crawl -> index -> publish) per source, forever."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[cmd_name][0])
        cmd: click.Command = module.command
        cmd.name = cmd_name
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # One-line purposes from the registry: no module is imported to print the help.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in sorted(COMMANDS)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="kdir")
def main() -> None:
    """kdir -- an open directory of qualified ketamine-therapy providers.

    Data flows crawl -> index -> serve. Configuration comes from KDIR_* environment variables
    (see `kdir config`).
    """
