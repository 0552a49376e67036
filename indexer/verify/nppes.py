"""A careful client for the NPI registry API v2.1: cached answers (RegistryCache), a pause between requests,
bounded retries with backoff, errors that arrive with HTTP 200, and field types that drift between captures."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from indexer.db.models import RegistryCache, utcnow
from kdir.common.project import USER_AGENT


class RegistryError(Exception):
    """The registry could not answer (network, HTTP status, malformed JSON, or its own error list)."""


@dataclass
class RegistryTaxonomy:
    code: str
    desc: str
    primary: bool
    state: str | None
    license: str | None


@dataclass
class OtherName:
    """A name the registry also knows the record by: "Doing Business As", "Former Name", ..."""

    type: str
    name: str  # organisation name, or "first middle last" for a person
    first_name: str = ""
    last_name: str = ""


@dataclass
class RegistryRecord:
    number: str
    enumeration_type: str  # NPI-1 | NPI-2
    status: str  # "A" active
    name: str
    first_name: str
    last_name: str
    middle_name: str
    credential: str
    taxonomies: list[RegistryTaxonomy] = field(default_factory=list)
    address_states: list[str] = field(default_factory=list)
    last_updated: datetime | None = None
    other_names: list[OtherName] = field(default_factory=list)

    @property
    def primary_taxonomy(self) -> RegistryTaxonomy | None:
        """The taxonomy marked primary, else the first one."""
        return next((t for t in self.taxonomies if t.primary), self.taxonomies[0] if self.taxonomies else None)

    @property
    def states(self) -> list[str]:
        """Every state the record names: its licences' and its addresses'."""
        return sorted({t.state for t in self.taxonomies if t.state} | set(self.address_states))

    @property
    def license_states(self) -> list[str]:
        """The states of the licences its taxonomies show (a taxonomy without a licence number counts not)."""
        return sorted({t.state for t in self.taxonomies if t.state and t.license})


def _s(v: Any) -> str:
    if v is None or isinstance(v, dict | list):
        return ""
    return str(v).strip()


def _epoch(v: Any) -> datetime | None:
    """Epochs come as int seconds or string milliseconds."""
    try:
        n = float(str(v).strip())
    except (TypeError, ValueError):
        return None
    if n > 1e11:
        n /= 1000.0
    try:
        return datetime.fromtimestamp(n, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _date(v: Any) -> datetime | None:
    """A registry date such as ``basic.last_updated`` ("2024-03-15")."""
    try:
        return datetime.strptime(_s(v)[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _other_names(raw: Any) -> list[OtherName]:
    out = []
    for o in raw if isinstance(raw, list) else []:
        if not isinstance(o, dict):
            continue
        first, last = _s(o.get("first_name")), _s(o.get("last_name"))
        name = _s(o.get("organization_name")) or " ".join(x for x in (first, _s(o.get("middle_name")), last) if x)
        if name:
            out.append(OtherName(_s(o.get("type")), name, first, last))
    return out


def parse_result(raw: Any) -> RegistryRecord | None:
    """One entry of ``results``; None when it is not a usable record."""
    if not isinstance(raw, dict):
        return None
    number = _s(raw.get("number"))
    if not number.isdigit() or len(number) != 10:
        return None
    basic = raw.get("basic") if isinstance(raw.get("basic"), dict) else {}
    etype = _s(raw.get("enumeration_type")).upper() or ("NPI-2" if basic.get("organization_name") else "NPI-1")
    first, last, middle = _s(basic.get("first_name")), _s(basic.get("last_name")), _s(basic.get("middle_name"))
    name = _s(basic.get("organization_name")) if etype == "NPI-2" else " ".join(x for x in (first, middle, last) if x)
    taxonomies = []
    for t in raw.get("taxonomies") or []:
        if isinstance(t, dict) and _s(t.get("code")):
            primary = t.get("primary")
            taxonomies.append(RegistryTaxonomy(
                _s(t.get("code")).upper(), _s(t.get("desc")),
                primary is True or _s(primary).lower() in ("true", "y", "yes", "1"),
                _s(t.get("state")).upper() or None, _s(t.get("license")) or None))
    states = [_s(a.get("state")).upper() for a in raw.get("addresses") or [] if isinstance(a, dict) and _s(a.get("state"))]
    states += [_s(a.get("state")).upper() for a in raw.get("practiceLocations") or []
               if isinstance(a, dict) and _s(a.get("state"))]
    return RegistryRecord(number, etype, _s(basic.get("status")).upper() or "A", name, first, last, middle,
                          _s(basic.get("credential")), taxonomies, sorted(set(states)),
                          _epoch(raw.get("last_updated_epoch")) or _date(basic.get("last_updated")),
                          _other_names(raw.get("other_names")))


class NppesClient:
    """``lookup(session, **params) -> list[RegistryRecord]``; answers are cached for ``cache_ttl``."""

    def __init__(self, base_url: str, *, pause_s: float = 0.5, retries: int = 3, backoff_s: float = 1.0,
                 timeout_s: float = 15.0, cache_ttl: timedelta = timedelta(days=7),
                 http: requests.Session | None = None):
        self.base_url = base_url
        self.pause_s, self.retries, self.backoff_s, self.timeout_s = pause_s, retries, backoff_s, timeout_s
        self.cache_ttl = cache_ttl
        self.http = http or requests.Session()
        self.http.headers.setdefault("User-Agent", USER_AGENT)
        self._last_request = 0.0
        self.requests_made = 0

    @staticmethod
    def query_key(params: dict[str, str]) -> str:
        return urlencode(sorted((k, v.lower()) for k, v in params.items() if v))[:500]

    def lookup(self, session: Session, **params: str) -> list[RegistryRecord]:
        params = {k: str(v) for k, v in params.items() if v}
        params.setdefault("limit", "50")
        key = self.query_key(params)
        cached = session.scalar(select(RegistryCache).where(RegistryCache.query_key == key))
        if cached is not None and utcnow() - cached.fetched_at < self.cache_ttl:
            data = cached.response
        else:
            data = self._fetch({"version": "2.1", **params})
            if cached is None:
                try:
                    with session.begin_nested():
                        session.add(RegistryCache(query_key=key, response=data, fetched_at=utcnow()))
                except IntegrityError:
                    pass
            else:
                cached.response, cached.fetched_at = data, utcnow()
        return [r for r in (parse_result(x) for x in data.get("results") or []) if r is not None]

    def _fetch(self, params: dict[str, str]) -> dict[str, Any]:
        last_error = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * (2 ** (attempt - 1)))
            wait = self.pause_s - (time.monotonic() - self._last_request)
            if wait > 0:
                time.sleep(wait)
            self._last_request = time.monotonic()
            self.requests_made += 1
            try:
                resp = self.http.get(self.base_url, params=params, timeout=self.timeout_s)
            except requests.RequestException as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                continue
            if resp.status_code == 429 or resp.status_code >= 500:
                last_error = f"HTTP {resp.status_code}"
                continue
            if resp.status_code != 200:
                raise RegistryError(f"HTTP {resp.status_code}")
            try:
                data = resp.json()
            except ValueError:
                last_error = "malformed JSON"
                continue
            if not isinstance(data, dict):
                raise RegistryError("unexpected answer (not an object)")
            if data.get("Errors") or data.get("errors"):
                errs = data.get("Errors") or data.get("errors")
                first = errs[0] if isinstance(errs, list) and errs else errs
                desc = first.get("description") if isinstance(first, dict) else str(first)
                raise RegistryError(f"registry error: {str(desc)[:200]}")
            if "result_count" not in data and "results" not in data:
                raise RegistryError("unexpected answer (no result_count)")
            return {"result_count": data.get("result_count"), "results": data.get("results") or []}
        raise RegistryError(f"registry unreachable after {self.retries + 1} attempts ({last_error})")
