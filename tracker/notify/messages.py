"""What notices say (in Chinese) and how one notice renders as text, markdown or HTML.

A stored body is plain text: an opening line, then one line per item ("- …"). Rendering
adds the title and two links, 查看事项 (the items) and 签收 (the read receipt), and cuts the
item list to the channel's size limit, saying how many were left out.
"""
from __future__ import annotations

from html import escape

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
    parts = [out.title, "", *lines, *([more] if more else []),
             "", f"{VIEW}：{out.link}", f"{ACK}：{out.ack_link}"]
    return "\n".join(parts)


def html(out, limit: int) -> str:
    lines, more = fitted_lines(out, limit)
    items = [f"<li>{escape(line[2:])}</li>" for line in lines if line.startswith("- ")]
    prose = [f"<p>{escape(line)}</p>" for line in lines if line and not line.startswith("- ")]
    return "".join([
        f"<h3>{escape(out.title)}</h3>", *prose,
        f"<ul>{''.join(items)}</ul>" if items else "",
        f"<p>{escape(more)}</p>" if more else "",
        f'<p><a href="{escape(out.link)}">{VIEW}</a>　<a href="{escape(out.ack_link)}">{ACK}</a></p>'])


def _size(text: str) -> int:
    return len(text.encode())
