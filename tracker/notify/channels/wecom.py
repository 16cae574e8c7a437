"""WeCom / 粤政易 group robot: markdown message; the URL carries the robot's key."""
from __future__ import annotations

from tracker.notify import messages
from tracker.notify.channels.base import Outgoing, check_robot_answer, limit_of, post_json


def payload(out: Outgoing, settings: dict) -> dict:
    content = messages.markdown(out, limit_of("wecom", settings))
    return {"msgtype": "markdown", "markdown": {"content": content}}


def send(out: Outgoing, settings: dict) -> None:
    response = post_json(out.target, payload(out, settings), settings)
    check_robot_answer(response, "errcode", "errmsg")
