"""Forms for sign-off (销号) and extension (延期) requests and the office's decisions."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from tracker.ledger.forms import REQUIRED
from tracker.validation import DateInput


class SignoffRequestForm(FlaskForm):
    note = TextAreaField(_l("完成情况说明"), validators=[Optional()])
    files = MultipleFileField(_l("佐证材料"))


class ExtensionRequestForm(FlaskForm):
    new_due_date = DateInput(_l("申请延至"), validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(_l("延期理由"), validators=[DataRequired(REQUIRED)])


class DecisionForm(FlaskForm):
    """Approve (no reason needed) or reject / send back (reason required by the rules)."""

    reason = TextAreaField(_l("理由"), validators=[Optional()])
    next = HiddenField()


class BatchApproveForm(FlaskForm):
    """Approve the ticked sign-off requests (request_ids, read from the form as a list)."""

    next = HiddenField()
