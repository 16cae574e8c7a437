"""Forms of the problem ledger: its filters and the office's and coordinating unit's steps."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.ledger.forms import REQUIRED, optional_int, options
from tracker.validation import DateInput

STATUS_LABELS = {"open": _l("待处理"), "assigned": _l("协调中"), "resolved": _l("已解决")}


def categories() -> list[tuple[str, str]]:
    return [(c, c) for c in current_app.config["SETTINGS"]["foresight"]["categories"]]


class ProblemFilterForm(FlaskForm):
    """The list's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("状态"), default="", validators=[Optional()],
                         choices=options([("", _l("全部状态")), *STATUS_LABELS.items()]))
    category = SelectField(_l("类别"), default="", validators=[Optional()])
    unit = SelectField(_l("单位"), coerce=optional_int, validate_choice=False, validators=[Optional()])
    older_than = IntegerField(_l("已提出天数不少于"), validators=[Optional(), NumberRange(min=1, max=3650)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options([("", _l("全部类别")), *categories()])


class ClassifyForm(FlaskForm):
    category = SelectField(_l("类别"), validators=[DataRequired(REQUIRED)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options(categories())


class AssignForm(FlaskForm):
    coordinator_unit_id = SelectField(_l("协调单位"), coerce=optional_int, validate_choice=False,
                                      validators=[InputRequired(REQUIRED)])
    due_date = DateInput(_l("协调时限"), validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("交办意见"), validators=[Optional(), Length(max=2000)])


class ResolveForm(FlaskForm):
    note = TextAreaField(_l("解决情况"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("办理情况"), validators=[DataRequired(REQUIRED), Length(max=2000)])
