"""A failed delivery's stored error (`Notification.last_error`, technical and in English, as
the channels raise it) in plain words for the outbox and log pages; the raw text stays
behind a details toggle."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

SMTP = re.compile(r"^SMTP (?P<host>\S+?): (?P<kind>\w+)")
# SMTP failures by the exception's name; anything else is 邮件发送失败.
SMTP_KINDS = {
    "SMTPAuthenticationError": _l("邮件服务器拒绝登录（%(host)s），请检查用户名和密码"),
    "SMTPRecipientsRefused": _l("邮件服务器拒收该收件地址（%(host)s）"),
    "SMTPSenderRefused": _l("邮件服务器拒绝发件地址（%(host)s）"),
    "SMTPServerDisconnected": _l("邮件服务器中断了连接（%(host)s）"),
    "SMTPNotSupportedError": _l("邮件服务器不支持所配置的加密方式（%(host)s）"),
}
UNREACHABLE = ("ConnectionRefusedError", "gaierror", "TimeoutError", "timeout", "OSError",
               "ConnectionResetError", "SMTPConnectError", "ConnectionError")
PATTERNS = (
    (re.compile(r"^timed out after (?P<seconds>[\d.]+)s"), _l("对方在 %(seconds)s 秒内没有响应")),
    (re.compile(r"^connection failed"), _l("无法连接机器人或 Webhook 地址，请检查地址和网络")),
    (re.compile(r"^HTTP (?P<code>\d+)"), _l("机器人或 Webhook 地址返回错误（HTTP %(code)s）")),
    (re.compile(r"^robot answered non-JSON"), _l("机器人地址返回了无法识别的内容，请检查地址")),
    (re.compile(r"^robot error (?P<code>-?\d+)"),
     _l("机器人拒收消息（错误码 %(code)s），请检查签名密钥和安全设置")),
)


def plain_error(raw: str | None) -> str:
    """*raw* in the reader's language and plain words ("邮件服务器无法连接（localhost:25）")."""
    if not raw:
        return ""
    smtp = SMTP.match(raw)
    if smtp:
        host, kind = smtp["host"], smtp["kind"]
        if kind in UNREACHABLE:
            return str(_l("邮件服务器无法连接（%(host)s）", host=host))
        text = SMTP_KINDS.get(kind)
        return str(text % {"host": host}) if text else str(_l("邮件发送失败（%(host)s）", host=host))
    for pattern, text in PATTERNS:
        match = pattern.match(raw)
        if match:
            return str(text % match.groupdict())
    return str(_l("发送失败"))
