"""Flask-WTF forms of the moderation screens (each carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kdir.common.fields import EDITABLE_FIELDS, FIELD_LABELS
from web.ids import MAX_ID


class ApproveForm(FlaskForm):
    note = StringField("Note (optional)", validators=[Optional(), Length(max=2000)])


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason (kept: a later crawl never brings the listing back)",
                           validators=[DataRequired(), Length(min=3, max=2000)])


class EditFieldForm(FlaskForm):
    field = SelectField("Field", choices=[(f, FIELD_LABELS[f]) for f in EDITABLE_FIELDS])
    value = TextAreaField("New value (lists: comma separated; empty clears)", validators=[Length(max=4000)])
    note = TextAreaField("Why (kept with the override)", validators=[DataRequired(), Length(min=3, max=2000)])


class ClearOverrideForm(FlaskForm):
    field = SelectField("Field", choices=[(f, FIELD_LABELS[f]) for f in EDITABLE_FIELDS])
    note = StringField("Why", validators=[DataRequired(), Length(min=3, max=2000)])


class MergeForm(FlaskForm):
    other_id = IntegerField("Merge this provider id into the one shown",
                            validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    reason = StringField("Why", validators=[DataRequired(), Length(min=3, max=2000)])


class SplitForm(FlaskForm):
    observations = SelectMultipleField("Observations to move to a new provider", coerce=int,
                                       validators=[DataRequired()])
    reason = StringField("Why", validators=[DataRequired(), Length(min=3, max=2000)])


class HideReviewForm(FlaskForm):
    reason = StringField("Why hide this review", validators=[DataRequired(), Length(min=3, max=2000)])


class ResolveFlagForm(FlaskForm):
    resolution = StringField("Resolution", validators=[DataRequired(), Length(min=3, max=2000)])


class BulkForm(FlaskForm):
    """Step 1 of a bulk action: the queue's filter and the action; answered with a confirmation page."""

    source = HiddenField()
    state = HiddenField()
    reason = HiddenField()
    verified = HiddenField()
    action = SelectField("Action", choices=[("approve", "Approve and publish"), ("reject", "Reject")])


class BulkConfirmForm(FlaskForm):
    """Step 2: the exact listings shown on the confirmation page (ids), the action and its reason or note."""

    ids = HiddenField(validators=[DataRequired(), Length(max=200_000)])
    refused = HiddenField(validators=[Length(max=200_000)])  # left alone by the rule: reported, not acted on
    action = HiddenField(validators=[DataRequired()])
    selection = HiddenField(validators=[Length(max=2000)])
    note = StringField("Note for the audit log (optional)", validators=[Optional(), Length(max=2000)])
    reject_reason = TextAreaField("Reason (kept with every rejected listing)", validators=[Optional(),
                                                                                         Length(max=2000)])
