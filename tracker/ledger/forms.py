"""Forms for the ledger: filtering, assigning and editing items, reporting progress."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, FloatField, HiddenField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as WTFormsValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.labels import choices
from tracker.reports import periods
from tracker.validation import DateInput

REQUIRED = _l("必填")


def optional_int(value) -> int | None:
    """A select's value as an id; None for the blank choice or anything not a number."""
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def options(pairs) -> list[SelectChoice]:
    """Select-box choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class TaskFilterForm(FlaskForm):
    """The ledger's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    # Picked from the units grouped by kind (links pass the id); an unknown id filters nothing.
    unit = SelectField(_l("单位"), coerce=optional_int, validate_choice=False, validators=[Optional()])
    status = SelectField(_l("状态"), default="", validators=[Optional()],
                         choices=options([("", _l("全部状态")), *choices("status")]))
    overdue = BooleanField(_l("仅看逾期"))
    q = StringField(_l("关键词"), validators=[Optional(), Length(max=100)])
    per_page = SelectField(_l("每页"), default="50", validators=[Optional()],
                           choices=options([("50", "50"), ("100", "100"), ("200", "200")]))


class TaskForm(FlaskForm):
    """Assign (新建) or edit an item; `version` is the one the editor read."""

    code = StringField(_l("编号"), validators=[Optional(), Length(max=40)],
                       description=_l("留空则自动编号，如 2.3.1"))
    title = StringField(_l("任务名称"), validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField(_l("任务内容"), validators=[Optional()])
    # Typed as a code or words of a title (the picker suggests items of the same plan);
    # the view reads it back into the parent's id (tracker.ledger.pickers).
    parent = StringField(_l("上级事项"), validators=[Optional(), Length(max=400)],
                         description=_l("输入编号或名称查找，如 2.3.1；留空为顶层事项"))
    lead_unit_id = SelectField(_l("牵头单位"), coerce=optional_int, validate_choice=False,
                               validators=[InputRequired(REQUIRED), NumberRange(min=1, message=REQUIRED)])
    co_unit_ids = SelectMultipleField(_l("配合单位"), coerce=int, validate_choice=False,
                                      validators=[Optional()])
    leader = StringField(_l("责任领导"), validators=[Optional(), Length(max=64)])
    start_date = DateInput(_l("开始日期"), validators=[Optional()])
    due_date = DateInput(_l("完成时限"), validators=[InputRequired(REQUIRED)])
    target_value = FloatField(_l("目标值"), validators=[Optional(), NumberRange(min=0)])
    target_unit = StringField(_l("计量单位"), validators=[Optional(), Length(max=20)])
    milestones = TextAreaField(_l("时间节点"), validators=[Optional()],
                               description=_l("每行一个：日期 序时进度 说明，如 2026-12-31 60 主体完工"))
    version = HiddenField()
    # The operations' field names for the fields this form shows under other names.
    aliases = {"parent_id": "parent"}

    def validate_milestones(self, field) -> None:
        """Parse one milestone per line; a bad line is named by its number."""
        self.milestone_list = []
        for number, line in enumerate((field.data or "").splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split(maxsplit=2)
            try:
                due = date.fromisoformat(parts[0])
                expected = int(parts[1].rstrip("%")) if len(parts) > 1 else None
            except ValueError:
                expected = due = None
            if due is None or expected is None or not 0 <= expected <= 100:
                raise WTFormsValidationError(
                    _l("第%(n)s行应为“日期 进度 说明”，如 2026-12-31 60 主体完工", n=number))
            self.milestone_list.append({"due_date": due, "expected_progress": expected,
                                        "title": parts[2] if len(parts) > 2 else ""})

    def values(self, parent_id: int | None) -> dict:
        """The fields as the ledger operations take them, with the parent read from `parent`."""
        return {"code": self.code.data or None, "title": self.title.data,
                "description": self.description.data or "", "parent_id": parent_id,
                "lead_unit_id": self.lead_unit_id.data, "co_unit_ids": list(self.co_unit_ids.data or []),
                "leader": self.leader.data or "", "start_date": self.start_date.data,
                "due_date": self.due_date.data, "target_value": self.target_value.data,
                "target_unit": self.target_unit.data or "",
                "milestones": getattr(self, "milestone_list", [])}


class StatusForm(FlaskForm):
    """The office suspends (暂缓) an item or resumes it."""

    status = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("暂缓理由"), validators=[Optional(), Length(max=500)])


class ReportForm(FlaskForm):
    """A progress report (报送): 进展情况 / 存在问题 / 下步计划, with evidence."""

    progress = IntegerField(_l("进度（%）"), validators=[InputRequired(REQUIRED), NumberRange(0, 100)])
    text = TextAreaField(_l("进展情况"), validators=[DataRequired(REQUIRED)])
    problems = TextAreaField(_l("存在问题"), validators=[Optional()])
    next_steps = TextAreaField(_l("下步计划"), validators=[Optional()])
    actual_value = FloatField(_l("累计完成"), validators=[Optional(), NumberRange(min=0)])
    period = StringField(_l("报送周期"), validators=[Optional(), Length(max=10)],
                         description=_l("如 2026-W47，留空为本期"))
    files = MultipleFileField(_l("佐证材料"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "monthly" in periods.enabled_kinds():
            self.period.description = _l("如 2026-W47（周）或 2026-11（月），留空为本周")


class CorrectionForm(FlaskForm):
    """A unit corrects its own report (更正) while the period is open."""

    progress = IntegerField(_l("进度（%）"), validators=[InputRequired(REQUIRED), NumberRange(0, 100)])
    text = TextAreaField(_l("进展情况"), validators=[DataRequired(REQUIRED)])
    problems = TextAreaField(_l("存在问题"), validators=[Optional()])
    next_steps = TextAreaField(_l("下步计划"), validators=[Optional()])
    actual_value = FloatField(_l("累计完成"), validators=[Optional(), NumberRange(min=0)])


def uploaded(field) -> list:
    """The files actually chosen in a file field (browsers send an empty part otherwise)."""
    return [f for f in field.data or [] if getattr(f, "filename", "")]


class ExemptionForm(FlaskForm):
    """The office marks an item exempt (豁免) for a stretch of days, with its kind and reason;
    the box must be ticked, since an exemption takes the item off the red/black list."""

    kind = SelectField(_l("豁免类型"), validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("豁免理由"), validators=[DataRequired(REQUIRED)])
    start_date = DateInput(_l("豁免起始日期"), validators=[InputRequired(REQUIRED)])
    end_date = DateInput(_l("豁免截止日期"), validators=[Optional()],
                         description=_l("不填则一直豁免，直至撤销"))
    confirm = BooleanField(_l("确认：该事项在豁免期内不列入红黑榜、不计逾期督办"),
                           validators=[DataRequired(_l("请勾选确认"))])


class RevokeExemptionForm(FlaskForm):
    """The office revokes an exemption, with a reason; the record stays."""

    reason = TextAreaField(_l("撤销理由"), validators=[DataRequired(REQUIRED)])
