"""Clinic names: generic headings and slogans are not names; logo alt text and the copyright holder are."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.extract import combine_site, extract_page
from crawler.extract.sitename import is_generic

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
BODY = "<p>We offer ketamine infusions for depression at 12 Elm St, Salem, OR 97301. Call (503) 555-0142.</p>"


def page(title: str, h1: str, extra: str = "", footer: str = "") -> str:
    return (f"<html><head><title>{title}</title></head><body><header>{extra}</header><h1>{h1}</h1>{BODY}"
            f"<footer>{footer}</footer></body></html>")


@pytest.mark.parametrize("text", ["Welcome", "Home", "Safe, supervised care", "Feel like yourself again",
                                  "Welcome to our clinic", "Hope starts here."])
def test_generic_headings_and_slogans(text: str) -> None:
    assert is_generic(text)


@pytest.mark.parametrize("text", ["Calm Ketamine Clinic", "Harbor Light Wellness", "Blue Ridge Psychiatry",
                                  "Willow & Stone"])
def test_brand_names_are_not_generic(text: str) -> None:
    assert not is_generic(text)


def test_a_slogan_title_and_welcome_heading_give_way_to_the_logo() -> None:
    html = page("Safe, supervised care", "Welcome",
                extra='<a class="custom-logo-link" href="/"><img src="/wp-content/uploads/mark.png" '
                      'alt="Calm Ketamine Clinic logo"></a>')
    f = extract_page(html, "https://calm.example/")
    assert [(c.name, c.origin) for c in f.names] == [("Calm Ketamine Clinic", "logo")]
    [item] = combine_site([f], source="web", site_url="https://calm.example/", fetched_at=NOW)
    assert item.name == "Calm Ketamine Clinic"


def test_the_copyright_holder_names_a_site_whose_titles_do_not() -> None:
    footer = "<p>\u00a9 2025 Harbor Light Ketamine, LLC. All rights reserved.</p>"
    pages = [extract_page(page(t, h, footer=footer), u) for t, h, u in (
        ("Home", "Feel like yourself again", "https://harbor.example/"),
        ("Our team", "Our team", "https://harbor.example/team/"),
        ("Fees", "Fees", "https://harbor.example/fees/"))]
    [item] = combine_site(pages, source="web", site_url="https://harbor.example/", fetched_at=NOW)
    assert item.name == "Harbor Light Ketamine"


def test_the_title_brand_part_wins_over_home() -> None:
    f = extract_page(page("Home | Stillpoint Ketamine", "Safe, supervised care"), "https://still.example/")
    assert [c.name for c in f.names] == ["Stillpoint Ketamine"]


def test_a_row_of_insurer_logos_names_no_one() -> None:
    html = page("Insurance", "Insurance", footer='<div class="logo-grid"><img src="/logos/aetna.svg" '
                'alt="Aetna logo"><img src="/logos/pic.svg" alt="Portrait"></div>')
    assert extract_page(html, "https://a.example/insurance/").names == []
