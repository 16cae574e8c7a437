"""A bulletin's files as downloads, for its page and the API alike."""
from __future__ import annotations

from typing import Any

from flask import Response

from tracker import clock
from tracker.models import Bulletin
from tracker.regime import bulletins, documents
from tracker.responses import download


def bulletin_docx(bulletin: Bulletin) -> Response:
    """The bulletin as an official document (.docx)."""
    data = documents.docx_bytes(bulletins.content_of(bulletin), _letterhead(bulletin))
    return download(data, f"bulletin-{bulletin.id}.docx")


def _letterhead(bulletin: Bulletin) -> dict[str, Any]:
    """The office as 发文机关标志 and 落款, the number once published (a draft prints
    （草稿）), dated the day it was published (a draft: today)."""
    issuer, number = bulletins.letterhead(bulletin)
    signed = clock.local(bulletin.published_at).date() if bulletin.published_at else clock.today()
    return {"mark": issuer, "number": number if bulletin.is_published else "", "recipients": "",
            "issuer": issuer, "signed_on": signed, "date_style": "arabic"}


def bulletin_xlsx(bulletin: Bulletin) -> Response:
    """The bulletin's tables, one sheet each (.xlsx)."""
    return download(documents.xlsx_bytes(bulletins.content_of(bulletin)),
                    f"bulletin-{bulletin.id}.xlsx")
