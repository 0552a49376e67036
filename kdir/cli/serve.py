"""``kdir serve``: the web site and JSON API — werkzeug's threaded server for development, gunicorn with
``--production`` (what docker-compose runs). Neither logs query strings: patients' searches are health data."""

from __future__ import annotations

import socket
import sys
from typing import Any

import click
from werkzeug.serving import WSGIRequestHandler, make_server

from kdir.cli.common import fail, load_settings, open_database
from kdir.common.config import ConfigError


class PrivateRequestHandler(WSGIRequestHandler):
    """Logs method, path and status only: query strings hold patients' searches (health data)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s', self.command, path, code)


def _check_port(host: str, port: int) -> None:
    """werkzeug exits with a two-paragraph message on a busy port: say it in one line first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


@click.command(help="Serve the web site and JSON API (development server; gunicorn in production).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 = any free port).")
@click.option("--migrate/--no-migrate", default=True, show_default=True,
              help="Upgrade the database schema before serving.")
@click.option("--production", is_flag=True, help="Serve with gunicorn (pre-forked workers) instead of werkzeug.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes (with --production).")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Threads per gunicorn worker (with --production).")
def command(host: str, port: int, migrate: bool, production: bool, workers: int, threads: int) -> None:
    from web import create_app

    settings = load_settings()
    try:
        settings.require_secret()
    except ConfigError as exc:
        fail(str(exc))
    _check_port(host, port)
    db = open_database(settings, migrate=migrate)
    if production:
        db.dispose()  # each gunicorn worker opens its own connections after the fork
        _serve_gunicorn(settings, host, port, workers, threads)
        return
    try:
        app = create_app(settings, db=db)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        fail(f"cannot start the web app: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        raise
    server = make_server(host, port, app, threaded=True, request_handler=PrivateRequestHandler)
    url_host = f"[{host}]" if ":" in host else host
    click.echo(f"kdir: serving on http://{url_host}:{server.server_port}/ (Ctrl+C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        backend: Any = app.extensions.get("kdir_search")
        if backend is not None:
            backend.close()
        db.dispose()


def _serve_gunicorn(settings: Any, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from web import create_app

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", None)  # no request log: query strings hold patients' searches
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 20)

        def load(self) -> Any:
            return create_app(settings)

    click.echo(f"kdir: serving with gunicorn on http://{host}:{port}/ ({workers} workers x {threads} threads)")
    sys.stdout.flush()
    Server().run()
