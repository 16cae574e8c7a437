"""A bulletin's files as downloads, for its page and the API alike."""
from __future__ import annotations

from flask import Response

from tracker.models import Bulletin
from tracker.regime import bulletins, documents
from tracker.responses import download


def bulletin_docx(bulletin: Bulletin) -> Response:
    """The bulletin as an official document (.docx), with its letterhead."""
    data = documents.docx_bytes(bulletins.content_of(bulletin), bulletins.letterhead(bulletin))
    return download(data, f"bulletin-{bulletin.id}.docx")


def bulletin_xlsx(bulletin: Bulletin) -> Response:
    """The bulletin's tables, one sheet each (.xlsx)."""
    return download(documents.xlsx_bytes(bulletins.content_of(bulletin)),
                    f"bulletin-{bulletin.id}.xlsx")
