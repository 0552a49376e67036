"""The drift guard on a real directory crawl defined only by a YAML file; the `kdir crawl` command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.runner import CrawlFailed, run_spider, run_status
from indexer.db import Database
from kdir.cli import main
from tests.crawler.conftest import FAST, crawl_settings, observations
from tests.crawler.trapweb import Hit, Reply, TrapSite

YAML = """
name: drifty
title: Drifty Directory
base_url: {base}
start_urls: ["/list?page=1"]
follow_website: false
listing:
  links: {{xpath: "//li/a[@class='clinic']/@href", all: true}}
  next_page: {{css: "a.more::attr(href)"}}
detail:
  name: {{css: "h1::text"}}
  phones: {{css: ".tel::text", all: true}}
  city: {{css: ".city::text"}}
  region: {{css: ".state::text"}}
  postal_code: {{css: ".zip::text"}}
  modalities: {{css: ".treat li::text", all: true, labels: {{"IV": iv_infusion, "Spravato": esketamine_nasal}}}}
"""


class Directory:
    """A two-page directory whose listing count can shrink between crawls."""

    def __init__(self) -> None:
        self.count = 10
        self.site = TrapSite("127.0.0.140", {"/list": self.listing, "/clinic": self.detail})

    def listing(self, hit: Hit) -> Reply:
        page = 2 if "page=2" in hit.path else 1
        ids = range(self.count)[(page - 1) * 5: page * 5]
        items = "".join(f'<li><a class="clinic" href="/clinic?id={i}&utm_source=x">C{i}</a></li>' for i in ids)
        more = '<a class="more" href="/list?page=2">more</a>' if page == 1 and self.count > 5 else ""
        return Reply(body=f"<html><body><ul>{items}</ul>{more}</body></html>".encode())

    def detail(self, hit: Hit) -> Reply:
        i = int(hit.path.split("id=")[1].split("&")[0])
        return Reply(body=(f"<html><body><h1>Drift Clinic {i}</h1><p class=tel>(512) 555-{2000 + i}</p>"
                           f"<p><span class=city>Austin</span> <span class=state>Texas</span> <span class=zip>"
                           f"787{i:02d}</span></p><ul class=treat><li>IV ketamine</li><li>Spravato&reg;</li>"
                           "<li>Massage</li></ul></body></html>").encode())


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[tuple[Directory, Path]]:
    d = Directory()
    d.site.start()
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "drifty.yaml").write_text(YAML.format(base=d.site.url))
    yield d, sources
    d.site.stop()


def test_drift_guard_marks_run_suspect(directory: tuple[Directory, Path], tmp_path: Path, db: Database,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite and PostgreSQL: the first crawl through `kdir crawl` (its summary line), the second through
    the runner."""
    d, sources = directory
    settings = crawl_settings(tmp_path / "var", database_url=db.url)
    monkeypatch.setenv("KDIR_ENV", "test")
    monkeypatch.setenv("KDIR_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("KDIR_DATABASE_URL", settings.database_url)
    fast = [x for k, v in FAST.items() for x in ("-s", f"{k}={v}")]
    result = CliRunner().invoke(main, ["crawl", "directory", "-a", "source=drifty", "-a", f"sources_dir={sources}",
                                       *fast])
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("run 1 of directory finished ok in ") and "10 listings read (10 new or changed) from " in line
    assert line.endswith("no errors")
    args = {"source": "drifty", "sources_dir": str(sources)}
    st = run_status(settings, 1)
    assert st["status"] == "ok" and st["items"] == 10 and st["new"] == 10
    items = observations(settings, "directory:drifty")
    assert len(items) == 10
    one = next(o for o in items if o["name"] == "Drift Clinic 3")
    assert one["phones"] == ["+15125552003"]
    assert one["address"]["region"] == "TX" and one["address"]["postal_code"] == "78703"
    assert one["modalities"] == ["iv_infusion", "esketamine_nasal"]
    assert "utm_source" not in one["source_url"]

    d.count = 3  # the directory suddenly lists far fewer clinics
    second = run_spider("directory", args, settings=settings, extra_settings=FAST, timeout=60)
    st2 = run_status(settings, second)
    assert st2["status"] == "suspect" and st2["items"] == 3 and st2["new"] == 0
    assert "last good run" in st2["suspect_reason"]
    assert len(observations(settings, "directory:drifty")) == 10  # the last good data is kept


def test_cli_rejects_bad_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDIR_ENV", "test")
    monkeypatch.setenv("KDIR_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("KDIR_DATABASE_URL", f"sqlite:///{tmp_path}/kdir.sqlite3")
    bad = CliRunner().invoke(main, ["crawl", "directory", "-a", "source=missing"])
    assert bad.exit_code == 2 and "no directory definition missing.yaml" in bad.output
    bad = CliRunner().invoke(main, ["crawl", "osm", "-a", "area"])
    assert bad.exit_code == 2 and "-a expects KEY=VALUE" in bad.output
    bad = CliRunner().invoke(main, ["crawl", "nppes", "-a", "states=XX"])
    assert bad.exit_code == 2 and "unknown state codes: XX" in bad.output
    assert not (tmp_path / "kdir.sqlite3").exists()  # arguments are checked before any run is recorded


def test_runner_reports_a_dead_site(tmp_path: Path) -> None:
    settings = crawl_settings(tmp_path / "var")
    with pytest.raises(CrawlFailed, match="all 1 sites failed to answer"):
        run_spider("clinic_site", {"urls": "http://127.0.0.141:9/"}, settings=settings,
                   extra_settings={**FAST, "RETRY_TIMES": 0}, timeout=60)
    with pytest.raises(ValueError, match="needs -a urls"):
        run_spider("clinic_site", {}, settings=settings)
