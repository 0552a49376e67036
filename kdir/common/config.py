"""Every setting the project reads from the environment, in one place.

``Settings.from_env()`` reads and validates them; a bad value raises :class:`ConfigError` whose message is one
line naming the variable, which the CLI prints instead of a traceback.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_NPPES_URL = "https://npiregistry.cms.hhs.gov/api/"
DEFAULT_OVERPASS_URL = "https://overpass-api.de/api/interpreter"
DEFAULT_RATELIMIT = "120/minute"


class ConfigError(Exception):
    """A configuration value is missing or malformed. The message names the variable."""


@dataclass(frozen=True)
class Var:
    name: str
    help: str
    secret: bool = False


#: Every environment variable the project reads, with a one-line explanation (documented in README and
#: checked against docker-compose.yml by the tests).
VARIABLES: tuple[Var, ...] = (
    Var("KDIR_DATABASE_URL", "SQLAlchemy URL of the database (default: SQLite file var/kdir.sqlite3)."),
    Var("KDIR_MEILI_URL", "Meilisearch server URL; unset = embedded SQLite FTS5 search."),
    Var("KDIR_MEILI_KEY", "Meilisearch API key (master or admin key).", secret=True),
    Var("KDIR_MEILI_INDEX", "Meilisearch index name (default: providers)."),
    Var("KDIR_SEARCH_PATH", "File of the embedded FTS5 search index (default: var/search.sqlite3)."),
    Var("KDIR_NPPES_URL", "NPI registry API v2.1 base URL (default: the public CMS endpoint)."),
    Var("KDIR_OVERPASS_URL", "OpenStreetMap Overpass API endpoint."),
    Var("KDIR_REDIS_URL", "Redis URL: shared crawl frontier, rate-limit storage, scheduler locks (optional)."),
    Var("KDIR_SECRET_KEY", "Flask secret key; the web refuses to start without it unless KDIR_ENV is demo, debug or test.",
        secret=True),
    Var("KDIR_ENV", "production (default), demo, debug or test."),
    Var("KDIR_VAR_DIR", "Directory for local state: SQLite files, crawl jobs, caches (default: ./var)."),
    Var("KDIR_TILE_URL", "Map tile URL template for the results map (default: OpenStreetMap tiles)."),
    Var("KDIR_SCHEDULE_FILE", "YAML file with the crawl schedule per source (default: built-in schedule)."),
    Var("KDIR_STALE_AFTER_RUNS", "Consecutive good runs without a sighting before a listing is stale (default 3)."),
    Var("KDIR_DRIFT_THRESHOLD", "A run yielding under this share of the last good run is suspect (default 0.5)."),
    Var("KDIR_TRUSTED_PROXIES", "Reverse proxies in front of the web whose X-Forwarded-* headers to trust (default 0)."),
    Var("KDIR_RATELIMIT", "Rate limit for public endpoints, Flask-Limiter syntax (default 120/minute)."),
    Var("KDIR_RENDER", "Read single-page-app clinic sites in a headless browser: auto (default: when Chromium is "
        "installed), on or off."),
    Var("KDIR_BROWSER_PATH", "Chromium executable for rendering (default: chromium on PATH)."),
)

RENDER_MODES = ("auto", "on", "off")
_RENDER_ALIASES = {"1": "on", "true": "on", "yes": "on", "0": "off", "false": "off", "no": "off"}


def parse_render_mode(value: str | None) -> str:
    """``KDIR_RENDER``: auto, on or off (1/0, true/false, yes/no accepted)."""
    mode = (value or "").strip().lower() or "auto"
    mode = _RENDER_ALIASES.get(mode, mode)
    if mode not in RENDER_MODES:
        raise ConfigError(f"KDIR_RENDER must be one of {', '.join(RENDER_MODES)}, got {value!r}")
    return mode

_LOCAL_ENVS = {"demo", "debug", "test"}
_ENVS = _LOCAL_ENVS | {"production"}


def _http_url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    value = env.get(name, "").strip() or default
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
    return value


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise ConfigError(f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, got {value!r}")
    return value


def _number(env: Mapping[str, str], name: str, default: float, kind: type[float] | type[int] = float,
            lo: float = 0.0, hi: float | None = None) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {kind.__name__}, got {raw!r}") from None
    if value < lo or (hi is not None and value > hi):
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {raw!r}")
    return value


def _database_url(env: Mapping[str, str], var_dir: Path) -> str:
    """``KDIR_DATABASE_URL``, normalised for SQLAlchemy; refused when it names no PostgreSQL database or a
    SQLite file in a folder that does not exist (only the var directory is created by the project)."""
    database_url = env.get("KDIR_DATABASE_URL", "").strip() or f"sqlite:///{var_dir / 'kdir.sqlite3'}"
    parts = urlsplit(database_url)
    scheme = parts.scheme.split("+")[0]
    if scheme not in ("sqlite", "postgresql", "postgres"):
        raise ConfigError(f"KDIR_DATABASE_URL must be a sqlite:/// or postgresql:// URL, got {database_url!r}")
    if scheme == "sqlite":
        path = database_url.split("///", 1)[1].split("?", 1)[0] if "///" in database_url else ""
        if path and path != ":memory:" and not path.startswith("file:"):
            folder = Path(path).parent
            if not folder.is_dir() and folder.resolve() != var_dir.resolve():
                raise ConfigError(f"KDIR_DATABASE_URL: the folder {folder} of the SQLite file does not exist; "
                                  "create it or correct the path")
        return database_url
    if not parts.path.strip("/") and "dbname=" not in parts.query:
        raise ConfigError(f"KDIR_DATABASE_URL names no database: add its name after the host, e.g. "
                          f"postgresql://kdir@db:5432/kdir (got {mask_url(database_url)!r})")
    if scheme == "postgres":  # Heroku-style alias SQLAlchemy no longer accepts
        database_url = "postgresql" + database_url[len("postgres"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return database_url


def _ratelimit(env: Mapping[str, str]) -> str:
    """``KDIR_RATELIMIT`` in Flask-Limiter syntax (``120/minute``, ``10/second;500/hour``), checked with the
    parser Flask-Limiter itself uses: a value it cannot read would switch rate limiting off."""
    raw = env.get("KDIR_RATELIMIT", "").strip()
    if not raw:
        return DEFAULT_RATELIMIT
    from limits import parse_many  # only for a value set by the operator: the package takes ~0.3 s to import

    try:
        limits = parse_many(raw)
    except ValueError:
        raise ConfigError(f"KDIR_RATELIMIT must be a rate limit such as 120/minute or 10/second;500/hour, "
                          f"got {raw!r}") from None
    if any(item.amount < 1 for item in limits):
        raise ConfigError(f"KDIR_RATELIMIT must allow at least 1 request per period, got {raw!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    env: str = "production"
    var_dir: Path = Path("var")
    database_url: str = "sqlite:///var/kdir.sqlite3"
    meili_url: str | None = None
    meili_key: str | None = field(default=None, repr=False)
    meili_index: str = "providers"
    search_path: Path = Path("var/search.sqlite3")
    nppes_url: str = DEFAULT_NPPES_URL
    overpass_url: str = DEFAULT_OVERPASS_URL
    redis_url: str | None = None
    secret_key: str = field(default="", repr=False)
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    schedule_file: Path | None = None
    stale_after_runs: int = 3
    drift_threshold: float = 0.5
    ratelimit: str = "120/minute"
    trusted_proxies: int = 0
    render: str = "auto"
    browser_path: str | None = None

    @property
    def is_local(self) -> bool:
        """Demo, debug and test modes: relaxed secret requirements, never for a public deployment."""
        return self.env in _LOCAL_ENVS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if env is None else env)
        for key, value in overrides.items():
            env[f"KDIR_{key.upper()}"] = str(value)
        mode = env.get("KDIR_ENV", "").strip().lower() or "production"
        if mode not in _ENVS:
            raise ConfigError(f"KDIR_ENV must be one of {', '.join(sorted(_ENVS))}, got {mode!r}")
        var_dir = Path(env.get("KDIR_VAR_DIR", "").strip() or "var")
        database_url = _database_url(env, var_dir)
        secret = env.get("KDIR_SECRET_KEY", "").strip()
        if not secret and mode in _LOCAL_ENVS:
            secret = secrets.token_hex(32)
        elif secret and len(secret) < 16 and mode not in _LOCAL_ENVS:
            raise ConfigError("KDIR_SECRET_KEY must be at least 16 characters in production")
        schedule = env.get("KDIR_SCHEDULE_FILE", "").strip()
        return cls(
            env=mode,
            var_dir=var_dir,
            database_url=database_url,
            meili_url=_http_url(env, "KDIR_MEILI_URL", None),
            meili_key=env.get("KDIR_MEILI_KEY", "").strip() or None,
            meili_index=env.get("KDIR_MEILI_INDEX", "").strip() or "providers",
            search_path=Path(env.get("KDIR_SEARCH_PATH", "").strip() or var_dir / "search.sqlite3"),
            nppes_url=_http_url(env, "KDIR_NPPES_URL", DEFAULT_NPPES_URL) or DEFAULT_NPPES_URL,
            overpass_url=_http_url(env, "KDIR_OVERPASS_URL", DEFAULT_OVERPASS_URL) or DEFAULT_OVERPASS_URL,
            redis_url=_url(env, "KDIR_REDIS_URL", ("redis", "rediss", "unix")),
            secret_key=secret,
            tile_url=_http_url(env, "KDIR_TILE_URL", cls.tile_url) or cls.tile_url,
            schedule_file=Path(schedule) if schedule else None,
            stale_after_runs=int(_number(env, "KDIR_STALE_AFTER_RUNS", 3, int, 1, 1000)),
            drift_threshold=_number(env, "KDIR_DRIFT_THRESHOLD", 0.5, float, 0.0, 1.0),
            ratelimit=_ratelimit(env),
            trusted_proxies=int(_number(env, "KDIR_TRUSTED_PROXIES", 0, int, 0, 10)),
            render=parse_render_mode(env.get("KDIR_RENDER")),
            browser_path=env.get("KDIR_BROWSER_PATH", "").strip() or None,
        )

    def require_secret(self) -> str:
        """The web secret key; only the web site needs it, so only the web refuses to start without it."""
        if not self.secret_key:
            raise ConfigError("KDIR_SECRET_KEY is required in production (set it, or KDIR_ENV=demo for a local demo)")
        return self.secret_key

    def to_env(self) -> dict[str, str]:
        """KDIR_* variables that reproduce these settings in a child process (secrets travel in the
        environment, never on a command line)."""
        values: dict[str, object] = {
            "KDIR_ENV": self.env, "KDIR_VAR_DIR": self.var_dir, "KDIR_DATABASE_URL": self.database_url,
            "KDIR_MEILI_URL": self.meili_url, "KDIR_MEILI_KEY": self.meili_key, "KDIR_MEILI_INDEX": self.meili_index,
            "KDIR_SEARCH_PATH": self.search_path, "KDIR_NPPES_URL": self.nppes_url,
            "KDIR_OVERPASS_URL": self.overpass_url, "KDIR_REDIS_URL": self.redis_url,
            "KDIR_SECRET_KEY": self.secret_key, "KDIR_TILE_URL": self.tile_url,
            "KDIR_SCHEDULE_FILE": self.schedule_file, "KDIR_STALE_AFTER_RUNS": self.stale_after_runs,
            "KDIR_DRIFT_THRESHOLD": self.drift_threshold, "KDIR_RATELIMIT": self.ratelimit,
            "KDIR_TRUSTED_PROXIES": self.trusted_proxies, "KDIR_RENDER": self.render,
            "KDIR_BROWSER_PATH": self.browser_path,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def describe(self) -> dict[str, str]:
        """The effective configuration with secrets masked, for ``kdir config``."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("secret_key", "meili_key") and value:
                value = "****" + ("(generated)" if f.name == "secret_key" and self.is_local else "")
            elif f.name in ("database_url", "redis_url", "meili_url") and value:
                value = mask_url(str(value))
            out[f.name] = "" if value is None else str(value)
        return out


def mask_url(url: str) -> str:
    """Hide the password in a URL such as postgresql://user:pw@host/db."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":****@")
        return parts._replace(netloc=netloc).geturl()
    return url
