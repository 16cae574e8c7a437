"""Every answer under /api/v1 has the JSON error shape, even for routes that do not exist."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ApiToken


def test_unknown_api_route_answers_json_404(client, office_user, token_for):
    response = client.get("/api/v1/no-such-thing", headers=token_for(office_user))
    assert response.status_code == 404
    assert response.get_json()["field"] is None
    assert response.get_json()["error"]


def test_wrong_method_answers_json_405(client, office_user, token_for, make_task):
    task = make_task()
    response = client.delete(f"/api/v1/tasks/{task.id}", headers=token_for(office_user))
    assert response.status_code == 405
    assert set(response.get_json()) == {"error", "field"}


def test_non_numeric_task_id_answers_json_404(client, office_user, token_for):
    response = client.get("/api/v1/tasks/abc", headers=token_for(office_user))
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_pages_still_get_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_using_a_token_records_when_it_was_last_used(client, office_user, token_for):
    headers = token_for(office_user)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.last_used_at is None
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None
