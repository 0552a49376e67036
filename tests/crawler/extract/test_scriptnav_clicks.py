"""Which rendered menu entries are clicked, and which clicked addresses are pages of the site (pure)."""

from __future__ import annotations

from crawler.extract.clicktargets import MAX_CLICKS, MenuEntry, choose_clicks, clicked_links, skip_reason


def _entry(tag: str, text: str, **attrs: str) -> MenuEntry:
    return MenuEntry(tag, text, {k.replace("_", "-"): v for k, v in attrs.items()})


def test_entries_whose_target_cannot_be_read_are_clicked() -> None:
    for entry in (_entry("li", "Our team", onclick="go('team')"), _entry("button", "Fees"),
                  _entry("span", "Contact", role="menuitem"), _entry("a", "Conditions", href="#"),
                  _entry("a", "Gallery", href="javascript:void(0)"), _entry("div", "Book a consult")):
        assert skip_reason(entry) is None, entry


def test_entries_the_extraction_reads_are_not_clicked() -> None:
    for entry in (_entry("button", "Team", onclick="location.href='/team/'"), _entry("li", "FAQ", data_href="/faq/"),
                  _entry("li", "Fees", onclick="go('/fees/')"), _entry("a", "Blog", href="/blog/")):
        assert skip_reason(entry) == "readable", entry


def test_forms_toggles_risky_and_contact_entries_are_not_clicked() -> None:
    cases = {
        "form": [_entry("input", "Go", type="submit"), MenuEntry("button", "Send", {}, in_form=True),
                 _entry("button", "Reset", type="reset")],
        "toggle": [_entry("button", "Patients", aria_haspopup="true"), _entry("button", "Menu", aria_expanded="false"),
                   _entry("div", "Services", data_bs_toggle="dropdown")],
        "risky": [_entry("button", "Log in"), _entry("li", "Sign-up"), _entry("span", "Cart (0)"),
                  _entry("button", "My account"), _entry("button", "Accept cookies"), _entry("div", "Search"),
                  _entry("button", "", aria_label="Close")],
        "contact": [_entry("span", "(775) 555-0114"), _entry("span", "hello@clinic.test"),
                    _entry("li", "Call us", onclick="window.open('tel:+17755550114')")],
        "label": [_entry("div", ""), _entry("div", "x" * 61)],
    }
    for why, entries in cases.items():
        for entry in entries:
            assert skip_reason(entry) == why, (why, entry)


def test_risky_words_are_whole_words() -> None:
    assert skip_reason(_entry("li", "Ordering information")) is None  # not "order"
    assert skip_reason(_entry("li", "Research")) is None  # not "search"
    assert skip_reason(_entry("li", "Our team", aria_label="Our team")) is None


def test_one_click_per_label_in_page_order_and_capped() -> None:
    entries = [_entry("li", "Our team", onclick="go('team')"), _entry("button", "Log in"),
               _entry("li", "Fees", onclick="go('fees')"), _entry("span", "our  TEAM".replace("  ", " "))]
    assert choose_clicks(entries) == [0, 2]
    many = [_entry("li", f"Page {i}", onclick=f"go({i})") for i in range(30)]
    assert choose_clicks(many) == list(range(MAX_CLICKS))
    assert choose_clicks(many, cap=3) == [0, 1, 2] and choose_clicks(many, cap=0) == []


def test_entries_from_the_browser() -> None:
    entry = MenuEntry.from_browser({"tag": "LI", "text": " Our\n team ", "attrs": {"OnClick": "go('team')"},
                                    "form": False})
    assert entry == MenuEntry("li", "Our team", {"onclick": "go('team')"})
    assert MenuEntry.from_browser({"tag": None, "attrs": "junk"}) == MenuEntry("", "", {})


def test_clicked_links_keep_same_site_pages_once() -> None:
    found = [("https://clinic.test/team/#top", "Our team"), ("https://www.clinic.test/fees/", "Fees"),
             ("https://booking.example.com/clinic", "Book"), ("tel:+17755550114", "Call"),
             ("https://clinic.test/", "Home"), ("https://clinic.test/#contact", "Contact"),
             ("https://clinic.test/team/", "Team again"), ("http://[broken/", "Broken")]
    assert clicked_links("https://clinic.test/", found) == [
        ("https://clinic.test/team/", "Our team"), ("https://www.clinic.test/fees/", "Fees")]
