from __future__ import annotations

import click

from kdir.cli.common import load_settings
from kdir.common.config import VARIABLES


@click.command(help="Print the effective configuration (secrets masked) and the variables that set it.")
@click.option("--variables", is_flag=True, help="List every KDIR_* variable with its meaning instead.")
def command(variables: bool) -> None:
    if variables:
        for var in VARIABLES:
            click.echo(f"{var.name:24} {var.help}")
        return
    settings = load_settings()
    for key, value in settings.describe().items():
        click.echo(f"{key:18} {value}")
