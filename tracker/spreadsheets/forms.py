"""Forms of the spreadsheet pages: upload, then confirm what the preview showed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField


class UploadForm(FlaskForm):
    file = FileField(_l("Excel 文件"))
    create_units = BooleanField(_l("创建缺少的单位"))


class ConfirmForm(FlaskForm):
    token = HiddenField()
    create_units = HiddenField()
