"""Shared CLI plumbing: settings from the environment, the context and error printing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from zhishui.bootstrap import Context, build_context
from zhishui.core.errors import InputRejected, ZhishuiError
from zhishui.core.settings import Settings

console = Console()
err = Console(stderr=True)


@contextmanager
def context() -> Iterator[Context]:
    ctx = build_context(Settings.from_env())
    try:
        yield ctx
    except InputRejected as exc:
        err.print(f"[bold red]rejected (nothing was changed):[/] {len(exc.problems)} problem(s)")
        for p in exc.problems[:50]:
            err.print(f"  • {p}")
        if len(exc.problems) > 50:
            err.print(f"  … and {len(exc.problems) - 50} more")
        raise typer.Exit(2) from None
    except ZhishuiError as exc:
        err.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(2) from None
    finally:
        ctx.close()
