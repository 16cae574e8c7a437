"""Forms of the notification pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.labels import choices
from tracker.ledger.forms import options



class ChannelForm(FlaskForm):
    """Add a channel to a unit."""

    kind = SelectField(_l("渠道类型"), choices=options(choices("channel")))
    target = StringField(_l("地址（邮箱或机器人 URL）"), validators=[DataRequired(), Length(max=1000)])
    secret = PasswordField(_l("签名密钥（可选）"), validators=[Optional(), Length(max=500)])


class CalendarForm(FlaskForm):
    """Upload official holidays and make-up working days (CSV or Excel: 日期, 休/班, 说明)."""

    file = FileField(_l("节假日安排文件"), validators=[FileRequired(), FileAllowed(["csv", "xlsx"])])


class ChaseForm(FlaskForm):
    """The office's 催办 of an item or of a unit's overdue items, with an optional message."""

    message = TextAreaField(_l("催办意见（可选）"), validators=[Optional(), Length(max=500)])
    next = HiddenField()
