"""`zhishui users add|list|token`: accounts and machine tokens."""

from __future__ import annotations

import typer
from rich.table import Table

from zhishui.cli.common import console, context
from zhishui.org import service as org
from zhishui.org.models import ROLES
from zhishui.org.scope import SYSTEM

app = typer.Typer(help="Users and API tokens.", no_args_is_help=True)


@app.command()
def add(
    username: str,
    org_unit: str = typer.Option(..., "--org-unit", help="code of the user's org unit"),
    role: list[str] = typer.Option(..., "--role", help=f"one or more of: {', '.join(ROLES)}"),
    name: str = typer.Option(None, "--name", help="display name"),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="at least 8 characters mixing letters and digits",
    ),
) -> None:
    """Add a user (password is asked for when not given)."""
    with context() as ctx, ctx.unit_of_work() as s:
        org.add_user(s, username, password, org_unit, role, name)
        org.audit(s, SYSTEM, "user_added", username, roles=role)
    console.print(f"added [bold]{username}[/] ({', '.join(role)})")


@app.command("list")
def list_() -> None:
    """List users with their org unit and roles."""
    with context() as ctx, ctx.unit_of_work() as s:
        table = Table("username", "name", "org unit", "level", "roles", "locked")
        for u in org.list_users(s, SYSTEM):
            table.add_row(
                u.username,
                u.display_name,
                u.org_unit.name,
                u.org_unit.level,
                ", ".join(u.roles),
                "yes" if u.locked_until else "",
            )
    console.print(table)


@app.command()
def token(
    username: str,
    name: str = typer.Option("default", "--name", help="a label for the token"),
    days: int = typer.Option(None, "--days", help="expire after this many days"),
    revoke: bool = typer.Option(False, "--revoke", help="revoke the named token instead"),
) -> None:
    """Create (or revoke) an API token; send it as `Authorization: Bearer TOKEN`."""
    with context() as ctx, ctx.unit_of_work() as s:
        user = org.get_user(s, username)
        if revoke:
            org.revoke_api_token(s, user, name)
            console.print(f"revoked token {name!r} of {username}")
            return
        value = org.create_api_token(s, user, name, ctx.clock.now(), days)
    console.print(value, highlight=False, soft_wrap=True)
