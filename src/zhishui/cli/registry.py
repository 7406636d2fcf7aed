"""`zhishui import|export|check`: moving networks and registry objects in and out."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from zhishui.cli.common import console, context, err
from zhishui.core.settings import Settings
from zhishui.network import checking
from zhishui.network.export import FORMATS, export_network
from zhishui.network.importing import FEATURE_TARGETS, import_file
from zhishui.org.scope import SYSTEM


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def import_(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="SWMM/EPANET .inp, GeoJSON, GeoPackage, Shapefile or .xlsx",
    ),
    network: str = typer.Option(None, "--network", help="network name (created if new)"),
    kind: str = typer.Option(None, "--kind", help="storm|sewer|combined|supply (new networks)"),
    crs: str = typer.Option(
        None,
        "--crs",
        help="the file's CRS, e.g. EPSG:4549 (default: read from the file, else lon/lat)",
    ),
    target: str = typer.Option(
        "network", "--target", help=f"network or one of {', '.join(FEATURE_TARGETS)}"
    ),
    mapping: Path = typer.Option(
        None, "--mapping", exists=True, help="JSON field mapping for GIS files"
    ),
) -> None:
    """Import a file, all or nothing; importing it again updates by id instead of duplicating."""
    field_map = json.loads(mapping.read_text("utf-8")) if mapping else None
    with context() as ctx, _progress() as progress:
        task = progress.add_task(f"importing {file.name}", total=None)
        with ctx.unit_of_work() as s:
            result = import_file(s, file, SYSTEM, target, network, kind, crs, field_map)
        progress.update(task, description=f"imported {file.name}", total=1, completed=1)
    console.print_json(data=result)


def export(
    network: str = typer.Argument(..., help="network name"),
    fmt: str = typer.Option(..., "--format", help=f"one of {', '.join(FORMATS)}"),
    output: Path = typer.Option(..., "-o", "--output", help="file to write"),
    crs: str = typer.Option(None, "--crs", help="output CRS (default: the source CRS)"),
) -> None:
    """Export a network as GeoJSON, GeoPackage, Shapefile, SWMM or EPANET."""
    with context() as ctx, ctx.unit_of_work() as s, _progress() as progress:
        progress.add_task(f"exporting {network}", total=None)
        model = export_network(s, network, fmt, output, SYSTEM, crs)
    console.print(f"wrote {output} ({len(model.nodes)} nodes, {len(model.links)} links)")


def check(
    network: str = typer.Argument(..., help="network name"),
    as_json: bool = typer.Option(False, "--json", help="print the findings as JSON"),
    limit: int = typer.Option(30, "--limit", help="findings to list per code"),
) -> None:
    """Check a network: disconnected parts, dangling or duplicate nodes, slopes, loops…"""
    with context() as ctx, ctx.unit_of_work() as s:
        findings = checking.check_registered(s, network, SYSTEM)
    if as_json:
        console.print_json(data=[checking.finding_json(f) for f in findings])
        return
    lang = Settings.from_env().default_locale
    summary = checking.summarize(findings)
    table = Table("code", "severity", "count", title=f"network check: {network}")
    for code, count in summary.items():
        sev = next(f.severity for f in findings if f.code == code)
        table.add_row(code, sev, str(count))
    console.print(table if summary else "[green]no findings[/]")
    shown: dict[str, int] = {}
    for f in findings:
        shown[f.code] = shown.get(f.code, 0) + 1
        if shown[f.code] <= limit:
            console.print(f"  [{f.severity}] {checking.describe(f, lang)}")
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command()(export)
    app.command()(check)
