"""Storing and serving evidence files (佐证材料): checked, renamed, kept outside static/."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from tracker.config import instance_file
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.models import Evidence, Task, User


def upload_dir() -> Path:
    path = Path(instance_file(current_app.config, current_app.instance_path, "uploads", "directory"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_files(files: list[FileStorage], field: str = "evidence") -> None:
    """Refuse a file of a type or size the office does not accept, before anything is stored."""
    cfg = current_app.config["SETTINGS"]["uploads"]
    for f in files:
        name = f.filename or ""
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in cfg["allowed_extensions"]:
            raise ValidationError(f"{field}: file type .{ext or '?'} of {name!r} is not accepted "
                                  f"(allowed: {', '.join(cfg['allowed_extensions'])})", field)
        size = _size(f)
        if size > cfg["max_file_bytes"]:
            raise ValidationError(f"{field}: {name!r} is larger than "
                                  f"{cfg['max_file_bytes'] // 1048576} MB", field)
        if size == 0:
            raise ValidationError(f"{field}: {name!r} is empty", field)


def store_files(files: list[FileStorage], task: Task, user: User, **owner) -> list[Evidence]:
    """Save checked files under generated names and add their Evidence rows.

    The files are written before the transaction commits; if it rolls back they are
    orphans on disk, never rows pointing at nothing."""
    check_files(files)
    rows = []
    for f in files:
        stored = secrets.token_hex(16)
        size = _size(f)
        f.save(upload_dir() / stored)
        row = Evidence(task_id=task.id, original_name=_display_name(f.filename or "file"),
                       stored_name=stored, content_type=f.mimetype or "application/octet-stream",
                       size=size, uploaded_by_id=user.id, **owner)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def path_of(evidence: Evidence) -> Path:
    return upload_dir() / evidence.stored_name


def _size(f: FileStorage) -> int:
    stream = f.stream
    pos = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(pos)
    return size


def _display_name(name: str) -> str:
    """Keep the Chinese name people gave the file, minus any path."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:255] or secure_filename(name) or "file"
