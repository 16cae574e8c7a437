"""What notices say (in Chinese) and how one notice renders as text, markdown or HTML.

A stored body is plain text: an opening line, then one line per item ("- …"), where a
markdown link "[text](url)" may name an item. Rendering adds the title and two links,
查看事项 (the items) and 签收 (the read receipt), turns item links into the format's own,
and cuts the item list to the channel's size limit, saying how many were left out.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from html import escape

from flask import current_app

from tracker.clock import cn_date, local

VIEW = "查看事项"
ACK = "签收"
# Room kept for the title, the links and the "left out" line when cutting to a limit.
RESERVE = 600


def fitted_lines(out, limit: int) -> tuple[list[str], str | None]:
    """The body's lines that fit in *limit* bytes, and a line saying what was left out."""
    lines = out.body.split("\n")
    budget = limit - RESERVE - _size(out.title) - _size(out.link) - _size(out.ack_link)
    kept: list[str] = []
    for line in lines:
        if budget - _size(line) - 1 < 0:
            break
        budget -= _size(line) + 1
        kept.append(line)
    left = len(lines) - len(kept)
    return kept, (f"……另有{left}项未列出，请点击“{VIEW}”查看完整清单" if left else None)


def markdown(out, limit: int) -> str:
    lines, more = fitted_lines(out, limit)
    parts = [f"### {out.title}", *lines, *([more] if more else []),
             "", f"[{VIEW}]({out.link})　[{ACK}]({out.ack_link})"]
    return "\n".join(parts)


def plain(out, limit: int) -> str:
    lines, more = fitted_lines(out, limit)
    lines = [LINK_RE.sub(r"\1（\2）", line) for line in lines]
    parts = [out.title, "", *lines, *([more] if more else []),
             "", f"{VIEW}：{out.link}", f"{ACK}：{out.ack_link}"]
    return "\n".join(parts)


def html(out, limit: int) -> str:
    lines, more = fitted_lines(out, limit)
    items = [f"<li>{_html_line(line[2:])}</li>" for line in lines if line.startswith("- ")]
    prose = [f"<p>{_html_line(line)}</p>" for line in lines if line and not line.startswith("- ")]
    return "".join([
        f"<h3>{escape(out.title)}</h3>", *prose,
        f"<ul>{''.join(items)}</ul>" if items else "",
        f"<p>{escape(more)}</p>" if more else "",
        f'<p><a href="{escape(out.link)}">{VIEW}</a>　<a href="{escape(out.ack_link)}">{ACK}</a></p>'])


def _size(text: str) -> int:
    return len(text.encode())


LINK_RE = re.compile(r"\[([^\]]*)\]\((\S+?)\)")


def _html_line(line: str) -> str:
    out, last = [], 0
    for match in LINK_RE.finditer(line):
        out.append(escape(line[last:match.start()]))
        out.append(f'<a href="{escape(match[2])}">{escape(match[1])}</a>')
        last = match.end()
    out.append(escape(line[last:]))
    return "".join(out)


# --- what the notices say -------------------------------------------------------------------

def url(path: str) -> str:
    """An absolute link into Duban (config [app] base_url)."""
    return current_app.config["SETTINGS"]["app"]["base_url"].rstrip("/") + path


def unit_items_url(unit_id: int, overdue: bool = False) -> str:
    return url(f"/tasks?unit_id={unit_id}" + ("&overdue=true" if overdue else ""))


def item_link(task_id: int, code: str, title: str) -> str:
    """An item named as a link, with markdown's bracket characters kept out of its title."""
    clean = title.replace("[", "【").replace("]", "】")
    return f"[{code} {clean}]({url(f'/tasks/{task_id}')})"


def overdue_days(n: int) -> str:
    return f"逾期{n}个工作日"


def left_days(n: int, due: date, today: date) -> str:
    if due == today:
        return "今日到期"
    return f"还剩{n}个工作日" if n else f"{cn_date(due)}到期（其间无工作日）"


def report_date(at: datetime | None) -> str:
    return cn_date(local(at).date()) if at else "未报送"
