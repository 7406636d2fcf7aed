"""`zhishui serve` and `zhishui demo`: run the platform, build the demo county."""

from __future__ import annotations

import typer

from zhishui.cli.common import console, context
from zhishui.db import migrate


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="port to listen on"),
    workers: int = typer.Option(1, "--workers", help="worker processes (PostgreSQL only)"),
    demo: bool = typer.Option(
        False, "--demo", help="load the demo county first if the database is empty"
    ),
) -> None:
    """Start the web platform (REST API, OGC API, tiles and the command-centre map)."""
    import uvicorn

    with context() as ctx:
        migrate.upgrade(ctx.engine)
        if demo:
            from zhishui.seed.demo import load_demo_if_empty, print_logins

            logins = load_demo_if_empty(ctx, console)
            print_logins(console, logins)
    console.print(f"zhishui on [bold]http://{host}:{port}[/]  (API docs: /api/docs)")
    uvicorn.run(
        "zhishui.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


def demo(
    reset: bool = typer.Option(False, "--reset", help="empty the database first"),
) -> None:
    """Build the demo county (deterministic): divisions, grids, people, networks, assets."""
    from zhishui.seed.demo import load_demo, print_logins

    with context() as ctx:
        if reset:
            migrate.downgrade(ctx.engine, "base")
        migrate.upgrade(ctx.engine)
        logins = load_demo(ctx, console)
    print_logins(console, logins)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(demo)
