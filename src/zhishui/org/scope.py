"""What a user may see and do: their org unit's division as a code prefix, and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, true
from sqlalchemy.orm import InstrumentedAttribute

from zhishui.core.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The authenticated user (or machine) a request or command acts as."""

    user_id: int | None
    username: str
    roles: frozenset[str]
    org_unit_id: int | None
    org_level: str
    division_prefix: str
    ip: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def has_any(self, *roles: str) -> bool:
        return self.is_admin or bool(self.roles.intersection(roles))

    def require(self, *roles: str) -> None:
        if not self.has_any(*roles):
            raise PermissionDenied("this action needs one of the roles: " + ", ".join(roles))

    def covers(self, division_code: str | None) -> bool:
        return division_code is not None and division_code.startswith(self.division_prefix)

    def require_covers(self, division_code: str | None) -> None:
        if not self.covers(division_code):
            raise PermissionDenied("the object is outside your area of responsibility")


SYSTEM = Actor(None, "system", frozenset({"admin"}), None, "city", "")


def prefix_upper(prefix: str) -> str:
    """The smallest string above every string starting with `prefix` (codes are ASCII)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def scope_clause(column: InstrumentedAttribute[str], actor: Actor) -> ColumnElement[bool]:
    """Rows whose division code lies in the actor's area; a range, so the index serves it."""
    if not actor.division_prefix:
        return true()
    return and_(column >= actor.division_prefix, column < prefix_upper(actor.division_prefix))
