"""Login and logout; the office's unit and user management; everyone's own API tokens."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import selectinload

from tracker import once
from tracker.accounts import edits, operations
from tracker.accounts.forms import (ActiveForm, LoginForm, OwnPasswordForm, PasswordForm, TokenForm,
                                    UnitEditForm, UnitForm, UserEditForm, UserForm)
from tracker.accounts.lookups import grouped_unit_choices
from tracker.accounts.permissions import require_office
from tracker.errors import NotFound, PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.messages import page_text
from tracker.lookup import require
from tracker.once import AlreadySubmitted
from tracker.models import ApiToken, Unit, User
from tracker.confirm import confirm_step
from tracker.paging import paginate
from tracker.web import form_post, safe_next, start_session

bp = Blueprint("accounts", __name__)
PER_PAGE = 50


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.login.data, form.password.data,
                                           request.remote_addr or "unknown")
        except (ValidationError, PermissionDenied) as exc:
            db.session.commit()  # keep the failure on record for throttling
            flash(page_text(exc), "error")
            return render_template("accounts/login.html", form=form), 401 if isinstance(
                exc, ValidationError) else 429
        db.session.commit()
        login_user(user)
        start_session(user)
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.home"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: this session, and every other session of the user, ends on the server too
    (a copy of the cookie is refused afterwards)."""
    operations.end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("已退出登录"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/admin/units", methods=["GET", "POST"])
@login_required
def units():
    """The office lists units and adds one."""
    require_office(current_user)
    form = UnitForm()
    form.parent_id.choices = grouped_unit_choices()
    return form_post(
        form, lambda: operations.create_unit(current_user, form.name.data, form.kind.data,
                                             form.parent_id.data or None, form.email.data or None,
                                             form.sort_order.data),
        done=lambda unit: _("已新建单位 %(name)s", name=unit.name), to=url_for("accounts.units"),
        page=lambda: render_template("admin/units.html", form=form, units=paginate(
            operations.units_query(order="name").options(selectinload(Unit.parent)), PER_PAGE)))


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users():
    """The office lists users and adds one."""
    require_office(current_user)
    form = UserForm()
    form.unit_id.choices = grouped_unit_choices()
    return form_post(
        form, lambda: operations.create_user(current_user, form.login.data, form.name.data,
                                             form.unit_id.data, form.role.data, form.password.data,
                                             form.email.data or None),
        done=lambda user: _("已新建用户 %(login)s", login=user.login), to=url_for("accounts.users"),
        page=lambda: render_template("admin/users.html", form=form, users=paginate(
            operations.users_query(current_user, order="login").options(selectinload(User.unit)), PER_PAGE),
            password_form=PasswordForm(formdata=None)))


@bp.route("/admin/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
def edit_unit(unit_id: int):
    """The office edits a unit (name, kind, parent, email, order)."""
    require_office(current_user)
    unit = operations.get_unit(unit_id)
    form = UnitEditForm(obj=unit)
    form.parent_id.choices = {kind: [c for c in group if c[0] != unit.id]
                              for kind, group in grouped_unit_choices().items()}
    values = lambda: {name: field.data for name, field in form._fields.items()  # noqa: E731
                      if name != "csrf_token"}
    return form_post(
        form, lambda: edits.update_unit(current_user, unit, values()),
        done=lambda unit: _("已保存单位 %(name)s", name=unit.name), to=url_for("accounts.units"),
        page=lambda: render_template("admin/unit_edit.html", form=form, unit=unit))


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    """The office edits a user (name, unit, role, email); a new role or unit ends their
    sessions."""
    require_office(current_user)
    user = require(User, user_id)
    form = UserEditForm(obj=user)
    form.unit_id.choices = grouped_unit_choices()
    return form_post(
        form, lambda: edits.update_user(current_user, user, {
            "name": form.name.data, "unit_id": form.unit_id.data, "role": form.role.data,
            "email": form.email.data or None}),
        done=lambda user: _("已保存用户 %(login)s", login=user.login), to=url_for("accounts.users"),
        page=lambda: render_template("admin/user_edit.html", form=form, user=user))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your account: change your own password (the current one required; your other
    sessions end, this one goes on) and a way to your API tokens."""
    form = OwnPasswordForm()
    user = current_user._get_current_object()

    def change():
        edits.change_own_password(user, form.current_password.data, form.password.data,
                                       form.revoke_tokens.data)

    response = form_post(form, change, done=_("密码已修改，其他设备上的登录已退出"),
                         to=url_for("accounts.account"),
                         page=lambda: render_template("accounts/account.html", form=form))
    if form.is_submitted() and not isinstance(response, tuple):
        start_session(user)  # the session that changed it goes on
    return response


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@login_required
def set_active(user_id: int):
    """The office deactivates (停用) or reactivates (启用) a user."""
    require_office(current_user)
    user = require(User, user_id)
    form = ActiveForm()
    if form.is_active.data != "1" and (page := confirm_step(
            _("停用用户 %(login)s", login=user.login),
            _("停用后该用户所有登录立即退出，API 令牌失效，不能再登录；记录保留，可随时启用。"),
            _("确认停用"))):
        return page
    operations.set_user_active(current_user, user, form.is_active.data == "1")
    db.session.commit()
    flash(_("已启用 %(login)s", login=user.login) if user.is_active
          else _("已停用 %(login)s", login=user.login), "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@login_required
def reset_password(user_id: int):
    """The office sets a new password for a user."""
    require_office(current_user)
    user = require(User, user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        raise ValidationError(_("新密码至少 %(count)s 个字符", count=operations.MIN_PASSWORD), "password")
    operations.set_password(current_user, user, form.password.data, keep_tokens=form.keep_tokens.data)
    db.session.commit()
    if user.id == current_user.id:
        start_session(user)  # the one session that changed it goes on
    flash(_("已重置 %(login)s 的密码", login=user.login), "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Your own API tokens. A new token is shown once, in this response, and never stored."""
    form = TokenForm()
    raw = None
    if form.validate_on_submit():
        try:
            once.spend(current_user, form.nonce.data)
        except AlreadySubmitted:  # a double submit: the first one made the token
            db.session.rollback()
            flash(_("该表单已经提交过，没有重复创建令牌；新令牌只在第一次提交的页面上显示，"
                    "若未保存请撤销后重新创建"), "info")
            return redirect(url_for("accounts.tokens"))
        raw = operations.create_token(current_user, current_user)
        db.session.commit()
        form = TokenForm(formdata=None)  # the page answered carries a fresh nonce
    page = paginate(operations.tokens_query(current_user), PER_PAGE)
    # Answering the POST directly (no redirect) keeps the raw token out of the session cookie.
    return render_template("admin/tokens.html", form=form, tokens=page, raw=raw)


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = require(ApiToken, token_id, "token")
    if token.user_id != current_user.id and not current_user.is_office:
        raise NotFound(f"token {token_id} does not exist")
    operations.revoke_token(current_user, token)
    db.session.commit()
    flash(_("已撤销令牌 %(prefix)s…", prefix=token.prefix), "success")
    return redirect(url_for("accounts.tokens"))

