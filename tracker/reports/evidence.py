"""Storing and serving evidence files (佐证材料): checked, typed by their content, renamed,
kept outside static/ in the configured store (`tracker.reports.storage`)."""
from __future__ import annotations

import os
import secrets
import zipfile
from pathlib import Path
from typing import IO

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from flask_babel import lazy_gettext as _l

from tracker.config import instance_file
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.models import Evidence, Task, User
from tracker.reports.storage import storage


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy Office container (.doc .xls .ppt)
# (kind, magic number at offset 0); text is recognised apart.
SIGNATURES = (("pdf", b"%PDF"), ("ole2", OLE2), ("zip", b"PK\x03\x04"), ("zip", b"PK\x05\x06"),
              ("jpeg", b"\xff\xd8"), ("png", b"\x89PNG\r\n\x1a\n"))
# Each extension the sniffer knows: the kind its content must be and the type it is served as.
KNOWN = {
    "pdf": ("pdf", "application/pdf"),
    "doc": ("ole2", "application/msword"),
    "xls": ("ole2", "application/vnd.ms-excel"),
    "ppt": ("ole2", "application/vnd.ms-powerpoint"),
    "docx": ("zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("zip", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "zip": ("zip", "application/zip"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "png": ("png", "image/png"),
    "txt": ("text", "text/plain"),
}
# An OOXML file is a zip holding its part folder.
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
SNIFF_BYTES = 8192
# Types a browser shows by itself (sandboxed), so evidence of them previews inline.
PREVIEWABLE = ("application/pdf", "image/jpeg", "image/png")
PREVIEW_EXTENSIONS = tuple(ext for ext, (_, served) in KNOWN.items() if served in PREVIEWABLE)


def sniffed_type(stream: IO[bytes], ext: str) -> str | None:
    """The type a file with extension *ext* is served as, when its content is what the
    extension says (magic numbers; an OOXML zip must hold its part folder; text holds no NUL
    and decodes as UTF-8 or GB18030); None when content and extension disagree. An extension
    the office allows that the sniffer does not know is served as application/octet-stream."""
    if ext not in KNOWN:
        return "application/octet-stream"
    kind, served = KNOWN[ext]
    pos = stream.tell()
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    try:
        found = next((k for k, magic in SIGNATURES if head.startswith(magic)), None)
        if found is None and kind == "text" and _is_text(head):
            found = "text"
        if found != kind:
            return None
        if ext in OOXML_PARTS:
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                if not any(n.startswith(OOXML_PARTS[ext]) for n in archive.namelist()):
                    return None
        return served
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        stream.seek(pos)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


def upload_dir() -> Path:
    path = Path(instance_file(current_app.config, current_app.instance_path, "uploads", "directory"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_files(files: list[FileStorage], field: str = "evidence") -> None:
    """Refuse a file of a type or size the office does not accept, before anything is stored."""
    cfg = current_app.config["SETTINGS"]["uploads"]
    for f in files:
        name = f.filename or ""
        ext = _extension(f)
        if ext not in cfg["allowed_extensions"]:
            raise ValidationError(f"{field}: file type .{ext or '?'} of {name!r} is not accepted "
                                  f"(allowed: {', '.join(cfg['allowed_extensions'])})", field,
                                  text=_l("不接受“%(name)s”的文件类型，可上传：%(allowed)s", name=name,
                                          allowed="、".join(cfg["allowed_extensions"])))
        size = _size(f)
        if size > cfg["max_file_bytes"]:
            raise ValidationError(f"{field}: {name!r} is larger than "
                                  f"{cfg['max_file_bytes'] // 1048576} MB", field,
                                  text=_l("“%(name)s”超过 %(mb)s MB", name=name,
                                          mb=cfg["max_file_bytes"] // 1048576))
        if size == 0:
            raise ValidationError(f"{field}: {name!r} is empty", field, text=_l("“%(name)s”是空文件", name=name))
        if sniffed_type(f.stream, ext) is None:
            raise ValidationError(f"{field}: 文件内容与扩展名 .{ext} 不符 ({name!r} is not a .{ext} "
                                  "file)", field, text=_l("“%(name)s”的内容与扩展名 .%(ext)s 不符", name=name, ext=ext))


def store_files(files: list[FileStorage], task: Task, user: User, **owner) -> list[Evidence]:
    """Save checked files under generated names and add their Evidence rows.

    The files are written before the transaction commits; if it rolls back they are
    orphans on disk, never rows pointing at nothing."""
    check_files(files)
    rows = []
    for f in files:
        stored = secrets.token_hex(16)
        size = _size(f)
        storage().save(stored, f.stream)
        row = Evidence(task_id=task.id, original_name=_display_name(f.filename or "file"),
                       stored_name=stored, content_type=sniffed_type(f.stream, _extension(f)),
                       size=size, uploaded_by_id=user.id, **owner)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def path_of(evidence: Evidence) -> Path:
    """Where the local store keeps *evidence* ([storage] backend = "local")."""
    return upload_dir() / evidence.stored_name


def open_stored(evidence: Evidence) -> IO[bytes] | None:
    """The stored file of *evidence* from the configured store, or None when it is missing."""
    return storage().open(evidence.stored_name)


def served_type(evidence: Evidence, stream: IO[bytes]) -> str:
    """The type a stored file is served as: sniffed from its content again (rows stored
    before uploads were sniffed carry the client's type), octet-stream when it disagrees."""
    ext = evidence.original_name.rsplit(".", 1)[-1].lower() if "." in evidence.original_name else ""
    return sniffed_type(stream, ext) or "application/octet-stream"


def _extension(f: FileStorage) -> str:
    name = f.filename or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


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
