"""Directory definitions: YAML files in ``crawler/sources/`` (one per directory), loaded and checked here.

Keys: ``name`` (the source is ``directory:<name>``), ``title``, ``base_url`` (overridable per crawl),
``start_urls`` (relative to base_url or absolute), ``max_pages``, ``max_listings``, ``follow_website``,
``render`` (``auto``/``true``: clinic websites that are app shells are read through the browser when the crawl
has one; ``false``: never), ``listing: {links, next_page}`` and ``detail: {<field>: selector}``. A selector is ``{css: ...}`` or
``{xpath: ...}`` with optional ``all: true`` (a list) and ``labels: {text: code}`` (vocabulary fields: map
printed labels to codes: a label found as a whole word, case-insensitive).

People and kind: ``detail.practitioners`` (``all: true``: one string per person, "Sam Patel, PMHNP-BC" or
"Dr. Jane Roe, MD, PhD"), ``detail.medical_director`` (one such string; the person gets the role "Medical
Director") and ``detail.kind`` (the directory's own word for the listing: "Clinic", "Individual provider",
"Psychiatrist"). ``kind_labels: {text: clinic|practitioner}`` maps that wording to our kinds (a label found as a
whole word, case-insensitive, the longest first); words it does not name fall back to :data:`KIND_WORDS`, and
text matching nothing gives ``default_kind`` (``clinic`` unless the definition says otherwise). A practitioner
listing's name is read as a person's ("Sam Patel, PMHNP-BC": name and credentials).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from kdir.common.record import KINDS

SOURCES_DIR = Path(__file__).resolve().parent.parent / "sources"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")
DETAIL_FIELDS = ("name", "street", "city", "region", "postal_code", "phones", "email", "website", "rating",
                 "rating_best", "review_count", "modalities", "conditions", "services", "insurance", "npi",
                 "telehealth", "practitioners", "medical_director", "kind")
LIST_FIELDS = ("phones", "modalities", "conditions", "services", "insurance")
_TOP = {"name", "title", "base_url", "start_urls", "max_pages", "max_listings", "follow_website", "render",
        "listing", "detail", "kind_labels", "default_kind"}
#: How directories commonly word a listing's kind, strongest first (a definition's ``kind_labels`` come before).
KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("individual", "practitioner"), ("solo", "practitioner"), ("group", "clinic"), ("clinic", "clinic"),
    ("center", "clinic"), ("centre", "clinic"), ("institute", "clinic"), ("practice", "clinic"),
    ("facility", "clinic"), ("organization", "clinic"), ("organisation", "clinic"), ("hospital", "clinic"),
    ("practitioner", "practitioner"), ("psychiatrist", "practitioner"), ("physician", "practitioner"),
    ("doctor", "practitioner"), ("therapist", "practitioner"), ("psychologist", "practitioner"),
    ("counselor", "practitioner"), ("counsellor", "practitioner"), ("clinician", "practitioner"),
    ("prescriber", "practitioner"), ("anesthesiologist", "practitioner"), ("person", "practitioner"),
)


def _word_in(label: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text, re.I) is not None


class SourceError(ValueError):
    """A directory definition is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Selector:
    css: str | None = None
    xpath: str | None = None
    all: bool = False
    labels: dict[str, str] = field(default_factory=dict)

    def extract(self, response: Any) -> list[str]:
        sel = response.css(self.css) if self.css else response.xpath(self.xpath)
        values = [" ".join(v.split()) for v in sel.getall() if isinstance(v, str)]
        values = [v for v in values if v]
        if self.labels:
            mapped = []
            for v in values:
                mapped += [code for label, code in self.labels.items() if _word_in(label, v)]
            values = mapped
        return values if self.all else values[:1]


@dataclass(frozen=True)
class DirectorySource:
    name: str
    title: str
    base_url: str
    start_urls: tuple[str, ...]
    links: Selector
    next_page: Selector | None
    detail: dict[str, Selector]
    max_pages: int = 50
    max_listings: int = 2000
    follow_website: bool = True
    #: read app-shell clinic websites through the browser (when the crawl has one)
    render: bool = True
    #: the directory's wording of a listing's kind -> "clinic" / "practitioner" (checked longest first)
    kind_labels: tuple[tuple[str, str], ...] = ()
    default_kind: str = "clinic"

    def kind_of(self, printed: str | None) -> str:
        """Our kind of a listing the directory calls ``printed`` ("Individual provider" -> "practitioner")."""
        if printed:
            for label, kind in (*self.kind_labels, *KIND_WORDS):
                if _word_in(label, printed):
                    return kind
        return self.default_kind

    @property
    def key(self) -> str:
        return f"directory:{self.name}"

    def absolute_start_urls(self) -> list[str]:
        return [urljoin(self.base_url.rstrip("/") + "/", u.lstrip("/")) if not urlsplit(u).scheme else u
                for u in self.start_urls]


