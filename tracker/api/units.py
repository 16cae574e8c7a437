"""API: units (单位), their notification channels, and users. Writing is for the office."""
from __future__ import annotations

from flask import g, request

from tracker.accounts import operations
from tracker.api.blueprint import bp
from tracker.api.parsing import body, page_of, query_int
from tracker.api.spec import PAGING, operation, page, path_id, query
from tracker.extensions import db
from tracker.models import Channel, Unit, User
from tracker.notify import channel_settings


@bp.get("/units")
def list_units():
    return page_of(operations.units_query(request.args.get("kind") or None), Unit.to_dict)


@bp.post("/units")
def create_unit():
    data = body()
    unit = operations.create_unit(g.api_user, data.get("name"), data.get("kind"),
                                  data.get("parent_id"), data.get("email"), data.get("sort_order"))
    db.session.commit()
    return unit.to_dict(), 201


@bp.get("/units/<int:unit_id>/channels")
def list_channels(unit_id: int):
    unit = operations.get_unit(unit_id)
    return page_of(channel_settings.channels_query(g.api_user, unit), Channel.to_dict)


@bp.post("/units/<int:unit_id>/channels")
def add_channel(unit_id: int):
    unit = operations.get_unit(unit_id)
    data = body()
    channel = channel_settings.add_channel(g.api_user, unit, data.get("kind"), data.get("target"),
                                     data.get("secret"))
    db.session.commit()
    return channel.to_dict(), 201


@bp.get("/users")
def list_users():
    return page_of(operations.users_query(g.api_user, query_int("unit_id")), User.to_dict)


@bp.post("/users")
def create_user():
    data = body()
    user = operations.create_user(g.api_user, data.get("login"), data.get("name"),
                                  data.get("unit_id"), data.get("role"), data.get("password"),
                                  data.get("email"))
    db.session.commit()
    return user.to_dict(), 201


@bp.get("/users/me")
def me():
    return g.api_user.to_dict()


UNIT = path_id("unit_id", "unit id")
PATHS = {
    "/units": {
        "get": operation("List units", tag="units", returns=page("Unit"),
                         params=[query("kind", "string", "only units of this kind"), *PAGING],
                         errors=(400,)),
        "post": operation("Create a unit (office)", tag="units", body="UnitInput", returns="Unit",
                          status=201, errors=(403,),
                          description="400 names `parent_id` when it is not a unit and `name` "
                                      "when the name is taken."),
    },
    "/units/{unit_id}/channels": {
        "get": operation("List a unit's channels (office)", tag="units", returns=page("Channel"),
                         params=[UNIT, *PAGING], errors=(400, 403, 404)),
        "post": operation("Add a channel to a unit (office)", tag="units", body="ChannelInput",
                          returns="Channel", status=201, params=[UNIT], errors=(403, 404),
                          description="`email`: target is an address; `wecom`, `dingtalk`, "
                                      "`feishu`, `webhook`: target is a URL, `secret` signs."),
    },
    "/users": {
        "get": operation("List users (office)", tag="users", returns=page("User"),
                         params=[query("unit_id", "integer", "only users of this unit"), *PAGING],
                         errors=(400, 403)),
        "post": operation("Create a user (office)", tag="users", body="UserInput", returns="User",
                          status=201, errors=(403,)),
    },
    "/users/me": {
        "get": operation("The user the token belongs to", tag="users", returns="User"),
    },
}
