"""Channel formats: what each robot receives, signatures, and lists cut to size with a link."""
from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest

from peers import robots  # noqa: F401 - fixture
from tracker.notify.channels import DeliveryError, Outgoing, dingtalk, feishu, send, webhook, wecom

LINES = "\n".join(["截至2026-11-16，共300项工作逾期："] +
                  [f"- [1.{n} 标准厂房建设第{n}期](http://duban.test/tasks/{n})｜逾期{n}个工作日"
                   for n in range(300)])


def outgoing(kind, target, secret=None, body=LINES):
    return Outgoing(kind=kind, target=target, secret=secret, title="【周调度】逾期事项通报",
                    body=body, link="http://duban.test/tasks?overdue=true",
                    ack_link="http://duban.test/notify/ack/abc", meta={"id": 1})


def test_wecom_markdown_fits_its_limit_and_links_to_the_full_list(app):
    settings = app.config["SETTINGS"]
    content = wecom.payload(outgoing("wecom", "http://x/"), settings)["markdown"]["content"]
    assert wecom.payload(outgoing("wecom", "http://x/"), settings)["msgtype"] == "markdown"
    assert len(content.encode()) <= settings["notify"]["size_limits"]["wecom"] <= 4096
    assert content.startswith("### 【周调度】逾期事项通报\n截至2026-11-16")
    assert "[1.0 标准厂房建设第0期](http://duban.test/tasks/0)" in content
    assert "项未列出" in content and "[查看事项](http://duban.test/tasks?overdue=true)" in content
    assert "[签收](http://duban.test/notify/ack/abc)" in content


def test_dingtalk_sign_is_base64_hmac_of_timestamp_and_secret_url_encoded():
    url = dingtalk.signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", "SEC123",
                              1700000000000)
    query = parse_qs(urlsplit(url).query)
    expected = base64.b64encode(hmac.new(b"SEC123", b"1700000000000\nSEC123", hashlib.sha256).digest())
    assert query["timestamp"] == ["1700000000000"] and query["access_token"] == ["T"]
    assert query["sign"] == [expected.decode()]
    assert "%2B" in url or "%2F" in url or "%3D" in url  # the base64 is URL-encoded


def test_feishu_post_carries_seconds_timestamp_and_sign(app):
    body = feishu.payload(outgoing("feishu", "http://x/", "fs-secret", "短消息"), app.config["SETTINGS"],
                          timestamp_s=1700000000)
    key = b"1700000000\nfs-secret"
    assert body["timestamp"] == "1700000000"
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    post = body["content"]["post"]["zh_cn"]
    assert body["msg_type"] == "post" and post["title"] == "【周调度】逾期事项通报"
    assert post["content"][-1][0] == {"tag": "a", "text": "查看事项", "href": "http://duban.test/tasks?overdue=true"}


@pytest.mark.parametrize("kind, path, secret", [
    ("dingtalk", "/dingtalk/s", "SECsigned"),
    ("feishu", "/feishu/s", "feishu-signed"),
    ("webhook", "/webhook/s", "hook-secret"),
])
def test_signed_robots_verify_and_a_wrong_secret_is_refused(app, robots, kind, path, secret):  # noqa: F811
    robots.secrets[path] = secret
    send(outgoing(kind, robots.url(path), secret), app.config["SETTINGS"])
    assert len(robots.delivered_to(path)) == 1
    with pytest.raises(DeliveryError):
        send(outgoing(kind, robots.url(path), secret + "x"), app.config["SETTINGS"])
    assert len(robots.delivered_to(path)) == 1


def test_webhook_signature_is_hex_hmac_of_the_exact_body():
    body = b'{"a": 1}'
    assert webhook.signature("k", body) == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
