"""Uploaded workbooks kept between the preview and the confirmation: the confirmation
imports exactly the file that was previewed (checked again), and only its uploader may."""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from werkzeug.datastructures import FileStorage

from tracker.errors import ValidationError
from tracker.models import User
from tracker.reports.evidence import upload_dir

SUFFIXES = ("xlsx", "xlsm", "xls", "et", "ods")
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(?:%s)$" % "|".join(SUFFIXES))


def _folder() -> Path:
    folder = upload_dir() / "imports"
    folder.mkdir(exist_ok=True)
    return folder


def read_upload(file: FileStorage | None) -> tuple[bytes, str]:
    """The uploaded workbook's bytes and name, or a ValidationError naming the field."""
    if file is None or not file.filename:
        raise ValidationError("请选择要上传的 Excel 文件 (file is required)", "file")
    name = file.filename
    if name.rsplit(".", 1)[-1].lower() not in SUFFIXES:
        raise ValidationError("只能上传 .xlsx、.xls、.et 或 .ods 文件 (not a spreadsheet)", "file")
    return file.read(), name


def keep(user: User, data: bytes, name: str) -> str:
    """Store the file for *user*'s confirmation; returns its token."""
    folder = _folder()
    for old in folder.iterdir():  # what nobody confirmed within a day
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = f"{secrets.token_urlsafe(18)}.{name.rsplit('.', 1)[-1].lower()}"
    (folder / f"{user.id}-{token}").write_bytes(data)
    return token


def kept(user: User, token: str) -> tuple[bytes, str]:
    """The file *user* kept under *token*; a ValidationError when it is gone."""
    path = _folder() / f"{user.id}-{token}"
    if not _TOKEN.match(token or "") or not path.is_file():
        raise ValidationError("上传的文件已失效，请重新上传 (upload expired)", "file")
    return path.read_bytes(), token


def discard(user: User, token: str) -> None:
    if _TOKEN.match(token or ""):
        (_folder() / f"{user.id}-{token}").unlink(missing_ok=True)
