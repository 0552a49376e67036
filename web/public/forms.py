"""Public forms (Flask-WTF, CSRF-protected). No account and no personal data needed to report a problem."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

FLAG_CATEGORIES = [
    ("wrong_info", "Wrong or outdated information"),
    ("closed", "This place has closed or moved"),
    ("unsafe", "Unsafe practice or a red flag"),
    ("duplicate", "Listed twice"),
    ("other", "Something else"),
]


def _choices() -> list:  # type: ignore[type-arg]
    """WTForms >= 3.3 wants SelectChoice objects (tuples are deprecated there)."""
    try:
        from wtforms import SelectChoice  # type: ignore[attr-defined]
    except ImportError:
        return list(FLAG_CATEGORIES)
    return [SelectChoice(value, text) for value, text in FLAG_CATEGORIES]


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class ReportForm(FlaskForm):
    category = SelectField("What is wrong?", choices=_choices(), validators=[DataRequired()])
    message = TextAreaField("What is wrong, in a few words (please leave out your own health information)",
                            filters=[_strip],
                            validators=[DataRequired(message="Please describe the problem: the report is empty."),
                                        Length(max=2000, message="Please keep it under 2,000 characters.")])
    contact = EmailField("Your email, if you want an answer (optional)",
                         validators=[Optional(), Length(max=320),
                                     Regexp(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", message="Not an email address")])
