from __future__ import annotations

import time

import click

from kdir.cli.common import fail


@click.command(help="Serve the bundled fictional clinic websites, the sample directory, a local NPI registry API "
                    "and a local Overpass API, each on its own 127.0.0.N address, until Ctrl-C.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port for every address (0 = a free port per site).")
@click.option("--first-octet", default=10, show_default=True, type=click.IntRange(1, 240),
              help="Last octet of the first address: sites use 127.0.0.N, N = first octet and up.")
def command(port: int, first_octet: int) -> None:
    from kdir.sampleweb.server import SampleWeb

    web = SampleWeb(first_octet=first_octet, port=port)
    try:
        web.start()
    except (OSError, ValueError) as exc:
        fail(f"cannot start the sample web on 127.0.0.{first_octet}+ port {port}: {exc}")
    try:
        for name, url in web.sites.items():
            click.echo(f"{name:12} {url}/")
        click.echo(f"{'directory':12} {web.directory_url}/")
        click.echo(f"{'nppes':12} {web.nppes_url}    (KDIR_NPPES_URL)")
        click.echo(f"{'overpass':12} {web.overpass_url}    (KDIR_OVERPASS_URL)")
        click.echo("Press Ctrl-C to stop.")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        web.stop()
