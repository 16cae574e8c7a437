"""A confirmation step for consequential POSTs (publish, 暂缓, 停用) that needs no script."""
from __future__ import annotations

from typing import Any

from flask import flash, render_template, request
from flask_babel import gettext as _


def confirm_step(title: str, message: str, button: str, reason: Any = None,
                 reason_label: str | None = None):
    """A confirmation page for a consequential POST (publish, 暂缓, 停用) that works without
    script: unless the form says `confirmed=1`, answer a page restating what will happen,
    whose form posts the same fields again with `confirmed=1` (and, when *reason_label* is
    given, a required reason, prefilled with *reason*). None once confirmed."""
    status = 200
    if request.form.get("confirmed") == "1":
        if reason_label is None or reason:
            return None
        flash(_("请填写%(label)s", label=reason_label), "error")
        status = 400
    keep = [(k, v) for k, values in request.form.lists() for v in values
            if k not in ("csrf_token", "confirmed", "reason")]
    return render_template("confirm.html", title=title, message=message, button=button,
                           fields=keep, reason=reason, reason_label=reason_label), status
