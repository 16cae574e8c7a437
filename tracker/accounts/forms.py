"""Forms for login and account management."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectField,
                     StringField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.accounts.operations import MAX_PASSWORD, MIN_PASSWORD
from tracker.labels import choices
from tracker.ledger.forms import REQUIRED, optional_int, options
from tracker.once import OnceMixin
from tracker.validation import MAX_INTEGER


class LoginForm(FlaskForm):
    login = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    # Every password the policy allows (operations._check_password) can be typed here.
    password = PasswordField(_l("密码"), validators=[InputRequired(), Length(max=MAX_PASSWORD)])


class UnitForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(REQUIRED), Length(max=120)])
    kind = SelectField(_l("类型"), choices=options(choices("kind")), default="department")
    parent_id = SelectField(_l("上级单位"), coerce=optional_int, validate_choice=False)
    email = EmailField(_l("联系邮箱"), validators=[Optional(), Length(max=254)])
    # The unit's place in pickers and lists; blank: after the last unit of its kind.
    sort_order = IntegerField(_l("排序"), validators=[Optional(), NumberRange(-MAX_INTEGER, MAX_INTEGER)],
                              description=_l("数字小的排在前面；留空则排在同类单位之后"))


class UnitEditForm(UnitForm):
    """Edit a unit: the fields it was created with, its order among them included."""


class UserForm(FlaskForm):
    login = StringField(_l("用户名"), validators=[DataRequired(REQUIRED), Length(max=64)])
    name = StringField(_l("姓名"), validators=[DataRequired(REQUIRED), Length(max=64)])
    unit_id = SelectField(_l("所属单位"), coerce=optional_int, validate_choice=False,
                          validators=[InputRequired(REQUIRED)])
    role = SelectField(_l("角色"), choices=options(choices("role")), default="unit")
    email = EmailField(_l("邮箱"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)])


class UserEditForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(REQUIRED), Length(max=64)])
    unit_id = SelectField(_l("所属单位"), coerce=optional_int, validate_choice=False,
                          validators=[InputRequired(REQUIRED)])
    role = SelectField(_l("角色"), choices=options(choices("role")))
    email = EmailField(_l("邮箱"), validators=[Optional(), Length(max=254)])


class OwnPasswordForm(FlaskForm):
    """A user changes their own password (the current one required)."""

    current_password = PasswordField(_l("当前密码"), validators=[InputRequired(REQUIRED), Length(max=MAX_PASSWORD)])
    password = PasswordField(_l("新密码"), validators=[DataRequired(REQUIRED), Length(
        min=MIN_PASSWORD, max=MAX_PASSWORD, message=_l("新密码须为 %(min)d–%(max)d 个字符"))])
    revoke_tokens = BooleanField(_l("同时撤销我的 API 令牌"))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)])
    # A reset revokes the user's API tokens unless the office keeps them.
    keep_tokens = BooleanField(_l("保留其 API 令牌"))


class ActiveForm(FlaskForm):
    """Deactivate (停用) or reactivate (启用) a user."""

    is_active = HiddenField(validators=[DataRequired()])


class TokenForm(OnceMixin, FlaskForm):
    """Create a token for yourself, or revoke one: nothing to fill in but the CSRF token."""
