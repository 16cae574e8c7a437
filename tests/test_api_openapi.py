"""/api/v1/openapi.json: public, valid OpenAPI 3.1, complete, and true to the real responses."""
from __future__ import annotations

import io
import re

import pytest
from api_support import world  # noqa: F401 - world is a fixture
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_document_is_public_and_valid_openapi_3_1(doc):
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    assert {"Task", "Report", "Unit", "User", "Error"} <= set(doc["components"]["schemas"])


def test_every_api_route_is_documented_and_every_documented_path_exists(app, doc):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert routes == documented


def _schema(doc, path: str, method: str, status: int) -> OAS31Validator:
    response = doc["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema = response["content"]["application/json"]["schema"]
    return OAS31Validator({**schema, "components": doc["components"]})


def _check(doc, path, method, response):
    assert str(response.status_code) in doc["paths"][path][method]["responses"], \
        f"{method.upper()} {path} answered an undocumented {response.status_code}"
    _schema(doc, path, method, response.status_code).validate(response.get_json())


def test_real_responses_match_their_documented_schemas(doc, world):
    t = world.task.id
    _check(doc, "/tasks", "get", world.call("office", "GET", "/tasks?overdue=false"))
    _check(doc, "/tasks/{task_id}", "get", world.call("lead", "GET", f"/tasks/{t}"))
    _check(doc, "/tasks/{task_id}", "patch",
           world.call("office", "PATCH", f"/tasks/{t}", {"version": 1, "target_value": 12.5}))
    _check(doc, "/tasks/{task_id}", "patch",
           world.call("office", "PATCH", f"/tasks/{t}", {"version": 1, "title": "x"}))
    report = world.client.post(
        f"/api/v1/tasks/{t}/reports", content_type="multipart/form-data",
        headers=world.headers["lead"],
        data={"progress": "60", "text": "进展", "evidence": [(io.BytesIO(b"%PDF"), "a.pdf")]})
    _check(doc, "/tasks/{task_id}/reports", "post", report)
    _check(doc, "/tasks/{task_id}/reports", "get", world.call("co", "GET", f"/tasks/{t}/reports"))
    asked = world.call("lead", "POST", f"/tasks/{t}/signoff-requests", {"note": "完成"})
    _check(doc, "/tasks/{task_id}/signoff-requests", "post", asked)
    _check(doc, "/tasks/{task_id}/signoff-requests/{request_id}/reject", "post",
           world.call("office", "POST", f"/tasks/{t}/signoff-requests/{asked.get_json()['id']}"
                                        "/reject", {"reason": "材料不全"}))
    _check(doc, "/tasks/{task_id}/signoff-requests", "get",
           world.call("office", "GET", f"/tasks/{t}/signoff-requests"))
    ext = world.call("lead", "POST", f"/tasks/{t}/extension-requests",
                     {"new_due_date": "2027-01-31", "reason": "延误"})
    _check(doc, "/tasks/{task_id}/extension-requests", "post", ext)
    _check(doc, "/tasks/{task_id}/extension-requests/{request_id}/approve", "post",
           world.call("office", "POST", f"/tasks/{t}/extension-requests/{ext.get_json()['id']}"
                                        "/approve"))
    _check(doc, "/tasks/{task_id}/history", "get", world.call("leader", "GET", f"/tasks/{t}/history"))
    _check(doc, "/tasks/{task_id}", "get", world.call("other", "GET", f"/tasks/{t}"))
    _check(doc, "/tasks/{task_id}", "get", world.call("office", "GET", "/tasks/99999"))


def test_unit_and_user_responses_match_their_documented_schemas(doc, world):
    _check(doc, "/units", "get", world.call("leader", "GET", "/units"))
    _check(doc, "/units", "post", world.call("office", "POST", "/units",
                                             {"name": "市住房城乡建设局", "kind": "department"}))
    _check(doc, "/units", "post", world.call("office", "POST", "/units", {"name": "x"}))
    channel = {"kind": "webhook", "target": "http://127.0.0.1:9/h", "secret": "s"}
    _check(doc, "/units/{unit_id}/channels", "post",
           world.call("office", "POST", f"/units/{world.lead.id}/channels", channel))
    _check(doc, "/units/{unit_id}/channels", "get",
           world.call("office", "GET", f"/units/{world.lead.id}/channels"))
    _check(doc, "/users", "post", world.call("office", "POST", "/users", {
        "login": "zhao", "name": "赵六", "unit_id": world.co.id, "role": "leader",
        "password": "long-enough"}))
    _check(doc, "/users", "get", world.call("office", "GET", "/users"))
    _check(doc, "/users/me", "get", world.call("lead", "GET", "/users/me"))
    _check(doc, "/users/me", "get", world.client.get("/api/v1/users/me"))
