"""Rendering switches: KDIR_RENDER, the browser path, and the Scrapy settings they produce."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from scrapy.settings import Settings as ScrapySettings

from crawler.render.config import HANDLER, RenderConfigError, configure, find_browser, render_mode
from crawler.runner import check_args
from kdir.common.config import ConfigError, Settings


def _executable(tmp_path: Path, name: str = "chromium") -> Path:
    exe = tmp_path / name
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def test_modes() -> None:
    assert render_mode(None) == render_mode("") == render_mode(" AUTO ") == "auto"
    assert render_mode("1") == render_mode("on") == "on"
    assert render_mode("false") == render_mode("off") == "off"
    with pytest.raises(RenderConfigError, match="KDIR_RENDER must be one of auto, on, off"):
        render_mode("sometimes")
    with pytest.raises(ConfigError, match="KDIR_RENDER"):
        Settings.from_env({"KDIR_RENDER": "maybe"})
    assert Settings.from_env({"KDIR_RENDER": "0"}).to_env()["KDIR_RENDER"] == "off"


def test_browser_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = _executable(tmp_path)
    assert find_browser(str(exe)) == str(exe)
    with pytest.raises(RenderConfigError, match="KDIR_BROWSER_PATH"):
        find_browser(str(tmp_path / "missing"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_browser() == str(exe)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_browser() is None


def test_configure_installs_the_handler_only_with_a_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KDIR_RENDER", raising=False)
    monkeypatch.delenv("KDIR_BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    s = ScrapySettings({"KDIR_RENDER_CONCURRENCY": 3, "KDIR_RENDER_TIMEOUT": 7})
    configure(s)
    assert not s.getbool("KDIR_RENDER_ACTIVE") and "no Chromium" in s["KDIR_RENDER_OFF_REASON"]
    assert s.getdict("DOWNLOAD_HANDLERS").get("http") != HANDLER
    with pytest.raises(RenderConfigError, match="no Chromium was found"):
        configure(ScrapySettings({"KDIR_RENDER": "on"}))

    exe = _executable(tmp_path)
    s = ScrapySettings({"KDIR_RENDER_CONCURRENCY": 3, "KDIR_RENDER_TIMEOUT": 7, "KDIR_BROWSER_PATH": str(exe)})
    configure(s)
    assert s.getbool("KDIR_RENDER_ACTIVE")
    assert s.getdict("DOWNLOAD_HANDLERS") == {"http": HANDLER, "https": HANDLER}
    launch = s.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == str(exe) and "--no-sandbox" in launch["args"]
    assert not launch["chromium_sandbox"]
    sandboxed = ScrapySettings({"KDIR_BROWSER_PATH": str(exe), "KDIR_BROWSER_SANDBOX": True})
    configure(sandboxed)
    assert "--no-sandbox" not in sandboxed.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
    assert s.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 3
    assert s.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") == 7000
    off = ScrapySettings({"KDIR_RENDER": "off", "KDIR_BROWSER_PATH": str(exe)})
    configure(off)
    assert not off.getbool("KDIR_RENDER_ACTIVE") and "KDIR_RENDER=off" in off["KDIR_RENDER_OFF_REASON"]


def test_kdir_crawl_refuses_on_without_a_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty") + os.pathsep + "/nonexistent")
    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_RENDER": "on"})
    with pytest.raises(ValueError, match="KDIR_RENDER=on but no Chromium"):
        check_args("clinic_site", {"urls": "https://a.example"}, settings)
    check_args("nppes", {}, settings)  # the registry spider never renders
    bad = Settings.from_env({"KDIR_ENV": "test", "KDIR_BROWSER_PATH": str(tmp_path / "nope")})
    with pytest.raises(ValueError, match="KDIR_BROWSER_PATH"):
        check_args("clinic_site", {"urls": "https://a.example"}, bad)


def test_a_directory_definition_can_refuse_rendering(tmp_path: Path) -> None:
    from scrapy.utils.test import get_crawler

    from crawler.spiders.directory import DirectorySpider

    base = ("name: {name}\nbase_url: https://d.example\nstart_urls: [/]\nlisting: {{links: {{css: a}}}}\n"
            "detail: {{name: {{css: h1}}}}\n")
    (tmp_path / "plain.yaml").write_text(base.format(name="plain") + "render: false\n")
    (tmp_path / "apps.yaml").write_text(base.format(name="apps"))
    browser = {"KDIR_BROWSER_PATH": str(_executable(tmp_path))}  # the spider installs the renderer
    for name, expected in (("plain", False), ("apps", True)):
        crawler = get_crawler(DirectorySpider, browser)
        spider = DirectorySpider.from_crawler(crawler, source=name, sources_dir=str(tmp_path))
        assert spider.can_render is expected, name
    crawler = get_crawler(DirectorySpider, {**browser, "KDIR_RENDER": "off"})
    assert not DirectorySpider.from_crawler(crawler, source="apps", sources_dir=str(tmp_path)).can_render
