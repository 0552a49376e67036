"""Testimonials that are not patient reviews: placeholders, the clinic's own voice, famous quotes."""

from __future__ import annotations

import pytest

from crawler.extract import extract_page
from crawler.extract.reviews import is_patient_review
from kdir.common.record import Review


@pytest.mark.parametrize(("text", "author"), [
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.", "Client Name"),
    ("The infusions changed my life and the staff were wonderful.", "John Doe"),
    ("Add your testimonial here. Tell visitors what your clients say.", None),
    ("This clinic gave me my life back.", "Client Name, Position"),
])
def test_template_placeholders_are_not_reviews(text: str, author: str | None) -> None:
    assert not is_patient_review(Review(text=text, author=author))


@pytest.mark.parametrize(("text", "author"), [
    ("I opened this clinic because I watched a friend struggle with depression for years.",
     "Dr. Dana Whitfield, Founder"),
    ("Our patients deserve care that is safe, kind and grounded in evidence.", "Medical Director"),
    ("When I founded the practice I wanted a calm place for ketamine therapy.", None),
])
def test_the_clinics_own_voice_is_not_a_review(text: str, author: str | None) -> None:
    assert not is_patient_review(Review(text=text, author=author))


def test_a_clinician_named_on_the_page_does_not_review_their_own_clinic() -> None:
    r = Review(text="Every session here is planned around the person in the chair.", author="Ana Ortiz")
    assert not is_patient_review(r, staff_names=["Ana Ortiz"])
    assert is_patient_review(Review(text="The session with Ana Ortiz helped me.", author="Sam K."),
                             staff_names=["Ana Ortiz"])


@pytest.mark.parametrize(("text", "author"), [
    ("The wound is the place where the light enters you.", "Rumi"),
    ("I have not failed. I have just found ten thousand ways that will not work.", "Thomas Edison"),
    ("Even the darkest night will end and the sun will rise.", "Victor Hugo (1802-1885)"),
    ("Out of difficulties grow miracles.", None),
])
def test_famous_quotes_are_not_reviews(text: str, author: str | None) -> None:
    assert not is_patient_review(Review(text=text, author=author))


@pytest.mark.parametrize(("text", "author", "rating"), [
    ("I finally feel like myself again.", "Jamie R.", None),
    ("I walked in skeptical and walked out with hope for the first time in years.", "J.", None),
    ("El Dr. Núñez me escuchó de verdad.", "Lucía G.", None),
    ("Great", None, 5.0),
    ("Kind people, clean office, and they never rushed me.", "D.W., Beaverton", None),
])
def test_patient_reviews_are_kept(text: str, author: str | None, rating: float | None) -> None:
    assert is_patient_review(Review(text=text, author=author, rating=rating))


def test_a_testimonials_page_keeps_patients_only_and_marks_them_self_published() -> None:
    html = """<html><body><h1>Kind words</h1>
    <blockquote>“The wound is the place where the light enters you.” — Rumi</blockquote>
    <blockquote>“Lorem ipsum dolor sit amet, consectetur adipiscing elit.” — Client Name</blockquote>
    <blockquote>“I started this clinic so nobody waits months for help.” — Dr. Ana Ortiz, Founder</blockquote>
    <blockquote>“After the third infusion the fog lifted. The nurses were kind.” — Priya S.</blockquote>
    </body></html>"""
    f = extract_page(html, "https://a.example/testimonials/")
    assert [(r.author, r.self_published) for r in f.reviews] == [("Priya S.", True)]
