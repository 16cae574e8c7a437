"""Forms of the regime pages: bulletins, the dispatch meeting record, the annual evaluation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (FieldList, FloatField, Form, FormField, IntegerField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.labels import choices
from wtforms.validators import ValidationError as WTFormsValidationError

from tracker.ledger.forms import REQUIRED, optional_int, options
from tracker.once import OnceMixin
from tracker.validation import DateInput

AGREED_ROWS = 5


class BulletinFilterForm(FlaskForm):
    """The bulletin list's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("类型"), default="", validators=[Optional()],
                       choices=options([("", _l("全部类型")), *choices("bulletin_kind")]))
    status = SelectField(_l("状态"), default="", validators=[Optional()],
                         choices=options([("", _l("全部状态")), *choices("bulletin_status")]))


class AsOfForm(FlaskForm):
    """The date a page judges the ledger as of (GET, no CSRF)."""

    class Meta:
        csrf = False

    as_of = DateInput(_l("统计日期"), validators=[Optional()])


class YearForm(AsOfForm):
    year = IntegerField(_l("年度"), validators=[Optional(), NumberRange(2000, 2100)])


class CompileForm(FlaskForm):
    """The office compiles a draft for a kind and period."""

    kind = SelectField(_l("类型"), choices=options(choices("bulletin_kind")), validators=[DataRequired(REQUIRED)])
    period = StringField(_l("期间"), validators=[DataRequired(REQUIRED), Length(max=10)],
                         description=_l("如 2026-W47、2026-11、2026-Q4、2026"))


class DraftForm(FlaskForm):
    """The office's words in a draft: opening, commentary, next period's key points."""

    opening = TextAreaField(_l("导语"), validators=[Optional()])
    commentary = TextAreaField(_l("点评"), validators=[Optional()])
    key_points = TextAreaField(_l("下步工作重点"), validators=[Optional()],
                               description=_l("每行一条，列在下期到期事项之前"))


class ButtonForm(FlaskForm):
    """A button's POST (publish, compile again) carries nothing but the CSRF token."""


class AgreedItemForm(Form):
    """One agreed item (议定事项); a row left blank is skipped."""

    title = StringField(_l("议定事项"), validators=[Optional(), Length(max=300)])
    # Picked from the units grouped by kind, as on the item form.
    lead_unit = SelectField(_l("牵头单位"), coerce=optional_int, validate_choice=False,
                            validators=[Optional()])
    due_date = DateInput(_l("完成时限"), validators=[Optional()])
    leader = StringField(_l("责任领导"), validators=[Optional(), Length(max=64)])

    def is_blank(self) -> bool:
        return not (self.title.data or "").strip()

    def validate_lead_unit(self, field) -> None:
        if not self.is_blank() and not field.data:
            raise WTFormsValidationError(_l("请选择牵头单位"))

    def validate_due_date(self, field) -> None:
        if not self.is_blank() and field.data is None and not field.errors:
            raise WTFormsValidationError(REQUIRED)


class MeetingForm(OnceMixin, FlaskForm):
    """A dispatch meeting (周调度会) and the agreed items it turns into tasks."""

    title = StringField(_l("会议名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    held_on = DateInput(_l("会议日期"), validators=[InputRequired(REQUIRED)])
    notes = TextAreaField(_l("会议纪要"), validators=[Optional()])
    items = FieldList(FormField(AgreedItemForm), min_entries=AGREED_ROWS, max_entries=20)

    def agreed_items(self) -> list[dict]:
        """The filled rows as record_meeting takes them."""
        return [{"title": row.title.data.strip(), "due_date": row.due_date.data,
                 "lead_unit_id": row.lead_unit.data, "leader": row.leader.data or ""}
                for row in (entry.form for entry in self.items) if not row.is_blank()]

    def set_unit_choices(self, groups: dict) -> None:
        """Every row picks its unit from *groups* ({kind label: [(id, name)]})."""
        for entry in self.items:
            entry.form.lead_unit.choices = groups


class AdjustmentForm(OnceMixin, FlaskForm):
    """The office rates, adjusts or vetoes a unit's annual score, always with a reason."""

    unit_id = SelectField(_l("单位"), coerce=optional_int, validate_choice=False,
                          validators=[InputRequired(REQUIRED)])
    kind = SelectField(_l("类型"), choices=options(choices("adjustment")),
                       validators=[DataRequired(REQUIRED)])
    rating = SelectField(_l("质量评价"), default="", validators=[Optional()])
    points = FloatField(_l("加减分"), validators=[Optional()])
    reason = TextAreaField(_l("理由"), validators=[DataRequired(REQUIRED)])
