"""Forms that record something submit once: each carries a one-time nonce, and the
database takes each nonce once (its primary key), so a double click or a resent POST
records nothing twice. Two submits at the same moment are decided by the database too:
the second insert waits for the first and then finds the key taken."""
from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField
from wtforms.validators import Length, Optional

from tracker.errors import Conflict
from tracker.extensions import db
from tracker.i18n import N_
from tracker.models import FormNonce, User

ALREADY = N_("该表单已经提交过，没有重复记录")


class AlreadySubmitted(Conflict):
    """The form's nonce was spent: what it records is recorded already."""


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class OnceMixin:
    """A form field holding the nonce, new for every blank form (a form shown again after a
    refusal keeps the one it was submitted with: that submit recorded nothing)."""

    nonce = HiddenField(default=new_nonce, validators=[Optional(), Length(max=64)])


def spend(user: User, nonce: str | None) -> None:
    """Take *nonce* for *user* in the current transaction (rolled back with it); raise
    AlreadySubmitted when it was taken before. A form without a nonce (a script) is not
    checked."""
    if not nonce:
        return
    try:
        with db.session.begin_nested():
            db.session.add(FormNonce(nonce=nonce[:64], user_id=user.id))
    except IntegrityError:
        raise AlreadySubmitted(ALREADY, "nonce") from None
