"""`zhishui db upgrade|current`: schema migrations."""

from __future__ import annotations

import typer

from zhishui.cli.common import console, context
from zhishui.db import migrate

app = typer.Typer(
    help="Database schema: create or upgrade it (Alembic migrations).", no_args_is_help=True
)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Create the schema or bring it up to date (safe to run again)."""
    with context() as ctx:
        migrate.upgrade(ctx.engine, revision)
        console.print(
            f"schema at [bold]{migrate.current_revision(ctx.engine)}[/] "
            f"({ctx.engine.url.render_as_string(hide_password=True)})"
        )


@app.command()
def current() -> None:
    """Print the schema revision of the database."""
    with context() as ctx:
        console.print(migrate.current_revision(ctx.engine) or "(empty database)")
