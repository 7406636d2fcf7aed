"""Builds the demo county in the database: geography, people, networks, assets. Idempotent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhishui.bootstrap import Context
from zhishui.core.geo import to_storage
from zhishui.demo import DemoCounty, build_demo, place_ltown
from zhishui.demo.county import UserSpec, build_divisions, build_grids, build_users
from zhishui.demo.geo import build_geography
from zhishui.network.features import import_features
from zhishui.network.io.epanet import read_inp as read_epanet
from zhishui.network.io.swmm import write_inp as write_swmm
from zhishui.network.models import ComponentClass
from zhishui.network.records import FeatureRecord, NetworkModel
from zhishui.network.service import import_network
from zhishui.org import geography
from zhishui.org import service as org
from zhishui.org.models import User
from zhishui.org.scope import SYSTEM

LTOWN = Path(__file__).parent / "data" / "L-TOWN.inp"
NETWORK_NAMES = {"storm": "县城雨水管网", "sewer": "县城污水管网", "supply": "孝丰供水管网"}
CATCHMENT_FILE = "demo-catchment-dipu.inp"


def _polygon(geom: shapely.Geometry, transform: object) -> shapely.Geometry:
    def move(xy: np.ndarray) -> np.ndarray:
        lon, lat = transform(xy[:, 0], xy[:, 1])  # type: ignore[operator]
        return np.column_stack([lon, lat])

    return shapely.transform(geom, move)


def _geography(s: Session, demo: DemoCounty) -> None:
    transform = to_storage(demo.crs)
    for d in demo.divisions:
        geography.add_division(
            s, d.code, d.name, d.level, d.parent_code, _polygon(d.geom, transform)
        )
    for g in demo.grids:
        geography.add_grid(
            s, g.code, g.name, g.division_code, _polygon(g.geom, transform), g.area_m2
        )
    s.add_all(
        ComponentClass(
            code=c[0], major_code=c[1], major_name=c[2], minor_name=c[3], minor_name_en=c[4]
        )
        for c in demo.component_classes
    )
    s.flush()


def _people(s: Session, demo: DemoCounty) -> None:
    pending = list(demo.org_units)
    done: set[str] = set()
    while pending:
        unit = next(u for u in pending if u.parent_code is None or u.parent_code in done)
        org.add_org_unit(
            s,
            unit.code,
            unit.name,
            unit.kind,
            unit.level,
            unit.division_code,
            unit.parent_code,
            unit.duties,
        )
        done.add(unit.code)
        pending.remove(unit)
    for u in demo.users:
        user = org.add_user(
            s,
            u.username,
            u.password,
            u.org_unit_code,
            u.roles,
            u.display_name,
            check_password=False,
        )
        user.phone = u.phone


def _supply_model() -> NetworkModel:
    model = read_epanet(LTOWN)
    for n in model.nodes:
        if n.x is not None and n.y is not None:
            n.x, n.y = place_ltown(n.x, n.y)
    for link in model.links:
        link.vertices = [place_ltown(x, y) for x, y in link.vertices]
    model.crs = "EPSG:4549"
    model.source = LTOWN.name
    return model


def _renamed(records: list[FeatureRecord]) -> list[FeatureRecord]:
    for r in records:
        if r.attrs.get("network") in NETWORK_NAMES:
            r.attrs["network"] = NETWORK_NAMES[r.attrs["network"]]
        r.attrs.pop("class_code", None)
    return records


def load_demo(ctx: Context, console: Console) -> list[UserSpec]:
    """Build the demo county into an empty schema, in one transaction."""
    steps = [
        "generating the county",
        "divisions, grids and classes",
        "org units and users",
        "storm network",
        "sewer network",
        "supply network (L-TOWN)",
        "SWMM catchment",
        "outfalls, stations, pollution sources",
        "coded components",
    ]
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    )
    with progress, ctx.unit_of_work() as s:
        task = progress.add_task("demo county", total=len(steps))

        def step(i: int) -> None:
            progress.update(task, completed=i, description=f"demo: {steps[i]}")

        step(0)
        demo = build_demo(ltown_inp=LTOWN)
        step(1)
        _geography(s, demo)
        step(2)
        _people(s, demo)
        county = demo.county_code
        step(3)
        import_network(s, demo.storm, NETWORK_NAMES["storm"], "storm", SYSTEM, county)
        step(4)
        import_network(s, demo.sewer, NETWORK_NAMES["sewer"], "sewer", SYSTEM, county)
        step(5)
        import_network(s, _supply_model(), NETWORK_NAMES["supply"], "supply", SYSTEM, county)
        step(6)
        catchment = NetworkModel(
            "swmm",
            subcatchments=demo.catchment.subcatchments,
            options=demo.catchment.options,
            crs=demo.crs,
            source=CATCHMENT_FILE,
        )
        import_network(s, catchment, NETWORK_NAMES["storm"], "storm", SYSTEM, county)
        _write_catchment(ctx, demo)
        step(7)
        for target, records in (
            ("outfalls", demo.outfalls),
            ("stations", demo.stations),
            ("pollution_sources", demo.pollution_sources),
        ):
            import_features(s, target, _renamed(records), SYSTEM, demo.crs, "demo")
        step(8)
        import_features(s, "components", _renamed(demo.components), SYSTEM, demo.crs, "demo")
        progress.update(task, completed=len(steps), description="demo county ready")
    return demo.users


def _write_catchment(ctx: Context, demo: DemoCounty) -> None:
    """Write the catchment model into the data folder, for EPA SWMM or pyswmm."""
    folder = Path(ctx.settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    write_swmm(demo.catchment, folder / CATCHMENT_FILE)


def load_demo_if_empty(ctx: Context, console: Console) -> list[UserSpec]:
    with ctx.unit_of_work() as s:
        empty = s.scalar(select(func.count()).select_from(User)) == 0
    if empty:
        return load_demo(ctx, console)
    console.print("database already holds data: the demo county was not loaded again")
    return build_demo_users()


def build_demo_users(seed: int = 2026) -> list[UserSpec]:
    """The demo users alone, without generating the networks."""
    geo = build_geography(seed)
    return build_users(build_grids(build_divisions(geo, np.random.default_rng([seed, 10]))))


def print_logins(console: Console, users: list[UserSpec]) -> None:
    table = Table(
        "username",
        "password",
        "roles",
        "org unit",
        "name",
        title="demo logins (演示账号) — demo only, change before real use",
    )
    for u in users:
        table.add_row(u.username, u.password, ", ".join(u.roles), u.org_unit_code, u.display_name)
    console.print(table)
