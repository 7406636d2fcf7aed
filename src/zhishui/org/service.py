"""Users, login sessions, API tokens and the org tree. Flushes, never commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhishui.core.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from zhishui.org.models import (
    ORG_KINDS,
    ORG_LEVELS,
    ROLES,
    ApiToken,
    AuditEntry,
    LoginSession,
    OrgUnit,
    User,
)
from zhishui.org.scope import Actor
from zhishui.org.security import (
    hash_password,
    needs_rehash,
    new_token,
    password_problem,
    token_digest,
    verify_password,
)

TOKEN_PREFIX = "zs_"
USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout_minutes: int = 15
    session_hours: int = 12


def actor_for(user: User, ip: str | None = None) -> Actor:
    unit = user.org_unit
    return Actor(
        user.id,
        user.username,
        frozenset(user.roles or ()),
        unit.id,
        unit.level,
        unit.division_code,
        ip,
    )


def audit(
    session: Session, actor: Actor | None, action: str, target: str | None = None, **details: object
) -> None:
    session.add(
        AuditEntry(
            user_id=actor.user_id if actor else None,
            action=action,
            target=target,
            ip=actor.ip if actor else None,
            details=details or None,
        )
    )


def get_org_unit(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise NotFound(f"org unit {code!r} does not exist")
    return unit


def add_org_unit(
    session: Session,
    code: str,
    name: str,
    kind: str,
    level: str,
    division_code: str,
    parent_code: str | None = None,
    duties: str | None = None,
) -> OrgUnit:
    if kind not in ORG_KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(ORG_KINDS)}", field="kind")
    if level not in ORG_LEVELS:
        raise ValidationFailed(f"level must be one of {', '.join(ORG_LEVELS)}", field="level")
    parent = get_org_unit(session, parent_code) if parent_code else None
    unit = OrgUnit(
        code=code,
        name=name,
        kind=kind,
        level=level,
        division_code=division_code,
        parent_id=parent.id if parent else None,
        duties=duties,
    )
    session.add(unit)
    session.flush()
    return unit


def add_user(
    session: Session,
    username: str,
    password: str,
    org_unit_code: str,
    roles: list[str],
    display_name: str | None = None,
    check_password: bool = True,
) -> User:
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise ValidationFailed(
            f"roles must be among {', '.join(ROLES)}; got {', '.join(bad) or 'none'}", field="roles"
        )
    if not USERNAME.fullmatch(username):
        raise ValidationFailed(
            "username must be 1–64 letters, digits, '.', '_' or '-'", field="username"
        )
    if check_password and (problem := password_problem(password)):
        raise ValidationFailed(problem, field="password")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists already", field="username")
    unit = get_org_unit(session, org_unit_code)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        org_unit_id=unit.id,
        roles=list(roles),
        org_unit=unit,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    users = session.scalars(select(User).order_by(User.username)).all()
    return [u for u in users if actor.covers(u.org_unit.division_code)]


def authenticate(
    session: Session,
    username: str,
    password: str,
    now: datetime,
    policy: LoginPolicy,
    ip: str | None = None,
) -> User:
    """Check a password, counting failures and locking the account after too many."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        verify_password(None, password)
        audit(session, None, "login_failed", username, ip=ip, reason="unknown")
        raise AuthenticationFailed("wrong username or password")
    if user.locked_until and user.locked_until > now:
        audit(session, None, "login_locked", username, ip=ip)
        raise AuthenticationFailed(
            "account locked after repeated failures; try again later",
            locked_until=user.locked_until.isoformat(),
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= policy.max_failures:
            user.locked_until = now + timedelta(minutes=policy.lockout_minutes)
            user.failed_logins = 0
        audit(session, None, "login_failed", username, ip=ip, reason="password")
        session.flush()
        raise AuthenticationFailed("wrong username or password")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return user


def start_session(
    session: Session, user: User, now: datetime, policy: LoginPolicy, ip: str | None = None
) -> tuple[str, str]:
    """Open a browser session; returns (session token, CSRF token)."""
    token, csrf = new_token(), new_token()
    session.add(
        LoginSession(
            token_hash=token_digest(token),
            csrf_token=csrf,
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=policy.session_hours),
            ip=ip,
        )
    )
    audit(session, actor_for(user, ip), "login", user.username)
    session.flush()
    return token, csrf


def resolve_session(session: Session, token: str, now: datetime) -> tuple[User, LoginSession]:
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_digest(token)))
    if row is None or row.expires_at <= now:
        raise AuthenticationFailed("session expired; please log in again")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("account disabled")
    return user, row


def end_session(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))


def create_api_token(
    session: Session, user: User, name: str, now: datetime, days: int | None = None
) -> str:
    """A new machine token for `user`; the plain token is returned once and never stored."""
    exists = select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.name == name)
    if session.scalar(exists):
        raise Conflict(f"token {name!r} exists already for {user.username}", field="name")
    token = new_token(TOKEN_PREFIX)
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            token_hash=token_digest(token),
            prefix=token[:8],
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
    )
    session.flush()
    return token


def resolve_api_token(session: Session, token: str, now: datetime) -> User:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked or (row.expires_at and row.expires_at <= now):
        raise AuthenticationFailed("invalid or expired API token")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("account disabled")
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return user


def revoke_api_token(session: Session, user: User, name: str) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == name))
    if row is None:
        raise NotFound(f"token {name!r} does not exist for {user.username}")
    row.revoked = True