def _selector(raw: Any, where: str) -> Selector:
    if not isinstance(raw, dict) or bool(raw.get("css")) == bool(raw.get("xpath")):
        raise SourceError(f"{where}: a selector needs exactly one of css or xpath")
    unknown = set(raw) - {"css", "xpath", "all", "labels"}
    if unknown:
        raise SourceError(f"{where}: unknown selector keys {sorted(unknown)}")
    labels = raw.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise SourceError(f"{where}.labels must map text to a vocabulary code")
    for key in ("css", "xpath"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise SourceError(f"{where}.{key} must be a string")
    return Selector(css=raw.get("css"), xpath=raw.get("xpath"), all=bool(raw.get("all", False)), labels=labels)


def parse_source(data: Any, origin: str = "<definition>", base_url: str | None = None) -> DirectorySource:
    if not isinstance(data, dict):
        raise SourceError(f"{origin}: a directory definition is a mapping")
    unknown = set(data) - _TOP
    if unknown:
        raise SourceError(f"{origin}: unknown keys {sorted(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SourceError(f"{origin}: name must be lower-case letters, digits, - or _")
    base = base_url or data.get("base_url")
    if not isinstance(base, str) or urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
        raise SourceError(f"{origin}: base_url must be an http(s) URL, got {base!r}")
    starts = data.get("start_urls")
    if not isinstance(starts, list) or not starts or not all(isinstance(u, str) for u in starts):
        raise SourceError(f"{origin}: start_urls must be a non-empty list of URLs")
    listing = data.get("listing")
    if not isinstance(listing, dict) or "links" not in listing:
        raise SourceError(f"{origin}: listing.links is required")
    detail_raw = data.get("detail") or {}
    if not isinstance(detail_raw, dict):
        raise SourceError(f"{origin}: detail must be a mapping of field -> selector")
    bad = set(detail_raw) - set(DETAIL_FIELDS)
    if bad:
        raise SourceError(f"{origin}: unknown detail fields {sorted(bad)} (known: {', '.join(DETAIL_FIELDS)})")
    detail = {k: _selector(v, f"{origin}: detail.{k}") for k, v in detail_raw.items()}
    if "name" not in detail:
        raise SourceError(f"{origin}: detail.name is required")

    def _int(key: str, default: int) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SourceError(f"{origin}: {key} must be a positive integer")
        return value

    kind_labels = data.get("kind_labels") or {}
    if not isinstance(kind_labels, dict) or not all(
            isinstance(k, str) and k.strip() and v in KINDS for k, v in kind_labels.items()):
        raise SourceError(f"{origin}: kind_labels must map printed text to one of {', '.join(KINDS)}")
    default_kind = data.get("default_kind", "clinic")
    if default_kind not in KINDS:
        raise SourceError(f"{origin}: default_kind must be one of {', '.join(KINDS)}, got {default_kind!r}")

    render = data.get("render", "auto")
    if render not in (True, False, "auto"):
        raise SourceError(f"{origin}: render must be true, false or auto, got {render!r}")

    return DirectorySource(
        name=name, title=str(data.get("title") or name), base_url=base.rstrip("/"), start_urls=tuple(starts),
        links=_selector(listing["links"], f"{origin}: listing.links"),
        next_page=_selector(listing["next_page"], f"{origin}: listing.next_page") if listing.get("next_page") else None,
        detail=detail, max_pages=_int("max_pages", 50), max_listings=_int("max_listings", 2000),
        follow_website=bool(data.get("follow_website", True)), render=render is not False,
        kind_labels=tuple(sorted(((k.strip(), v) for k, v in kind_labels.items()), key=lambda kv: -len(kv[0]))),
        default_kind=default_kind)


def load_source(name: str, *, base_url: str | None = None, directory: Path | None = None) -> DirectorySource:
    """The definition ``<directory>/<name>.yaml`` (default: crawler/sources/)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise SourceError(f"source must be a definition name (letters, digits, - or _), got {name!r}")
    path = (directory or SOURCES_DIR) / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (directory or SOURCES_DIR).glob("*.yaml"))
        raise SourceError(f"no directory definition {path.name} (known: {', '.join(known) or 'none'})")
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path.name}: not valid YAML: {exc}") from None
    src = parse_source(data, path.name, base_url)
    if src.name != name:
        raise SourceError(f"{path.name}: name is {src.name!r}, expected {name!r}")
    return src
