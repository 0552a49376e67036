"""Seed URL lists for spiders: ``-a urls=URL[,URL...]`` or ``-a seeds=FILE`` (one URL a line, or CSV with a
``url`` column)."""

from __future__ import annotations

import csv
import io
from pathlib import Path


class SeedError(ValueError):
    """The seed argument cannot be read; the message says why."""


def parse_seed_text(text: str) -> list[str]:
    """URLs from a seed file's text: CSV with a ``url`` column when the header has one, else one URL a line."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
    if "url" in header and len(header) > 1 or header == ["url"]:
        reader = csv.DictReader(io.StringIO("\n".join(lines)))
        reader.fieldnames = [h.strip().lower() for h in (reader.fieldnames or [])]
        return [row["url"].strip() for row in reader if (row.get("url") or "").strip()]
    return [ln.strip() for ln in lines]


def seed_urls(urls: str | None, seeds: str | None) -> list[str]:
    """The union of both arguments, in order, without duplicates."""
    out: list[str] = []
    if urls:
        out.extend(u.strip() for u in urls.split(",") if u.strip())
    if seeds:
        path = Path(seeds)
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SeedError(f"cannot read seeds file {seeds}: {exc}") from exc
        out.extend(parse_seed_text(text))
    return list(dict.fromkeys(out))
