"""What a page says when a rule refuses: the user's language, plain words, the field named
by its label. The API and the CLI keep each error's own `message` as documented."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import LazyString, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import clock
from tracker.errors import DomainError
from tracker.i18n import locale_name
from tracker.labels import label

# Many rules say "中文 (english)": the Chinese for a page in Chinese, the English in English.
BILINGUAL = re.compile(r"^(?P<zh>.*[\u4e00-\u9fff].*?)\s*\((?P<en>[^\u4e00-\u9fff()]+)\)\s*$", re.S)
CJK = re.compile(r"[\u4e00-\u9fff]")
GENERIC = {400: _l("输入有误，请检查后重试"), 403: _l("你没有权限执行此操作"),
           404: _l("找不到该内容：它不存在，或你无权查看"), 409: _l("操作与当前状态冲突，请刷新页面后重试"),
           413: _l("上传内容超过大小限制")}


def page_text(exc: DomainError) -> str:
    """The refusal in the reader's language: the rule's own words for pages when it has
    them, else its Chinese (or English) half, else a plain sentence for its status."""
    if exc.text is not None:
        return str(exc.text)
    english = locale_name() == "en"
    both = BILINGUAL.match(exc.message)
    if both:
        return _sentence(both["en"]) if english else both["zh"].strip()
    if CJK.search(exc.message) and not english:
        return exc.message
    return str(GENERIC.get(exc.status, GENERIC[400]))


def with_label(exc: DomainError, field_label: str | None = None) -> str:
    """page_text prefixed with the field's label ("上级事项：……") for a message shown away
    from its field (flashed)."""
    text = page_text(exc)
    name = field_label or (label("field", exc.field) if exc.field else "")
    if not name or name == exc.field or text.startswith(name):
        return text
    return _("%(field)s：%(message)s", field=name, message=text)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def prose_date(day: date | None) -> str:
    """A date as people write it on a page: 2026年11月30日 (30 Nov 2026 in English).
    Inputs and the API keep ISO dates."""
    if day is None:
        return ""
    return format_date(day, "d MMM y") if locale_name() == "en" else clock.cn_date(day)


def lazy_date(day: date | None) -> LazyString:
    """prose_date when shown, in the reader's language (for a message made before)."""
    return LazyString(prose_date, day)
