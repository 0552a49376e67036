"""A source is named by its title once one is known (a directory crawled before it had one keeps its key)."""

from __future__ import annotations

from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import Source
from indexer.storage import ObservationStore


def _names(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {src.key: src.name for src in s.scalars(select(Source))}


def test_a_title_replaces_the_key_but_never_a_real_name(db: Database) -> None:
    store = ObservationStore(db.factory)
    store.ensure_source("directory:sample", None, "directory")
    assert _names(db) == {"directory:sample": "directory:sample"}
    store.ensure_source("directory:sample", "KetamineFinder Sample", "directory")
    assert _names(db) == {"directory:sample": "KetamineFinder Sample"}
    store.ensure_source("directory:sample", "Something Else", "directory")  # a name given stays
    store.ensure_source("directory:sample", None, "directory")
    assert _names(db) == {"directory:sample": "KetamineFinder Sample"}


def test_the_runner_names_a_directory_by_its_definition_title() -> None:
    from crawler.runner import _source_title

    assert _source_title("directory", {"source": "sample"}) == "KetamineFinder Sample"
    assert _source_title("directory", {"source": "no-such-directory"}) is None
    assert _source_title("clinic_site", {}) is None
