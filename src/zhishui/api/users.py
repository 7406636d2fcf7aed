"""User administration within the caller's area."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from zhishui.api.deps import CurrentActor, DbSession
from zhishui.org import service as org
from zhishui.org.models import User

router = APIRouter(prefix="/api/v1/users", tags=["users"])


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    display_name: str | None = None
    org_unit: str
    roles: list[str] = Field(min_length=1)


def user_json(u: User) -> dict[str, Any]:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "roles": u.roles,
        "org_unit": u.org_unit.code,
        "org_unit_name": u.org_unit.name,
        "is_active": u.is_active,
        "locked_until": u.locked_until.isoformat() if u.locked_until else None,
    }


@router.get("", summary="Users in your area")
def list_users(session: DbSession, actor: CurrentActor) -> list[dict[str, Any]]:
    actor.require("admin", "supervisor", "leader")
    return [user_json(u) for u in org.list_users(session, actor)]


@router.post("", status_code=201, summary="Add a user (admin)")
def add_user(session: DbSession, actor: CurrentActor, body: NewUser) -> dict[str, Any]:
    actor.require("admin")
    unit = org.get_org_unit(session, body.org_unit)
    actor.require_covers(unit.division_code)
    user = org.add_user(
        session, body.username, body.password, body.org_unit, body.roles, body.display_name
    )
    org.audit(session, actor, "user_added", body.username, roles=body.roles)
    return user_json(user)
