"""Entry point: `zhishui db|import|export|check|serve|demo|users`."""

from __future__ import annotations

import typer

from zhishui.cli import db, registry, serve, users

app = typer.Typer(
    name="zhishui",
    help="智水 zhishui — one-network management of a county's water networks.\n\n"
    "The database is chosen by ZHISHUI_DATABASE_URL (default: sqlite:///zhishui.db in the "
    "current folder; PostgreSQL + PostGIS with postgresql://user@host/db).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
registry.register(app)
serve.register(app)


def main() -> None:
    app()
